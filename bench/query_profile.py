"""Where query time goes: cProfile of a benchmark's queries through the search layer.

    python bench/query_profile.py /tmp/bench100k/shuangyu-index bench/results/perf-100000.json

Runs the queries of a ``bench/perf.py`` result once to warm up, then ``--rounds`` times
without the profiler and once under cProfile (no result cache), and prints each query's best
time, each part's share of the time (own time of the functions, grouped by what they do) and
the slowest queries. It measures quietly: no progress bars, and whatever the search layer
writes to stderr meanwhile (log lines, warnings) is held back and shown after the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import os
import pstats
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# No progress bar while measuring: tqdm reads this when it is imported, after this line.
os.environ["TQDM_DISABLE"] = "1"

# First match wins: (what, fragments of the file path or function name). A function's own time
# goes to the first part one of whose fragments its path (or, for a built-in, its name) holds;
# the paths are those of the subpackages (index/text, index/english, index/engines, ...).
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
    ("the rest of Whoosh (fields, columns, utilities)", ("whoosh/",)),
    (
        "the Whoosh engine: one walk over the matches, its scoring and query (index/engines/whoosh_*)",
        ("index/engines/whoosh_",),
    ),
    (
        "tantivy: search, aggregation, stored passages (Rust, index/engines/tantivy_*)",
        ("tantivy", "index/engines/tantivy_"),
    ),
    (
        "OpenSearch: the cluster's answers over HTTP (index/engines/opensearch_*, the client)",
        (
            "index/engines/opensearch_",
            "opensearchpy",
            "urllib3",
            "http/client",
            "_socket.",
            "_ssl.",
        ),
    ),
    (
        "marks and snippets (search/marks.py, search/highlight.py, search/searched.py)",
        ("search/marks", "search/highlight", "search/searched", "index/english/alignment"),
    ),
    (
        "query parsing and translation (search/query*.py, search/crosslingual.py)",
        ("search/query", "search/crosslingual"),
    ),
    ("English: the dictionary and the gloss (index/english/)", ("index/english/", "sqlite3")),
    (
        "text: normalising, segmenting, the analysers (index/text/, jieba, OpenCC)",
        ("index/text/", "jieba", "Jieba", "opencc"),
    ),
    (
        "the rest of the search layer: answer, ranking, results, suggestions (search/)",
        ("/search/",),
    ),
    ("the rest of index/: the engine seam, schema, store (index/)", ("/index/",)),
]


def part_of(path: str, name: str) -> str:
    for part, fragments in PARTS:
        if any(fragment in path or fragment in name for fragment in fragments):
            return part
    if path == "~":
        return "Python built-ins called from the above (len, set and dict operations)"
    return "other"


@contextlib.contextmanager
def _held_back(held: io.StringIO):
    """Whatever is written meanwhile (log lines, warnings, a library's prints) kept in ``held``
    rather than written among the figures."""
    with contextlib.redirect_stderr(held), contextlib.redirect_stdout(held):
        yield


def _timed(searcher, query: str) -> float:
    begun = time.perf_counter()
    searcher.search(query)
    return (time.perf_counter() - begun) * 1000


def _measure(index_dir: Path, results: Path, rounds: int) -> list[str]:
    """The lines of the report: the best times, the profile's parts, the slowest queries."""
    from shuangyu.index.english.dictionary import Dictionary
    from shuangyu.search.searcher import Searcher
    from shuangyu.web.settings import load_settings

    # The dictionary file of the instance folder the service's settings name, as `shuangyu serve` uses it.
    dictionary = Dictionary(load_settings(os.environ).instance_dir)
    queries = json.loads(results.read_text(encoding="utf-8"))["queries"]
    searcher = Searcher(index_dir, dictionary, cache_size=0)
    searcher.warm()
    for query in queries:
        searcher.search(query)
    # Latency without the profiler: each query's best of ``--rounds`` (the least disturbed by
    # other work on a shared machine), then the percentiles over the queries.
    from bench.perf import percentiles

    lines = []
    best = percentiles([min(_timed(searcher, query) for _ in range(rounds)) for query in queries])
    lines.append(
        f"{len(queries)} queries, best of {rounds} each: p50 {best['p50']:.2f} ms, "
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
    lines.append(f"{len(queries)} queries, {total:.2f} s of profiled own time")
    for part, seconds in shares.most_common():
        lines.append(f"  {seconds / total:5.0%}  {part}")
    lines.append("slowest (seconds under the profiler, matching passages):")
    for seconds, query, matches in sorted(timed, reverse=True)[:5]:
        lines.append(f"  {seconds:6.2f}  {query}  {matches}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index_dir", type=Path, help="an index folder made by bench/perf.py")
    parser.add_argument("results", type=Path, help="the perf-<N>.json whose queries to profile")
    parser.add_argument(
        "--rounds", type=int, default=5, help="timed runs of each query, without the profiler"
    )
    arguments = parser.parse_args()
    measured: list[str] = []
    held = io.StringIO()
    try:
        with _held_back(held):
            measured = _measure(arguments.index_dir, arguments.results, arguments.rounds)
    finally:
        for line in measured:
            print(line)
        if held.getvalue():
            print("written while measuring (held back until now):", file=sys.stderr)
            print(held.getvalue(), end="", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
