"""Grid search of the query weights on the evaluation set (MRR@10, then success@5, then nDCG@10).

    python bench/tune.py          # the seed corpus's queries
    python bench/tune.py --real   # and the real collection's (builds it: about a minute); the
                                  # two sets' MRR@10 count alike

Prints each setting tried, the best one and the current one (search/query.py's WEIGHTS, set
from the best). Each setting is tried by its own Searcher (``Searcher(weights=...)``), whose
result cache holds only rankings made with those weights.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.eval import (build_eval_index, build_real_index, evaluate, evaluate_real, load_queries,  # noqa: E402
                        load_real_queries)
from shuangyu.search import query  # noqa: E402
from shuangyu.search.searcher import Searcher  # noqa: E402

GRID = {
    "translated": (0.5, 0.8, 1.2),
    "proximity": (0.25, 0.5, 1.0),
    "section": (0.2, 0.4, 0.8),
    "text_bigrams": (0.2, 0.35, 0.6),
}
METRICS = ("mrr@10", "success@5", "ndcg@10")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", action="store_true", help="also score on the real collection")
    arguments = parser.parse_args()
    queries = load_queries()
    real_queries = load_real_queries() if arguments.real else []
    with tempfile.TemporaryDirectory() as folder:
        seed_index = build_eval_index(Path(folder) / "seed")
        real_index = build_real_index(Path(folder) / "real-corpus", Path(folder) / "real-index") if arguments.real else None
        original = dict(query.WEIGHTS)
        tried = []
        for values in itertools.product(*GRID.values()):
            weights = {**original, **dict(zip(GRID, values))}
            scores = [evaluate(Searcher(seed_index, weights=weights), queries)["overall"]]
            if real_index:
                scores.append(evaluate_real(Searcher(real_index, weights=weights), real_queries)["real_overall"])
            figures = tuple(sum(score.mean(metric) for score in scores) / len(scores) for metric in METRICS)
            tried.append((figures, dict(zip(GRID, values))))
            print("  ".join(f"{metric} {figure:.4f}" for metric, figure in zip(METRICS, figures)), tried[-1][1], flush=True)
    best = max(tried, key=lambda row: row[0])
    current = next(row for row in tried if all(original[name] == value for name, value in row[1].items()))
    for label, (figures, setting) in (("best", best), ("current", current)):
        print(f"{label}: " + ", ".join(f"{metric} {figure:.4f}" for metric, figure in zip(METRICS, figures)) + f" with {setting}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
