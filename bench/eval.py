"""Retrieval quality on the evaluation set: success@5, MRR@10 and nDCG@10 per kind of query.

    python bench/eval.py            # the table, then the queries that miss
    python bench/eval.py --json     # the same figures as JSON

The queries (tests/eval/queries.tsv) were written by hand over the real corpus, each with the
passages that must come back. The index is built from corpus/ into a temporary folder with the
dictionary gloss, so the figures do not depend on an installed translation model.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "tests" / "eval" / "queries.tsv"
FLOORS = ROOT / "tests" / "eval" / "floors.json"
METRICS = ("success@5", "mrr@10", "ndcg@10")


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
    queries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, text, relevant = line.split("\t")
        queries.append(EvalQuery(kind, text, frozenset(relevant.split(","))))
    return queries


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
    from search.query import QueryError

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


def build_eval_index(folder: Path) -> Path:
    """Index the real corpus into ``folder`` with the gloss (no model, no memory)."""
    from index.build import build_index

    build_index(ROOT / "corpus", folder, progress=False, translator="gloss")
    return folder


def table(results: dict[str, Scores]) -> str:
    """The results as a Markdown table, kinds in a stable order, overall last."""
    kinds = sorted(kind for kind in results if kind != "overall") + ["overall"]
    lines = ["| kind | queries | success@5 | MRR@10 | nDCG@10 |", "|---|---|---|---|---|"]
    for kind in kinds:
        scores = results[kind]
        lines.append(f"| {kind} | {scores.count} | " + " | ".join(f"{scores.mean(metric):.3f}" for metric in METRICS) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    arguments = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from search.searcher import Searcher

    with tempfile.TemporaryDirectory() as folder:
        results = evaluate(Searcher(build_eval_index(Path(folder))), load_queries())
    if arguments.json:
        print(json.dumps({kind: {metric: round(scores.mean(metric), 4) for metric in METRICS}
                          for kind, scores in results.items()}, indent=2))
        return 0
    print(table(results))
    misses = results["overall"].misses
    print(f"\n{len(misses)} queries without a relevant passage in the top 5:")
    for text, ranked in misses:
        print(f"  {text}  →  {', '.join(ranked) or 'no result'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
