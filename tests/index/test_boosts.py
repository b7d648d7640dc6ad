"""A clause's boost (index/engines/seam.py) weighs its score alike on every engine, whatever
its number of parts: a translated word with one Chinese candidate weighs what one with several
does (Whoosh dropped the boost of a compound query of one part)."""

from __future__ import annotations

import pytest
from shuangyu.index.engines import seam as tree

pytestmark = pytest.mark.every_engine


def scores(reader, node) -> dict:
    """The score of every passage ``node`` matches, by its id."""
    found = reader.engine.search(node, 10_000)
    assert found.complete
    return {reader.engine.stored(key)["id"]: score for key, score in found.top}


@pytest.mark.parametrize("compound", [tree.All, tree.Any, tree.Best])
def test_a_boosted_clause_of_one_part_scores_the_part_times_its_boost(searcher, compound):
    with searcher._current().reading() as reader:
        plain = scores(reader, tree.Term("text", "物流"))
        boosted = scores(reader, compound([tree.Term("text", "物流")], boost=0.5))
        two = scores(reader, compound([tree.Term("text", "物流")] * 2, boost=0.5))
    assert plain and boosted.keys() == plain.keys()
    assert all(boosted[key] == pytest.approx(plain[key] * 0.5, rel=1e-3) for key in plain)
    if compound is tree.Best:  # the best of two equal parts: the same score
        assert all(two[key] == pytest.approx(boosted[key], rel=1e-3) for key in plain)
