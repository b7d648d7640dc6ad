"""A proper noun that is no dictionary sense the collection has, but a word inside the senses of
a few headwords (issue 26): ``Britain`` is inside 英国's "United Kingdom of Great Britain and
Northern Ireland" and names what it names. A common noun inside a sense does not: ``vampire`` is
inside 僵尸's "Chinese vampire", and 僵尸企业 (zombie companies) are no answer. On the real
collection, through the search layer and the API."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.paths import CLUSTER

pytestmark = [pytest.mark.every_engine, pytest.mark.real_collection]


@pytest.fixture(scope="module")
def real_searcher(real_collection_index):
    from shuangyu.search.searcher import Searcher

    from tests.paths import DICTIONARY

    return Searcher(real_collection_index, dictionary=DICTIONARY, cluster=CLUSTER, cache_size=0)


@pytest.mark.parametrize("typed", ["Britain", "britain"])
def test_a_name_inside_a_sense_is_searched_as_that_senses_word(real_searcher, typed):
    response = real_searcher.search(typed, mode="lexical")
    assert response["query_translations"] == [{"en": typed, "zh": ["英国"]}]
    assert response["unknown_words"] == []
    assert response["total"] == real_searcher.search("英国", mode="lexical")["total"] > 0
    assert all("<mark>英" in result["snippet"] for result in response["results"])


def test_a_question_with_such_a_name_finds_its_passage(real_searcher):
    # The 1959 report: Britain took more than fifty years (英国走了五十多年的路) to raise its
    # steel output as far as China did in a few.
    response = real_searcher.search("how fast did China catch up with Britain in steel output")
    assert any("英国走了五十多年的路" in result["text"] for result in response["results"][:5])


@pytest.mark.parametrize("word", ["vampire", "pandemic"])
def test_a_common_noun_inside_a_sense_names_nothing(real_searcher, word):
    # "vampire" is inside 僵尸's "Chinese vampire" (the collection has 僵尸企业), "pandemic"
    # inside 静默's "stay at home during a pandemic": neither word means those.
    response = real_searcher.search(word, mode="lexical")
    assert response["total"] == 0 and response["query_translations"] == []
    assert response["unknown_words"] == [word]


def test_a_character_is_never_named_by_a_word_inside_one_of_its_senses(real_searcher):
    # "hundredth" is inside senses of 合 (a measure, a hundredth of a 升) and of 厘: a
    # character's many senses say little of it, and 合 is in thousands of passages.
    response = real_searcher.search("hundredth", mode="lexical")
    assert all(len(word) > 1 for t in response["query_translations"] for word in t["zh"])


def test_the_api_says_what_the_name_was_searched_as(real_collection_index):
    from shuangyu.web.app import create_app

    client = create_app({"TESTING": True, "INDEX_DIR": real_collection_index}).test_client()
    answer = client.get(f"/api/search?q={quote('Britain')}&mode=lexical").get_json()
    assert answer["query_translations"] == [{"en": "Britain", "zh": ["英国"]}]
    assert answer["total"] > 0 and answer["unknown_words"] == []
