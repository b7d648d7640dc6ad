"""The benchmark runs from a checkout with one command: a small smoke run, checked only for
completing and writing its JSON with every measure (no timing is asserted)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from tests.paths import REPOSITORY_ROOT


def perf(tmp_path, *options):
    return subprocess.run(
        [sys.executable, "bench/perf.py", "--passages", "300", "--queries", "8", "--rounds", "1", "--http-seconds", "1",
         "--work", str(tmp_path / "work"), "--results", str(tmp_path / "results"), *options],
        cwd=REPOSITORY_ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, "SHUANGYU_INSTANCE_DIR": str(tmp_path / "instance")})


@pytest.mark.benchmark
def test_perf_benchmark_completes_and_writes_every_measure(tmp_path):
    results = tmp_path / "results"
    run = perf(tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    measured = json.loads((results / "perf-300.json").read_text(encoding="utf-8"))
    ours, naive, tantivy = measured["shuangyu"], measured["naive"], measured["tantivy"]
    assert ours["passages"] >= 300 and len(measured["queries"]) == 8
    for figures in (ours, naive, tantivy):
        assert figures["build_passages_per_s"] > 0 and figures["index_mb"] > 0
        assert 0 < figures["query_ms"]["p50"] <= figures["query_ms"]["p99"]
    for workload in ("wrk", "wrk_uncached"):
        assert set(measured["http"][workload]) == {"1", "8", "32"}
        # Errors and a stopped server fail the run; how many requests a one-second run completes is timing.
        assert all(load["errors"] == 0 and load["server_running"] for load in measured["http"][workload].values())
    assert measured["http"]["rss_mb"] > 0 and measured["new_report"]["seconds"] > 0
    assert measured["new_report"]["incremental"]
    # The table printed for the README has a ratio to each baseline.
    assert "naive ÷ Shuangyu" in run.stdout and "Shuangyu ÷ tantivy" in run.stdout

    # The profile of the same queries: each part's share of the time, adding up to the whole.
    profile = subprocess.run([sys.executable, "bench/query_profile.py", str(tmp_path / "work" / "shuangyu-index"), str(results / "perf-300.json")],
                             cwd=REPOSITORY_ROOT, capture_output=True, text=True, timeout=300,
                             env={**os.environ, "SHUANGYU_INSTANCE_DIR": str(tmp_path / "instance")})
    assert profile.returncode == 0, profile.stderr[-2000:]
    parts, slowest = profile.stdout.split("slowest")
    shares = [int(share) for share in re.findall(r"^\s+(\d+)%\s", parts, re.M)]
    assert shares and 97 <= sum(shares) <= 103
    assert "matcher tree" in parts and len(slowest.strip().splitlines()) == 6  # its title and 5 queries


@pytest.mark.benchmark
def test_a_resumed_run_keeps_what_was_measured_and_measures_the_rest(tmp_path):
    assert perf(tmp_path).returncode == 0
    partial = tmp_path / "work" / "partial.json"
    saved = json.loads(partial.read_text(encoding="utf-8"))
    del saved["http"], saved["new_report"]  # as if the run had stopped after tantivy
    partial.write_text(json.dumps(saved), encoding="utf-8")
    run = perf(tmp_path, "--resume")
    assert run.returncode == 0, run.stderr[-2000:]
    assert "building Shuangyu" not in run.stderr and "HTTP" in run.stderr
    measured = json.loads((tmp_path / "results" / "perf-300.json").read_text(encoding="utf-8"))
    assert measured["shuangyu"] == saved["shuangyu"] and measured["http"]["wrk"]["8"]["errors"] == 0


def test_wrk_latency_is_read_from_its_distribution_not_from_a_thread_line():
    from bench.perf import parse_wrk

    output = ("  2 threads and 8 connections\n  Thread Stats   Avg      Stdev     Max   +/- Stdev\n"
              "    Latency    21.28ms    7.96ms  59.38ms   70.55%\n    Req/Sec   188.84     32.29   282.00     71.50%\n"
              "  Latency Distribution\n     50%   20.35ms\n     75%   26.00ms\n     90%   31.85ms\n     99%    1.20s\n"
              "  3768 requests in 10.02s, 309.00MB read\n  Non-2xx or 3xx responses: 2\nRequests/sec:    376.09\n")
    assert parse_wrk(output) == {"requests_per_s": 376.09, "p50_ms": 20.35, "p99_ms": 1200.0, "errors": 2, "socket_errors": ""}
