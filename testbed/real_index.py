"""The indexes the evaluation searches: the seed corpus alone, and the real collection beside it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from shuangyu.index.engines.cluster import NO_CLUSTER, Cluster

from testbed.paths import REAL_COLLECTION, REAL_VECTORS, ROOT, SEED_CORPUS, shared_instance


def build_real_index(
    corpus_folder: Path,
    index_folder: Path,
    index_engine: str | None = None,
    embedder: str = "e5-small",
    vectors: Path | None = REAL_VECTORS,
) -> Path:
    """The real collection and the seed corpus in one corpus folder, built with ``shuangyu build``
    (the command, as an operator runs it) into ``index_folder``, with ``index_engine`` (else the
    engine of ``SHUANGYU_ENGINE``, else Whoosh) and ``embedder``, whose vectors are cached in the
    repository's instance folder (a second build embeds nothing) after ``vectors`` (a file of
    ``shuangyu embed --export``, when there is one) is imported there."""
    corpus_folder.mkdir(parents=True, exist_ok=True)
    for source in [*SEED_CORPUS.iterdir(), *REAL_COLLECTION.glob("*.txt")]:
        if source.is_file():
            shutil.copy(source, corpus_folder / source.name)
    environment = {
        **os.environ,
        "SHUANGYU_CORPUS_DIR": str(corpus_folder),
        "SHUANGYU_INDEX_DIR": str(index_folder),
        "SHUANGYU_EMBEDDER": embedder,
    }
    if index_engine:
        environment["SHUANGYU_ENGINE"] = index_engine
    if embedder != "none" and vectors is not None and vectors.is_file():
        subprocess.run(
            [sys.executable, "-m", "shuangyu.web.cli", "embed", "--import", str(vectors)],
            cwd=ROOT,
            env=environment,
            check=True,
            capture_output=True,
        )
    subprocess.run(
        [sys.executable, "-m", "shuangyu.web.cli", "build", "--quiet", "--translator", "gloss"],
        cwd=ROOT,
        env=environment,
        check=True,
        capture_output=True,
    )
    return index_folder


def build_eval_index(
    folder: Path, index_engine: str | None = None, cluster: Cluster = NO_CLUSTER
) -> Path:
    """Index the seed corpus into ``folder`` with the gloss (no model, no memory), with
    ``index_engine`` (``None``: the default; an OpenSearch index in ``cluster``)."""
    from shuangyu.index.build import build_index

    build_index(
        SEED_CORPUS,
        folder,
        shared_instance(),
        progress=False,
        translator="gloss",
        index_engine=index_engine,
        cluster=cluster,
    )
    return folder
