"""Results in the first screen (issue 28, point 4), in a real headless Chromium against
`shuangyu serve` over the real collection (a hundred reports): a common Chinese word and an
English query, each in both interface languages, show their first result without scrolling on
a desktop (1366x900) and a phone (390x844); the report filter names a few reports and keeps the
others, by year, one click away; the report searched in is the one shown as active. The results,
a permalink and the reports page are photographed in both languages on both screens, into the
test's temporary folder, for a person to look at (and checked by axe-core)."""

from __future__ import annotations

import os
import re
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from playwright.sync_api import expect
from shuangyu.web.search_pages import TOP_REPORTS

from tests.browser.test_accessibility import axe_violations, serious
from tests.browser.test_browser import browser  # noqa: F401 (fixture)
from tests.serving import serving

pytestmark = pytest.mark.browser

SCREENS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
QUERIES = {"zh": "发展", "en": "economic development"}
PASSAGE = "gwr-2005:p086"


@pytest.fixture(scope="module")
def real_server(real_collection_index):
    """`shuangyu serve` over the real collection."""
    environment = {
        **os.environ,
        "SHUANGYU_INDEX_DIR": str(real_collection_index),
        "SHUANGYU_CORPUS_DIR": str(real_collection_index.parent / "corpus"),
    }
    with serving(environment) as base:
        yield base


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    """Where the screenshots go."""
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture
def open_page(browser):  # noqa: F811 (fixture)
    """A page on a screen (``SCREENS``) in an interface language, closed after the test."""
    contexts = []

    def open_on(screen: str, ui: str = "zh"):
        context = browser.new_context(
            viewport=SCREENS[screen], locale="zh-CN" if ui == "zh" else "en-GB"
        )
        contexts.append(context)
        return context.new_page()

    yield open_on
    for context in contexts:
        context.close()


def results_url(server: str, query: str, ui: str) -> str:
    return f"{server}/?q={quote(query)}&ui={ui}"


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("ui", ["zh", "en"])
@pytest.mark.parametrize("language", QUERIES)
def test_the_first_result_is_in_the_first_screen(
    open_page, real_server, shots, screen, ui, language
):
    page = open_page(screen, ui)
    page.goto(results_url(real_server, QUERIES[language], ui))
    first = page.locator(".result").first
    expect(first).to_be_visible()
    # A common word is in most of the reports: the filter names a few of them, not all.
    reports = int(re.search(r"\d+", page.locator(".more-reports summary").inner_text()).group())
    assert reports > 30
    expect(page.locator(".top-reports .report-chip")).to_have_count(
        TOP_REPORTS + 1
    )  # and "All reports"
    expect(page.locator(".more-reports")).not_to_have_attribute("open", "")
    page.screenshot(path=shots / f"results-{language}-query-{ui}-{screen}.png")
    assert page.evaluate("window.scrollY") == 0
    top = first.bounding_box()["y"]
    assert top < SCREENS[screen]["height"], f"the first result starts {top:.0f} px down"
    # Its report line and the start of its text are in the screen too, not only its top edge.
    assert first.locator(".snippet").bounding_box()["y"] < SCREENS[screen]["height"]
    assert page.evaluate("document.scrollingElement.scrollWidth") <= SCREENS[screen]["width"]


def test_the_other_reports_are_one_click_away_by_year(open_page, real_server, shots):
    page = open_page("desktop", "en")
    page.goto(results_url(real_server, QUERIES["en"], "en"))
    summary = page.locator(".more-reports summary")
    reports_with_matches = int(re.search(r"\d+", summary.inner_text()).group())
    summary.click()
    expect(page.locator(".more-reports")).to_have_attribute("open", "")
    bars = page.locator(".histogram a")
    assert bars.count() > 30
    page.screenshot(path=shots / "report-filter-open-en-desktop.png")
    # A bar of the histogram leads to its year's reports, on the page of every report that
    # matches (the search page asks only for the reports its filter names).
    bar = bars.last
    label = bar.get_attribute("aria-label")
    year = re.match(r"(\d{4}):", label).group(1)
    assert "% of its passages match" in label
    bar.click()
    expect(page).to_have_url(re.compile(rf"/reports\?q=.*#reports-{year}$"))
    group = page.locator(f"#reports-{year}")
    expect(group).to_be_in_viewport()
    page.screenshot(path=shots / "matching-reports-en-desktop.png")
    assert page.locator(".report-matches .report-chip").count() == reports_with_matches
    chip = group.locator(".report-chip").first
    count = int(chip.locator(".count").inner_text())
    report_id = parse_qs(urlsplit(chip.get_attribute("href")).query)["report"][0]
    chip.click()
    # Searched in that report: its chip is the active one, "All reports" is not.
    active = page.locator(".top-reports .report-chip.active")
    expect(active).to_have_count(1)
    expect(active).to_have_attribute("aria-current", "page")
    assert parse_qs(urlsplit(active.get_attribute("href")).query)["report"] == [report_id]
    expect(page.locator(".report-chip.all")).not_to_have_attribute("aria-current", "page")
    expect(page.locator("#summary")).to_contain_text(f"{count} passage")
    ids = page.locator(".result input.select").evaluate_all("boxes => boxes.map(box => box.value)")
    assert ids and all(passage_id.startswith(report_id + ":") for passage_id in ids)


def test_a_report_typed_in_the_query_is_the_active_filter(open_page, real_server, shots):
    page = open_page("desktop", "zh")
    page.goto(results_url(real_server, "发展 report:gwr-2005", "zh"))
    active = page.locator(".top-reports .report-chip.active")
    expect(active).to_have_count(1)
    expect(active).to_contain_text("2005")
    expect(active).to_have_attribute("aria-current", "page")
    every = page.locator(".report-chip.all")
    expect(every).not_to_have_class(re.compile(r"\bactive\b"))
    expect(every).not_to_have_attribute("aria-current", "page")
    page.screenshot(path=shots / "report-in-query-zh-desktop.png")
    # "All reports" searches them all: the report: filter goes from the query.
    every.click()
    expect(page.locator("#q")).to_have_value("发展")
    expect(page.locator(".report-chip.all")).to_have_attribute("aria-current", "page")
    expect(page.locator(".report-chip.active")).to_have_count(
        1
    )  # in the list by year too, none is active


PAGES = {
    "results": f"/?q={quote(QUERIES['zh'])}",
    "permalink": f"/p/{PASSAGE}",
    "reports": "/reports",
}


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("ui", ["zh", "en"])
@pytest.mark.parametrize("name", PAGES)
def test_screenshots_of_the_results_permalink_and_reports_pages(
    open_page, real_server, shots, name, ui, screen
):
    page = open_page(screen, ui)
    path = PAGES[name]
    answer = page.goto(f"{real_server}{path}{'&' if '?' in path else '?'}ui={ui}")
    assert answer.status == 200
    page.screenshot(path=shots / f"{name}-{ui}-{screen}.png")
    page.screenshot(path=shots / f"{name}-{ui}-{screen}-full.png", full_page=True)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= SCREENS[screen]["width"]
    if name == "reports":
        expect(page.locator("table.reports tbody tr")).to_have_count(
            len(page.request.get(real_server + "/api/reports").json()["reports"])
        )
        expect(page.locator("table.reports tbody tr").first.locator("a")).to_be_in_viewport()
    if name == "permalink" and ui == "en":
        # The label of the English title is a tag beside the link, not a word of the title.
        where = page.locator(".passage .where")
        expect(where.locator("a.report .made-by")).to_have_count(0)
        expect(where.locator("a.report + .made-by")).to_be_visible()
        assert (
            where.locator("a.report + .made-by").evaluate(
                "tag => getComputedStyle(tag).borderStyle"
            )
            == "solid"
        )


@pytest.mark.parametrize("ui", ["zh", "en"])
@pytest.mark.parametrize(
    "path",
    [
        f"/?q={quote(QUERIES['en'])}",
        f"/reports?q={quote(QUERIES['en'])}",
        "/reports",
        "/reports?sort=title",
        "/api",
    ],
)
def test_axe_finds_no_serious_violation_on_the_filter_the_reports_and_the_api_pages(
    open_page, real_server, path, ui
):
    page = open_page("desktop", ui)
    answer = page.goto(f"{real_server}{path}{'&' if '?' in path else '?'}ui={ui}")
    assert answer.status == 200
    if path.startswith("/?"):
        page.locator(".more-reports summary").click()
    assert serious(axe_violations(page)) == []
