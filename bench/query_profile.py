"""Where query time goes: cProfile of a benchmark's queries through the search layer.

    python bench/query_profile.py /tmp/bench100k/shuangyu-index bench/results/perf-100000.json

Runs the queries of a ``bench/perf.py`` result once to warm up, then once under cProfile
(no result cache), and prints each part's share of the time (own time of the functions,
grouped by what they do) and the slowest queries.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# First match wins: (what, fragments of the file path or function name).
PARTS = [
    ("phrase positions (Whoosh spans)", ("whoosh/query/spans", "whoosh/formats")),
    ("matcher tree: union, intersection, wrappers (Whoosh)", ("whoosh/matching",)),
    (
        "posting blocks: read and decode (Whoosh)",
        ("whoosh/codec", "whoosh/filedb", "_pickle.loads", "zlib", "BufferedReader"),
    ),
    (
        "BM25F scoring and query setup (Whoosh)",
        ("whoosh/scoring", "whoosh/query", "whoosh/searching", "whoosh/reading"),
    ),
    ("one walk over the matches (index/engines/whoosh_engine.py)", ("index/whoosh_engine",)),
    ("tantivy: search, aggregation, stored passages (Rust)", ("tantivy", "index/tantivy_engine")),
    (
        "snippets and marks (search/highlight.py, analysis)",
        ("search/highlight", "index/analysis", "jieba", "index/gloss"),
    ),
    (
        "query parsing and translation",
        ("search/query", "search/crosslingual", "index/cedict", "sqlite3"),
    ),
]


def part_of(path: str, name: str) -> str:
    for part, fragments in PARTS:
        if any(fragment in path or fragment in name for fragment in fragments):
            return part
    if path == "~":
        return "Python built-ins called from the above (len, set and dict operations)"
    return "other"


def _timed(searcher, query: str) -> float:
    begun = time.perf_counter()
    searcher.search(query)
    return (time.perf_counter() - begun) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index_dir", type=Path, help="an index folder made by bench/perf.py")
    parser.add_argument("results", type=Path, help="the perf-<N>.json whose queries to profile")
    parser.add_argument(
        "--rounds", type=int, default=5, help="timed runs of each query, without the profiler"
    )
    arguments = parser.parse_args()
    from shuangyu.index.english.dictionary import Dictionary
    from shuangyu.search.searcher import Searcher
    from shuangyu.web.settings import load_settings

    # The dictionary file of the instance folder the service's settings name, as `shuangyu serve` uses it.
    dictionary = Dictionary(load_settings(os.environ).instance_dir)
    queries = json.loads(arguments.results.read_text(encoding="utf-8"))["queries"]
    searcher = Searcher(arguments.index_dir, dictionary, cache_size=0)
    searcher.warm()
    for query in queries:
        searcher.search(query)
    # Latency without the profiler: each query's best of ``--rounds`` (the least disturbed by
    # other work on a shared machine), then the percentiles over the queries.
    from bench.perf import percentiles

    best = percentiles(
        [min(_timed(searcher, query) for _ in range(arguments.rounds)) for query in queries]
    )
    print(
        f"{len(queries)} queries, best of {arguments.rounds} each: p50 {best['p50']:.2f} ms, "
        f"p95 {best['p95']:.2f} ms, p99 {best['p99']:.2f} ms"
    )
    timed = []
    profiler = cProfile.Profile()
    for query in queries:
        begun = time.perf_counter()
        profiler.enable()
        response = searcher.search(query)
        profiler.disable()
        timed.append((time.perf_counter() - begun, query, response["total"]))
    shares: Counter[str] = Counter()
    for (path, _, name), (_, _, own, _, _) in pstats.Stats(profiler).stats.items():
        shares[part_of(path, name)] += own
    total = sum(shares.values())
    print(f"{len(queries)} queries, {total:.2f} s of profiled own time")
    for part, seconds in shares.most_common():
        print(f"  {seconds / total:5.0%}  {part}")
    print("slowest (seconds under the profiler, matching passages):")
    for seconds, query, matches in sorted(timed, reverse=True)[:5]:
        print(f"  {seconds:6.2f}  {query}  {matches}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
