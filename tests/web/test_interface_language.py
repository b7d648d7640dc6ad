"""An English interface in English and a Chinese one in Chinese (issue 17, point 6): every page
rendered in each language shows no interface string of the other language's table; report
titles, headings and neighbours are shown in English, labelled with what made them."""

from __future__ import annotations

import re
from html import unescape

import pytest
from shuangyu.web.interface_text import STRINGS

PAGES = [
    "/",
    "/?q=紅岩精神",
    "/?q=logistics",
    "/?q=没有这个词xyz",
    "/p/shapingba-four-zones:p039",
    "/r/shapingba-four-zones",
    "/no-such-page",
    "/r/no-such-report",
    "/?q=x&page=abc",
]


def interface_text(html: str, query: str = "") -> str:
    """The page's text outside the report's own content (anything marked with its language) and
    the query the reader typed (and what it was converted to)."""
    html = re.sub(r'<span class="conversion[^"]*">.*?</span>', " ", html, flags=re.S)
    if query:
        html = html.replace(query, " ")
    html = html.split("<body", 1)[1]
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r'<(\w+)[^>]*\blang="(?:zh-Hans|en)"[^>]*>.*?</\1>', " ", html, flags=re.S)
    # What the reader typed, and the examples of what to type, are queries, not interface text.
    html = re.sub(
        r'<(a|p) class="(?:example|did-you-mean)[^"]*"[^>]*>.*?</\1>', " ", html, flags=re.S
    )
    html = re.sub(r'value="[^"]*"', "", html)
    # The switch names the other language in that language, as language switches do.
    html = re.sub(r'<a class="ui-switch"[^>]*>.*?</a>', " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("path", PAGES)
def test_the_chinese_interface_shows_no_english_interface_text(client, path):
    text = interface_text(
        client.get(path + ("&" if "?" in path else "?") + "ui=zh").get_data(as_text=True)
    )
    english_only = {
        english
        for key, (chinese, english) in STRINGS.items()
        if english != chinese and key != "switch_ui"
    }
    shown = [
        english
        for english in english_only
        if re.search(rf"(?<![\w]){re.escape(english)}(?![\w])", text)
        and re.search(r"[a-z]{3}", english)
    ]
    assert not shown, shown
    assert "CC-CEDICT dictionary gloss" not in text and "Try a search" not in text


@pytest.mark.parametrize("path", PAGES)
def test_the_english_interface_shows_no_chinese_interface_text(client, path):
    query = path.partition("?q=")[2]
    text = interface_text(
        client.get(path + ("&" if "?" in path else "?") + "ui=en").get_data(as_text=True), query
    )
    chinese = [
        chinese
        for key, (chinese, english) in STRINGS.items()
        if chinese != english and key != "switch_ui" and chinese in text
    ]
    assert not chinese, chinese
    assert not re.search(r"[\u4e00-\u9fff]", text), re.findall(
        r".{0,20}[\u4e00-\u9fff]+.{0,20}", text
    )[:5]


def test_an_error_page_is_titled_in_the_interface_language_with_the_detail_labelled(client):
    chinese = client.get("/?q=x&page=abc&ui=zh")
    assert chinese.status_code == 400
    html = chinese.get_data(as_text=True)
    assert "<h1>请求有误</h1>" in html and "Bad Request" not in html
    assert re.search(r'详细信息（英文）： <span lang="en">page must be a whole number', html)
    assert "<h1>Bad request</h1>" in client.get("/?q=x&page=abc&ui=en").get_data(as_text=True)


def test_the_404_page_offers_searches(client):
    html = client.get("/no-such-page?ui=zh").get_data(as_text=True)
    assert re.search(r"试试检索：\s*<a class=\"example\"", html)


def test_english_titles_headings_and_neighbours_are_shown_and_labelled(client):
    passage = client.get("/api/passages/shapingba-four-zones:p039").get_json()
    assert (
        passage["section_en"]
        and passage["report_title_en"]
        and passage["section_engine"] == "gloss"
    )
    assert "Hongyan" in passage["section_en"]
    html = client.get("/p/shapingba-four-zones:p039?ui=en").get_data(as_text=True)
    assert f'<span lang="en">{passage["report_title_en"]}' in unescape(html).replace(
        "&#34;", '"'
    ) or passage["report_title_en"][:20] in unescape(html)
    assert (
        html.count('class="made-by made-by-gloss">gloss</span>') >= 3
    )  # title, heading, neighbours
    report = client.get("/r/shapingba-four-zones?ui=en").get_data(as_text=True)
    assert report.count('class="side-by-side"') >= 10
    results = client.get("/?q=紅岩精神&ui=en").get_data(as_text=True)
    assert "Hongyan" in results.split('class="section"', 1)[1][:400]
