"""The vectors of one open build (``search.opened.OpenIndex``): opened when they appear (they
are made after the words are indexed), opened again when they are made anew, and what went
wrong when they cannot be used."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from shuangyu.index.semantic.vectors import FOLDER as VECTORS_FOLDER
from shuangyu.search.semantic import VectorIndex, VectorsUnavailable, status


class BuildVectors:
    """The vectors of the build in ``build``, whose reports have ``corpus_fingerprint``; safe
    to share between threads."""

    def __init__(self, build: Path, corpus_fingerprint: str):
        self.build = build
        self.corpus_fingerprint = corpus_fingerprint
        self._lock = threading.Lock()
        self._vectors: VectorIndex | None = None
        self._identity: tuple | None = None
        self._problem = ""

    def get(self, model: str | None) -> VectorIndex | None:
        """The build's vectors when it has usable ones made by ``model`` (``None`` when no
        model embeds the queries); opened once, and again when they are made anew."""
        if model is None:
            return None
        try:
            seen = os.stat(self.build / VECTORS_FOLDER)
            identity = (seen.st_ino, seen.st_mtime_ns)
        except OSError:
            identity = None
        if identity == self._identity:
            return self._vectors
        with self._lock:
            if identity != self._identity:
                vectors, problem = self._open(model) if identity is not None else (None, "")
                self._vectors, self._problem, self._identity = vectors, problem, identity
            return self._vectors

    def _open(self, model: str) -> tuple[VectorIndex | None, str]:
        try:
            vectors = VectorIndex(self.build)
        except VectorsUnavailable as error:
            return None, str(error)
        if vectors.model != model:
            return None, (
                f"the passages' vectors were made by {vectors.model} and queries are embedded by "
                f"{model}: run `shuangyu build` to embed the passages again (the search by words "
                "still answers)"
            )
        if vectors.meta.get("corpus_fingerprint") != self.corpus_fingerprint:
            # An update in place changed the reports; their vectors are being made again (the
            # build does it next): until then, words alone.
            return None, ""
        return vectors, ""

    @property
    def key(self) -> tuple | None:
        """Which vectors ``get`` last opened (None: none): a key of the caches, so that an
        answer made before the vectors came (or before they were made again) is not reused."""
        return self._identity if self._vectors is not None else None

    def status(self, model: str | None) -> dict:
        """What the semantic side of this build can do now (``search.semantic.status``)."""
        vectors = self.get(model)
        return status(self.build, vectors, self._problem, model)
