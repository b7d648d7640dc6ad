"""Marking on small texts (``search.marks``): what is marked is what the engine matched, read
from the words the build recorded (``index.documents.word_bounds``), with no segmentation."""

import pytest
from shuangyu.index.documents import word_bounds
from shuangyu.index.engines import seam as tree
from shuangyu.index.text.analysis import english_analyzer
from shuangyu.search.marks import (
    chinese_marks,
    chinese_terms,
    english_marks,
    heading_marks,
    matched_in,
    merge,
)
from shuangyu.search.query import compile_query
from shuangyu.search.searched import searched_words, spelt

from tests.paths import language

LANGUAGE = language()


def marked(text: str, query: str, lang: str = "auto") -> list[str]:
    """The characters of ``text`` marked for ``query``, one string a mark."""
    terms = chinese_terms(compile_query(query, lang, LANGUAGE), LANGUAGE)
    spans = chinese_marks(text, word_bounds(text, LANGUAGE), LANGUAGE, terms)
    return [text[start:end] for start, end in spans]


def test_the_build_records_where_each_word_begins_and_ends_in_the_normalised_text():
    assert word_bounds("沙坪壩區的物流园，5G网络", LANGUAGE) == "|---||--.|-|-"
    assert word_bounds("", LANGUAGE) == ""


def test_a_word_is_marked_in_the_source_text_from_a_traditional_character_query():
    assert marked("沙坪壩區的發展", "發展") == ["發展"]
    assert marked("沙坪壩區的發展", "沙坪坝") == ["沙坪壩"]


def test_part_of_a_word_is_marked_where_the_bigrams_matched():
    assert marked("沙坪坝区的发展", "坪坝") == ["坪坝"]


def test_a_single_character_is_marked_only_where_the_engine_found_it():
    # 市 is a word of its own only at the end; inside 城市 and 重庆市 the engine matched nothing.
    assert marked("城市和重庆市，市", "市") == ["市"]
    text = "城市和重庆市，市"
    terms = chinese_terms(compile_query("市", "auto", LANGUAGE), LANGUAGE)
    assert chinese_marks(text, word_bounds(text, LANGUAGE), LANGUAGE, terms) == [(7, 8)]


def test_a_latin_word_is_marked_only_as_a_whole_word():
    assert marked("5G网络和15G", "5G") == ["5G"]


def test_a_figure_is_marked_by_its_canonical_token():
    assert marked("投资500万元", "5000000") == ["500万"]
    assert marked("投资500万元", "500万") == ["500万"]
    assert marked("一九五三年的计划", "1953年") == ["一九五三年"]


def test_an_english_word_marks_the_part_of_a_word_whose_english_it_is():
    # 货物流通 is 货物 and 流通: the engine found no 物流 there.
    assert marked("货物流通和物流业发展", "logistics") == ["物流"]
    assert marked("货物流通和物流业发展", "logistics", lang="zh") == []


def test_pinyin_marks_the_word_it_spells_where_pinyin_was_searched():
    assert marked("沙坪坝区的发展", "shapingba") == ["沙坪坝"]
    assert marked("沙坪坝区的发展", "shapingba", lang="zh") == []


def test_a_chinese_query_searched_through_its_english_marks_the_word_whose_english_matched():
    assert marked("物流业发展", "物流", lang="en") == ["物流"]
    assert marked("货物流通", "物流", lang="en") == []


def test_excluded_words_are_not_marked():
    assert marked("物流和发展", "发展 -物流") == ["发展"]


def test_the_searched_words_are_read_from_the_query_tree_by_field():
    query = tree.Without(
        tree.WithOptional(
            tree.All([tree.Term("text", "物流"), tree.Phrase("text_bigrams", ["物流", "流园"])]),
            tree.Filter(tree.Term("pinyin", "wuliu"), tree.Term("report_id", "r")),
        ),
        tree.Term("text", "发展"),
    )
    searched = searched_words(query)
    assert searched.of("text") == {"物流"}
    assert searched.phrases["text_bigrams"] == [["物流", "流园"]]
    assert searched.of("pinyin") == {"wuliu"}


@pytest.mark.parametrize(
    "grams, stretch",
    [
        (["物流", "流园"], "物流园"),
        (["市"], "市"),
        (["5g", "网络"], None),
        (["物流", "发展"], None),
        ([], None),
    ],
)
def test_a_bigram_phrase_spells_one_run_of_han(grams, stretch):
    assert spelt(grams) == stretch


def test_english_words_are_marked_in_one_pass_with_those_typed_among_them():
    text = "Logistics hubs, high-quality development; 5G base stations and U.S. exports in 2020."
    terms = {token.text for token in english_analyzer()(text)}
    spans, typed = english_marks(text, terms, {"hub", "export"})
    marked_words = {text[start:end].lower() for start, end in spans}
    assert {token.text for token in english_analyzer()(" ".join(marked_words))} == terms
    assert [text[start:end] for start, end in typed] == ["hubs", "exports"]
    assert english_marks(text, {"hub"}, set()) == ([(10, 14)], [])


def test_a_heading_is_marked_once_for_its_html_and_for_why_a_result_matched():
    heading = heading_marks("第三章 物流園區", {"物流园"})
    assert heading == [(4, 7)]
    assert matched_in([], heading) == "heading"
    assert matched_in([(0, 2)], heading) == "text"
    assert matched_in([], []) == "english"


def test_merge_joins_overlapping_and_touching_marks():
    assert merge([(5, 7), (0, 2), (1, 3), (3, 4)]) == [(0, 4), (5, 7)]
