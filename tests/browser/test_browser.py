"""End to end in a real headless Chromium against `shuangyu serve` on loopback.

Screenshots are saved to artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.paths import CORPUS_DIR, REPOSITORY_ROOT
from tests.serving import free_port, serving
from tests.tools import CHROMIUM

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = REPOSITORY_ROOT / "artifacts" / "screenshots"

pytestmark = [pytest.mark.every_engine, pytest.mark.browser]


@pytest.fixture(scope="module")
def server(real_index):
    """`shuangyu serve` on a free loopback port, as a user starts it."""
    environment = {
        **os.environ,
        "SHUANGYU_INDEX_DIR": str(real_index),
        "SHUANGYU_CORPUS_DIR": str(CORPUS_DIR),
    }
    with serving(environment) as base:
        yield base


@pytest.fixture(scope="module")
def host_page(server, tmp_path_factory):
    """A page of another site (another loopback port) that embeds the widget."""
    folder = tmp_path_factory.mktemp("host-site")
    (folder / "index.html").write_text(
        "<!doctype html><meta charset=utf-8><title>Another site</title><h1>Another site</h1>"
        f'<div id="box" data-shuangyu data-query="logistics hub"></div><script src="{server}/static/widget.js"></script>',
        encoding="utf-8",
    )
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/index.html"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1100, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page = context.new_page()
    yield page
    context.close()


def test_chinese_query_shows_marked_results(page, server):
    page.goto(server + "/")
    page.keyboard.press("/")
    expect(page.locator("#q")).to_be_focused()
    page.locator("#q").fill("物流枢纽")
    page.keyboard.press("Enter")
    expect(page.locator(".result").first).to_be_visible()
    assert "q=%E7%89%A9%E6%B5%81%E6%9E%A2%E7%BA%BD" in page.url
    expect(page.locator(".result .snippet mark").first).to_have_text("物流枢纽")
    expect(page.locator(".result .engine").first).to_contain_text("词典")
    page.screenshot(path=SCREENSHOTS / "search-zh.png", full_page=True)


def test_english_query_finds_chinese_passages(page, server):
    page.goto(server + "/?ui=en")
    page.locator("#q").fill("logistics hub")
    page.get_by_role("button", name="Search").click()
    first = page.locator(".result").first
    expect(first.locator(".snippet")).to_contain_text("物流枢纽")
    expect(first.locator(".snippet-en mark").first).to_have_text("logistics")
    expect(first.locator(".engine")).to_contain_text("not a translation")
    page.screenshot(path=SCREENSHOTS / "search-en.png", full_page=True)


def test_permalink_and_copying_a_citation(page, server):
    page.goto(server + "/?q=ix5")
    page.locator(".result .permalink").first.click()
    expect(page.locator("h1.passage-id")).to_have_text("shapingba-2020-four-highs:p010")
    page.locator('button.copy[data-copy="citation-gb_t_7714"]').click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("王彩艳, 肖亚平. 2020 沙坪坝走向了“四高”[EB/OL].")
    assert copied.endswith("/p/shapingba-2020-four-highs:p010.")
    expect(page.locator('button.copy[data-copy="citation-gb_t_7714"]')).to_have_text("已复制")
    page.screenshot(path=SCREENSHOTS / "permalink.png", full_page=True)
    page.locator("a.in-report").click()
    expect(page.locator("#shapingba-2020-four-highs\\:p010")).to_be_in_viewport()


def test_switching_the_interface_language(page, server):
    page.goto(server + "/?q=磁器口")
    expect(page.locator("#summary")).to_contain_text("共")
    page.locator("#ui-switch").click()
    expect(page.locator("#summary")).to_contain_text("passages in")
    page.goto(server + "/")
    expect(page.locator("#q")).to_have_attribute(
        "placeholder", "Search the reports (Chinese or English)"
    )


def test_readable_on_a_phone(browser, server):
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN")
    page = context.new_page()
    page.goto(server + "/?q=高质量发展")
    expect(page.locator(".result").first).to_be_visible()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
    page.screenshot(path=SCREENSHOTS / "search-phone.png", full_page=False)
    context.close()


def test_widget_on_another_site_renders_results_cross_origin(browser, host_page):
    context = browser.new_context()
    page = context.new_page()
    page.goto(host_page)
    expect(page.locator("#box .shuangyu-result").first).to_be_visible()
    expect(page.locator("#box .shuangyu-snippet mark").first).to_have_text("物流枢纽")
    expect(page.locator("#box .shuangyu-engine").first).to_contain_text("dictionary gloss")
    page.screenshot(path=SCREENSHOTS / "widget.png", full_page=True)
    context.close()
