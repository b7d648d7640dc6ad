"""Performance of Shuangyu against two baselines on the same synthetic passages and queries.

    python bench/perf.py --passages 10000            # table on stdout, JSON in bench/results/
    python bench/perf.py --passages 100000 --work /tmp/bench100k [--resume]

Baselines, measured in the same run:
- naive: Whoosh with jieba's own ChineseAnalyzer, a new searcher per query, highlights by
  re-analysing the stored text (Whoosh's highlighter);
- tantivy: tantivy-py with the same jieba tokens (search mode) and the same English text,
  snippets by tantivy's SnippetGenerator. "engine only" excludes jieba from the build time.

Shuangyu is measured through its own build path (gloss engine) and search layer, and through
HTTP under `shuangyu serve` (waitress) with wrk at 1, 8 and 32 connections, for repeated
queries (answered from the result cache) and for a new query on every request.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
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

from bench.generate import generate  # noqa: E402

RESULTS = ROOT / "bench" / "results"


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)

    def at(fraction: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(fraction * len(ordered)))], 3)

    return {"p50": round(statistics.median(ordered), 3), "p95": at(0.95), "p99": at(0.99)}


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def choose_queries(passages: list[dict], count: int, index_dir: Path, seed: int = 11) -> list[str]:
    """Half Chinese words taken from the passages (common and rare), cut as the index of
    ``index_dir`` cuts them, half English words of their gloss, deterministically."""
    from shuangyu.index.analysis import normalise, words
    from shuangyu.index.store import current_build
    from shuangyu.index.vocabulary import Vocabulary

    vocabulary = Vocabulary.read(current_build(index_dir))
    rng = random.Random(seed)
    chinese, english = [], []
    for passage in rng.sample(passages, min(len(passages), count * 4)):
        han = [word.text for word in words(normalise(passage["text"]).text, vocabulary, subwords=False) if word.is_han and len(word.text) > 1]
        latin = [word for word in re.findall(r"[a-z]{4,}", passage["text_en"].lower())]
        if han:
            chinese.append(rng.choice(han))
        if latin:
            english.append(rng.choice(latin))
    half = count // 2
    return list(dict.fromkeys(chinese))[:half] + list(dict.fromkeys(english))[: count - half]


# --- Shuangyu ---------------------------------------------------------------------------

def build_shuangyu(corpus: Path, work: Path) -> dict:
    from shuangyu.index.build import build_index
    from shuangyu.index.instance import InstanceFolder

    index_dir = work / "shuangyu-index"
    started = time.perf_counter()
    result = build_index(corpus, index_dir, InstanceFolder(work / "instance"), force=True, progress=False,
                         translator="gloss")
    seconds = time.perf_counter() - started
    passages = result.manifest["passages"]
    return {
        "passages": passages,
        "build_seconds": round(seconds, 2),
        "build_passages_per_s": round(passages / seconds, 1),
        "index_mb": round(folder_bytes(index_dir / "current") / 1e6, 1),
        "index_dir": str(index_dir),
    }


def query_shuangyu(index_dir: Path, queries: list[str], rounds: int, cache_size: int) -> dict:
    """Latency through the search layer (warm searcher, highlights in both languages), with
    the result cache of the given size (0: every query is computed)."""
    from shuangyu.search.searcher import Searcher

    searcher = Searcher(index_dir, cache_size=cache_size)
    searcher.warm()
    latencies = []
    for _ in range(rounds):
        for query in queries:
            begun = time.perf_counter()
            searcher.search(query, limit=10)
            latencies.append((time.perf_counter() - begun) * 1000)
    return percentiles(latencies)


def stored_passages(index_dir: Path) -> list[dict]:
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(str(index_dir / "current"))
    with ix.searcher() as searcher:
        return [{"id": fields["id"], "text": fields["text"], "text_en": fields["text_en"]} for fields in searcher.all_stored_fields()]


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
    schema = Schema(id=ID(stored=True), text=TEXT(analyzer=ChineseAnalyzer(), stored=True),
                    text_en=TEXT(analyzer=StemmingAnalyzer(), stored=True))
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
    return {"build_seconds": round(seconds, 2), "build_passages_per_s": round(len(passages) / seconds, 1),
            "index_mb": round(folder_bytes(folder) / 1e6, 1), "query_ms": percentiles(latencies)}


# --- tantivy ------------------------------------------------------------------------------

def bench_tantivy(passages: list[dict], work: Path, queries: list[str], rounds: int) -> dict:
    import jieba
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("text", stored=True, tokenizer_name="whitespace")
    builder.add_text_field("text_en", stored=True, tokenizer_name="en_stem")
    schema = builder.build()
    folder = work / "tantivy-index"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    started = time.perf_counter()
    tokenized = [" ".join(jieba.cut_for_search(passage["text"])) for passage in passages]
    tokenizing = time.perf_counter() - started
    index = tantivy.Index(schema, path=str(folder))
    engine_started = time.perf_counter()
    writer = index.writer(heap_size=256_000_000)
    for passage, tokens in zip(passages, tokenized):
        writer.add_document(tantivy.Document(id=passage["id"], text=tokens, text_en=passage["text_en"]))
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
    total = tokenizing + engine_seconds
    return {"build_seconds": round(total, 2), "build_passages_per_s": round(len(passages) / total, 1),
            "engine_build_passages_per_s": round(len(passages) / engine_seconds, 1),
            "index_mb": round(folder_bytes(folder) / 1e6, 1), "query_ms": percentiles(latencies),
            "engine_query_ms": percentiles(engine_latencies)}


# --- HTTP ---------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def bench_http(index_dir: Path, corpus: Path, work: Path, queries: list[str], distinct: list[list[str]], seconds: int) -> dict:
    """``shuangyu serve`` under wrk at 1, 8 and 32 connections, in two workloads: ``wrk``, the
    benchmark's queries over and over after one pass (popular queries, answered from the
    result cache), and ``wrk_uncached``, a query never asked before on every request (one list
    of ``distinct`` per connection count), so that every answer is computed."""
    port = free_port()
    environment = {**os.environ, "SHUANGYU_INDEX_DIR": str(index_dir), "SHUANGYU_CORPUS_DIR": str(corpus)}
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "shuangyu.web.cli", "serve", "--port", str(port), "--threads", "8"],
                               cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"

    def ask(query: str) -> None:
        with urllib.request.urlopen(f"{base}/api/search?q={urllib.parse.quote(query)}", timeout=120) as answer:
            answer.read()

    while True:
        try:
            ask(queries[0])
            break
        except OSError:
            if process.poll() is not None or time.perf_counter() - started > 120:
                raise RuntimeError("shuangyu serve did not answer")
            time.sleep(0.05)
    first_answer = time.perf_counter() - started
    for query in queries:
        ask(query)
    loads: dict[str, dict] = {"wrk": {}, "wrk_uncached": {}}
    # The repeated queries first: the uncached workload fills the result cache with others.
    runs = [("wrk", connections, queries) for connections in (1, 8, 32)]
    runs += [("wrk_uncached", connections, fresh) for connections, fresh in zip((1, 8, 32), distinct)]
    try:
        for workload, connections, asked in runs:
            script = work / f"queries-{workload}-{connections}.lua"
            write_wrk_script(script, asked)
            output = subprocess.run(
                ["wrk", "-t", str(min(connections, 2)), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "30s",
                 "--latency", "-s", str(script), base], capture_output=True, text=True, check=True).stdout
            load = loads[workload][str(connections)] = parse_wrk(output)
            load["server_running"] = process.poll() is None
        rss = rss_mb(process.pid) if process.poll() is None else None
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return {"first_answer_seconds": round(first_answer, 2), "rss_mb": rss, "distinct_queries_per_load": len(distinct[0]),
            **loads}


def write_wrk_script(script: Path, queries: list[str]) -> None:
    """A wrk script that requests the queries in turn (from the start again after the last)."""
    paths = ",".join(f'"/api/search?q={urllib.parse.quote(query)}"' for query in queries)
    script.write_text(
        f"local paths = {{{paths}}}\nlocal i = 0\n"
        "request = function()\n  i = i % #paths + 1\n  return wrk.format('GET', paths[i])\nend\n",
        encoding="utf-8")


def parse_wrk(output: str) -> dict:
    def duration_ms(text: str) -> float:
        value, unit = re.match(r"([\d.]+)(us|ms|s|m)", text).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]

    requests = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    # The lines of wrk's latency distribution (a thread's "+/- Stdev" may also end in 50%).
    p50, p99 = re.search(r"^\s+50%\s+(\S+)", output, re.M), re.search(r"^\s+99%\s+(\S+)", output, re.M)
    if not (p50 and p99 and re.match(r"[\d.]+(us|ms|s|m)$", p50.group(1)) and re.match(r"[\d.]+(us|ms|s|m)$", p99.group(1))):
        # No request completed (or wrk printed something new): keep what it said, go on.
        return {"requests_per_s": requests, "p50_ms": None, "p99_ms": None, "errors": None, "wrk_output": output[-1500:]}
    p50, p99 = duration_ms(p50.group(1)), duration_ms(p99.group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {"requests_per_s": requests, "p50_ms": round(p50, 2), "p99_ms": round(p99, 2),
            "errors": int(errors.group(1)) if errors else 0, "socket_errors": socket_errors.group(1) if socket_errors else ""}


# --- a new report ---------------------------------------------------------------------------

def bench_new_report(corpus: Path, index_dir: Path, instance_dir: Path) -> dict:
    """Seconds from dropping a report of 100 passages into the corpus until it is found."""
    from shuangyu.index.build import build_index
    from shuangyu.index.instance import InstanceFolder
    from shuangyu.search.searcher import Searcher

    searcher = Searcher(index_dir)
    marker = "新报告标记词甲乙丙"
    paragraphs = [f"第{n}段：{marker}出现在沙坪坝区的新报告里，用来测量新报告多快能被检索到。" for n in range(100)]
    (corpus / "zz-new-report.txt").write_text("新报告\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    started = time.perf_counter()
    result = build_index(corpus, index_dir, InstanceFolder(instance_dir), progress=False, translator="gloss")
    while searcher.search(marker)["total"] < 100:
        time.sleep(0.01)
    seconds = time.perf_counter() - started
    (corpus / "zz-new-report.txt").unlink()
    return {"seconds": round(seconds, 2), "incremental": result.manifest.get("last_update", {}).get("mode") == "incremental"}


# --- report ---------------------------------------------------------------------------------

def ratio(slow: float, fast: float) -> str:
    return f"{slow / fast:.1f}x" if fast else "-"


def table(results: dict) -> str:
    s, n, t = results["shuangyu"], results.get("naive"), results["tantivy"]
    rows = [
        ("build, passages/s", s["build_passages_per_s"], n and n["build_passages_per_s"], t["build_passages_per_s"],
         f"engine only {t['engine_build_passages_per_s']}"),
        ("index size, MB", s["index_mb"], n and n["index_mb"], t["index_mb"], ""),
        ("query p50 ms (top 10, highlights zh+en)", s["query_ms"]["p50"], n and n["query_ms"]["p50"], t["query_ms"]["p50"],
         f"engine only {t['engine_query_ms']['p50']}"),
        ("query p95 ms", s["query_ms"]["p95"], n and n["query_ms"]["p95"], t["query_ms"]["p95"], ""),
        ("query p99 ms", s["query_ms"]["p99"], n and n["query_ms"]["p99"], t["query_ms"]["p99"],
         f"engine only {t['engine_query_ms']['p99']}"),
    ]
    lines = [f"{results['passages']} passages on {results['machine']}",
             "", "| measure | Shuangyu | naive Whoosh | tantivy-py | naive ÷ Shuangyu | Shuangyu ÷ tantivy | note |",
             "|---|---|---|---|---|---|---|"]
    for name, ours, naive, tantivy_value, note in rows:
        faster_is_higher = "passages/s" in name
        naive_ratio = "-" if naive is None else (ratio(ours, naive) if faster_is_higher else ratio(naive, ours))
        tantivy_ratio = ratio(tantivy_value, ours) if faster_is_higher else ratio(ours, tantivy_value)
        lines.append(f"| {name} | {ours} | {naive if naive is not None else 'skipped'} | {tantivy_value} | {naive_ratio} | {tantivy_ratio} | {note} |")
    http = results["http"]
    lines += ["", "| HTTP (waitress, 8 threads, wrk on loopback) | requests/s | p50 ms | p99 ms | errors |", "|---|---|---|---|---|"]
    for workload, label in (("wrk", "repeated queries (result cache)"), ("wrk_uncached", "a new query every request")):
        for connections, load in http.get(workload, {}).items():
            lines.append(f"| {label}, {connections} connections | {load['requests_per_s']} | {load['p50_ms']} | {load['p99_ms']} "
                         f"| {load['errors']} |")
    cached = s["query_ms_with_result_cache"]
    lines += ["", f"- Shuangyu query latency above is without the result cache; with it ({results_rounds(results)} rounds of the same "
                  f"queries): p50 {cached['p50']} ms, p95 {cached['p95']} ms, p99 {cached['p99']} ms"]
    lines += ["", f"- `shuangyu serve` to first answer: {http['first_answer_seconds']} s; RSS of the serving process after load: {http['rss_mb']} MB",
              f"- a new report of 100 passages searchable after: {results['new_report']['seconds']} s "
              f"({'incremental update' if results['new_report']['incremental'] else 'full rebuild'})"]
    return "\n".join(lines)


def results_rounds(results: dict) -> int:
    return results.get("rounds", 3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3, help="times each query is run (naive: once)")
    parser.add_argument("--http-seconds", type=int, default=10)
    parser.add_argument("--http-queries", type=int, default=2000,
                        help="distinct queries per connection count in the uncached HTTP workload")
    parser.add_argument("--skip-naive-build-above", type=int, default=50_000,
                        help="run the naive stack only up to this many passages (its build is slow)")
    parser.add_argument("--work", type=Path, help="working folder (default: a temporary one)")
    parser.add_argument("--results", type=Path, default=RESULTS, help="folder for perf-<passages>.json")
    parser.add_argument("--resume", action="store_true",
                        help="keep the measures already in --work from an interrupted run and measure the rest")
    arguments = parser.parse_args()
    work = arguments.work or Path(tempfile.mkdtemp(prefix="shuangyu-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / "corpus"
    # Each measure is saved as soon as it is taken, so that a failure late in a long run
    # (a 100k run takes half an hour) loses only what was not measured yet.
    partial = work / "partial.json"
    results: dict = json.loads(partial.read_text(encoding="utf-8")) if arguments.resume and partial.exists() else {}
    if results.get("passages") != arguments.passages:
        results = {}
        generate(corpus, arguments.passages)
    results.update({"passages": arguments.passages, "rounds": arguments.rounds,
                    "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"})

    def measured(key: str, what: str, measure) -> None:
        if key not in results:
            print(f"{what}…", file=sys.stderr)
            results[key] = measure()
            partial.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")

    from shuangyu.index import cedict
    from shuangyu.search.searcher import RESULT_CACHE_SIZE

    # The dictionary file is made afresh in the working folder: its first use is part of the build.
    cedict.use_folder(work / "instance")

    measured("shuangyu_build", "building Shuangyu", lambda: build_shuangyu(corpus, work))
    index_dir = Path(results["shuangyu_build"]["index_dir"])
    passages = stored_passages(index_dir)
    queries = results.setdefault("queries", choose_queries(passages, arguments.queries, index_dir))
    measured("shuangyu", "querying Shuangyu", lambda: {
        **results["shuangyu_build"],
        "query_ms": query_shuangyu(index_dir, queries, arguments.rounds, cache_size=0),
        "query_ms_with_result_cache": query_shuangyu(index_dir, queries, arguments.rounds, cache_size=RESULT_CACHE_SIZE)})
    if arguments.passages <= arguments.skip_naive_build_above:
        measured("naive", "naive Whoosh", lambda: bench_naive(passages, work, queries, 1))
    measured("tantivy", "tantivy", lambda: bench_tantivy(passages, work, queries, arguments.rounds))
    def http() -> dict:
        # Queries for the uncached workload: none of the benchmark's, none repeated.
        distinct = [query for query in choose_queries(passages, 3 * arguments.http_queries, index_dir, seed=12) if query not in queries]
        random.Random(12).shuffle(distinct)  # Chinese and English mixed alike in the three lists
        return bench_http(index_dir, corpus, work, queries, [distinct[i::3] for i in range(3)], arguments.http_seconds)

    measured("http", "HTTP", http)
    measured("new_report", "new report", lambda: bench_new_report(corpus, index_dir, work / "instance"))
    del results["shuangyu_build"]
    arguments.results.mkdir(parents=True, exist_ok=True)
    output = arguments.results / f"perf-{arguments.passages}.json"
    output.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print(table(results))
    print(f"\nJSON: {output}")
    if not arguments.work:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
