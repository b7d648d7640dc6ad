"""Performance of Shuangyu with each of its engines, against three baselines, on the same passages and queries.

    python bench/perf.py --passages 10000            # table on stdout, JSON in bench/results/
    python bench/perf.py --passages 100000 --work /tmp/bench100k [--resume]
    python bench/perf.py --real --work /tmp/bench-real  # the real collection: perf-real.json
    python bench/perf.py --engines tantivy --passages 1000000 --work /tmp/bench1m

Shuangyu is measured with each engine of ``--engines`` (Whoosh and tantivy by default; opensearch
on the cluster of SHUANGYU_OPENSEARCH_URL, as the settings read it), each
under its own key of ``engines`` in the JSON: ``shuangyu build`` as an operator runs it (the
gloss; wall time, index size, peak memory of the build and of its largest worker), queries
through its search layer without and with the result cache, HTTP under ``shuangyu serve`` with
one process (waitress) and with a process per core (gunicorn) driven by wrk at 1, 8 and 32
connections, for repeated queries (answered from the result cache) and for a query not in the
cache on every request, the memory of each serving process, and how soon a new report is found.

Baselines, measured in the same run on the same passages and queries:
- naive: Whoosh with jieba's own ChineseAnalyzer, a new searcher per query, highlights by
  re-analysing the stored text (Whoosh's highlighter); skipped above --skip-naive-build-above;
- tantivy alone: tantivy-py with the same jieba tokens (search mode) and the same English text,
  snippets by tantivy's SnippetGenerator. "engine only" excludes jieba from the build time and
  the snippets from the query time;
- SQLite FTS5 (Python's sqlite3), fed tantivy alone's tokens, measured as tantivy alone is:
  top 10 by bm25 and a count, snippets by FTS5's snippet() (bench_fts5 says what differs).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shuangyu.index.engines.cluster import NO_CLUSTER, Cluster  # noqa: E402

from testbed.generate import generate  # noqa: E402
from testbed.paths import REAL_COLLECTION, SEED_CORPUS  # noqa: E402

RESULTS = ROOT / "bench" / "results"
ENGINES = ("whoosh", "tantivy", "opensearch")
CONNECTIONS = (1, 8, 32)
WORKLOADS = {
    "wrk_uncached": "a query not in the cache every request",
    "wrk": "repeated queries (result cache)",
}
# How often the memory of a running build is sampled.
SAMPLE_SECONDS = 0.05


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)

    def at(fraction: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(fraction * len(ordered)))], 3)

    return {"p50": round(statistics.median(ordered), 3), "p95": at(0.95), "p99": at(0.99)}


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


# --- processes and their memory ----------------------------------------------------------------


def status_kb(pid: int, field: str) -> int | None:
    """A ``kB`` field of /proc/<pid>/status (``VmRSS``, ``VmHWM``: the peak RSS); ``None`` once
    the process has ended (a zombie has no memory left to report)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = re.search(rf"^{field}:\s+(\d+) kB", status, re.M)
    return int(found.group(1)) if found else None


def rss_mb(pid: int) -> float | None:
    kb = status_kb(pid, "VmRSS")
    return None if kb is None else round(kb / 1024, 1)


def anonymous_mb(pid: int, field: str = "Anonymous") -> float | None:
    """The process's own memory (its heap: anonymous pages), without the pages of the index
    files it maps, which RSS counts too though the page cache holds them once for every
    process and can drop them. ``field`` ``Pss_Anon``: the same, with each page a worker
    shares with the master (the modules imported before the fork) counted in part."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return None
    found = re.search(rf"^{field}:\s+(\d+) kB", rollup, re.M)
    return round(int(found.group(1)) / 1024, 1) if found else None


def children(pid: int) -> list[int]:
    """The processes forked by any thread of ``pid`` that are still running."""
    found = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return []
    for task in tasks:
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue  # the thread has ended
    return found


def descendants(pid: int) -> list[int]:
    """Every running process under ``pid``: its children, theirs, and so on."""
    found, pending = [], children(pid)
    while pending:
        child = pending.pop()
        found.append(child)
        pending += children(child)
    return found


def wait_watching_memory(process: subprocess.Popen) -> dict[int, int]:
    """Wait for ``process`` to end; return the peak RSS in kB (VmHWM) of it and of every process
    under it, by pid. Sampled every SAMPLE_SECONDS: growth in a process's last moments before it
    ends may be missed."""
    peaks: dict[int, int] = {}
    while process.poll() is None:
        for pid in [process.pid, *descendants(process.pid)]:
            peaks[pid] = max(peaks.get(pid, 0), status_kb(pid, "VmHWM") or 0)
        time.sleep(SAMPLE_SECONDS)
    return peaks


# --- the collection and the queries ---------------------------------------------------------


def copy_real_collection(corpus: Path) -> None:
    """The real collection and the seed corpus in one corpus folder, as bench/eval.py builds them."""
    corpus.mkdir(parents=True, exist_ok=True)
    for source in [*SEED_CORPUS.iterdir(), *REAL_COLLECTION.glob("*.txt")]:
        if source.is_file():
            shutil.copy(source, corpus / source.name)


def stored_passages(index_dir: Path, cluster: Cluster = NO_CLUSTER) -> list[dict]:
    """Every passage of the index (its id, Chinese and English text), read through the search layer."""
    from shuangyu.index.english.dictionary import Dictionary
    from shuangyu.search.searcher import Searcher

    searcher = Searcher(index_dir, Dictionary(ROOT / "instance"), cache_size=0, cluster=cluster)
    try:
        return [
            {"id": passage["id"], "text": passage["text"], "text_en": passage["text_en"]}
            for report in searcher.manifest.reports
            for passage in searcher.report_passages(report["id"])
        ]
    finally:
        searcher.close()


def choose_queries(passages: list[dict], count: int, index_dir: Path, seed: int = 11) -> list[str]:
    """Half Chinese words taken from the passages (common and rare), cut as the index of
    ``index_dir`` cuts them, half English words of their gloss, deterministically."""
    from shuangyu.index.engines.store import current_build
    from shuangyu.index.text.analysis import normalise, words
    from shuangyu.index.text.language import Language
    from shuangyu.index.text.vocabulary import Vocabulary

    language = Language(Vocabulary.read(current_build(index_dir)))
    rng = random.Random(seed)
    chinese, english = [], []
    for passage in rng.sample(passages, min(len(passages), count * 4)):
        han = [
            word.text
            for word in words(normalise(passage["text"]).text, language, subwords=False)
            if word.is_han and len(word.text) > 1
        ]
        latin = [word for word in re.findall(r"[a-z]{4,}", passage["text_en"].lower())]
        if han:
            chinese.append(rng.choice(han))
        if latin:
            english.append(rng.choice(latin))
    half = count // 2
    return list(dict.fromkeys(chinese))[:half] + list(dict.fromkeys(english))[: count - half]


# --- Shuangyu, with one engine --------------------------------------------------------------


def engine_folders(work: Path, engine: str) -> tuple[Path, Path]:
    """The index folder and the instance folder of Shuangyu built with ``engine`` in ``work``."""
    return work / f"shuangyu-{engine}" / "index", work / f"shuangyu-{engine}" / "instance"


def build_shuangyu(corpus: Path, work: Path, engine: str, cluster: Cluster) -> dict:
    """``shuangyu build --force`` of ``corpus`` with ``engine`` and the gloss, in a process of its
    own as an operator runs it, with a fresh instance folder (making the dictionary file is part of
    a first build): passages, wall time (start-up included), the build's own time, index size, and
    the peak RSS of the build process and of its largest worker (forked: the RSS counts the pages
    it still shares with the build)."""
    from shuangyu.index.engines.store import current_manifest

    index_dir, instance_dir = engine_folders(work, engine)
    shutil.rmtree(index_dir.parent, ignore_errors=True)
    index_dir.parent.mkdir(parents=True)
    environment = {
        **os.environ,
        "SHUANGYU_CORPUS_DIR": str(corpus),
        "SHUANGYU_INDEX_DIR": str(index_dir),
        "SHUANGYU_INSTANCE_DIR": str(instance_dir),
        "SHUANGYU_ENGINE": engine,
    }
    log = index_dir.parent / "build.log"
    with log.open("w", encoding="utf-8") as output:
        started = time.perf_counter()
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "shuangyu.web.cli",
                "build",
                "--quiet",
                "--force",
                "--translator",
                "gloss",
            ],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        peaks = wait_watching_memory(process)
        seconds = time.perf_counter() - started
    if process.returncode:
        raise RuntimeError(
            f"shuangyu build with {engine} failed: {log.read_text(encoding='utf-8')[-2000:]}"
        )
    manifest = current_manifest(index_dir, cluster)
    workers = [peak for pid, peak in peaks.items() if pid != process.pid]
    in_cluster = {}
    if engine == "opensearch":
        from shuangyu.index.engines import opensearch_index

        index = opensearch_index.index_of(index_dir / "current")
        stats = opensearch_index.client(cluster).indices.stats(index=index, metric="store")
        in_cluster = {
            # The primaries alone: the replicas are copies on other nodes.
            "cluster_index_mb": round(stats["_all"]["primaries"]["store"]["size_in_bytes"] / 1e6, 1)
        }
    return {
        "passages": manifest.passages,
        "build_seconds": round(seconds, 2),
        "build_passages_per_s": round(manifest.passages / seconds, 1),
        "build_seconds_in_process": round(manifest.build_seconds, 2),
        "index_mb": round(folder_bytes(index_dir / "current") / 1e6, 1),
        "build_peak_rss_mb": round(peaks[process.pid] / 1024, 1),
        "worker_peak_rss_mb": round(max(workers) / 1024, 1) if workers else None,
        "workers": len(workers),
        **in_cluster,
    }


def check_index(index_dir: Path, engine: str, cluster: Cluster) -> None:
    """Exit with a message unless ``index_dir`` holds a usable index written by ``engine``: else
    `shuangyu serve` would build one itself, with the default engine, and be measured on that
    (an index left by a resumed run becomes unusable when the code's index format changes)."""
    from shuangyu.index.engines.store import current_manifest

    manifest = current_manifest(index_dir, cluster)
    if manifest is None or manifest.engine != engine:
        sys.exit(
            f"{index_dir} holds no usable index written by {engine} (from another version of Shuangyu?): "
            "run again without --resume"
        )


def query_shuangyu(
    index_dir: Path,
    instance_dir: Path,
    queries: list[str],
    rounds: int,
    cache_size: int,
    cluster: Cluster,
) -> dict:
    """Latency through the search layer (warm searcher, highlights in both languages), with
    the result cache of the given size (0: every query is computed)."""
    from shuangyu.index.english.dictionary import Dictionary
    from shuangyu.search.searcher import Searcher

    searcher = Searcher(index_dir, Dictionary(instance_dir), cache_size=cache_size, cluster=cluster)
    searcher.warm()
    latencies = []
    for _ in range(rounds):
        for query in queries:
            begun = time.perf_counter()
            searcher.search(query, limit=10)
            latencies.append((time.perf_counter() - begun) * 1000)
    searcher.close()
    return percentiles(latencies)


# --- naive Whoosh -------------------------------------------------------------------------


def bench_naive(passages: list[dict], work: Path, queries: list[str], rounds: int) -> dict:
    from jieba.analyse import ChineseAnalyzer
    from whoosh import index as whoosh_index
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.qparser import MultifieldParser, OrGroup

    folder = work / "naive-index"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    schema = Schema(
        id=ID(stored=True),
        text=TEXT(analyzer=ChineseAnalyzer(), stored=True),
        text_en=TEXT(analyzer=StemmingAnalyzer(), stored=True),
    )
    ix = whoosh_index.create_in(str(folder), schema)
    started = time.perf_counter()
    writer = ix.writer(limitmb=256)
    for passage in passages:
        writer.add_document(**passage)
    writer.commit()
    seconds = time.perf_counter() - started
    latencies = []
    for _ in range(rounds):
        for query in queries:
            begun = time.perf_counter()
            with whoosh_index.open_dir(str(folder)).searcher() as searcher:
                parsed = MultifieldParser(["text", "text_en"], schema, group=OrGroup).parse(query)
                for hit in searcher.search(parsed, limit=10):
                    hit.highlights("text")
                    hit.highlights("text_en")
            latencies.append((time.perf_counter() - begun) * 1000)
    return {
        "build_seconds": round(seconds, 2),
        "build_passages_per_s": round(len(passages) / seconds, 1),
        "index_mb": round(folder_bytes(folder) / 1e6, 1),
        "query_ms": percentiles(latencies),
    }


# --- tantivy alone ------------------------------------------------------------------------


def peer_figures(
    passages: int,
    tokenizing: float,
    engine_seconds: float,
    folder: Path,
    latencies: list[float],
    engine_latencies: list[float],
) -> dict:
    """The figures of a peer fed our tokens (tantivy alone, SQLite FTS5): its build end to end
    (tokenizing, then the engine) and the engine's own, its index on disk, its queries with
    highlights and the engine's part of them."""
    total = tokenizing + engine_seconds
    return {
        "build_seconds": round(total, 2),
        "build_passages_per_s": round(passages / total, 1),
        "engine_build_passages_per_s": round(passages / engine_seconds, 1),
        "index_mb": round(folder_bytes(folder) / 1e6, 1),
        "query_ms": percentiles(latencies),
        "engine_query_ms": percentiles(engine_latencies),
    }


def bench_tantivy(passages: list[dict], work: Path, queries: list[str], rounds: int) -> dict:
    import jieba
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("text", stored=True, tokenizer_name="whitespace")
    builder.add_text_field("text_en", stored=True, tokenizer_name="en_stem")
    schema = builder.build()
    folder = work / "tantivy-alone-index"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    started = time.perf_counter()
    tokenized = [" ".join(jieba.cut_for_search(passage["text"])) for passage in passages]
    tokenizing = time.perf_counter() - started
    index = tantivy.Index(schema, path=str(folder))
    engine_started = time.perf_counter()
    writer = index.writer(heap_size=256_000_000)
    for passage, tokens in zip(passages, tokenized):
        writer.add_document(
            tantivy.Document(id=passage["id"], text=tokens, text_en=passage["text_en"])
        )
    writer.commit()
    writer.wait_merging_threads()
    engine_seconds = time.perf_counter() - engine_started
    index.reload()
    searcher = index.searcher()
    latencies, engine_latencies = [], []
    for _ in range(rounds):
        for query in queries:
            begun = time.perf_counter()
            tokens = " ".join(jieba.cut_for_search(query))
            parsed = index.parse_query(tokens, ["text", "text_en"])
            hits = searcher.search(parsed, 10).hits
            engine_latencies.append((time.perf_counter() - begun) * 1000)
            for field in ("text", "text_en"):
                generator = tantivy.SnippetGenerator.create(searcher, parsed, schema, field)
                for _, address in hits:
                    generator.snippet_from_doc(searcher.doc(address)).to_html()
            latencies.append((time.perf_counter() - begun) * 1000)
    return peer_figures(
        len(passages), tokenizing, engine_seconds, folder, latencies, engine_latencies
    )


# --- SQLite FTS5 --------------------------------------------------------------------------

# FTS5's tokenizer is one for the whole table: unicode61 splits on white space and punctuation,
# keeps a run of Han characters whole (checked on the 10,000 passages: every jieba word of Han
# characters is one FTS5 token), lower-cases and drops diacritics; porter stems what it gives.
FTS5_TOKENIZER = "porter unicode61"
FTS5_SNIPPET_TOKENS = 32


def fts5_query(tokens: list[str]) -> str:
    """The tokens of a query as FTS5 MATCH syntax: each a quoted string, any one of them (as
    tantivy's query parser joins words by default), in any column."""
    quoted = ['"' + token.replace('"', '""') + '"' for token in tokens if token.strip()]
    return " OR ".join(dict.fromkeys(quoted))


def bench_fts5(passages: list[dict], work: Path, queries: list[str], rounds: int) -> dict:
    """SQLite FTS5 (Python's sqlite3) as tantivy alone is measured: the same jieba tokens (search
    mode) joined by spaces in ``text``, the English text in ``text_en``, ``FTS5_TOKENIZER`` for
    both; a query's jieba tokens, any of them in any column, the top 10 by bm25 (``ORDER BY
    rank``) and a count of every match; snippets of both columns for the 10 by FTS5's
    ``snippet()``. "engine only" excludes jieba from the build time and the snippets from the
    query time. Not the same as tantivy alone: FTS5 also stems and lower-cases the Latin words
    of ``text`` (one tokenizer a table), drops punctuation tokens, and stems English with
    Porter's stemmer (tantivy: Snowball's English)."""
    import sqlite3

    import jieba

    folder = work / "sqlite-fts5-index"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    database = folder / "fts5.db"
    started = time.perf_counter()
    tokenized = [" ".join(jieba.cut_for_search(passage["text"])) for passage in passages]
    tokenizing = time.perf_counter() - started
    engine_started = time.perf_counter()
    connection = sqlite3.connect(database)
    with connection:
        connection.execute(
            "CREATE VIRTUAL TABLE passages USING fts5"
            f"(id UNINDEXED, text, text_en, tokenize = '{FTS5_TOKENIZER}')"
        )
        connection.executemany(
            "INSERT INTO passages (id, text, text_en) VALUES (?, ?, ?)",
            (
                (passage["id"], tokens, passage["text_en"])
                for passage, tokens in zip(passages, tokenized)
            ),
        )
        # Its segments merged into one, as tantivy alone waits for its merges.
        connection.execute("INSERT INTO passages (passages) VALUES ('optimize')")
    connection.close()
    engine_seconds = time.perf_counter() - engine_started
    connection = sqlite3.connect(database)
    top = "SELECT rowid FROM passages WHERE passages MATCH ? ORDER BY rank LIMIT 10"
    count = "SELECT count(*) FROM passages WHERE passages MATCH ?"
    snippets = (
        "SELECT id, "
        + ", ".join(
            f"snippet(passages, {column}, '<b>', '</b>', '…', {FTS5_SNIPPET_TOKENS})"
            for column in (1, 2)
        )
        + " FROM passages WHERE passages MATCH ? AND rowid = ?"
    )
    latencies, engine_latencies = [], []
    for _ in range(rounds):
        for query in queries:
            begun = time.perf_counter()
            match = fts5_query(list(jieba.cut_for_search(query)))
            hits = []
            if match:  # FTS5 refuses an empty query: no token, no match
                hits = [row for (row,) in connection.execute(top, (match,))]
                connection.execute(count, (match,)).fetchone()
            engine_latencies.append((time.perf_counter() - begun) * 1000)
            for row in hits:
                connection.execute(snippets, (match, row)).fetchone()
            latencies.append((time.perf_counter() - begun) * 1000)
    connection.close()
    return {
        "sqlite_version": sqlite3.sqlite_version,
        "tokenizer": FTS5_TOKENIZER,
        **peer_figures(
            len(passages), tokenizing, engine_seconds, folder, latencies, engine_latencies
        ),
    }


# --- HTTP ---------------------------------------------------------------------------------

# The line `shuangyu serve` prints once it listens, with the port it took.
SERVING_LINE = re.compile(r"serving on (http://127\.0\.0\.1:\d+)/")
START_SECONDS = 120


def start_serving(options: list[str], environment: dict, log: Path) -> tuple[subprocess.Popen, str]:
    """``shuangyu serve --port 0`` with ``options``, its output in ``log``: the process and its
    base URL once it says where it serves (a port of the system's choice, which no other program
    can take between being chosen and being listened on)."""
    with log.open("w", encoding="utf-8") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "shuangyu.web.cli", "serve", "--port", "0", *options],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    deadline = time.perf_counter() + START_SECONDS
    while not (serving := SERVING_LINE.search(log.read_text(encoding="utf-8"))):
        if process.poll() is not None or time.perf_counter() > deadline:
            process.kill()
            process.wait()
            raise RuntimeError(
                f"shuangyu serve did not start: {log.read_text(encoding='utf-8')[-2000:]}"
            )
        time.sleep(0.05)
    return process, serving.group(1)


def bench_http(
    index_dir: Path,
    corpus: Path,
    work: Path,
    queries: list[str],
    distinct: list[list[str]],
    seconds: int,
    workers: int | None = None,
    instance_dir: Path | None = None,
) -> dict:
    """``shuangyu serve`` (with ``--workers workers``; ``None``: its default) under wrk at 1, 8 and
    32 connections, in two workloads: ``wrk``, the benchmark's queries over and over after one
    pass (popular queries, answered from the result cache), and ``wrk_uncached``, the queries of
    one list of ``distinct`` per connection count in turn, so that every answer is computed (a
    list holds more queries than a process's result cache: one comes back only once evicted).
    Also the RSS of the process started (gunicorn's master, or waitress) and of its workers. The
    server's output goes to ``work``/serve-<workers>.log, and wrk's scripts there too."""
    environment = {
        **os.environ,
        "SHUANGYU_INDEX_DIR": str(index_dir),
        "SHUANGYU_CORPUS_DIR": str(corpus),
    }
    if instance_dir is not None:
        environment["SHUANGYU_INSTANCE_DIR"] = str(instance_dir)
    processes = [] if workers is None else ["--workers", str(workers)]
    started = time.perf_counter()
    process, base = start_serving(
        ["--threads", "8", *processes], environment, work / f"serve-{workers or 'default'}.log"
    )

    def ask(query: str) -> None:
        with urllib.request.urlopen(
            f"{base}/api/search?q={urllib.parse.quote(query)}", timeout=120
        ) as answer:
            answer.read()

    try:
        ask(queries[0])
        first_answer = time.perf_counter() - started
        for query in queries:
            ask(query)
        loads: dict[str, dict] = {"wrk": {}, "wrk_uncached": {}}
        # The repeated queries first: the uncached workload fills the result cache with others.
        runs = [("wrk", connections, queries) for connections in CONNECTIONS]
        runs += [
            ("wrk_uncached", connections, fresh)
            for connections, fresh in zip(CONNECTIONS, distinct)
        ]
        for workload, connections, asked in runs:
            threads = min(connections, 2)
            script = work / f"queries-{workload}-{connections}.lua"
            write_wrk_script(script, asked, threads)
            output = subprocess.run(
                [
                    "wrk",
                    "-t",
                    str(threads),
                    "-c",
                    str(connections),
                    "-d",
                    f"{seconds}s",
                    "--timeout",
                    "30s",
                    "--latency",
                    "-s",
                    str(script),
                    base,
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            load = loads[workload][str(connections)] = parse_wrk(output)
            load["server_running"] = process.poll() is None
        rss, anonymous = rss_mb(process.pid), anonymous_mb(process.pid)
        worker_rss = [rss_mb(child) for child in children(process.pid)]
        worker_anonymous = [anonymous_mb(child) for child in children(process.pid)]
        worker_proportional = [anonymous_mb(child, "Pss_Anon") for child in children(process.pid)]
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return {
        "workers": workers,
        "first_answer_seconds": round(first_answer, 2),
        "rss_mb": rss,
        "anonymous_mb": anonymous,
        "worker_rss_mb": [value for value in worker_rss if value is not None],
        "worker_anonymous_mb": [value for value in worker_anonymous if value is not None],
        "worker_proportional_heap_mb": [
            value for value in worker_proportional if value is not None
        ],
        "distinct_queries_per_load": len(distinct[0]),
        **loads,
    }


def write_wrk_script(script: Path, queries: list[str], threads: int = 1) -> None:
    """A wrk script for ``threads`` wrk threads that request the queries in turn (from the start
    again after the last), each thread taking every ``threads``-th one: threads that each walked
    the whole list would ask the same query moments apart, the second answered from the cache."""
    paths = ",".join(f'"/api/search?q={urllib.parse.quote(query)}"' for query in queries)
    script.write_text(
        f"local paths = {{{paths}}}\nlocal threads = {threads}\nlocal started = 0\nlocal i = 0\n"
        'function setup(thread)\n  thread:set("id", started)\n  started = started + 1\nend\n'
        "request = function()\n  local path = paths[(i * threads + id) % #paths + 1]\n  i = i + 1\n"
        "  return wrk.format('GET', path)\nend\n",
        encoding="utf-8",
    )


def parse_wrk(output: str) -> dict:
    def duration_ms(text: str) -> float:
        value, unit = re.match(r"([\d.]+)(us|ms|s|m)", text).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]

    requests = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    # The lines of wrk's latency distribution (a thread's "+/- Stdev" may also end in 50%).
    p50, p99 = (
        re.search(r"^\s+50%\s+(\S+)", output, re.M),
        re.search(r"^\s+99%\s+(\S+)", output, re.M),
    )
    if not (
        p50
        and p99
        and re.match(r"[\d.]+(us|ms|s|m)$", p50.group(1))
        and re.match(r"[\d.]+(us|ms|s|m)$", p99.group(1))
    ):
        # No request completed (or wrk printed something new): keep what it said, go on.
        return {
            "requests_per_s": requests,
            "p50_ms": None,
            "p99_ms": None,
            "errors": None,
            "wrk_output": output[-1500:],
        }
    p50, p99 = duration_ms(p50.group(1)), duration_ms(p99.group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "requests_per_s": requests,
        "p50_ms": round(p50, 2),
        "p99_ms": round(p99, 2),
        "errors": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


# --- a new report ---------------------------------------------------------------------------

NEW_REPORT = "zz-new-report.txt"


def bench_new_report(corpus: Path, index_dir: Path, instance_dir: Path, cluster: Cluster) -> dict:
    """Seconds from dropping a report of 100 passages into the corpus until a searcher that was
    already open (as a serving process's is) finds it; the report is taken out again afterwards,
    so that the index holds the benchmark's collection."""
    from shuangyu.index.build import build_index
    from shuangyu.index.english.dictionary import Dictionary
    from shuangyu.index.instance import InstanceFolder
    from shuangyu.search.searcher import Searcher

    instance = InstanceFolder(instance_dir)
    searcher = Searcher(index_dir, Dictionary(instance_dir), cluster=cluster)
    searcher.warm()
    marker = "新报告标记词甲乙丙"
    paragraphs = [
        f"第{n}段：{marker}出现在沙坪坝区的新报告里，用来测量新报告多快能被检索到。"
        for n in range(100)
    ]
    (corpus / NEW_REPORT).write_text(
        "新报告\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8"
    )
    try:
        started = time.perf_counter()
        result = build_index(
            corpus, index_dir, instance, progress=False, translator="gloss", cluster=cluster
        )
        while searcher.search(marker)["total"] < 100:
            time.sleep(0.01)
        seconds = time.perf_counter() - started
    finally:
        (corpus / NEW_REPORT).unlink()
        build_index(
            corpus, index_dir, instance, progress=False, translator="gloss", cluster=cluster
        )
        searcher.close()
    return {
        "seconds": round(seconds, 2),
        "incremental": result.manifest.last_update.mode == "incremental",
    }


# --- report ---------------------------------------------------------------------------------

HIGHER, LOWER = "higher is better", "lower is better"
COLUMNS = {
    "whoosh": "Whoosh engine",
    "tantivy": "tantivy engine",
    "opensearch": "OpenSearch engine (3 nodes)",
    "naive": "naive Whoosh",
    "alone": "tantivy alone",
    "fts5": "SQLite FTS5",
}


def dig(figures: dict | None, *keys: str):
    """``figures[key][key]...``, or ``None`` where a key is missing (a measure not taken)."""
    for key in keys:
        figures = figures.get(key) if isinstance(figures, dict) else None
    return figures


def measures(results: dict) -> list[tuple[str, str, dict]]:
    """The table's rows: (measure, which way is better, {column: figure or (figure, note)})."""
    engines, naive, alone = results["engines"], results.get("naive"), results.get("tantivy_alone")
    fts5 = results.get("sqlite_fts5")

    def engine_only(baseline: dict | None, key: str, *keys: str):
        """A baseline's figure with its engine's own beside it (without jieba or snippets)."""
        return baseline and (
            dig(baseline, key, *keys),
            f"engine only {dig(baseline, f'engine_{key}', *keys)}",
        )

    def of_engines(*keys: str) -> dict:
        return {engine: dig(figures, *keys) for engine, figures in engines.items()}

    def of_all(*keys: str) -> dict:
        return {
            **of_engines("build", *keys),
            "naive": dig(naive, *keys),
            "alone": dig(alone, *keys),
            "fts5": dig(fts5, *keys),
        }

    rows = [
        (
            "build, passages/s (end to end, gloss)",
            HIGHER,
            {
                **of_all("build_passages_per_s"),
                "alone": engine_only(alone, "build_passages_per_s"),
                "fts5": engine_only(fts5, "build_passages_per_s"),
            },
        ),
        ("build, seconds", LOWER, of_all("build_seconds")),
        ("build peak RSS MB, build process", LOWER, of_engines("build", "build_peak_rss_mb")),
        ("build peak RSS MB, largest worker", LOWER, of_engines("build", "worker_peak_rss_mb")),
        ("index size, MB", LOWER, of_all("index_mb")),
    ]
    for percentile in ("p50", "p95", "p99"):
        rows.append(
            (
                f"query {percentile} ms (top 10, highlights zh+en)",
                LOWER,
                {
                    **of_engines("query", "query_ms", percentile),
                    "naive": dig(naive, "query_ms", percentile),
                    "alone": engine_only(alone, "query_ms", percentile),
                    "fts5": engine_only(fts5, "query_ms", percentile),
                },
            )
        )
    for percentile in ("p50", "p99"):
        rows.append(
            (
                f"query {percentile} ms, result cache",
                LOWER,
                of_engines("query", "query_ms_with_result_cache", percentile),
            )
        )
    served = sorted(
        {workers for figures in engines.values() for workers in figures.get("http", {})}, key=int
    )
    for workers in served:
        processes = f"{workers} process{'es' if workers != '1' else ''}"
        for workload, label in WORKLOADS.items():
            for connections in map(str, CONNECTIONS):
                rows.append(
                    (
                        f"HTTP, {label}, {processes}, {connections} conn: requests/s",
                        HIGHER,
                        of_engines("http", workers, workload, connections, "requests_per_s"),
                    )
                )
                rows.append(
                    (
                        f"HTTP, {label}, {processes}, {connections} conn: p99 ms",
                        LOWER,
                        of_engines("http", workers, workload, connections, "p99_ms"),
                    )
                )
        if workers == "1":
            rows.append(
                ("serving RSS MB, 1 process (waitress)", LOWER, of_engines("http", "1", "rss_mb"))
            )
            rows.append(
                (
                    "serving heap (anonymous) MB, 1 process",
                    LOWER,
                    of_engines("http", "1", "anonymous_mb"),
                )
            )
        else:
            rows.append(
                (
                    f"serving RSS MB, {processes}: master",
                    LOWER,
                    of_engines("http", workers, "rss_mb"),
                )
            )
            for measure, name in (
                ("RSS", "worker_rss_mb"),
                ("heap (anonymous)", "worker_anonymous_mb"),
                ("heap, shared pages in part (Pss_Anon)", "worker_proportional_heap_mb"),
            ):
                rows.append(
                    (
                        f"serving {measure} MB, {processes}: largest worker",
                        LOWER,
                        {
                            engine: max(values or [None])
                            for engine, values in of_engines("http", workers, name).items()
                        },
                    )
                )
        rows.append(
            (
                f"serve to first answer, s ({processes})",
                LOWER,
                of_engines("http", workers, "first_answer_seconds"),
            )
        )
    rows.append(
        (
            "new report of 100 passages searchable after, s",
            LOWER,
            of_engines("new_report", "seconds"),
        )
    )
    return rows


def figure(cell) -> float | None:
    return cell[0] if isinstance(cell, tuple) else cell


def times(better: str, value, other) -> str:
    """How many times better ``value`` is than ``other`` (below 1: worse), or "-"."""
    if value is None or other is None or not value or not other:
        return "-"
    return f"{(value / other if better == HIGHER else other / value):.1f}x"


def table(results: dict) -> str:
    """The results as Markdown: a column per engine and baseline, then the tantivy engine's ratios."""
    header = [COLUMNS[column] for column in COLUMNS] + [
        "tantivy engine ÷ Whoosh engine (times better)",
        "tantivy engine ÷ tantivy alone (times worse)",
        "tantivy engine ÷ SQLite FTS5 (times better)",
    ]
    lines = [
        f"{results['collection']}: {results['passages']} passages on {results['machine']}",
        "",
        "| measure | " + " | ".join(header) + " |",
        "|---" * (len(header) + 1) + "|",
    ]
    for name, better, cells in measures(results):
        shown = []
        for column in COLUMNS:
            cell = cells.get(column)
            shown.append(
                "-"
                if figure(cell) is None
                else f"{cell[0]} ({cell[1]})"
                if isinstance(cell, tuple)
                else str(cell)
            )
        ours = figure(cells.get("tantivy"))
        today = times(better, ours, figure(cells.get("whoosh")))
        alone = figure(cells.get("alone"))
        versus_alone = "-" if alone is None else times(better, alone, ours)
        versus_fts5 = times(better, ours, figure(cells.get("fts5")))
        lines.append(
            f"| {name} | " + " | ".join(shown) + f" | {today} | {versus_alone} | {versus_fts5} |"
        )
    failed = [
        f"{engine}, {workers} process(es), {workload}, {connections} conn"
        for engine, figures in results["engines"].items()
        for workers, served in figures.get("http", {}).items()
        for workload in WORKLOADS
        for connections, load in served[workload].items()
        if load["errors"] != 0 or not load["server_running"]
    ]
    distinct = {
        served["distinct_queries_per_load"]
        for figures in results["engines"].values()
        for served in figures.get("http", {}).values()
    }
    lines += [
        "",
        f"- HTTP loads with errors or a stopped server: {', '.join(failed) or 'none'}",
        f"- uncached HTTP workload: {', '.join(map(str, sorted(distinct))) or '-'} distinct queries per connection count, "
        f"asked in turn (a serving process's result cache holds {results['result_cache_size']})",
        f"- query latency in process over {results['rounds']} rounds of {len(results['queries'])} queries "
        "(naive: one round); wrk on the same machine as the server",
    ]
    if results.get("sqlite_fts5"):
        fts5 = results["sqlite_fts5"]
        lines.append(
            f"- SQLite FTS5: SQLite {fts5['sqlite_version']}, tokenizer '{fts5['tokenizer']}', "
            "fed tantivy alone's jieba tokens; top 10 by bm25, a count, snippet() of both columns"
        )
    return "\n".join(lines)


# --- the run --------------------------------------------------------------------------------


def engine_list(text: str) -> list[str]:
    engines = [engine.strip() for engine in text.split(",") if engine.strip()]
    unknown = [engine for engine in engines if engine not in ENGINES]
    if unknown or not engines:
        raise argparse.ArgumentTypeError(
            f"engines are a comma-separated list of {', '.join(ENGINES)}"
        )
    return list(dict.fromkeys(engines))


def main() -> int:
    from shuangyu.index.workers import usable_cores
    from shuangyu.search.searcher import RESULT_CACHE_SIZE

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--passages", type=int, default=10_000, help="synthetic passages (testbed/generate.py)"
    )
    parser.add_argument(
        "--real",
        action="store_true",
        help="the real collection (the seed corpus and ../shared/realcorpus) instead of synthetic passages",
    )
    parser.add_argument(
        "--engines",
        type=engine_list,
        default=["whoosh", "tantivy"],
        help="Shuangyu's engines to measure, comma-separated",
    )
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument(
        "--rounds", type=int, default=3, help="times each query is run (naive: once)"
    )
    parser.add_argument("--http-seconds", type=int, default=10)
    parser.add_argument(
        "--http-queries",
        type=int,
        default=2000,
        help="distinct queries per connection count in the uncached HTTP workload",
    )
    parser.add_argument(
        "--skip-naive-build-above",
        type=int,
        default=50_000,
        help="run the naive stack only up to this many passages (its build is slow)",
    )
    parser.add_argument(
        "--skip-http",
        action="store_true",
        help="measure builds and queries in process only (no `shuangyu serve`, no wrk)",
    )
    parser.add_argument("--work", type=Path, help="working folder (default: a temporary one)")
    parser.add_argument(
        "--results",
        type=Path,
        default=RESULTS,
        help="folder for perf-<passages>.json (perf-real.json)",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="keep the measures already in --work from an interrupted run and measure the rest",
    )
    arguments = parser.parse_args()
    from shuangyu.web.settings import load_settings

    # The cluster of the opensearch engine, from the variables the builds and servers read
    # too: this process searches it as well.
    cluster = load_settings(os.environ).cluster
    work = arguments.work or Path(tempfile.mkdtemp(prefix="shuangyu-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / "corpus"
    collection = "real collection" if arguments.real else "synthetic"
    # Each measure is saved as soon as it is taken, so that a failure late in a long run
    # (a 100k run takes half an hour) loses only what was not measured yet.
    partial = work / "partial.json"
    results: dict = (
        json.loads(partial.read_text(encoding="utf-8"))
        if arguments.resume and partial.exists()
        else {}
    )
    if results.get("collection") != collection or (
        not arguments.real and results.get("requested") != arguments.passages
    ):
        results = {
            "collection": collection,
            "requested": None if arguments.real else arguments.passages,
        }
        shutil.rmtree(corpus, ignore_errors=True)
        if arguments.real:
            copy_real_collection(corpus)
        else:
            generate(corpus, arguments.passages)
    results.update(
        {
            "rounds": arguments.rounds,
            "result_cache_size": RESULT_CACHE_SIZE,
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        }
    )
    results.setdefault("engines", {})

    def measured(keys: tuple[str, ...], what: str, measure) -> None:
        """Take ``measure()`` into results at ``keys`` unless it is there, and save the results."""
        place = results
        for key in keys[:-1]:
            place = place.setdefault(key, {})
        if keys[-1] not in place:
            print(f"{what}…", file=sys.stderr)
            place[keys[-1]] = measure()
            partial.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")

    for engine in arguments.engines:
        measured(
            ("engines", engine, "build"),
            f"building with {engine}",
            lambda: build_shuangyu(corpus, work, engine, cluster),
        )
    for engine in arguments.engines:
        check_index(engine_folders(work, engine)[0], engine, cluster)
    # Every engine indexes the same passages: the baselines and the queries take those of the first.
    first_index = engine_folders(work, arguments.engines[0])[0]
    results["passages"] = results["engines"][arguments.engines[0]]["build"]["passages"]
    passages = functools.cache(lambda: stored_passages(first_index, cluster))
    if "queries" not in results:
        results["queries"] = choose_queries(passages(), arguments.queries, first_index)
    queries = results["queries"]
    distinct = functools.cache(
        lambda: uncached_queries(passages(), queries, arguments.http_queries, first_index)
    )

    if results["passages"] <= arguments.skip_naive_build_above:
        measured(("naive",), "naive Whoosh", lambda: bench_naive(passages(), work, queries, 1))
    measured(
        ("tantivy_alone",),
        "tantivy alone",
        lambda: bench_tantivy(passages(), work, queries, arguments.rounds),
    )
    measured(
        ("sqlite_fts5",),
        "SQLite FTS5",
        lambda: bench_fts5(passages(), work, queries, arguments.rounds),
    )
    for engine in arguments.engines:
        index_dir, instance_dir = engine_folders(work, engine)
        measured(
            ("engines", engine, "query"),
            f"querying {engine}",
            lambda: {
                # The dictionary (query translation) is the one the engine's build made.
                "query_ms": query_shuangyu(
                    index_dir, instance_dir, queries, arguments.rounds, 0, cluster
                ),
                "query_ms_with_result_cache": query_shuangyu(
                    index_dir, instance_dir, queries, arguments.rounds, RESULT_CACHE_SIZE, cluster
                ),
            },
        )
        for workers in [] if arguments.skip_http else sorted({1, usable_cores()}):
            measured(
                ("engines", engine, "http", str(workers)),
                f"HTTP, {engine}, {workers} process(es)",
                lambda: bench_http(
                    index_dir,
                    corpus,
                    index_dir.parent,
                    queries,
                    distinct(),
                    arguments.http_seconds,
                    workers=workers,
                    instance_dir=instance_dir,
                ),
            )
        measured(
            ("engines", engine, "new_report"),
            f"new report, {engine}",
            lambda: bench_new_report(corpus, index_dir, instance_dir, cluster),
        )

    arguments.results.mkdir(parents=True, exist_ok=True)
    output = arguments.results / (
        "perf-real.json" if arguments.real else f"perf-{arguments.passages}.json"
    )
    output.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print(table(results))
    print(f"\nJSON: {output}")
    if not arguments.work:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def uncached_queries(
    passages: list[dict], queries: list[str], per_load: int, index_dir: Path
) -> list[list[str]]:
    """A list of distinct queries per connection count for the uncached HTTP workload: none of
    the benchmark's, none in two lists, Chinese and English mixed alike in each."""
    distinct = [
        query
        for query in choose_queries(passages, len(CONNECTIONS) * per_load, index_dir, seed=12)
        if query not in queries
    ]
    random.Random(12).shuffle(distinct)
    return [distinct[i :: len(CONNECTIONS)] for i in range(len(CONNECTIONS))]


if __name__ == "__main__":
    sys.exit(main())
