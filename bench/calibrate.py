"""When may the semantic side list a passage? Its thresholds, from the evaluation.

    python bench/calibrate.py --index DIR            # an index of the real collection with vectors
    python bench/calibrate.py --index DIR --fusion   # also the fusion's weight and candidates

For every query of tests/eval/real_queries.tsv, the passage nearest in meaning (search.semantic):
its cosine, and how far it stands above the query's cosines with the whole collection (in standard
deviations). A query with no answer must list nothing, so a threshold must lie above the best
neighbour of every such query. Printed by language of the query (Chinese, English):

- the best cosine and standing of the no-answer queries, and of the answered queries;
- for each cosine threshold, how many no-answer queries would list something and how many
  answered queries would keep their best neighbour.

Measured here (e5-small, the real collection): Chinese queries separate by cosine (no-answer at
most 0.873, answered at least 0.867, median 0.91), which sets ``RELATED_MIN_COSINE``; English ones
do not, by cosine or by standing (the nearest to "dinosaur" stands 10 deviations out, the
nearest to an answered query 4.5 in the median), so an English query gains passages by meaning
only where its words found some (``search.searcher``).
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.eval import load_real_queries  # noqa: E402
from testbed.judging import evaluate_real

THRESHOLDS = [0.84 + 0.005 * step for step in range(11)]
FUSION_GRID = list(itertools.product((0.3, 0.6, 1.0), (5, 10, 20)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--index", type=Path, required=True, help="an index of the real collection with vectors"
    )
    parser.add_argument(
        "--fusion", action="store_true", help="also try the fusion's semantic weight and candidates"
    )
    arguments = parser.parse_args()
    from shuangyu.index.engines.store import current_build
    from shuangyu.index.english.dictionary import Dictionary
    from shuangyu.index.semantic.embedding import E5Small
    from shuangyu.index.text.analysis import has_han
    from shuangyu.search.searcher import Searcher
    from shuangyu.search.semantic import VectorIndex

    dictionary = Dictionary(ROOT / "instance")
    embedder = E5Small()
    vectors = VectorIndex(current_build(arguments.index))
    best: dict[tuple[str, bool], list[tuple[float, float, str]]] = {}
    for query in load_real_queries():
        vector = embedder.queries([query.text])[0]
        nearest = vectors.nearest(vector, 1)[0]
        # How far the nearest stands above the query's cosines with the whole collection.
        cosines = np.asarray(vectors.matrix @ vector)
        standing = (nearest.cosine - float(cosines.mean())) / (float(cosines.std()) or 1.0)
        language = "Chinese" if has_han(query.text) else "English"
        best.setdefault((language, bool(query.answers)), []).append(
            (nearest.cosine, standing, query.text)
        )
    for language in ("Chinese", "English"):
        none, answered = best.get((language, False), []), best.get((language, True), [])
        print(f"\n## {language} queries: {len(answered)} answered, {len(none)} with no answer")
        for label, found in (("no answer", none), ("answered", answered)):
            if found:
                cosines, standings = [item[0] for item in found], [item[1] for item in found]
                print(
                    f"{label}: best cosine min {min(cosines):.3f} median {statistics.median(cosines):.3f} max "
                    f"{max(cosines):.3f}; standing median {statistics.median(standings):.2f} max {max(standings):.2f}"
                )
        print(
            "\n| cosine threshold | no-answer queries listing something | answered queries keeping their best |\n|---|---|---|"
        )
        for threshold in THRESHOLDS:
            print(
                f"| {threshold:.3f} | {sum(1 for item in none if item[0] >= threshold)} of {len(none)} | "
                f"{sum(1 for item in answered if item[0] >= threshold)} of {len(answered)} |"
            )
        print(
            "highest no-answer neighbours:",
            ", ".join(f"{text} {cosine:.3f}" for cosine, _, text in sorted(none, reverse=True)[:5]),
        )
    if arguments.fusion:
        english = [query for query in load_real_queries() if query.kind.startswith("real_en")]
        print(
            "\n| weight | candidates | English success@5 | MRR@10 | no-answer empty |\n|---|---|---|---|---|"
        )
        for weight, candidates in FUSION_GRID:
            searcher = Searcher(
                arguments.index,
                dictionary,
                embedder=embedder,
                semantic_weight=weight,
                semantic_candidates=candidates,
            )
            scores = evaluate_real(searcher, english)
            answered = [
                kind
                for kind in scores
                if kind != "real_overall" and "empty" not in scores[kind].values
            ]
            values = {
                metric: statistics.mean(
                    value for kind in answered for value in scores[kind].values[metric]
                )
                for metric in ("success@5", "mrr@10")
            }
            empty = statistics.mean(
                value for kind in scores for value in scores[kind].values.get("empty", [])
            )
            print(
                f"| {weight} | {candidates} | {values['success@5']:.3f} | {values['mrr@10']:.3f} | {empty:.3f} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
