"""The researchers' tools on the results page in a real headless Chromium against
`shuangyu serve` (the fixtures of tests/browser/test_browser.py): sort, numbered pages, the page past
the end, copy a citation, select and export results, search within a report."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_browser import SCREENSHOTS, browser, page, server  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.every_engine, pytest.mark.browser]

NEWER = "shapingba-four-zones"


def test_sorting_by_date_and_numbered_pages(page, server):
    page.goto(server + "/?q=发展")
    page.locator('.sort a[data-sort="date"]').click()
    expect(page.locator('.sort a[data-sort="date"]')).to_have_attribute("aria-current", "true")
    assert "sort=date" in page.url
    dates = page.locator(".result .date").all_inner_texts()
    assert dates and all(date.startswith("2022") for date in dates)  # the newer report first
    page.get_by_role("link", name="第 2 页").click()
    expect(page.locator('.pagination [aria-current="page"]')).to_have_text("2")
    assert "sort=date" in page.url and "page=2" in page.url
    page.screenshot(path=SCREENSHOTS / "results-tools-zh.png", full_page=True)


def test_a_page_past_the_end_links_back_to_the_last_page(page, server):
    page.goto(server + "/?q=物流&page=99&ui=en")
    expect(page.locator(".past-end")).to_contain_text("Page 99 is past the end")
    expect(page.locator(".result")).to_have_count(0)
    page.locator("a.last-page").click()
    expect(page.locator(".result").first).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "past-end-en.png", full_page=True)


def test_copying_a_result_citation_in_the_chosen_style(page, server):
    page.goto(server + "/?q=ix5")
    first = page.locator(".result").first
    passage_id = first.locator("input.select").get_attribute("value")
    # The passage's own citations (its page and the API give the same).
    citations = page.request.get(f"{server}/api/passages/{passage_id}").json()["citations"]
    first.locator("button.copy-citation").click()
    # The Chinese interface copies the GB/T 7714 in force (2025) unless the reader picks another.
    assert page.evaluate("navigator.clipboard.readText()") == citations["gb_t_7714_2025"]
    expect(first.locator("button.copy-citation")).to_have_text("已复制")
    page.locator("#cite-style").select_option("apa")
    first.locator("button.copy-citation").click()
    assert (
        page.evaluate("navigator.clipboard.readText()")
        == citations["apa"]
        != citations["gb_t_7714_2025"]
    )
    # The choice is kept for the next search.
    page.goto(server + "/?q=物流")
    expect(page.locator("#cite-style")).to_have_value("apa")


def test_selecting_results_and_exporting_them(page, server):
    page.goto(server + "/?q=物流")
    page.locator("#export-button").click()
    expect(page.locator("#selected-count")).to_have_text("请先勾选要导出的结果")
    boxes = page.locator(".result input.select")
    chosen = [boxes.nth(0).get_attribute("value"), boxes.nth(2).get_attribute("value")]
    boxes.nth(0).check()
    boxes.nth(2).check()
    expect(page.locator("#selected-count")).to_have_text("已选 2 段")
    page.locator("#export-format").select_option("csv")
    with page.expect_download() as download:
        page.locator("#export-button").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert [row["id"] for row in rows] == chosen
    page.locator("#select-all").check()
    expect(page.locator("#selected-count")).to_have_text(f"已选 {boxes.count()} 段")
    page.locator("#export-format").select_option("ris")
    with page.expect_download() as download:
        page.locator("#export-button").click()
    assert download.value.path().read_text(encoding="utf-8").count("ER  -") == boxes.count()


def test_a_selection_is_kept_across_pages_and_exported_together(page, server):
    page.goto(server + "/?q=发展&ui=en")
    first_page = page.locator(".result input.select").nth(1)
    chosen = [first_page.get_attribute("value")]
    first_page.check()
    page.locator("a.page-number", has_text="2").first.click()
    expect(page).to_have_url(re.compile(r"page=2"))
    second_page = page.locator(".result input.select").nth(0)
    chosen.append(second_page.get_attribute("value"))
    second_page.check()
    expect(page.locator("#selected-count")).to_have_text("2 selected")
    page.locator("#export-format").select_option("csv")
    with page.expect_download() as download:
        page.locator("#export-button").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert sorted(row["id"] for row in rows) == sorted(chosen)
    # Back on the first page its result is still checked; clearing empties the selection everywhere.
    page.go_back()
    expect(page.locator(".result input.select").nth(1)).to_be_checked()
    page.locator("#clear-selection").click()
    expect(page.locator("#selected-count")).to_have_text("")
    expect(page.locator(".result input.select:checked")).to_have_count(0)
    page.reload()
    expect(page.locator(".result input.select:checked")).to_have_count(0)


def test_searching_within_a_report_from_its_page(page, server):
    page.goto(server + f"/r/{NEWER}?ui=en")
    page.locator("#report-q").fill("logistics")
    page.get_by_role("button", name="Search this report").click()
    expect(page.locator(".result").first).to_be_visible()
    assert f"report={NEWER}" in page.url
    ids = page.locator(".result input.select").evaluate_all("boxes => boxes.map(box => box.value)")
    assert ids and all(re.match(rf"{NEWER}:p\d+$", passage_id) for passage_id in ids)
    # In the English interface both name the report by its English title.
    expect(page.locator(".facets a.active")).to_contain_text(
        page.locator(".result .report span[lang=en]").first.inner_text()
    )
    page.screenshot(path=SCREENSHOTS / "report-search-en.png", full_page=True)
