"""Load test: `shuangyu serve` driven by wrk on loopback with real queries.

    python bench/load.py [--seconds 10] [--workers N] [--json bench/results/load.json]

Starts the service on a free port over the current index (building it if needed), then runs
wrk for a bounded time at 1, 8 and 32 connections, cycling through queries in Chinese and
English over the real corpus (answered from the result cache after the first pass), then
asking a new word of the corpus on every request; reports requests/s, p50/p99 latency and
errors (which must be 0: the command exits 1 otherwise).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.perf import bench_http, choose_queries, stored_passages  # noqa: E402

QUERIES = [
    "物流枢纽",
    "紅岩精神",
    '"高质量发展"',
    "磁器口",
    "5G基站",
    "坪坝",
    "老旧小区",
    "营商环境 改革",
    "logistics hub",
    "hospital",
    "ciqikou",
    "high quality development",
    "export",
    "base station",
    "free trade zone",
    "Hongyan Spirit",
]


WORKLOADS = ("wrk", "wrk_uncached")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="wrk run time per connection count")
    parser.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="server processes (`shuangyu serve --workers`); default: serve's own, one per usable core",
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    arguments = parser.parse_args()
    if arguments.workers is not None:
        # bench_http starts `shuangyu serve` in this environment, whose --workers reads WEB_CONCURRENCY.
        os.environ["WEB_CONCURRENCY"] = str(arguments.workers)
    from shuangyu.index.build import build_index
    from shuangyu.web.settings import load_settings

    # The service's own settings (environment and defaults), as `shuangyu serve` reads them.
    settings = load_settings(os.environ)
    build_index(
        settings.corpus_dir,
        settings.index_dir,
        settings.instance,
        progress=False,
        index_engine=settings.engine or None,
        cluster=settings.cluster,
    )
    # Words of the real passages, none of them in QUERIES and none repeated: the uncached workload.
    words = [
        word
        for word in choose_queries(
            stored_passages(settings.index_dir, settings.cluster), 600, settings.index_dir, seed=12
        )
        if word not in QUERIES
    ]
    random.Random(12).shuffle(words)
    with tempfile.TemporaryDirectory() as work:
        figures = bench_http(
            settings.index_dir,
            settings.corpus_dir,
            Path(work),
            QUERIES,
            [words[i::3] for i in range(3)],
            arguments.seconds,
        )
    print("| workload | connections | requests/s | p50 ms | p99 ms | errors |")
    print("|---|---|---|---|---|---|")
    labels = {
        "wrk": "the queries above, after one pass (result cache)",
        "wrk_uncached": f"{figures['distinct_queries_per_load']} other words of the corpus in turn (new until they repeat)",
    }
    for workload, label in labels.items():
        for connections, load in figures[workload].items():
            print(
                f"| {label} | {connections} | {load['requests_per_s']} | {load['p50_ms']} | {load['p99_ms']} | {load['errors']} |"
            )
    # With several workers the process started is gunicorn's master, which holds no index.
    print(
        f"\nfirst answer after {figures['first_answer_seconds']} s; RSS of the process started {figures['rss_mb']} MB"
    )
    if arguments.json:
        arguments.json.parent.mkdir(parents=True, exist_ok=True)
        arguments.json.write_text(
            json.dumps({"workers": arguments.workers, **figures}, indent=2), encoding="utf-8"
        )
    loads = [load for workload in WORKLOADS for load in figures[workload].values()]
    return 1 if any(load["errors"] or load["socket_errors"] for load in loads) else 0


if __name__ == "__main__":
    sys.exit(main())
