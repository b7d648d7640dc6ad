"""English words match alone (issue 26, point 4): a passage with any word of an English query
is listed, ranked by how many it has. How many have every word is counted apart
(``total_by.every_word``), so that "967 passages" for food security is not read as 967 about it;
the API, the page and the CLI say it, on the real collection, on every engine."""

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
    first = real_searcher.search("food security", limit=100)
    total, every_word = first["total"], first["total_by"]["every_word"]
    assert 0 < every_word < total
    # Listed whole, page by page: as many results have both words (food security stands for
    # both as 粮食安全) as every_word says, and they come first.
    having = []
    for offset in range(0, total, 100):
        page = real_searcher.search("food security", limit=100, offset=offset)["results"]
        having += [result["matched_words"] == result["query_words"] == 2 for result in page]
    assert len(having) == total and sum(having) == every_word
    assert all(having[:every_word])


def test_every_word_is_counted_only_for_queries_of_several_english_words(real_searcher):
    assert real_searcher.search("development")["total_by"]["every_word"] is None
    assert real_searcher.search("发展 改革")["total_by"]["every_word"] is None
    # A question whose words no passage has together: every one is listed by some of them.
    question = real_searcher.search("royal wedding of a british prince")
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
    answer = client.get("/api/search?q=food+security").get_json()
    every_word = answer["total_by"]["every_word"]
    page = client.get(f"/?q={quote('food security')}&ui=en").get_data(as_text=True)
    assert f"· {every_word} with every word" in page
    monkeypatch.setenv("SHUANGYU_INDEX_DIR", str(real_collection_index))
    printed = CliRunner().invoke(main, ["search", "food", "security", "--limit", "1"])
    assert printed.exit_code == 0 and f"; {every_word} with every word" in printed.stdout
    as_json = json.loads(CliRunner().invoke(main, ["search", "food security", "--json"]).stdout)
    assert as_json["total_by"]["every_word"] == every_word
