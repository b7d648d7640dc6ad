"""Searching the real corpus through the search layer: both languages, syntax and highlights."""

from __future__ import annotations

import re
import shutil
from html import unescape

import pytest
from shuangyu.index.build import build_index
from shuangyu.index.text.analysis import normalise
from shuangyu.search.query import QueryError
from shuangyu.search.records import Result
from shuangyu.search.searcher import Searcher

from tests.paths import CLUSTER, CORPUS_DIR, DICTIONARY, SHARED_INSTANCE

pytestmark = pytest.mark.every_engine

# The fields every result has: the one definition of a result (search.records.Result).
CONTRACT_FIELDS = set(Result.__annotations__)


def top(searcher, query, **options):
    response = searcher.search(query, **options)
    assert response["results"], f"no result for {query!r}"
    return response["results"][0]


def marked(snippet):
    return [unescape(text) for text in re.findall(r"<mark>(.*?)</mark>", snippet)]


def test_marks_are_the_only_tags_and_removing_them_gives_the_escaped_text(searcher):
    for query in ("物流枢纽", "logistics hub", "紅岩精神", "坪坝", "ciqikou", "<b>沙坪坝</b>"):
        for result in searcher.search(query, limit=20)["results"]:
            for snippet, source in (
                (result["snippet"], result["text"]),
                (result["snippet_en"], result["text_en"]),
            ):
                assert re.sub(r"</?mark>", "", snippet).replace("…", "") in source.replace(
                    "&", "&amp;"
                ).replace("<", "&lt;").replace(">", "&gt;")
                assert not re.search(r"<(?!/?mark>)", snippet)


def test_a_phrase_matches_words_in_sequence(searcher):
    phrase = searcher.search('"高质量发展"', limit=100)
    words = searcher.search("高质量 发展", limit=100)
    assert phrase["total"] and phrase["total"] < words["total"]
    assert all("高质量发展" in result["text"] for result in phrase["results"])
    # The words of the phrase, out of order, are not the phrase.
    assert searcher.search('"发展 城市"')["total"] == 0
    assert searcher.search("发展 城市")["total"] > 0


def test_traditional_characters_find_simplified_text_and_mark_it(searcher):
    result = top(searcher, "紅岩精神")
    assert "红岩精神" in result["text"]
    assert set(marked(result["snippet"])) == {"红岩精神"}


def test_part_of_a_word_matches_through_bigrams(searcher):
    result = top(searcher, "坪坝")
    assert "沙坪坝" in result["text"]
    assert "坪坝" in marked(result["snippet"])


def test_word_matches_rank_above_bigram_only_matches(make_corpus, tmp_path):
    corpus = make_corpus({"a.txt": "购物流程很简单。\n\n重庆的物流中心正在建设。\n"})
    build_index(corpus, tmp_path / "index", SHARED_INSTANCE, progress=False, cluster=CLUSTER)
    results = Searcher(tmp_path / "index", dictionary=DICTIONARY, cluster=CLUSTER).search("物流")[
        "results"
    ]
    assert [result["text"] for result in results] == [
        "重庆的物流中心正在建设。",
        "购物流程很简单。",
    ]


def test_pinyin_finds_the_chinese(searcher):
    result = top(searcher, "ciqikou")
    assert "磁器口" in result["text"]
    assert "磁器口" in marked(result["snippet"])
    assert "Ciqikou" in marked(result["snippet_en"])


def test_english_finds_the_logistics_hub_and_marks_both_languages(searcher):
    result = top(searcher, "logistics hub")
    assert "物流枢纽" in result["text"]
    assert "物流枢纽" in marked(result["snippet"])
    assert {"logistics", "hub"} <= set(marked(result["snippet_en"]))
    assert result["translation_engine"] == "gloss"


@pytest.mark.parametrize(
    "query, expected",
    [("5G基站", "5G基站2541个"), ("ix5", "风光ix5智能轿跑SUV"), ("2757.4", "2757.4亿元")],
)
def test_latin_words_and_numbers_find_their_passage(searcher, query, expected):
    result = top(searcher, query)
    assert expected in result["text"]
    for mark in marked(result["snippet"]):
        assert normalise(mark).text in normalise(query).text


def test_marks_land_exactly_on_the_matched_words(searcher):
    for result in searcher.search("物流枢纽", limit=20)["results"]:
        assert set(marked(result["snippet"])) <= {"物流枢纽", "物流", "枢纽"}
        assert set(map(str.lower, marked(result["snippet_en"]))) <= {
            "logistics",
            "hub",
            "distribution",
        }


def test_or_not_and_report_filter(searcher):
    either = searcher.search("磁器口 OR 歌乐山", limit=100)["results"]
    assert either and all("磁器口" in r["text"] or "歌乐山" in r["text"] for r in either)
    without = searcher.search("物流 -枢纽", limit=100)["results"]
    assert without and all("枢纽" not in r["text"] for r in without)
    assert searcher.search("物流 NOT 枢纽", limit=100)["total"] == len(without)
    one_report = searcher.search("物流 report:shapingba-four-zones", limit=100)["results"]
    assert one_report and {r["report_id"] for r in one_report} == {"shapingba-four-zones"}


def test_chinese_words_must_all_match(searcher):
    for result in searcher.search("物流 德国", limit=100)["results"]:
        assert "物流" in result["text"] and "德国" in result["text"]


def test_words_no_passage_has_are_named_and_two_of_them_match_nothing(searcher):
    # One word no passage has in any form is named, and the others are searched: each result
    # says it has one of the two.
    response = searcher.search("hospital xylophone", limit=5)
    assert response["unknown_words"] == ["xylophone"]
    assert response["results"] and "医院" in response["results"][0]["text"]
    assert all(
        (result["matched_words"], result["query_words"]) == (1, 2) for result in response["results"]
    )
    # Two of them: the collection does not speak of it. Nothing matches; the passages with the
    # other word are offered apart, each saying so, and not counted.
    response = searcher.search("hospital xylophone bagpipes", limit=5)
    assert (
        response["total"] == 0
        and response["results"] == []
        and response["unknown_words"] == ["xylophone", "bagpipes"]
    )
    loose = response["some_words"]
    assert loose and "医院" in loose[0]["text"] and response["total_by"]["some_words"] >= len(loose)
    assert all((result["matched_words"], result["query_words"]) == (1, 3) for result in loose)
    # Two English words match together (each in some form), and each result says so; a
    # passage with one of them is not a match.
    ranked = searcher.search("logistics hub", limit=50)
    assert ranked["results"] and ranked["total"] < searcher.search("logistics")["total"]
    for result in ranked["results"]:
        assert (result["matched_words"], result["query_words"]) == (2, 2)
        assert "物流" in result["text"] or "枢纽" in result["text"]


def test_with_a_chinese_word_english_words_only_rank(searcher):
    """The Chinese word is required and makes the query precise: the English words need not
    be there (no two-word minimum), and passages with them come first, counted apart."""
    mixed = searcher.search("沙坪坝 logistics hub", limit=50)
    assert mixed["total"] == searcher.search("沙坪坝")["total"]
    matched = [result["matched_words"] for result in mixed["results"]]
    assert 0 in matched and matched[0] == 2
    every_word = mixed["total_by"]["every_word"]
    assert 0 < every_word == matched.count(2) < mixed["total"]
    assert set(matched[:every_word]) == {2}


def test_results_follow_the_contract(searcher):
    response = searcher.search("物流", limit=3, offset=1)
    assert {"query", "total", "took_ms", "results"} <= set(response)
    assert len(response["results"]) == 3
    for result in response["results"]:
        assert CONTRACT_FIELDS == set(result)
        assert result["url"] == f"/p/{result['id']}"
    first_page = searcher.search("物流", limit=4)["results"]
    assert [r["id"] for r in first_page[1:]] == [r["id"] for r in response["results"]]


@pytest.mark.parametrize(
    "query", ['"高质量', '" OR ( ) * ? ~ ^ : NOT -', "", "   ", "-物流", "物" * 10_000]
)
def test_bad_queries_give_a_clear_error_or_results(searcher, query):
    try:
        response = searcher.search(query)
    except QueryError as error:
        assert str(error)
    else:
        assert response["total"] >= 0


def test_markup_in_passages_comes_back_escaped(make_corpus, tmp_path):
    corpus = make_corpus({"x.txt": "沙坪坝的网页<script>alert(1)</script>测试。\n"})
    build_index(corpus, tmp_path / "index", SHARED_INSTANCE, progress=False, cluster=CLUSTER)
    result = Searcher(tmp_path / "index", dictionary=DICTIONARY, cluster=CLUSTER).search(
        "沙坪坝 <script>"
    )["results"][0]
    assert "<script>" in result["text"]
    assert "<script>" not in result["snippet"]
    assert "&lt;script&gt;" in result["snippet"].replace("<mark>", "").replace("</mark>", "")
    assert "<script>" not in result["snippet_en"]


def exhaustive_ranking(searcher, query, report=None):
    """Every match (of ``report`` alone when given) as Whoosh's own search scores it (no top-k
    pruning), best first, ties to the passage that comes first (report id, then place in the
    report), a repeated passage once."""
    from shuangyu.index.engines.whoosh_query import compile_tree
    from shuangyu.search.query import compile_query

    opened = searcher._current()
    listed, ranking = set(), []
    with opened.reading() as reader:
        compiled = compile_query(
            query, "auto", opened.language, reader.dictionary
        ).requiring_words()
        hits = [
            (
                -hit.score,
                hit["report_id"],
                hit["ordinal"],
                hit["id"],
                reader.engine._columns.content_of[hit.docnum],
            )
            for hit in reader.engine._searcher.search(compile_tree(compiled.query), limit=None)
        ]
    for negative_score, report_id, _, passage_id, content in sorted(hits):
        if content not in listed and report in (None, report_id):
            listed.add(content)
            ranking.append((passage_id, round(-negative_score, 4)))
    return ranking


@pytest.mark.engine("whoosh")
@pytest.mark.parametrize(
    "query", ["重庆", "物流 枢纽", "沙坪坝区", "logistics hub", "chongqing", "city", "发展 OR 科技"]
)
def test_results_and_total_are_the_exhaustive_ranking(searcher, query):
    expected = exhaustive_ranking(searcher, query)
    response = searcher.search(query, limit=50)
    assert len(expected) > 1
    assert response["total"] == len(expected)
    assert [(r["id"], r["score"]) for r in response["results"]] == expected[:50]
    # A report's count is what a search of that report alone lists (a text printed in two
    # reports counts in each).
    for entry in response["reports"]:
        in_report = exhaustive_ranking(searcher, query, entry["id"])
        assert (
            entry["count"] == searcher.search(query, report=entry["id"])["total"] == len(in_report)
        )


@pytest.mark.engine("whoosh")
def test_ranking_and_counts_hold_across_segments_and_deletions(corpus_copy, tmp_path):
    for name, text in {
        "zz-a": "重庆物流枢纽\n\n重庆的物流枢纽连接沙坪坝区。\n",
        "zz-b": "物流枢纽带动城市发展。\n",
        "zz-c": "重庆的城市物流。\n\n重庆物流枢纽。\n",
    }.items():
        (corpus_copy / f"{name}.txt").write_text(text, encoding="utf-8")
    index_dir = tmp_path / "index"
    build_index(
        corpus_copy, index_dir, SHARED_INSTANCE, progress=False, translator="gloss", cluster=CLUSTER
    )
    # An added report makes a second segment; a changed one leaves deleted documents behind.
    (corpus_copy / "zz-d.txt").write_text(
        "物流枢纽\n\n沙坪坝区的物流枢纽在重庆。\n", encoding="utf-8"
    )
    (corpus_copy / "zz-c.txt").write_text(
        "重庆的城市货运。\n\n重庆物流枢纽，物流发达。\n", encoding="utf-8"
    )
    assert (
        build_index(
            corpus_copy,
            index_dir,
            SHARED_INSTANCE,
            progress=False,
            translator="gloss",
            cluster=CLUSTER,
        ).manifest.last_update.mode
        == "incremental"
    )
    searcher = Searcher(index_dir, dictionary=DICTIONARY, cluster=CLUSTER)
    with searcher._current().reading() as reader:
        assert not reader.engine._reader.is_atomic()
    for query in ("物流 枢纽", "logistics", "重庆"):
        expected = exhaustive_ranking(searcher, query)
        response = searcher.search(query, limit=30)
        assert response["total"] == len(expected)
        assert [(r["id"], r["score"]) for r in response["results"]] == expected[:30]
        assert {"zz-c", "zz-d"} <= {
            r["report_id"] for r in searcher.search(query, limit=100)["results"]
        }


@pytest.mark.engine("whoosh")
def test_field_lengths_read_in_one_block_are_whooshs_own(searcher):
    from shuangyu.index.engines.whoosh_scoring import _segment_field_lengths

    with searcher._current().reading() as opened_reader:
        reader = opened_reader.engine._reader
    for fieldname in ("text", "text_bigrams", "text_en", "pinyin", "section"):
        expected = [
            reader.doc_field_length(docnum, fieldname, 1) or 1
            for docnum in range(reader.doc_count_all())
        ]
        assert _segment_field_lengths(reader, fieldname) == expected
        assert max(expected) > 1

    class OtherCodec:  # a reader without whoosh 2.7's per-document files: the public way
        doc_count_all, doc_field_length = reader.doc_count_all, reader.doc_field_length

    assert _segment_field_lengths(OtherCodec(), "text") == [
        reader.doc_field_length(d, "text", 1) or 1 for d in range(reader.doc_count_all())
    ]


def test_a_cached_response_is_the_computed_one(real_index):
    cached, uncached = (
        Searcher(real_index, dictionary=DICTIONARY, cluster=CLUSTER),
        Searcher(real_index, cache_size=0, dictionary=DICTIONARY, cluster=CLUSTER),
    )
    for query in ("物流", "logistics hub", "沙坪坝 report:shapingba-four-zones"):
        first, again, computed = cached.search(query), cached.search(query), uncached.search(query)
        for response in (first, again, computed):
            response.pop("took_ms")
        assert again == first == computed and len(again["reports"]) >= 1


def test_an_index_cut_into_segments_ranks_as_one_in_a_single_segment(tmp_path):
    """A passage's score and its place among equals do not depend on how a build cut the index
    into segments (Whoosh's DisjunctionMax once scored a passage with another's score)."""
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    shutil.copytree(CORPUS_DIR, whole)
    shutil.copytree(CORPUS_DIR, parts)
    held_back = sorted(parts.glob("*.txt"))[0]
    kept = held_back.read_bytes()
    held_back.unlink()
    build_index(
        whole,
        tmp_path / "whole-index",
        SHARED_INSTANCE,
        progress=False,
        translator="gloss",
        cluster=CLUSTER,
    )
    build_index(
        parts,
        tmp_path / "parts-index",
        SHARED_INSTANCE,
        progress=False,
        translator="gloss",
        cluster=CLUSTER,
    )
    held_back.write_bytes(kept)
    build_index(
        parts,
        tmp_path / "parts-index",
        SHARED_INSTANCE,
        progress=False,
        translator="gloss",
        cluster=CLUSTER,
    )
    one, two = (
        Searcher(tmp_path / "whole-index", dictionary=DICTIONARY, cluster=CLUSTER),
        Searcher(tmp_path / "parts-index", dictionary=DICTIONARY, cluster=CLUSTER),
    )
    with two._current().reading() as reader:
        assert reader.engine.segment_count() > 1
    for query in (
        "logistics hub",
        "export",
        "high quality development",
        "hospital",
        "5G",
        "物流",
        "district",
    ):
        ranked = [
            [(r["id"], r["score"]) for r in searcher.search(query, limit=30)["results"]]
            for searcher in (one, two)
        ]
        assert ranked[0] and ranked[0] == ranked[1], query
