"""What the two-word minimum of English queries costs: the real collection's English queries
of two to eight words, searched with it and without it (the baseline, in the same run).

    python bench/word_minimum.py INDEX_DIR [--rounds 5]

Each query is searched once to warm up, then ``--rounds`` times in each way, the two ways
interleaved, without the result cache; it prints each way's p50 and p95 of the best time of
each query, the ratio, and the queries whose time changed most. ``INDEX_DIR`` is any built
index (the real collection's, or bench/perf.py's synthetic one).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from testbed.judging import load_real_queries  # noqa: E402
from testbed.paths import shared_dictionary  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index_dir", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    arguments = parser.parse_args()
    from shuangyu.search.query import CompiledQuery
    from shuangyu.search.searcher import Searcher

    searcher = Searcher(arguments.index_dir, shared_dictionary(), cache_size=0)
    with_minimum = CompiledQuery.requiring_words

    def without_minimum(self, skipping=()):
        return self

    # The queries whose results count their English words: two to eight of them.
    queries = []
    for query in load_real_queries():
        if not query.kind.startswith("real_en"):
            continue
        response = searcher.search(query.text, limit=1, mode="lexical")
        if any(
            result["query_words"] >= 2 for result in response["results"] + response["some_words"]
        ):
            queries.append(query.text)
    best: dict[str, dict[str, float]] = {"without": {}, "with": {}}
    for _ in range(arguments.rounds):
        for way, method in (("without", without_minimum), ("with", with_minimum)):
            CompiledQuery.requiring_words = method
            for text in queries:
                started = time.perf_counter()
                searcher.search(text, limit=10, mode="lexical")
                elapsed = (time.perf_counter() - started) * 1000
                best[way][text] = min(best[way].get(text, elapsed), elapsed)
    CompiledQuery.requiring_words = with_minimum
    print(f"{len(queries)} English queries of 2-8 words, best of {arguments.rounds} each, lexical")
    for way in ("without", "with"):
        times = list(best[way].values())
        print(
            f"  {way:7} the minimum: p50 {statistics.median(times):6.1f} ms, "
            f"p95 {percentile(times, 0.95):6.1f} ms"
        )
    ratio = statistics.median(best["with"].values()) / statistics.median(best["without"].values())
    print(f"  with / without at p50: {ratio:.2f}")
    changed = sorted(queries, key=lambda text: best["with"][text] - best["without"][text])
    for text in changed[:3] + changed[-3:]:
        print(f"  {best['without'][text]:6.1f} -> {best['with'][text]:6.1f} ms  {text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
