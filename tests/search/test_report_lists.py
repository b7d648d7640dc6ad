"""Which reports a response lists (``search.report_lists.most_results``): the ``most`` with the
most results, ties to the report that comes first in the collection, the report searched in
besides, all in the collection's order; checked against the rule written out plainly."""

from __future__ import annotations

import random

import pytest
from shuangyu.search.report_lists import matches_by_year, most_results


def plainly(counts, most, position, always=None) -> list[str]:
    """The rule as a user reads it, by a full sort."""
    if most is None:
        chosen = set(counts)
    else:
        ranked = sorted(counts, key=lambda report: (-counts[report], position.get(report, 10**9)))
        chosen = set(ranked[:most])
    if always in counts:
        chosen.add(always)
    return sorted(chosen, key=lambda report: (position.get(report, 10**9), report))


@pytest.mark.parametrize("seed", range(40))
def test_the_listed_reports_follow_the_rule(seed):
    chance = random.Random(seed)
    reports = [f"report-{number}" for number in range(chance.choice([3, 40, 400]))]
    position = {report: place for place, report in enumerate(reports)}
    # Few distinct counts, so that many reports tie.
    counts = {
        report: chance.randint(1, 4)
        for report in chance.sample(reports, chance.randint(1, len(reports)))
    }
    always = chance.choice([None, chance.choice(reports)])
    for most in (None, 0, 1, 5, 100):
        assert most_results(counts, most, position, always) == plainly(
            counts, most, position, always
        ), (seed, most)


def test_a_report_the_collection_does_not_list_comes_last():
    position = {"a": 0, "b": 1}
    assert most_results({"stray": 9, "b": 9, "a": 1}, 2, position) == ["b", "stray"]
    assert most_results({"stray": 9, "b": 9}, None, position) == ["b", "stray"]


def test_every_dated_report_counts_in_its_year():
    years = {"a": 1954, "b": 2020, "c": 2020}
    assert matches_by_year({"a": 3, "b": 2, "c": 5, "undated": 7}, years) == [
        {"year": 1954, "count": 3},
        {"year": 2020, "count": 7},
    ]
