"""Retrieval quality on judged queries: success@5, MRR@10 and nDCG@10 per kind of query.

The queries of tests/eval/queries.tsv were written by hand over the seed corpus (its frozen copy,
tests/fixtures/corpus), each with the passages that must come back. Those of
tests/eval/real_queries.tsv were written over the real collection (``../shared/realcorpus/reports``
built together with the seed corpus): their answers are named by what a right passage says, not by
passage id (``gwr-2010:最低生活保障``: a passage of that report containing those words; ``*:`` any
report), so that they hold when the splitting improves; ``-`` marks a query that must find nothing
(kind ``real_none``, scored by ``empty``). ``bench/eval.py`` prints the figures; the tests hold
them to the floors of tests/eval/floors.json.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from testbed.paths import ROOT

QUERIES = ROOT / "tests" / "eval" / "queries.tsv"
REAL_QUERIES = ROOT / "tests" / "eval" / "real_queries.tsv"
FLOORS = ROOT / "tests" / "eval" / "floors.json"
METRICS = ("success@5", "mrr@10", "ndcg@10")
NO_ANSWER = "-"
# How a judge compares a passage with an answer: no white space or invisible characters, NFKC.
_UNSEEN = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]")


def judged(text: str) -> str:
    """``text`` as the real-collection judge compares it."""
    return unicodedata.normalize("NFKC", _UNSEEN.sub("", text))


@dataclass(frozen=True)
class Answer:
    """What a right passage of the real collection says: ``words`` in ``report`` (any when None)."""

    report: str | None
    words: str

    def accepts(self, report_id: str, text: str) -> bool:
        return (self.report is None or self.report == report_id) and judged(self.words) in judged(
            text
        )


@dataclass(frozen=True)
class RealQuery:
    kind: str
    text: str
    answers: tuple[Answer, ...]  # empty: the query must find nothing


def _rows(path: Path) -> Iterator[tuple[str, str, str]]:
    """The ``kind<TAB>query<TAB>answers`` rows of an evaluation file; ``#`` starts a comment."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            kind, text, relevant = line.split("\t")
            yield kind, text, relevant


def load_real_queries(path: Path = REAL_QUERIES) -> list[RealQuery]:
    """``kind<TAB>query<TAB>report:words;*:words`` lines (``-``: no answer); ``#`` comments."""
    queries = []
    for kind, text, relevant in _rows(path):
        answers = (
            ()
            if relevant.strip() == NO_ANSWER
            else tuple(
                Answer(None if report == "*" else report, words)
                for report, _, words in (item.partition(":") for item in relevant.split(";"))
            )
        )
        queries.append(RealQuery(kind, text, answers))
    return queries


@dataclass(frozen=True)
class EvalQuery:
    kind: str
    text: str
    relevant: frozenset[str]


@dataclass
class Scores:
    """Metrics of one kind of query (or all of them), and the queries that missed the top 5."""

    values: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    misses: list[tuple[str, list[str]]] = field(default_factory=list)

    def mean(self, metric: str) -> float:
        found = self.values[metric]
        return sum(found) / len(found) if found else 0.0

    @property
    def count(self) -> int:
        return len(self.values["success@5"])


def load_queries(path: Path = QUERIES) -> list[EvalQuery]:
    """The evaluation queries: ``kind<TAB>query<TAB>id,id,...`` lines; ``#`` starts a comment."""
    return [
        EvalQuery(kind, text, frozenset(relevant.split(",")))
        for kind, text, relevant in _rows(path)
    ]


def score_ranking(ranked: list[str], relevant: frozenset[str]) -> dict[str, float]:
    """success@5, reciprocal rank within 10, and nDCG@10 with binary relevance (each relevant
    answer counts once, however often it is listed)."""
    first_seen = list(dict.fromkeys(ranked[:10]))
    ranks = [ranked.index(passage) + 1 for passage in first_seen if passage in relevant]
    dcg = sum(1 / math.log2(rank + 1) for rank in ranks)
    ideal = sum(1 / math.log2(rank + 1) for rank in range(1, min(len(relevant), 10) + 1))
    return {
        "success@5": 1.0 if ranks and ranks[0] <= 5 else 0.0,
        "mrr@10": 1 / ranks[0] if ranks else 0.0,
        "ndcg@10": dcg / ideal if ideal else 0.0,
    }


def evaluate(searcher, queries: list[EvalQuery]) -> dict[str, Scores]:
    """Scores by kind, and under ``"overall"``, for ``searcher`` (a ``search.searcher.Searcher``)."""
    from shuangyu.search.query import QueryError

    by_kind: dict[str, Scores] = defaultdict(Scores)
    # Passages with the same text (a caption printed in both reports) are one answer: the
    # search lists such a passage once.
    same_text = {}
    for query in queries:
        for passage_id in query.relevant:
            found = searcher.passage(passage_id)
            assert found is not None, f"unknown passage id {passage_id} in the evaluation set"
            same_text[passage_id] = found["content_hash"]
    for query in queries:
        try:
            ranked = [result["id"] for result in searcher.search(query.text, limit=10)["results"]]
        except QueryError:
            ranked = []
        relevant = frozenset(same_text[passage_id] for passage_id in query.relevant)
        hashes = [searcher.passage(passage_id)["content_hash"] for passage_id in ranked]
        scores = score_ranking(hashes, relevant)
        for bucket in (by_kind[query.kind], by_kind["overall"]):
            for metric, value in scores.items():
                bucket.values[metric].append(value)
            if not scores["success@5"]:
                bucket.misses.append((query.text, ranked[:5]))
    return dict(by_kind)


def evaluate_real(searcher, queries: list[RealQuery], mode: str = "hybrid") -> dict[str, Scores]:
    """Scores by kind, and under ``"real_overall"``, on the real collection, searched in
    ``mode`` (``hybrid``, ``lexical`` or ``semantic``). A query with no answer scores ``empty``
    (1 when it finds nothing); the others success@5, MRR@10 and nDCG@10, every passage that
    holds an answer being relevant."""
    from shuangyu.search.query import QueryError

    passages = [
        (passage["report_id"], passage["text"])
        for report in searcher.manifest.reports
        for passage in searcher.report_passages(report["id"])
    ]
    by_kind: dict[str, Scores] = defaultdict(Scores)
    for query in queries:
        try:
            response = searcher.search(query.text, limit=10, mode=mode)
        except QueryError:
            response = {"total": 0, "results": []}
        ranked = response["results"]
        if not query.answers:
            scores = {"empty": 1.0 if response["total"] == 0 else 0.0}
            missed = not scores["empty"]
        else:
            relevant_count = sum(
                1
                for report_id, text in passages
                if any(a.accepts(report_id, text) for a in query.answers)
            )
            hits = [
                rank
                for rank, result in enumerate(ranked, start=1)
                if any(a.accepts(result["report_id"], result["text"]) for a in query.answers)
            ]
            dcg = sum(1 / math.log2(rank + 1) for rank in hits)
            ideal = sum(1 / math.log2(rank + 1) for rank in range(1, min(relevant_count, 10) + 1))
            scores = {
                "success@5": 1.0 if hits and hits[0] <= 5 else 0.0,
                "mrr@10": 1 / hits[0] if hits else 0.0,
                "ndcg@10": dcg / ideal if ideal else 0.0,
            }
            missed = not scores["success@5"]
        for bucket in (
            (by_kind[query.kind], by_kind["real_overall"])
            if query.answers
            else (by_kind[query.kind],)
        ):
            for metric, value in scores.items():
                bucket.values[metric].append(value)
            if missed:
                bucket.misses.append((query.text, [result["id"] for result in ranked[:5]]))
    return dict(by_kind)
