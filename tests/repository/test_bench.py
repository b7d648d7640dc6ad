"""The benchmark runs from a checkout with one command: a small smoke run, checked for completing
and writing its JSON with every measure of every engine (no timing is asserted)."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from tests.paths import REPOSITORY_ROOT, instance_with_dictionary


def perf(tmp_path, *options):
    return subprocess.run(
        [
            sys.executable,
            "bench/perf.py",
            "--passages",
            "300",
            "--queries",
            "8",
            "--rounds",
            "1",
            "--http-seconds",
            "1",
            "--work",
            str(tmp_path / "work"),
            "--results",
            str(tmp_path / "results"),
            *options,
        ],
        cwd=REPOSITORY_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={
            **os.environ,
            "SHUANGYU_INSTANCE_DIR": str(instance_with_dictionary(tmp_path / "instance")),
        },
    )


@pytest.fixture(scope="module")
def perf_run(tmp_path_factory):
    """One smoke run of both engines (a minute and more): its folder and the finished process."""
    root = tmp_path_factory.mktemp("perf")
    return root, perf(root)


@pytest.mark.benchmark
def test_perf_benchmark_measures_both_engines_and_writes_every_measure(perf_run):
    from shuangyu.index.workers import usable_cores

    tmp_path, run = perf_run
    results = tmp_path / "results"
    assert run.returncode == 0, run.stderr[-2000:]
    measured = json.loads((results / "perf-300.json").read_text(encoding="utf-8"))
    assert measured["passages"] >= 300 and len(measured["queries"]) == 8
    assert list(measured["engines"]) == ["whoosh", "tantivy"]
    for engine, figures in measured["engines"].items():
        build = figures["build"]
        assert build["passages"] == measured["passages"]
        assert (
            build["build_passages_per_s"] > 0
            and build["index_mb"] > 0
            and build["build_peak_rss_mb"] > 0
        )
        # Each build ran with its own engine, and the new report was taken out again afterwards.
        index_dir = tmp_path / "work" / f"shuangyu-{engine}" / "index"
        manifest = json.loads((index_dir / "current" / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["engine"] == engine and manifest["passages"] == measured["passages"]
        for latency in figures["query"].values():
            assert 0 < latency["p50"] <= latency["p99"]
        # One process (waitress) and a process per core (gunicorn), each under every load.
        assert set(figures["http"]) == {"1", str(usable_cores())}
        for workers, served in figures["http"].items():
            for workload in ("wrk", "wrk_uncached"):
                assert set(served[workload]) == {"1", "8", "32"}
                # Errors and a stopped server fail the run; how many requests a one-second run completes is timing.
                assert all(
                    load["errors"] == 0 and load["server_running"]
                    for load in served[workload].values()
                )
            assert served["rss_mb"] > 0 and 0 < served["anonymous_mb"] <= served["rss_mb"]
            assert len(served["worker_rss_mb"]) == (0 if workers == "1" else int(workers))
            assert all(rss > 0 for rss in served["worker_rss_mb"])
        assert figures["new_report"]["seconds"] > 0 and figures["new_report"]["incremental"]
    for baseline in (measured["naive"], measured["tantivy_alone"], measured["sqlite_fts5"]):
        assert baseline["build_passages_per_s"] > 0 and baseline["index_mb"] > 0
        assert 0 < baseline["query_ms"]["p50"] <= baseline["query_ms"]["p99"]
    for baseline in (measured["tantivy_alone"], measured["sqlite_fts5"]):
        assert 0 < baseline["engine_query_ms"]["p50"] <= baseline["query_ms"]["p50"]
    # The table printed for docs/performance.md: a column per engine and baseline, and each ratio, on every row.
    header = next(line for line in run.stdout.splitlines() if line.startswith("| measure |"))
    assert all(
        column in header
        for column in (
            "Whoosh engine",
            "tantivy engine",
            "naive Whoosh",
            "tantivy alone",
            "SQLite FTS5",
            "tantivy engine ÷ Whoosh engine",
            "tantivy engine ÷ tantivy alone",
            "tantivy engine ÷ SQLite FTS5",
        )
    )
    rows = [line for line in run.stdout.splitlines() if line.startswith("| ") and line != header]
    assert len(rows) > 20 and all(row.count("|") == header.count("|") for row in rows)
    assert "errors or a stopped server: none" in run.stdout

    # The profile of the same queries: each part's share of the time, adding up to the whole.
    profile = subprocess.run(
        [
            sys.executable,
            "bench/query_profile.py",
            str(tmp_path / "work" / "shuangyu-whoosh" / "index"),
            str(results / "perf-300.json"),
        ],
        cwd=REPOSITORY_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={
            **os.environ,
            "SHUANGYU_INSTANCE_DIR": str(instance_with_dictionary(tmp_path / "instance")),
        },
    )
    assert profile.returncode == 0, profile.stderr[-2000:]
    assert re.search(
        r"^8 queries, best of 5 each: p50 [\d.]+ ms, p95 [\d.]+ ms, p99 [\d.]+ ms$",
        profile.stdout,
        re.M,
    )
    parts, slowest = profile.stdout.split("slowest")
    shares = [int(share) for share in re.findall(r"^\s+(\d+)%\s", parts, re.M)]
    assert shares and 97 <= sum(shares) <= 103
    assert (
        "matcher tree" in parts and len(slowest.strip().splitlines()) == 6
    )  # its title and 5 queries

    # What the pages cost beside the API answer they are made from, on the same index.
    pages = subprocess.run(
        [
            sys.executable,
            "bench/page_profile.py",
            str(tmp_path / "work" / "shuangyu-whoosh" / "index"),
            "--instance",
            str(tmp_path / "instance"),
            "--rounds",
            "2",
            "--json",
            str(tmp_path / "pages.json"),
            *(option for query in measured["queries"][:2] for option in ("--query", query)),
        ],
        cwd=REPOSITORY_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert pages.returncode == 0, pages.stderr[-2000:]
    rows = json.loads((tmp_path / "pages.json").read_text(encoding="utf-8"))
    assert [row["query"] for row in rows] == measured["queries"][:2]
    assert all(
        row[name]["ms"] > 0 and row[name]["bytes"] > 0
        for row in rows
        for name in ("page", "reports page", "api")
    )
    assert "median page:" in pages.stdout


@pytest.mark.benchmark
def test_a_resumed_run_keeps_what_was_measured_and_measures_the_rest(perf_run, tmp_path):
    # A copy of the smoke run's work, to resume from and then damage.
    finished, run = perf_run
    assert run.returncode == 0, run.stderr[-2000:]
    shutil.copytree(finished / "work", tmp_path / "work", symlinks=True)
    partial = tmp_path / "work" / "partial.json"
    saved = json.loads(partial.read_text(encoding="utf-8"))
    served = saved["engines"]["tantivy"]["http"]
    last = max(served, key=int)
    del served[last], saved["engines"]["tantivy"]["new_report"]  # as if the run had stopped there
    partial.write_text(json.dumps(saved), encoding="utf-8")
    run = perf(tmp_path, "--engines", "tantivy", "--resume")
    assert run.returncode == 0, run.stderr[-2000:]
    assert (
        "building" not in run.stderr
        and "querying" not in run.stderr
        and "tantivy alone" not in run.stderr
        and "SQLite FTS5" not in run.stderr
    )
    assert f"HTTP, tantivy, {last} process" in run.stderr and "new report, tantivy" in run.stderr
    measured = json.loads((tmp_path / "results" / "perf-300.json").read_text(encoding="utf-8"))
    kept = measured["engines"]["tantivy"]
    assert (
        kept["build"] == saved["engines"]["tantivy"]["build"]
        and kept["query"] == saved["engines"]["tantivy"]["query"]
    )
    assert kept["http"][last]["wrk"]["8"]["errors"] == 0 and "new_report" in kept

    # An index the code can no longer use stops a resumed run: a server would build its own and be measured on it.
    manifest = tmp_path / "work" / "shuangyu-tantivy" / "index" / "current" / "manifest.json"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace('"engine": "tantivy"', '"engine": "whoosh"'),
        encoding="utf-8",
    )
    stale = perf(tmp_path, "--engines", "tantivy", "--resume")
    assert stale.returncode == 1 and "no usable index written by tantivy" in stale.stderr


def test_the_engines_are_checked_where_they_are_given():
    from bench.perf import engine_list

    assert engine_list("tantivy, whoosh,tantivy") == ["tantivy", "whoosh"]
    for wrong in ("lucene", "whoosh,lucene", ","):
        with pytest.raises(argparse.ArgumentTypeError):
            engine_list(wrong)


def test_a_builds_peak_memory_is_its_own_and_its_largest_workers(tmp_path):
    """A process that forks a worker holding 200 MB more than itself: both peaks are seen."""
    from bench.perf import wait_watching_memory

    script = (
        "import os, time\n"
        "if os.fork() == 0:\n    block = b'x' * (200 * 2**20); time.sleep(0.5); os._exit(0)\n"
        "os.wait()\n"
    )
    process = subprocess.Popen([sys.executable, "-c", script])
    peaks = wait_watching_memory(process)
    assert process.returncode == 0
    parent, *workers = [peaks[process.pid]] + [
        peak for pid, peak in peaks.items() if pid != process.pid
    ]
    assert len(workers) == 1 and workers[0] > parent + 150 * 1024


def test_wrk_latency_is_read_from_its_distribution_not_from_a_thread_line():
    from bench.perf import parse_wrk

    output = (
        "  2 threads and 8 connections\n  Thread Stats   Avg      Stdev     Max   +/- Stdev\n"
        "    Latency    21.28ms    7.96ms  59.38ms   70.55%\n    Req/Sec   188.84     32.29   282.00     71.50%\n"
        "  Latency Distribution\n     50%   20.35ms\n     75%   26.00ms\n     90%   31.85ms\n     99%    1.20s\n"
        "  3768 requests in 10.02s, 309.00MB read\n  Non-2xx or 3xx responses: 2\nRequests/sec:    376.09\n"
    )
    assert parse_wrk(output) == {
        "requests_per_s": 376.09,
        "p50_ms": 20.35,
        "p99_ms": 1200.0,
        "errors": 2,
        "socket_errors": "",
    }


def test_sqlite_fts5_is_given_the_jieba_tokens_whole_and_any_of_them_is_asked():
    """FTS5's tokenizer splits the tokens joined by spaces where jieba did, keeping a run of Han
    characters whole, and a query asks for any of its tokens, each quoted."""
    import sqlite3

    import jieba

    from bench.perf import FTS5_TOKENIZER, fts5_query

    assert fts5_query(["共和", "共和国", " ", 'say "hi"', "共和"]) == (
        '"共和" OR "共和国" OR "say ""hi"""'
    )
    tokens = list(jieba.cut_for_search("中华人民共和国成立于重庆市沙坪坝区"))
    connection = sqlite3.connect(":memory:")
    connection.execute(f"CREATE VIRTUAL TABLE t USING fts5(text, tokenize = '{FTS5_TOKENIZER}')")
    connection.execute("INSERT INTO t (text) VALUES (?)", (" ".join(tokens),))
    connection.execute("CREATE VIRTUAL TABLE terms USING fts5vocab(t, 'instance')")
    indexed = [term for (term,) in connection.execute("SELECT term FROM terms ORDER BY offset")]
    assert indexed == tokens
    # A word inside a longer token is not found: no token of its own.
    assert connection.execute(
        "SELECT count(*) FROM t WHERE t MATCH ?", ('"人民共和"',)
    ).fetchone() == (0,)
