"""Real-corpus benchmark: this tree against a baseline revision, side by side in one run.

    python bench/real.py --baseline 462945d [--work /tmp/realbench] [--repeat 3]

Copies the seed corpus (tests/fixtures/corpus/*) and the real collection (../shared/realcorpus/reports/*.txt) into one corpus
folder, then for each code tree ("baseline", a detached git worktree of the given revision, and
"current", this repository as it is on disk, uncommitted edits included) runs `shuangyu build
--force --translator gloss` (wall seconds, passages indexed) and `shuangyu serve`, and sends
every query of tests/eval/real_queries.tsv once ("first time": computed) and then --repeat
more times ("repeated": answered from the result cache), one at a time, timed on the client
(urllib over loopback). Errors are non-200 answers (400s also counted on their own) and
failed requests. Prints a Markdown table and writes bench/results/real.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from testbed.paths import REAL_COLLECTION, SEED_CORPUS  # noqa: E402

QUERIES = ROOT / "tests" / "eval" / "real_queries.tsv"
RESULTS = ROOT / "bench" / "results"


def make_corpus(folder: Path) -> None:
    """A fresh corpus folder: every file of the seed corpus and the real reports (*.txt)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for source in [*sorted(SEED_CORPUS.glob("*")), *sorted(REAL_COLLECTION.glob("*.txt"))]:
        if source.is_file():
            shutil.copy2(source, folder / source.name)


def read_queries() -> list[str]:
    """The second column of real_queries.tsv, `#` lines skipped."""
    lines = QUERIES.read_text(encoding="utf-8").splitlines()
    return [line.split("\t")[1] for line in lines if line.strip() and not line.startswith("#")]


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def summary(samples_ms: list[float]) -> dict[str, float]:
    """Median, p95 (nearest rank) and max of latencies in ms."""
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return {
        "median": round(statistics.median(ordered), 2),
        "p95": round(p95, 2),
        "max": round(ordered[-1], 2),
    }


def ask(base: str, query: str) -> tuple[int, float]:
    """One GET /api/search (limit 10): the status (0 if no answer) and the client-side ms."""
    url = f"{base}/api/search?q={urllib.parse.quote(query)}&limit=10"
    begun = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=120) as answer:
            answer.read()
            status = answer.status
    except urllib.error.HTTPError as error:
        error.read()
        status = error.code
    except OSError:
        status = 0
    return status, (time.perf_counter() - begun) * 1000


def cli_of(tree: Path, links: Path) -> tuple[str, Path]:
    """The command-line module of a code tree and the folder to put on PYTHONPATH to import
    it from that tree. A tree installed as one package (``shuangyu.web``) is imported through a
    folder ``links/shuangyu`` of links to its folders, so that neither tree is read from the
    editable install; an older tree has top-level modules (``web.cli``)."""
    if "shuangyu.web" not in (tree / "pyproject.toml").read_text(encoding="utf-8"):
        return "web.cli", tree
    package = links / "shuangyu"
    shutil.rmtree(links, ignore_errors=True)
    package.mkdir(parents=True)
    for folder in ("index", "search", "web"):
        (package / folder).symlink_to(tree / folder, target_is_directory=True)
    return "shuangyu.web.cli", links


def bench_tree(
    name: str, tree: Path, corpus: Path, work: Path, queries: list[str], repeat: int
) -> dict:
    """Build and serve one code tree over the corpus; its build time, passages and latencies."""
    module, path = cli_of(tree, work / f"{name}-src")
    env = {
        **os.environ,
        "PYTHONPATH": str(path),
        "SHUANGYU_CORPUS_DIR": str(corpus),
        "SHUANGYU_INDEX_DIR": str(work / f"{name}-index"),
        "SHUANGYU_INSTANCE_DIR": str(work / f"{name}-instance"),
    }
    for folder in (
        work / f"{name}-index",
        work / f"{name}-instance",
    ):  # a fresh start for both trees
        shutil.rmtree(folder, ignore_errors=True)
    log = work / f"{name}-build.log"
    started = time.perf_counter()
    with log.open("w") as out:
        done = subprocess.run(
            [sys.executable, "-m", module, "build", "--quiet", "--force", "--translator", "gloss"],
            cwd=tree,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    build_seconds = time.perf_counter() - started
    output = log.read_text(encoding="utf-8", errors="replace")
    counted = [line.split()[1] for line in output.splitlines() if line.startswith("Indexed ")]
    if done.returncode or not counted:
        raise RuntimeError(
            f"{name}: build failed (exit {done.returncode}), {log}:\n{output[-2000:]}"
        )
    port, server_log = free_port(), work / f"{name}-serve.log"
    base = f"http://127.0.0.1:{port}"
    with server_log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", module, "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=tree,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        waited = time.perf_counter()
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.perf_counter() - waited > 120:
                tail = server_log.read_text(encoding="utf-8", errors="replace")[-2000:]
                raise RuntimeError(
                    f"{name}: /healthz did not answer 200 (exit {server.poll()}), {server_log}:\n{tail}"
                )
            time.sleep(0.1)
        first = [ask(base, query) for query in queries]
        repeated = [ask(base, query) for _ in range(repeat) for query in queries]
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    answers = first + repeated
    return {
        "build_seconds": round(build_seconds, 2),
        "passages": int(counted[-1]),
        "first_ms": summary([ms for _, ms in first]),
        "repeated_ms": summary([ms for _, ms in repeated]) if repeated else None,
        "errors": sum(status != 200 for status, _ in answers),
        "errors_400": sum(status == 400 for status, _ in answers),
        "failed_requests": sum(status == 0 for status, _ in answers),
    }


ROWS = [
    ("build seconds", ("build_seconds",)),
    ("passages", ("passages",)),
    *[(f"first-time query {stat} ms", ("first_ms", stat)) for stat in ("median", "p95", "max")],
    *[(f"repeated query {stat} ms", ("repeated_ms", stat)) for stat in ("median", "p95", "max")],
    ("errors (non-200)", ("errors",)),
    ("of which 400", ("errors_400",)),
]


def figure(result: dict | None, path: tuple[str, ...]):
    """The value at path in one tree's result, or None."""
    return figure((result or {}).get(path[0]), path[1:]) if path else result


def main() -> int:
    """Run both trees, print the table, write the JSON; exit 1 if a tree failed or any error."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", required=True, help="git revision to compare against")
    parser.add_argument("--work", type=Path, default=Path("/tmp/realbench"), help="scratch folder")
    parser.add_argument(
        "--repeat", type=int, default=3, help="passes over the queries after the first"
    )
    args = parser.parse_args()
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    corpus, baseline_src = work / "corpus", work / "baseline-src"
    make_corpus(corpus)
    queries = read_queries()
    git = ["git", "-C", str(ROOT)]
    revision, head = subprocess.run(
        git + ["rev-parse", args.baseline, "HEAD"], capture_output=True, text=True, check=True
    ).stdout.split()
    dirty = bool(
        subprocess.run(
            git + ["status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True
        ).stdout
    )
    if baseline_src.exists():  # left by an interrupted run
        subprocess.run(
            git + ["worktree", "remove", "--force", str(baseline_src)], capture_output=True
        )
    subprocess.run(
        git + ["worktree", "add", "--detach", str(baseline_src), revision],
        check=True,
        capture_output=True,
    )
    results: dict[str, dict | None] = {}
    problems, ratios = [], {}
    try:
        for name, tree in (("baseline", baseline_src), ("current", ROOT)):
            try:
                results[name] = bench_tree(name, tree, corpus, work, queries, args.repeat)
            except Exception as error:  # report the tree's failure, go on with the other
                results[name] = None
                problems.append(str(error))
    finally:
        subprocess.run(
            git + ["worktree", "remove", "--force", str(baseline_src)], capture_output=True
        )
    base, current = results.get("baseline"), results.get("current")
    print(
        f"{len(queries)} queries, repeated {args.repeat} times; baseline {revision[:7]}, current {head[:7]}"
        f"{' + uncommitted edits' if dirty else ''}\n"
    )
    print("| measure | baseline | current | current ÷ baseline |\n|---|---|---|---|")
    for label, path in ROWS:
        old, new = figure(base, path), figure(current, path)
        ratios[label] = (
            round(new / old, 2)
            if isinstance(old, (int, float)) and isinstance(new, (int, float)) and old
            else None
        )
        shown = "" if ratios[label] is None else f"{ratios[label]:.2f}x"
        print(
            f"| {label} | {'—' if old is None else old} | {'—' if new is None else new} | {shown} |"
        )
    for problem in problems:
        print(f"\nproblem: {problem}", file=sys.stderr)
    RESULTS.mkdir(parents=True, exist_ok=True)
    report = {
        "baseline_revision": revision,
        "current_revision": head,
        "current_uncommitted_edits": dirty,
        "queries": len(queries),
        "repeat": args.repeat,
        "baseline": base,
        "current": current,
        "current_over_baseline": ratios,
        "problems": problems,
    }
    (RESULTS / "real.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return 1 if problems or any(result["errors"] for result in results.values() if result) else 0


if __name__ == "__main__":
    sys.exit(main())
