"""Counts that stop when they are enough (issue 31), as a reader sees them in a real headless
Chromium: `shuangyu serve` with SHUANGYU_EXACT_COUNTS set low, the search page and the widget on
another site. The tantivy engine says "N+ passages" and marks its estimated counts per report;
the engines that count every match show the exact numbers."""

from __future__ import annotations

import functools
import http.server
import os
import threading

import pytest
from playwright.sync_api import expect

from tests.browser.test_browser import SCREENSHOTS, browser  # noqa: F401 (fixture)
from tests.paths import CORPUS_DIR
from tests.serving import free_port, serving

pytestmark = [pytest.mark.every_engine, pytest.mark.browser]

THRESHOLD = 5
QUERY = "发展"  # 26 passages of the seed corpus, in both reports


@pytest.fixture(scope="module")
def counting_server(real_index):
    environment = {
        **os.environ,
        "SHUANGYU_INDEX_DIR": str(real_index),
        "SHUANGYU_CORPUS_DIR": str(CORPUS_DIR),
        "SHUANGYU_EXACT_COUNTS": str(THRESHOLD),
    }
    with serving(environment) as base:
        yield base


@pytest.fixture
def english_page(browser):  # noqa: F811 (the fixture imported above)
    context = browser.new_context(locale="en-US", viewport={"width": 1100, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="module")
def widget_site(counting_server, tmp_path_factory):
    """A page of another site (another loopback port) whose widget searches ``QUERY``."""
    folder = tmp_path_factory.mktemp("counting-site")
    (folder / "index.html").write_text(
        '<!doctype html><html lang="en"><meta charset=utf-8><title>Another site</title><main>'
        f'<h1>Another site</h1><div id="box" data-shuangyu data-query="{QUERY}"></div></main>'
        f'<script src="{counting_server}/static/widget.js"></script>',
        encoding="utf-8",
    )
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/index.html"
    httpd.shutdown()
    httpd.server_close()


def test_the_page_and_the_widget_say_at_least_where_counting_stopped(
    english_page, counting_server, widget_site, engine
):
    page = english_page
    answer = page.request.get(f"{counting_server}/api/search?q={QUERY}").json()
    page.goto(f"{counting_server}/?q={QUERY}&ui=en")
    summary = page.locator("#summary")
    counts = page.locator(".report-chip:not(.all) .count")
    if engine != "tantivy":
        assert answer["total_relation"] == "eq" and answer["total"] > THRESHOLD
        expect(summary).to_contain_text(f"{answer['total']} passages")
        expect(page.locator(".counts-estimated")).to_have_count(0)
        assert not any(text.startswith("≈") for text in counts.all_inner_texts())
    else:
        assert answer["total_relation"] == "gte" and answer["total"] == THRESHOLD
        expect(summary).to_contain_text(f"{THRESHOLD}+ passages")
        expect(page.locator(".counts-estimated")).to_contain_text("estimated from a sample")
        texts = counts.all_inner_texts()
        assert texts and all(text.startswith("≈") for text in texts)
    # Ten results a page, and the next page as ever.
    expect(page.locator(".result")).to_have_count(10)
    page.screenshot(path=SCREENSHOTS / f"counts-at-least-{engine}-en.png")
    page.goto(widget_site)
    box = page.locator("#box")
    expected = f"{THRESHOLD}+ passages" if engine == "tantivy" else f"{answer['total']} passages"
    expect(box.get_by_role("status")).to_contain_text(expected)
