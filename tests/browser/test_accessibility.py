"""Accessibility in a real headless Chromium against `shuangyu serve` (the fixtures of
tests/browser/test_browser.py): axe-core finds no serious or critical violation on the results,
passage, report and embed pages in both interface languages; keyboard focus is visible, a skip
link leads past the header, each result costs few tab stops; every page has an icon.

The screenshots of those pages, in both languages, go to artifacts/screenshots/."""

from __future__ import annotations

import importlib.resources

import pytest
from playwright.sync_api import expect

from tests.browser.test_browser import SCREENSHOTS, browser, server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

# axe-core as the axe-playwright-python package ships it: no download at test time.
AXE_SOURCE = (
    importlib.resources.files("axe_playwright_python")
    .joinpath("axe.min.js")
    .read_text(encoding="utf-8")
)
FAILING_IMPACTS = {"serious", "critical"}
PASSAGE = "shapingba-four-zones:p027"
PAGES = {
    "results": "/?q=物流枢纽",
    "passage": f"/p/{PASSAGE}",
    "report": "/r/shapingba-four-zones",
    "embed": "/embed?q=物流枢纽&limit=5",
}


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1100, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def axe_violations(page, context: str | None = None) -> list[dict]:
    """axe-core's violations on ``page`` (within the CSS selector ``context``, when given).

    The script is evaluated through the DevTools protocol, not added as a <script> tag: the
    site's Content-Security-Policy rightly refuses inline scripts, and the check should see the
    page under the policy it is served with."""
    page.evaluate(AXE_SOURCE)
    results = page.evaluate(
        "context => axe.run(context || document, {resultTypes: ['violations']})", context
    )
    return results["violations"]


def serious(violations: list[dict]) -> list[str]:
    """The serious and critical violations, one readable line each."""
    return [
        f"{violation['impact']} {violation['id']}: {violation['help']} at "
        f"{[node['target'] for node in violation['nodes'][:5]]}"
        for violation in violations
        if violation["impact"] in FAILING_IMPACTS
    ]


@pytest.mark.parametrize("ui", ["zh", "en"])
@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_serious_violation(page, server, name, ui):
    path = PAGES[name]
    answer = page.goto(f"{server}{path}{'&' if '?' in path else '?'}ui={ui}")
    assert answer.status == 200
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans" if ui == "zh" else "en")
    page.screenshot(path=SCREENSHOTS / f"{name}-{ui}.png", full_page=True)
    assert serious(axe_violations(page)) == []


def test_axe_would_report_a_serious_violation(page, server):
    # The check can fail: a control without a name is a critical violation.
    page.goto(server + "/?q=物流枢纽")
    page.locator("#q").evaluate(
        "box => { box.removeAttribute('aria-label'); box.removeAttribute('placeholder'); }"
    )
    assert any("label" in line for line in serious(axe_violations(page)))


def test_the_skip_link_is_the_first_tab_stop_and_leads_to_the_content(page, server):
    # A passage page: the search page puts the first focus in its search box instead.
    page.goto(f"{server}/p/{PASSAGE}?ui=en")
    skip = page.locator("a.skip-link")
    expect(skip).not_to_be_in_viewport()
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    expect(skip).to_have_text("Skip to the main content")
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    # The next stop is in the content, past the header and the search form.
    page.keyboard.press("Tab")
    assert page.evaluate(
        "document.activeElement !== document.body && document.activeElement.closest('main') !== null"
    )


def ring(locator) -> dict:
    """The focus ring that ``locator`` draws: its outline's style, width and colour."""
    return locator.evaluate(
        "node => { const s = getComputedStyle(node);"
        " return {style: s.outlineStyle, width: s.outlineWidth, color: s.outlineColor}; }"
    )


def test_focus_is_visible_on_the_active_report_chip_and_on_every_control(page, server):
    page.goto(server + "/?q=物流枢纽")
    active = page.locator(".facets a.active")
    active.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # focused from the keyboard, as :focus-visible needs
    expect(active).to_be_focused()
    shown = ring(active)
    assert shown["style"] == "solid" and shown["width"] == "3px"
    # Drawn outside the chip, on the page's background: not the chip's own dark colour.
    assert shown["color"] != active.evaluate("node => getComputedStyle(node).backgroundColor")
    assert active.evaluate("node => getComputedStyle(node).outlineOffset") == "2px"
    page.screenshot(
        path=SCREENSHOTS / "focus-active-chip.png",
        clip={"x": 0, "y": 0, "width": 1100, "height": 320},
    )
    for selector in (
        "#q",
        "button[type=submit]",
        ".result a.report",
        ".result input.select",
        ".result button.copy-citation",
    ):
        control = page.locator(selector).first
        control.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")
        expect(control).to_be_focused()
        assert ring(control)["style"] == "solid", selector


def test_a_result_has_four_tab_stops(page, server):
    page.goto(server + "/?q=物流枢纽")
    first = page.locator(".result").first
    stops = first.locator("a[href], button, input:not([type=hidden]), select, textarea")
    # Select, report, passage, copy citation: the citation itself is a click away, not a stop away.
    expect(stops).to_have_count(4)
    expect(first.locator("a.cite")).to_have_count(0)


@pytest.mark.parametrize("path", ["/", f"/p/{PASSAGE}", "/embed"])
def test_every_page_has_an_icon(page, server, path):
    page.goto(server + path)
    icon = page.locator('link[rel="icon"]')
    expect(icon).to_have_attribute("type", "image/svg+xml")
    answer = page.request.get(server + icon.get_attribute("href"))
    assert answer.status == 200 and answer.headers["content-type"].startswith("image/svg+xml")
    favicon = page.request.get(server + "/favicon.ico")
    assert favicon.status == 200 and favicon.body() == answer.body()
