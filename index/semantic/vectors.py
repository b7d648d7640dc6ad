"""The passage vectors of a build: made after its words are indexed, read by the semantic side.

A build is searchable by its words as soon as it is switched in; its vectors come after, in
``<build>/vectors/`` (written under a temporary name and renamed when complete, so a reader
sees all of them or none):

    vectors.npy     float32, one L2-normalised row a passage
    rows.json       for each row: [passage id, report id, content hash]
    meta.json       the embedder that made them, the corpus they belong to, the count

While they are being made, ``<build>/vectors-progress.json`` says how far along (the API and
the page show it). Vectors come from the vector cache of the instance folder when the same
embedder has seen the same text, so a rebuild embeds only new text and an interrupted run
resumes where it stopped.

Headings, photo credits and texts shorter than ``MIN_CHARS`` are not embedded: short texts sit
near every query in e5's space (a heading outranks the passages under it), and a match on their
words is what the lexical side is for.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from shuangyu.index.engines.cluster import NO_CLUSTER, Cluster
from shuangyu.index.engines.manifest import Manifest
from shuangyu.index.engines.seam import open_reader
from shuangyu.index.semantic.embedding import Embedder
from shuangyu.index.semantic.vector_cache import VectorCache, VectorCacheError, text_hash
from shuangyu.index.sources.passages import CREDIT, HEADING
from shuangyu.index.text.language import Language
from shuangyu.index.text.vocabulary import Vocabulary
from tqdm import tqdm

FOLDER = "vectors"
MATRIX = "vectors.npy"
ROWS = "rows.json"
META = "meta.json"
PROGRESS = "vectors-progress.json"
MIN_CHARS = 12
NOT_EMBEDDED_KINDS = (HEADING, CREDIT)
BATCH = 32
# The progress file is rewritten at most this often.
PROGRESS_EVERY_SECONDS = 1.0


@dataclass(frozen=True)
class VectorRun:
    """What ``embed_build`` did: how many rows the build's vectors have, how many texts were
    embedded now (the rest came from the cache), in how many seconds, and a problem to tell
    ("" when none)."""

    rows: int
    embedded: int
    seconds: float
    up_to_date: bool = False
    problem: str = ""


def embeddable(passage: dict) -> bool:
    """Whether a stored passage gets a vector (see the module docstring)."""
    return passage["kind"] not in NOT_EMBEDDED_KINDS and len(passage["text"].strip()) >= MIN_CHARS


def read_meta(build: Path) -> dict | None:
    """The meta of a build's vectors, or ``None`` when it has none (or they cannot be read)."""
    try:
        meta = json.loads((build / FOLDER / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def read_progress(build: Path) -> dict | None:
    """``{"done", "total", "model"}`` while a build's vectors are being made, else ``None``."""
    try:
        progress = json.loads((build / PROGRESS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return progress if isinstance(progress, dict) else None


def embedding_alive(progress: dict) -> bool:
    """Whether the process that wrote a progress file is still running (one killed outright
    leaves its file behind)."""
    pid = progress.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, another user's
    return True


def is_current(build: Path, manifest: Manifest, embedder: Embedder) -> bool:
    """Whether the build has vectors of ``embedder`` for the corpus of its ``manifest``."""
    meta = read_meta(build)
    return (
        meta is not None
        and meta.get("model") == embedder.name
        and meta.get("corpus_fingerprint") == manifest.corpus_fingerprint
    )


def embed_build(
    build: Path,
    manifest: Manifest,
    embedder: Embedder,
    cache_path: Path | None,
    progress: bool = True,
    cluster: Cluster = NO_CLUSTER,
) -> VectorRun:
    """Give ``build`` (whose manifest is ``manifest``; an OpenSearch index read through
    ``cluster``) the vectors of its passages by ``embedder``, unless it has them already. Texts the cache at ``cache_path`` holds are not
    embedded again; a cache that cannot be used is told in ``problem`` and the vectors are made
    without it. Interrupted, the build keeps its previous vectors (or none) and the cache keeps
    every batch made."""
    started = time.perf_counter()
    if is_current(build, manifest, embedder):
        return VectorRun(read_meta(build).get("rows", 0), 0, 0.0, up_to_date=True)
    # What a run killed outright left behind (the caller holds the build lock: none runs).
    for abandoned in build.glob(f".{FOLDER}-*"):
        shutil.rmtree(abandoned, ignore_errors=True)
    passages = _passages(build, manifest, cluster)
    texts = list(dict.fromkeys(passage["text"] for passage in passages))
    problem = ""
    cache: VectorCache | None = None
    if cache_path is not None:
        try:
            cache = VectorCache(cache_path, embedder.dimensions)
            known = cache.lookup(embedder.name, texts)
        except VectorCacheError as error:
            if cache is not None:
                cache.close()
            cache, known = None, {}
            problem = f"{error}; the vectors are made without it"
    else:
        known = {}
    staging = build / f".{FOLDER}-{os.getpid()}"
    progress_file = build / PROGRESS
    try:
        missing = [text for text in texts if text_hash(text) not in known]
        _write_progress(progress_file, embedder.name, len(texts) - len(missing), len(texts))
        last_written = time.perf_counter()
        with tqdm(
            total=len(texts),
            initial=len(texts) - len(missing),
            desc="Embedding passages",
            unit="passage",
            disable=not progress,
        ) as bar:
            for start in range(0, len(missing), BATCH):
                batch = missing[start : start + BATCH]
                # As the cache keeps them: a build's vectors are the same made now or read back.
                vectors = embedder.passages(batch).astype(np.float16).astype(np.float32)
                if cache:
                    try:
                        cache.store(embedder.name, batch, vectors)
                    except VectorCacheError as error:
                        cache.close()
                        cache, problem = None, f"{error}; the vectors are made without it"
                known.update((text_hash(text), vector) for text, vector in zip(batch, vectors))
                bar.update(len(batch))
                if time.perf_counter() - last_written > PROGRESS_EVERY_SECONDS:
                    _write_progress(
                        progress_file,
                        embedder.name,
                        len(texts) - len(missing) + start + len(batch),
                        len(texts),
                    )
                    last_written = time.perf_counter()
        matrix = (
            np.stack([known[text_hash(passage["text"])] for passage in passages])
            if passages
            else np.zeros((0, embedder.dimensions), dtype=np.float32)
        )
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        np.save(staging / MATRIX, matrix.astype(np.float32, copy=False))
        rows = [
            [passage["id"], passage["report_id"], passage["content_hash"]] for passage in passages
        ]
        (staging / ROWS).write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
        meta = {
            "model": embedder.name,
            "dimensions": embedder.dimensions,
            "rows": len(rows),
            "corpus_fingerprint": manifest.corpus_fingerprint,
            "embedded": len(missing),
            "made_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "seconds": round(time.perf_counter() - started, 3),
        }
        (staging / META).write_text(
            json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        _replace_folder(staging, build / FOLDER)
    except BaseException:
        # Ctrl-C or SIGTERM too: nothing half-written stays; the cache keeps what was made.
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        progress_file.unlink(missing_ok=True)
        if cache:
            cache.close()
    return VectorRun(len(rows), len(missing), time.perf_counter() - started, problem=problem)


def _passages(build: Path, manifest: Manifest, cluster: Cluster) -> list[dict]:
    """The build's passages that get a vector, in the manifest's order of reports."""
    reader = open_reader(manifest, build, Language(Vocabulary.read(build)), cluster)
    try:
        return [
            passage
            for entry in manifest.reports
            for passage in reader.report_passages(entry["id"], 1, None)
            if embeddable(passage)
        ]
    finally:
        reader.close()


def _write_progress(path: Path, model: str, done: int, total: int) -> None:
    staging = path.with_name(f"{path.name}.{os.getpid()}")
    staging.write_text(
        json.dumps({"model": model, "done": done, "total": total, "pid": os.getpid()}),
        encoding="utf-8",
    )
    os.replace(staging, path)


def _replace_folder(staging: Path, link: Path) -> None:
    """Make ``link`` (a symlink) point at ``staging``, renamed to a name of its own, in one
    rename, and remove the folders it pointed at before: a reader that resolved the link
    reads one set of files whole."""
    final = link.with_name(f"{link.name}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%fZ')}")
    os.replace(staging, final)
    staged_link = link.with_name(f".{link.name}-link-{os.getpid()}")
    staged_link.unlink(missing_ok=True)
    staged_link.symlink_to(final.name)
    os.replace(staged_link, link)
    for old in link.parent.glob(f"{link.name}-*"):
        if old != final and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
