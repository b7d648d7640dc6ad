"""Retrieval quality: the evaluation floors, query translation, duplicates, suggestions."""

from __future__ import annotations

import json

import pytest

from testbed.judging import FLOORS, evaluate, load_queries, score_ranking

pytestmark = pytest.mark.every_engine

HUB_CAPTION = "俯瞰重庆国际物流枢纽园区"


def test_no_kind_of_query_falls_below_its_floor(searcher):
    results = evaluate(searcher, load_queries())
    floors = {
        kind: metrics
        for kind, metrics in json.loads(FLOORS.read_text(encoding="utf-8")).items()
        if not kind.startswith("real_")
    }  # the real collection's: tests/search/test_real_collection.py
    assert set(floors) == set(results)
    failures = [
        f"{kind} {metric}: {results[kind].mean(metric):.4f} < floor {floor}"
        for kind, metrics in floors.items()
        for metric, floor in metrics.items()
        if results[kind].mean(metric) < floor
    ]
    assert not failures, "\n".join(
        failures + [f"miss: {text} → {ranked}" for text, ranked in results["overall"].misses]
    )


def test_the_evaluation_set_is_large_and_covers_every_kind():
    queries = load_queries()
    kinds = {query.kind for query in queries}
    assert len(queries) >= 80
    assert {
        "zh_keyword",
        "zh_phrase",
        "zh_part",
        "zh_traditional",
        "pinyin",
        "en_word",
        "en_phrase",
        "en_question",
        "mixed",
        "number",
    } <= kinds


def test_metrics():
    assert score_ranking(["a", "b", "c"], frozenset({"b"})) == pytest.approx(
        {"success@5": 1.0, "mrr@10": 0.5, "ndcg@10": 1 / 1.584962500721156}
    )
    assert score_ranking(["x"] * 6 + ["a"], frozenset({"a"}))["success@5"] == 0.0


def test_english_words_are_translated_into_chinese_and_shown(searcher):
    response = searcher.search("export")
    assert {"en": "export", "zh": ["出口"]} in response["query_translations"]
    assert any(
        "出口德国" in result["text"] and "<mark>出口</mark>" in result["snippet"]
        for result in response["results"]
    )


def test_an_english_phrase_is_matched_before_its_words(searcher):
    translations = searcher.search("logistics hub")["query_translations"]
    assert translations[0] == {"en": "logistics hub", "zh": ["物流枢纽"]}


def test_a_word_with_many_translations_counts_once():
    from shuangyu.search.crosslingual import MAX_CANDIDATES, ReverseDictionary

    from tests.paths import language

    [city] = ReverseDictionary(lambda word: True, language()).translate(["city"])
    assert 1 < len(city.chinese) <= MAX_CANDIDATES


def test_a_dictionary_word_is_held_as_its_words_only_when_each_is_an_index_word():
    from shuangyu.search.crosslingual import ReverseDictionary

    from tests.paths import language

    index_words = {"新冠", "肺炎", "大", "流行", "加密", "货币"}
    in_a_row = {("新冠", "肺炎"), ("大", "流行")}  # no passage has 加密货币
    reverse = ReverseDictionary(index_words.__contains__, language(), holds=in_a_row.__contains__)
    assert reverse.held_in("肺炎") == ("肺炎",)
    assert reverse.held_in("新冠肺炎") == ("新冠", "肺炎")  # searched as that phrase
    # Cut with a single character (大 流行): not a phrase the index holds as the word.
    assert reverse.held_in("大流行") == () and reverse.held_in("冠状病毒") == ()
    # Its words are index words, but no passage has them in a row: not translated to it.
    assert reverse.held_in("加密货币") == () and reverse.translate(["cryptocurrency"]) == []
    [covid] = reverse.translate(["covid", "19"])
    assert covid.chinese == ("新冠肺炎",) and covid.held_as() == [("新冠", "肺炎")]


def test_a_sense_is_found_by_its_head_only_where_no_word_has_it_whole():
    from shuangyu.search.crosslingual import ReverseDictionary

    from tests.paths import language

    every_word = ReverseDictionary(lambda word: True, language())
    # "covid-19, the coronavirus disease identified in 2019": no sense is "covid-19" whole.
    assert "新冠肺炎" in every_word.translate(["covid", "19"])[0].chinese
    # "blood, sweat and tears" (苦练) and "upper, middle and lower army" (三军) start lists:
    # blood and upper have words of their own.
    [blood], [upper] = every_word.translate(["blood"]), every_word.translate(["upper"])
    assert "血" in blood.chinese and not {"苦练", "呕心沥血"} & set(blood.chinese)
    assert "三军" not in upper.chinese


def test_a_passage_printed_twice_is_listed_once(searcher):
    results = searcher.search(HUB_CAPTION, limit=20)["results"]
    assert [result["text"] for result in results].count(HUB_CAPTION) == 1


def test_captions_rank_below_body_text_for_the_same_match(searcher):
    kinds = [result["kind"] for result in searcher.search("物流枢纽", limit=10)["results"]]
    assert kinds.index("caption") > kinds.index("body")


@pytest.mark.parametrize(
    "query, suggestion",
    [
        ("磁器扣", "磁器口"),
        ("紅岩精神 誌願者", "红岩精神 志愿者"),
        ("logistcs hub", "logistics hub"),
    ],
)
def test_did_you_mean(searcher, query, suggestion):
    response = searcher.search(query)
    assert response["did_you_mean"] == suggestion and response["searched_instead"] is None


@pytest.mark.parametrize(
    "query, instead, chinese",
    [("logistcs", "logistics", "物流"), ("ciqikuo", "ciqikou", "磁器口")],
)
def test_misspelt_latin_words_that_match_nothing_are_searched_spelt_right_and_say_so(
    searcher, query, instead, chinese
):
    response = searcher.search(query)
    assert response["searched_instead"] == instead and response["query"] == query
    assert response["unknown_words"] == [query] and response["did_you_mean"] is None
    assert response["total"] > 0 and f"<mark>{chinese}</mark>" in response["results"][0]["snippet"]
    # Never searched as another word behind the user's back: the words as typed translate
    # to nothing.
    assert all(query not in translation["en"] for translation in response["query_translations"])


def test_no_suggestion_when_the_query_finds_enough(searcher):
    assert searcher.search("物流")["did_you_mean"] is None


@pytest.mark.parametrize("query", ["恐龙化石", "巧克力蛋糕", "舞剧"])
def test_a_query_whose_words_are_nowhere_finds_nothing(searcher, query):
    response = searcher.search(query)
    assert response["total"] == 0 and response["results"] == []


@pytest.mark.parametrize(
    "prefix, expected",
    [("磁", "磁器口"), ("物流", "物流枢纽"), ("log", "logistics"), ("ciq", "ciqikou")],
)
def test_autocomplete_in_both_languages(client, prefix, expected):
    body = client.get(f"/api/suggest?q={prefix}").get_json()
    assert expected in [item["text"] for item in body["suggestions"]]


def test_search_page_shows_the_interpretation_and_did_you_mean(client):
    html = client.get("/?q=logistics+hub&ui=en").get_data(as_text=True)
    assert "English words also searched in Chinese" in html and "物流枢纽" in html
    html = client.get("/?q=磁器扣&ui=en").get_data(as_text=True)
    assert "Did you mean" in html and "q=%E7%A3%81%E5%99%A8%E5%8F%A3" in html
