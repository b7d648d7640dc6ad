"""What the search page costs beside the API answer it is made from, on one index.

    python bench/page_profile.py /tmp/bench100k/shuangyu-tantivy/index --engine tantivy

For each query (common words by default, those that match most reports), the median time and
the size of the search page (``/?q=``), of the page of every report that matches
(``/reports?q=``), and of the API's answer (``/api/search?q=``), each asked ``--rounds`` times
after one warm-up, through the app in process (no server, no network). The search is cached
after the warm-up, so the figures are the page's own work: the API's are the baseline of the
same run. Prints a table and, with ``--json``, writes the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["TQDM_DISABLE"] = "1"

QUERIES = ["发展", "经济", "重庆", "建设 推进", "development", "沙坪坝区"]
URLS = {"page": "/", "reports page": "/reports", "api": "/api/search"}


def measure(client, url: str, query: str, rounds: int) -> tuple[float, int]:
    """The median milliseconds of ``rounds`` GETs of ``url?q=query``, and the body's bytes."""
    client.get(url, query_string={"q": query})
    times, size = [], 0
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get(url, query_string={"q": query})
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url}?q={query}: HTTP {response.status_code}")
        size = len(response.data)
    return statistics.median(times), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("index", type=Path, help="the index folder (its builds/ and current)")
    parser.add_argument("--engine", default="", help="whoosh, tantivy or opensearch")
    parser.add_argument("--instance", type=Path, default=ROOT / "instance")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--query", action="append", help="a query (again for more)")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()

    from shuangyu.web.app import create_app

    config = {"TESTING": True, "INDEX_DIR": args.index, "INSTANCE_DIR": args.instance}
    config |= {"EMBEDDER": "none", "ENGINE": args.engine} if args.engine else {"EMBEDDER": "none"}
    client = create_app(config).test_client()
    rows = []
    for query in args.query or QUERIES:
        row = {"query": query}
        for name, url in URLS.items():
            row[name] = dict(zip(("ms", "bytes"), measure(client, url, query, args.rounds)))
        rows.append(row)
    print(f"{'query':<12}" + "".join(f"{name:>24}" for name in URLS) + "   page/api ms")
    for row in rows:
        cells = "".join(
            f"{row[name]['ms']:>12.1f} ms {row[name]['bytes'] / 1024:>6.0f} KB" for name in URLS
        )
        print(f"{row['query']:<12}{cells}   {row['page']['ms'] / row['api']['ms']:>8.1f}x")
    for name in URLS:
        print(
            f"median {name}: {statistics.median(row[name]['ms'] for row in rows):.1f} ms, "
            f"{statistics.median(row[name]['bytes'] for row in rows) / 1024:.0f} KB"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
