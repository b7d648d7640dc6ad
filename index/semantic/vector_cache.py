"""The vector cache: every passage vector made, kept so that no text is embedded twice.

Vectors are keyed by the embedder's name and a hash of the text, in an SQLite file under the
instance folder (as the translation memory is), as float16: half the room of float32, and
rankings by their cosines are the same to the third decimal. Each batch is committed as it is made, so an
interrupted run keeps what it finished and the next build resumes there. A damaged cache is not
fatal: the build says so and embeds without it.

``export`` and ``import_file`` carry the vectors of one embedder from a machine that made them
(more cores, or a GPU) to another, in a NumPy ``.npz`` file of the text hashes and float16 rows.
"""

from __future__ import annotations

import hashlib
import sqlite3
import zipfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np

_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    model TEXT NOT NULL,
    text_hash BLOB NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model, text_hash)
) WITHOUT ROWID
"""
_LOOKUP_CHUNK = 500
_IMPORT_BATCH = 2000
# An exchange file larger than this is not a collection's vectors (a million passages at 384
# dimensions is 800 MB).
MAX_IMPORT_BYTES = 1 << 30


class VectorCacheError(Exception):
    """The cache file cannot be used; the message names it and says why."""


def text_hash(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


class VectorCache:
    """The vector cache file at ``path`` (created when missing) for vectors of ``dimensions``."""

    def __init__(self, path: Path, dimensions: int):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.dimensions = dimensions
        try:
            self._db = sqlite3.connect(path)
        except sqlite3.Error as error:
            raise VectorCacheError(f"cannot open the vector cache {path} ({error})") from None
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(_SCHEMA)
            self._db.commit()
            (check,) = self._db.execute("PRAGMA quick_check").fetchone()
        except sqlite3.Error as error:
            self._db.close()
            raise VectorCacheError(
                f"cannot use the vector cache {path} ({error}); delete it to start a new one"
            ) from None
        if check != "ok":
            self._db.close()
            raise VectorCacheError(
                f"the vector cache {path} is damaged ({check}); delete it to start a new one"
            )

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> VectorCache:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def lookup(self, model: str, texts: Iterable[str]) -> dict[bytes, np.ndarray]:
        """The cached vectors of ``texts`` by ``text_hash``; a row of the wrong size is left out
        (embedded again). ``VectorCacheError`` when the file cannot be read."""
        try:
            return self._lookup(model, texts)
        except sqlite3.Error as error:
            raise VectorCacheError(f"cannot read the vector cache {self.path} ({error})") from None

    def _lookup(self, model: str, texts: Iterable[str]) -> dict[bytes, np.ndarray]:
        hashes = list({text_hash(text) for text in texts})
        found: dict[bytes, np.ndarray] = {}
        size = self.dimensions * 2
        for start in range(0, len(hashes), _LOOKUP_CHUNK):
            chunk = hashes[start : start + _LOOKUP_CHUNK]
            rows = self._db.execute(
                f"SELECT text_hash, vector FROM vectors WHERE model = ? AND text_hash IN ({','.join('?' * len(chunk))})",
                [model, *chunk],
            )
            found.update(
                (key, np.frombuffer(blob, dtype=np.float16).astype(np.float32))
                for key, blob in rows
                if len(blob) == size
            )
        return found

    def store(self, model: str, texts: list[str], vectors: np.ndarray) -> None:
        """Keep the vectors of ``texts`` (one row each), committed at once; ``VectorCacheError``
        when the file cannot be written."""
        try:
            self._store(model, texts, vectors)
        except sqlite3.Error as error:
            raise VectorCacheError(f"cannot write the vector cache {self.path} ({error})") from None

    def _store(self, model: str, texts: list[str], vectors: np.ndarray) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
            [
                (model, text_hash(text), np.asarray(vector, dtype=np.float16).tobytes())
                for text, vector in zip(texts, vectors)
            ],
        )
        self._db.commit()

    def export(self, model: str, path: Path) -> int:
        """Write every vector of ``model`` to ``path`` (``.npz``); returns how many.
        ``VectorCacheError`` when the cache cannot be read or the file written."""
        try:
            return self._export(model, path)
        except sqlite3.Error as error:
            raise VectorCacheError(f"cannot read the vector cache {self.path} ({error})") from None
        except OSError as error:
            raise VectorCacheError(f"cannot write {path} ({error.strerror})") from None

    def _export(self, model: str, path: Path) -> int:
        rows = self._db.execute(
            "SELECT text_hash, vector FROM vectors WHERE model = ? ORDER BY text_hash", [model]
        ).fetchall()
        size = self.dimensions * 2
        rows = [(key, blob) for key, blob in rows if len(key) == 32 and len(blob) == size]
        hashes = np.frombuffer(b"".join(key for key, _ in rows), dtype=np.uint8).reshape(-1, 32)
        vectors = np.frombuffer(b"".join(blob for _, blob in rows), dtype=np.float16).reshape(
            -1, self.dimensions
        )
        with open(path, "wb") as out:
            np.savez_compressed(out, model=np.array(model), hashes=hashes, vectors=vectors)
        return len(rows)

    def import_file(self, path: Path) -> tuple[str, int]:
        """Add the vectors of an ``export`` file; returns its model and how many it held.
        ``VectorCacheError`` names the file when it is not such a file."""
        try:
            if path.stat().st_size > MAX_IMPORT_BYTES:
                raise VectorCacheError(
                    f"{path} is larger than {MAX_IMPORT_BYTES:,} bytes: not a vectors file"
                )
            with open(path, "rb") as raw:
                exchange = np.load(raw, allow_pickle=False)
                if not isinstance(exchange, np.lib.npyio.NpzFile):
                    raise ValueError("not an .npz archive")
                with exchange:
                    model, hashes, vectors = (
                        str(exchange["model"]),
                        exchange["hashes"],
                        exchange["vectors"],
                    )
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:
            raise VectorCacheError(
                f"{path} is not a vectors file of `shuangyu embed --export` ({error})"
            ) from None
        if (
            hashes.dtype != np.uint8
            or hashes.ndim != 2
            or hashes.shape[1] != 32
            or vectors.dtype != np.float16
            or vectors.shape != (len(hashes), self.dimensions)
            or not model
            or len(model) > 200
        ):
            raise VectorCacheError(
                f"{path} does not hold vectors of {self.dimensions} dimensions with their text hashes"
            )
        try:
            for start in range(0, len(hashes), _IMPORT_BATCH):
                self._db.executemany(
                    "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                    [
                        (model, key.tobytes(), vector.tobytes())
                        for key, vector in zip(
                            hashes[start : start + _IMPORT_BATCH],
                            vectors[start : start + _IMPORT_BATCH],
                        )
                    ],
                )
                self._db.commit()  # a batch at a time: a running build is not held up for the whole file
        except sqlite3.Error as error:
            raise VectorCacheError(f"cannot write the vector cache {self.path} ({error})") from None
        return model, len(hashes)
