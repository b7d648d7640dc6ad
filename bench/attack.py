"""A build that meets every hostile file of issue 27, against the same build without them.

    python -m bench.attack [--work /tmp/bench-attack] [--json bench/results/attack.json]

Two runs of `shuangyu build` as an operator runs it (the gloss, no embedding), each in a fresh
folder: the seed reports alone (the baseline), then the seed reports beside every file of
``testbed.hostile`` at full size. For each: wall time, the peak RSS of the build process, of its
largest reader process, and of the whole tree at once (the sum of their proportional set sizes,
sampled: the memory the machine gives the build), and what the build said of each
file. The hostile build must end, name every file it skipped, and index the seed reports.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.perf import SAMPLE_SECONDS, descendants, status_kb
from testbed import hostile

REPOSITORY = Path(__file__).resolve().parent.parent


def proportional_kb(pid: int) -> int:
    """The proportional set size of ``pid`` in kB (``Pss``: the pages it shares with the process it
    was forked from counted once between them), 0 once it has ended."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    for line in rollup.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def measured_build(corpus: Path, folder: Path) -> dict:
    """`shuangyu build` of ``corpus`` into ``folder``, with its time, memory and warnings."""
    env = {
        **os.environ,
        "SHUANGYU_CORPUS_DIR": str(corpus),
        "SHUANGYU_INSTANCE_DIR": str(folder / "instance"),
        "SHUANGYU_EMBEDDER": "none",
    }
    dictionary = next((REPOSITORY / "instance").glob("cedict-*.sqlite"), None)
    (folder / "instance").mkdir(parents=True)
    if dictionary:  # made once per machine (ten seconds): not what is measured
        shutil.copy2(dictionary, folder / "instance" / dictionary.name)
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "shuangyu.web.cli", "build", "--quiet", "--translator", "gloss"],
        cwd=REPOSITORY,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    peaks: dict[int, int] = {}
    tree_peak = 0
    while process.poll() is None:
        now = 0
        for pid in [process.pid, *descendants(process.pid)]:
            peaks[pid] = max(peaks.get(pid, 0), status_kb(pid, "VmHWM") or 0)
            now += proportional_kb(pid)
        tree_peak = max(tree_peak, now)
        time.sleep(SAMPLE_SECONDS)
    out, err = process.communicate()
    seconds = time.monotonic() - started
    warnings = [
        line for line in err.decode("utf-8", "replace").splitlines() if line.startswith("warning: ")
    ]
    readers = [peak for pid, peak in peaks.items() if pid != process.pid]
    return {
        "exit_code": process.returncode,
        "seconds": round(seconds, 1),
        "build_peak_rss_mb": round(peaks.get(process.pid, 0) / 1024, 1),
        "largest_child_peak_rss_mb": round(max(readers) / 1024, 1) if readers else None,
        "tree_peak_rss_mb": round(tree_peak / 1024, 1),
        "skipped": [line for line in warnings if line.endswith("(skipped)")],
        "warnings": len(warnings),
        "summary": out.decode("utf-8", "replace").strip().splitlines()[-1:],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-attack"))
    parser.add_argument(
        "--json", type=Path, default=REPOSITORY / "bench" / "results" / "attack.json"
    )
    options = parser.parse_args()
    shutil.rmtree(options.work, ignore_errors=True)
    runs = {}
    for name, with_hostile in (
        ("seed reports alone", False),
        ("seed reports and every hostile file", True),
    ):
        folder = options.work / ("hostile" if with_hostile else "baseline")
        corpus = folder / "corpus"
        shutil.copytree(REPOSITORY / "corpus", corpus)
        if with_hostile:
            hostile.write_all(corpus)
        runs[name] = measured_build(corpus, folder)
    baseline, attacked = runs.values()
    print(
        f"{'build':40} {'exit':>4} {'seconds':>8} {'build MB':>9} {'child MB':>9} {'tree MB':>8} {'skipped':>8}"
    )
    for name, run in runs.items():
        print(
            f"{name:40} {run['exit_code']:>4} {run['seconds']:>8} {run['build_peak_rss_mb']:>9} "
            f"{run['largest_child_peak_rss_mb'] or '-':>9} {run['tree_peak_rss_mb']:>8} {len(run['skipped']):>8}"
        )
    print(f"time ratio hostile/baseline: {attacked['seconds'] / baseline['seconds']:.1f}x")
    for line in attacked["skipped"]:
        print(f"  {line[:160]}")
    options.json.parent.mkdir(parents=True, exist_ok=True)
    options.json.write_text(
        json.dumps(
            {"runs": runs, "machine": f"{os.cpu_count()} cores"}, indent=2, ensure_ascii=False
        )
        + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
