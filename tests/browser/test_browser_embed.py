"""The widget and the embed on a page of another site, in a real headless Chromium: the host
pages are served by a second loopback server (another port, so another origin) and include
the widget from `shuangyu serve` (the fixtures of tests/browser/test_browser.py)."""

from __future__ import annotations

import functools
import http.server
import re
import threading

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import axe_violations, serious
from tests.browser.test_browser import SCREENSHOTS, browser, server  # noqa: F401 (fixtures)
from tests.serving import free_port

pytestmark = pytest.mark.browser

# The host's own colour for the widget's accent, set as a custom property on the widget's box.
HOST_ACCENT = "rgb(0, 102, 51)"
DEFAULT_ACCENT = "rgb(163, 35, 31)"
API_DETAIL = "limit must be between 1 and 100"  # the API's own words for data-limit="0"


def host_pages(server: str) -> dict[str, str]:
    """The other site's pages, by file name: each includes the widget from ``server``."""
    script = f'<script src="{server}/static/widget.js"></script>'
    return {
        # A Chinese page; one widget restyled by the host, one as it comes.
        "zh.html": '<!doctype html><html lang="zh-CN"><meta charset=utf-8><title>另一个网站</title>'
        f"<style>#styled {{ --shuangyu-accent: {HOST_ACCENT}; --shuangyu-radius: 0; }}</style>"
        "<main><h1>另一个网站</h1>"
        '<div id="styled" data-shuangyu data-query="物流枢纽" data-limit="3"></div>'
        '<div id="plain" data-shuangyu></div></main>' + script,
        # A Chinese page whose widget asks for English; a page in English with no data-lang.
        "asks-en.html": '<!doctype html><html lang="zh-CN"><meta charset=utf-8><title>另一个网站</title>'
        '<main><h1>另一个网站</h1><div id="box" data-shuangyu data-lang="en" data-query="logistics hub"></div></main>'
        + script,
        "en.html": '<!doctype html><html lang="en"><meta charset=utf-8><title>Another site</title>'
        '<main><h1>Another site</h1><div id="box" data-shuangyu data-query="ciqikou"></div></main>'
        + script,
        # A widget whose own setting the API refuses.
        "refused.html": '<!doctype html><html lang="zh-CN"><meta charset=utf-8><title>另一个网站</title>'
        '<main><h1>另一个网站</h1><div id="box" data-shuangyu data-limit="0" data-query="物流"></div></main>'
        + script,
        # The embed in an iframe, in each interface language, and with a query it refuses.
        "iframe.html": '<!doctype html><html lang="en"><meta charset=utf-8><title>Another site</title><main><h1>Another site</h1>'
        f'<iframe id="zh" title="双语检索" width="640" height="420" src="{server}/embed?q=物流枢纽&limit=3&ui=zh"></iframe>'
        f'<iframe id="en" title="Shuangyu" width="640" height="420" src="{server}/embed?q=logistics+hub&limit=3&ui=en"></iframe>'
        f'<iframe id="bad" title="Shuangyu" width="640" height="120" src="{server}/embed?q=物流&limit=abc&ui=en"></iframe>'
        "</main>",
    }


@pytest.fixture(scope="module")
def other_site(server, tmp_path_factory):
    """The base URL of another site (a second loopback server on another port) whose pages
    include the widget and the embed from ``server``."""
    folder = tmp_path_factory.mktemp("other-site")
    for name, html in host_pages(server).items():
        (folder / name).write_text(html, encoding="utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def page(browser):
    # An English browser: the widgets below take their language from the page or data-lang.
    context = browser.new_context(locale="en-US", viewport={"width": 900, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def test_the_widget_shows_report_titles_and_links_in_the_page_language(page, server, other_site):
    page.goto(other_site + "/zh.html")
    box = page.locator("#styled")
    expect(box.locator(".shuangyu-result")).to_have_count(3)
    api = page.request.get(f"{server}/api/search?q=物流枢纽&limit=3").json()
    expect(box.locator(".shuangyu-status")).to_have_text(f"共 {api['total']} 段")
    expect(box.locator(".shuangyu-title")).to_have_text(
        [result["report_title"] for result in api["results"]]
    )
    first = box.locator(".shuangyu-title").first
    expect(first).to_have_attribute("href", f"{server}{api['results'][0]['url']}?ui=zh")
    expect(box.locator(".shuangyu-snippet mark").first).to_have_text("物流枢纽")
    expect(box.locator(".shuangyu-engine").first).to_have_text("词典逐词释义（非翻译）")
    expect(box.locator(".shuangyu-input")).to_have_attribute(
        "placeholder", "搜索报告（中文或英文）"
    )
    expect(box.locator(".shuangyu-button")).to_have_text("搜索")
    # One link per result: the title.
    assert box.locator(".shuangyu-result").first.locator("a, button, input").count() == 1
    page.screenshot(path=SCREENSHOTS / "widget-zh.png", full_page=True)
    with page.context.expect_page() as opened:
        first.click()
    passage = opened.value
    expect(passage.locator("h1.passage-id")).to_have_text(api["results"][0]["id"])


def test_the_host_restyles_the_widget_through_custom_properties(page, other_site):
    page.goto(other_site + "/zh.html")
    expect(page.locator("#styled .shuangyu-result").first).to_be_visible()
    # The stylesheet comes from the Shuangyu server, once for both widgets.
    assert page.locator('link[href$="/static/widget.css"]').count() == 1
    styled, plain = (
        page.locator("#styled .shuangyu-button"),
        page.locator("#plain .shuangyu-button"),
    )
    assert styled.evaluate("node => getComputedStyle(node).backgroundColor") == HOST_ACCENT
    assert (
        page.locator("#styled .shuangyu-title").first.evaluate(
            "node => getComputedStyle(node).color"
        )
        == HOST_ACCENT
    )
    assert styled.evaluate("node => getComputedStyle(node).borderTopLeftRadius") == "0px"
    assert plain.evaluate("node => getComputedStyle(node).backgroundColor") == DEFAULT_ACCENT
    assert plain.evaluate("node => getComputedStyle(node).borderTopLeftRadius") != "0px"
    page.locator("#plain .shuangyu-input").focus()
    page.keyboard.press("Tab")
    expect(page.locator("#plain .shuangyu-button")).to_be_focused()
    assert plain.evaluate("node => getComputedStyle(node).outlineStyle") == "solid"


def test_data_lang_chooses_the_language_over_the_page(page, server, other_site):
    page.goto(other_site + "/asks-en.html")
    box = page.locator("#box")
    expect(box.locator(".shuangyu-result").first).to_be_visible()
    # Titles in English, the Chinese beside them.
    api = page.request.get(f"{server}/api/search?q=logistics+hub&limit=5").json()
    expect(box.locator(".shuangyu-title .shuangyu-english")).to_have_text(
        [result["report_title_en"] for result in api["results"]]
    )
    expect(box.locator(".shuangyu-title .shuangyu-original")).to_have_text(
        [result["report_title"] for result in api["results"]]
    )
    expect(box.locator(".shuangyu-title .shuangyu-english").first).to_have_attribute(
        "title", "dictionary gloss, not a translation"
    )
    expect(box.locator(".shuangyu-status")).to_have_text(re.compile(r"^\d+ passages$"))
    expect(box.locator(".shuangyu-engine").first).to_have_text(
        "dictionary gloss, not a translation"
    )
    expect(box.locator(".shuangyu-button")).to_have_text("Search")
    expect(box.locator(".shuangyu-title").first).to_have_attribute(
        "href", re.compile(r"/p/[^?]+\?ui=en$")
    )
    expect(box.locator(".shuangyu-more a")).to_have_text("See all results on Shuangyu")
    page.goto(other_site + "/en.html")
    expect(page.locator("#box .shuangyu-result").first).to_be_visible()
    expect(page.locator("#box .shuangyu-status")).to_have_text(re.compile(r"^\d+ passages$"))
    page.screenshot(path=SCREENSHOTS / "widget-en.png", full_page=True)


def test_errors_are_a_friendly_line_never_the_api_text(page, other_site):
    page.goto(other_site + "/zh.html")
    plain = page.locator("#plain")
    plain.locator(".shuangyu-button").click()
    expect(plain.locator(".shuangyu-status.shuangyu-error")).to_have_text("请输入要检索的词。")
    expect(plain.locator(".shuangyu-result")).to_have_count(0)
    page.goto(other_site + "/refused.html")
    status = page.locator("#box .shuangyu-status")
    expect(status).to_have_text("这次检索无法进行，请换个说法再试。")
    assert API_DETAIL not in page.locator("#box").inner_text()
    page.screenshot(path=SCREENSHOTS / "widget-error-zh.png", full_page=True)
    # The API out of reach: the widget says so in the page's language.
    page.route("**/api/search**", lambda route: route.abort())
    page.goto(other_site + "/en.html")
    expect(page.locator("#box .shuangyu-status")).to_have_text(
        "Search is unavailable right now: try again later."
    )


def test_the_embed_in_an_iframe_shows_report_titles_in_each_language(page, server, other_site):
    page.goto(other_site + "/iframe.html")
    api = page.request.get(f"{server}/api/search?q=物流枢纽&limit=3").json()
    zh = page.frame_locator("#zh")
    expect(zh.locator(".result .report")).to_have_text(
        [result["report_title"] for result in api["results"]]
    )
    expect(zh.locator(".result .report").first).to_have_attribute(
        "href", f"{server}{api['results'][0]['url']}?ui=zh"
    )
    expect(zh.locator(".summary")).to_contain_text(f"共 {api['total']} 段")
    expect(zh.locator(".engine").first).to_have_text("词典逐词释义（非翻译）")
    en = page.frame_locator("#en")
    expect(en.locator(".summary")).to_contain_text("passages in")
    english = page.request.get(f"{server}/api/search?q=logistics+hub&limit=3").json()["results"]
    expect(en.locator(".result .report .english")).to_have_text(
        [result["report_title_en"] for result in english]
    )
    expect(en.locator(".result .report .original")).to_have_text(
        [result["report_title"] for result in english]
    )
    # The English of a title says what made it (here the gloss, as for the passage below it).
    expect(en.locator(".result .report .english").first).to_have_attribute(
        "title", "Dictionary gloss (word by word, not a translation)"
    )
    expect(en.locator(".result .report .english").first).to_have_attribute(
        "data-engine", english[0]["report_title_engine"]
    )
    expect(en.locator("button[type=submit]")).to_have_text("Search")
    bad = page.frame_locator("#bad")
    expect(bad.locator(".embed-error")).to_have_text(
        "This search could not be run: try other words."
    )
    expect(bad.locator("header.site")).to_have_count(0)  # the frame shows no site page around it
    # Tall enough for every frame: a full-page screenshot leaves frames below the viewport blank.
    page.set_viewport_size({"width": 900, "height": 1150})
    page.screenshot(path=SCREENSHOTS / "embed-host-page.png", full_page=True)


@pytest.mark.parametrize("host", ["zh.html", "en.html"])
def test_axe_finds_no_serious_violation_in_the_widget(page, other_site, host):
    page.goto(f"{other_site}/{host}")
    expect(page.locator("[data-shuangyu] .shuangyu-result").first).to_be_visible()
    assert serious(axe_violations(page, "[data-shuangyu]")) == []
