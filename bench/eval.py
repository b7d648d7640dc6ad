"""Retrieval quality on the evaluation set: success@5, MRR@10 and nDCG@10 per kind of query.

    python bench/eval.py                    # the seed corpus: the table, then the queries that miss
    python bench/eval.py --real             # also the real collection (../shared/realcorpus)
    python bench/eval.py --real --index DIR # the real part against an index already built
    python bench/eval.py --json             # the same figures as JSON
    python bench/eval.py --real --index DIR --compare   # lexical, hybrid and semantic side by side

The queries of tests/eval/queries.tsv were written by hand over the seed corpus (its frozen copy, tests/fixtures/corpus), each with the passages
that must come back. Those of tests/eval/real_queries.tsv were written over the real collection
(``../shared/realcorpus/reports`` built together with the seed corpus): their answers are named by what
a right passage says, not by passage id (``gwr-2010:最低生活保障``: a passage of that report
containing those words; ``*:`` any report), so that they hold when the splitting improves; ``-``
marks a query that must find nothing (kind ``real_none``, scored by ``empty``). Indexes are built
with the dictionary gloss, so the figures do not depend on an installed translation model.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.paths import (  # noqa: E402
    REAL_COLLECTION,
    REAL_VECTORS,
    SEED_CORPUS,
    shared_dictionary,
    shared_instance,
)

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
        for report in searcher.manifest["reports"]
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


def build_real_index(
    corpus_folder: Path,
    index_folder: Path,
    index_engine: str | None = None,
    embedder: str = "e5-small",
    vectors: Path | None = REAL_VECTORS,
) -> Path:
    """The real collection and the seed corpus in one corpus folder, built with ``shuangyu build``
    (the command, as an operator runs it) into ``index_folder``, with ``index_engine`` (else the
    engine of ``SHUANGYU_ENGINE``, else Whoosh) and ``embedder``, whose vectors are cached in the
    repository's instance folder (a second build embeds nothing) after ``vectors`` (a file of
    ``shuangyu embed --export``, when there is one) is imported there."""
    corpus_folder.mkdir(parents=True, exist_ok=True)
    for source in [*SEED_CORPUS.iterdir(), *REAL_COLLECTION.glob("*.txt")]:
        if source.is_file():
            shutil.copy(source, corpus_folder / source.name)
    environment = {
        **os.environ,
        "SHUANGYU_CORPUS_DIR": str(corpus_folder),
        "SHUANGYU_INDEX_DIR": str(index_folder),
        "SHUANGYU_EMBEDDER": embedder,
    }
    if index_engine:
        environment["SHUANGYU_ENGINE"] = index_engine
    if embedder != "none" and vectors is not None and vectors.is_file():
        subprocess.run(
            [sys.executable, "-m", "shuangyu.web.cli", "embed", "--import", str(vectors)],
            cwd=ROOT,
            env=environment,
            check=True,
            capture_output=True,
        )
    subprocess.run(
        [sys.executable, "-m", "shuangyu.web.cli", "build", "--quiet", "--translator", "gloss"],
        cwd=ROOT,
        env=environment,
        check=True,
        capture_output=True,
    )
    return index_folder


def build_eval_index(folder: Path) -> Path:
    """Index the real corpus into ``folder`` with the gloss (no model, no memory)."""
    from shuangyu.index.build import build_index

    build_index(SEED_CORPUS, folder, shared_instance(), progress=False, translator="gloss")
    return folder


def table(results: dict[str, Scores]) -> str:
    """The results as a Markdown table, kinds in a stable order, overall last."""
    kinds = sorted(kind for kind in results if kind not in ("overall", "real_overall"))
    kinds += [kind for kind in ("overall", "real_overall") if kind in results]
    lines = ["| kind | queries | success@5 | MRR@10 | nDCG@10 |", "|---|---|---|---|---|"]
    for kind in kinds:
        scores = results[kind]
        if "empty" in scores.values:
            lines.append(
                f"| {kind} (found nothing) | {len(scores.values['empty'])} | {scores.mean('empty'):.3f} | | |"
            )
            continue
        lines.append(
            f"| {kind} | {scores.count} | "
            + " | ".join(f"{scores.mean(metric):.3f}" for metric in METRICS)
            + " |"
        )
    return "\n".join(lines)


def comparison(by_mode: dict[str, dict[str, Scores]]) -> str:
    """Markdown: each kind's success@5 / MRR@10 / nDCG@10 (or empty) in each mode."""
    modes = list(by_mode)
    first = by_mode[modes[0]]
    kinds = sorted(kind for kind in first if kind != "real_overall") + ["real_overall"]
    lines = [
        "| kind | queries | " + " | ".join(f"{mode} s@5 / MRR / nDCG" for mode in modes) + " |",
        "|---|---|" + "---|" * len(modes),
    ]
    for kind in kinds:
        cells = []
        for mode in modes:
            scores = by_mode[mode][kind]
            if "empty" in scores.values:
                cells.append(f"empty {scores.mean('empty'):.3f}")
            else:
                cells.append(" / ".join(f"{scores.mean(metric):.3f}" for metric in METRICS))
        lines.append(
            f"| {kind} | {len(next(iter(first[kind].values.values())))} | "
            + " | ".join(cells)
            + " |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--real",
        action="store_true",
        help="also evaluate on the real collection (builds it: about a minute)",
    )
    parser.add_argument(
        "--index", type=Path, help="with --real: an index of the real collection already built"
    )
    parser.add_argument(
        "--compare",
        action="store_true",
        help="with --real: the real collection searched lexical, hybrid and semantic, side by side",
    )
    arguments = parser.parse_args()
    from shuangyu.index.semantic.embedding import E5Small
    from shuangyu.search.searcher import Searcher

    if arguments.compare:
        index = arguments.index
        with tempfile.TemporaryDirectory() as folder:
            index = index or build_real_index(
                Path(folder) / "real-corpus", Path(folder) / "real-index"
            )
            searcher = Searcher(index, shared_dictionary(), embedder=E5Small())
            compared = {
                mode: evaluate_real(searcher, load_real_queries(), mode)
                for mode in ("lexical", "hybrid", "semantic")
            }
        print(comparison(compared))
        return 0

    with tempfile.TemporaryDirectory() as folder:
        results = evaluate(
            Searcher(build_eval_index(Path(folder) / "seed"), shared_dictionary()), load_queries()
        )
        if arguments.real:
            index = arguments.index or build_real_index(
                Path(folder) / "real-corpus", Path(folder) / "real-index"
            )
            results.update(evaluate_real(Searcher(index, shared_dictionary()), load_real_queries()))
    if arguments.json:
        print(
            json.dumps(
                {
                    kind: {metric: round(scores.mean(metric), 4) for metric in scores.values}
                    for kind, scores in results.items()
                },
                indent=2,
            )
        )
        return 0
    print(table(results))
    misses = [
        miss
        for kind in ("overall", "real_overall", "real_none")
        if kind in results
        for miss in results[kind].misses
    ]
    print(
        f"\n{len(misses)} queries without a relevant passage in the top 5 (or, with no answer, not empty):"
    )
    for text, ranked in misses:
        print(f"  {text}  →  {', '.join(ranked) or 'no result'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
