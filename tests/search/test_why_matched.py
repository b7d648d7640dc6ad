"""Every result says why it matched (issue 17, point 5), through the API and the search page:
a mark in the Chinese, else a marked section heading, else a marked English; the English marks
agree with the Chinese ones; both snippets show the same stretch; a converted query says so."""

from __future__ import annotations

import re
from html import unescape

import pytest
from shuangyu.index.english.gloss import glossed_words
from shuangyu.index.text.analysis import has_han

from tests.paths import REPOSITORY_ROOT, SEED_LANGUAGE

pytestmark = pytest.mark.every_engine


def _queries() -> list[tuple[str, str]]:
    lines = (
        (REPOSITORY_ROOT / "tests" / "eval" / "queries.tsv")
        .read_text(encoding="utf-8")
        .splitlines()
    )
    return [
        tuple(line.split("\t")[:2]) for line in lines if line.strip() and not line.startswith("#")
    ]


QUERIES = _queries()


def marked(html: str) -> list[str]:
    return [unescape(text) for text in re.findall(r"<mark>(.*?)</mark>", html)]


def search(client, query: str, **params) -> dict:
    response = client.get("/api/search", query_string={"q": query, "limit": 20, **params})
    assert response.status_code in (200, 400), response.get_data(as_text=True)
    return response.get_json()


def test_every_result_of_the_evaluation_queries_shows_why_it_matched(client):
    where = {"text": "snippet", "heading": "section_html", "english": "snippet_en"}
    checked = 0
    for kind, query in QUERIES:
        body = search(client, query)
        for result in body.get("results", []):
            checked += 1
            assert marked(result[where[result["matched_in"]]]), (
                kind,
                query,
                result["id"],
                result["matched_in"],
            )
            if result["matched_in"] != "text":
                assert not marked(result["snippet"]), (query, result["id"])
    assert checked > 300


def test_a_match_through_the_heading_is_labelled_and_marked_there(client):
    body = search(client, "紅岩精神")
    by_heading = [result for result in body["results"] if result["matched_in"] == "heading"]
    assert len(by_heading) >= 3
    for result in by_heading:
        assert marked(result["section_html"]) == ["红岩精神"]
        assert not marked(result["snippet"])
        # The English says nothing the Chinese does not: 红岩 unmarked, so Hongyan unmarked.
        assert not marked(result["snippet_en"]), result["id"]
    html = client.get("/?q=紅岩精神&ui=zh").get_data(as_text=True)
    assert html.count("匹配在章节标题中") == len(by_heading)
    assert (
        '<span class="section">› <span lang="zh-Hans">文化传承示范区 · 传承弘扬“<mark>红岩精神</mark>”'
        in html
    )
    english = client.get("/?q=紅岩精神&ui=en").get_data(as_text=True)
    assert english.count("Matched in the section heading") == len(by_heading)


def test_english_marks_stand_for_chinese_marks_in_a_chinese_query(client):
    for kind, query in QUERIES:
        if not kind.startswith("zh") or not has_han(query):
            continue
        for result in search(client, query).get("results", []):
            if result["translation_engine"] == "gloss" and not marked(result["snippet"]):
                assert not marked(result["snippet_en"]), (query, result["id"])


def test_an_english_word_marks_the_part_of_a_chinese_word_that_it_translates(client):
    chinese = [
        word
        for result in search(client, "logistics")["results"]
        for word in marked(result["snippet"])
    ]
    assert chinese and set(chinese) == {"物流"}  # never 物流业 or 物流园 whole
    for result in search(client, "logistics")["results"]:
        # The word typed is marked wherever the English shows it; any other mark is the English
        # the gloss shows for 物流, the Chinese it marks.
        unmarked = re.sub(r"<mark>.*?</mark>", "", result["snippet_en"])
        assert "logistics" not in unmarked.lower(), result["id"]
        assert {word.lower() for word in marked(result["snippet_en"])} <= {
            "logistics",
            "distribution",
        }, result["id"]


def _senses(word: str) -> list[str]:
    return [sense.strip().lower() for sense in word.split("/") if sense.strip()]


@pytest.mark.parametrize(
    "query", ["物流枢纽", "logistics", "红岩", "中欧班列", "高质量发展", "ciqikou"]
)
def test_both_snippets_show_the_same_stretch_of_the_passage(client, query):
    shown = 0
    for result in search(client, query)["results"]:
        if result["translation_engine"] != "gloss" or len(result["text"]) <= 120:
            continue
        chinese = re.sub(r"</?mark>", "", unescape(result["snippet"])).strip("…")
        english = re.sub(r"</?mark>", "", unescape(result["snippet_en"])).lower()
        words = [
            word
            for word in glossed_words(chinese[:40], SEED_LANGUAGE)
            if has_han(word.source) and word.english
        ]
        found = [
            word for word in words[:6] if any(sense in english for sense in _senses(word.english))
        ]
        assert len(found) >= min(3, len(words)), (query, result["id"], chinese[:40], english[:200])
        shown += 1
    assert shown


def test_a_traditional_query_says_what_it_searched_for(client):
    body = search(client, "紅岩精神")
    assert body["query_conversions"] == [{"from": "紅岩精神", "to": ["红岩精神"], "kind": "script"}]
    assert search(client, "红岩精神")["query_conversions"] == []
    html = client.get("/?q=紅岩精神&ui=zh").get_data(as_text=True)
    assert "已按简体“红岩精神”检索（输入的是“紅岩精神”）" in html
    html = client.get("/?q=紅岩精神&ui=en").get_data(as_text=True)
    assert "Searched for 红岩精神 (you typed 紅岩精神)" in html


def test_a_pinyin_query_says_what_it_was_converted_to(client):
    body = search(client, "hongyan")
    assert {"en": "hongyan", "zh": ["红岩"]} in body["query_translations"]
    assert 'hongyan → <span lang="zh-Hans">红岩</span>' in client.get("/?q=hongyan").get_data(
        as_text=True
    )
    spelt = search(client, "Ci Qi Kou")
    assert {"from": "ciqikou", "to": ["磁器口"], "kind": "pinyin"} in spelt["query_conversions"]
    html = client.get("/?q=Ci Qi Kou&ui=en").get_data(as_text=True)
    assert "Pinyin ciqikou → 磁器口" in html
