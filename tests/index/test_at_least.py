"""A query tree's ``Any(parts, at_least=k)`` (index/engines/seam.py) matches the passages that
match k of its parts at least, alone and as a filter, on every engine: what a query of several
English words needs (a passage matches with two of them, ``search.query_terms.LEAST_WORDS``)."""

from __future__ import annotations

import pytest
from shuangyu.index.engines import seam as tree

pytestmark = pytest.mark.every_engine

WORDS = ("物流", "枢纽", "重庆", "发展")


def texts(reader, node) -> set[str]:
    """The texts (content hashes) of every passage ``node`` matches."""
    found = reader.engine.search(node, 10_000)
    assert found.complete
    return {reader.engine.stored(key)["content_hash"] for key, _ in found.top}


@pytest.mark.parametrize("least", [1, 2, 3, 4, 5])
def test_any_matches_the_passages_with_so_many_of_its_parts(searcher, least):
    with searcher._current().reading() as reader:
        each = {word: texts(reader, tree.Term("text", word)) for word in WORDS}
        assert all(each.values())
        expected = {
            text
            for text in set().union(*each.values())
            if sum(text in found for found in each.values()) >= least
        }
        parts = [tree.Term("text", word) for word in WORDS]
        assert texts(reader, tree.Any(parts, at_least=least)) == expected
        # As a filter of another query: its matches that have so many of the parts.
        filtered = tree.Filter(tree.Term("text", "发展"), tree.Any(parts, at_least=least))
        assert texts(reader, filtered) == expected & each["发展"]
        # And that filtered again (as the texts to mark or to place are): both conditions hold.
        twice = tree.Filter(filtered, tree.Term("text", "重庆"))
        assert texts(reader, twice) == expected & each["发展"] & each["重庆"]
    if least in (2, 3):
        assert expected, "the seed corpus has passages with two or three of the words"
