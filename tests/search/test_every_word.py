"""English precision (issue 26, point 4): a passage matches a query of several English words
with two of them (both of two), ranked by how many it has, those with every word first. How many
have every word is counted apart (``total_by.every_word``), so that "234 passages" for food
security policy is not read as 234 about it; passages with fewer words are not matches, and are
offered apart when nothing matches. The API, the page and the CLI say it, on the real
collection, on every engine."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from tests.paths import CLUSTER

pytestmark = [pytest.mark.every_engine, pytest.mark.real_collection]


@pytest.fixture(scope="module")
def real_searcher(real_collection_index):
    from shuangyu.search.searcher import Searcher

    from tests.paths import DICTIONARY

    return Searcher(real_collection_index, dictionary=DICTIONARY, cluster=CLUSTER, cache_size=0)


def test_every_word_counts_the_listed_passages_that_have_every_word(real_searcher):
    query = "food security policy"
    first = real_searcher.search(query, limit=100)
    total, every_word = first["total"], first["total_by"]["every_word"]
    assert 0 < every_word < total
    # Listed whole, page by page: as many results have all three words (food security stands
    # for two as 粮食安全) as every_word says, they come first, and each has two at least.
    matched = []
    for offset in range(0, total, 100):
        page = real_searcher.search(query, limit=100, offset=offset)["results"]
        matched += [result["matched_words"] for result in page if result["query_words"] == 3]
    assert len(matched) == total and matched.count(3) == every_word
    assert set(matched[:every_word]) == {3} and set(matched[every_word:]) == {2}


def test_two_english_words_match_only_together(real_searcher):
    both = real_searcher.search("food security", limit=100)
    assert both["total"] == both["total_by"]["every_word"] > 0
    assert {result["matched_words"] for result in both["results"]} == {2}
    # Food alone, or security alone, is in many more passages: not matches, and not offered
    # while some passages have both.
    assert real_searcher.search("food")["total"] > both["total"]
    assert both["some_words"] == [] and both["total_by"]["some_words"] == 0


def test_a_query_no_passage_has_two_words_of_matches_nothing(real_searcher):
    """Each word of it is somewhere (亲王, 英国...), never two together: nothing matches, as
    for a Chinese query, and the passages with one word are offered apart, not counted."""
    answer = real_searcher.search("royal wedding of a british prince")
    assert answer["unknown_words"] == [] and answer["total"] == 0 and answer["results"] == []
    assert answer["total_by"]["every_word"] is None
    offered = answer["some_words"]
    assert offered and answer["total_by"]["some_words"] >= len(offered)
    assert {(result["matched_words"], result["query_words"]) for result in offered} == {(1, 4)}


def test_every_word_is_counted_only_for_queries_of_several_english_words(real_searcher):
    assert real_searcher.search("development")["total_by"]["every_word"] is None
    assert real_searcher.search("发展 改革")["total_by"]["every_word"] is None
    # A question whose words no passage has all together: listed by two or more of them.
    question = real_searcher.search("how did the government fight the SARS outbreak in 2003")
    assert question["total"] > 0 and question["total_by"]["every_word"] == 0
    # A word no passage has is named apart, not counted as one a passage lacks.
    unknown = real_searcher.search("food security zzqx")
    assert unknown["unknown_words"] == ["zzqx"]
    assert (
        unknown["total_by"]["every_word"]
        == real_searcher.search("food security")["total_by"]["every_word"]
    )
    # Excluded words stay excluded from the count.
    without = real_searcher.search("food security -粮食安全")
    assert (
        without["total_by"]["every_word"]
        < real_searcher.search("food security")["total_by"]["every_word"]
    )


def test_the_page_and_the_cli_say_how_many_have_every_word(real_collection_index, monkeypatch):
    from click.testing import CliRunner
    from shuangyu.web.app import create_app
    from shuangyu.web.cli import main

    client = create_app({"TESTING": True, "INDEX_DIR": real_collection_index}).test_client()
    answer = client.get("/api/search?q=food+security+policy").get_json()
    every_word = answer["total_by"]["every_word"]
    page = client.get(f"/?q={quote('food security policy')}&ui=en").get_data(as_text=True)
    assert f"· {every_word} with every word" in page
    monkeypatch.setenv("SHUANGYU_INDEX_DIR", str(real_collection_index))
    printed = CliRunner().invoke(main, ["search", "food", "security", "policy", "--limit", "1"])
    assert printed.exit_code == 0 and f"; {every_word} with every word" in printed.stdout
    as_json = json.loads(
        CliRunner().invoke(main, ["search", "food security policy", "--json"]).stdout
    )
    assert as_json["total_by"]["every_word"] == every_word


def test_the_page_says_why_the_passages_offered_are_not_matches(real_collection_index):
    from shuangyu.web.app import create_app

    client = create_app({"TESTING": True, "INDEX_DIR": real_collection_index}).test_client()
    page = client.get(f"/?q={quote('royal wedding of a british prince')}&ui=en").get_data(
        as_text=True
    )
    assert "No passage has enough of the words searched for" in page
    assert "matches 1 of 4 words" in page
    # Two words no passage has: the note says the others are there, not that too few are.
    page = client.get(f"/?q={quote('food security zzqx qqzx')}&ui=en").get_data(as_text=True)
    assert "No passage has these words in any form: zzqx, qqzx" in page
    assert "A passage without the words above is not a match" in page
    assert "No passage has enough of the words" not in page and "matches 2 of 4 words" in page
