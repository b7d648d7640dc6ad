"""SQLite's errors as ours, for the files an engine keeps beside a build (the opensearch
engine's lexicon): a file that cannot be read is a damaged index, one that cannot be written
stops the build like a full disk."""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from shuangyu.index.engines.store import IndexUnavailable


def damaged(path: Path, error: Exception) -> IndexUnavailable:
    return IndexUnavailable(
        f"index in {path.parent} is damaged ({path.name}: {error}): run `shuangyu build`"
    )


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """SQLite's errors while writing ``path`` as ``OSError`` (a full disk, a read-only
    folder), which a build reports in one line, the index in use still answering."""
    try:
        yield
    except sqlite3.ProgrammingError:
        raise
    except sqlite3.Error as error:
        said = str(error)
        number = (
            errno.ENOSPC if "full" in said else errno.EROFS if "readonly" in said else errno.EIO
        )
        raise OSError(number, f"{os.strerror(number)} (SQLite: {said})", path) from None


@contextmanager
def answering(path: Path | None) -> Iterator[None]:
    """SQLite's errors as ``IndexUnavailable`` (a damaged or vanished file)."""
    try:
        yield
    except sqlite3.ProgrammingError:
        raise
    except sqlite3.Error as error:
        if path is None:
            raise IndexUnavailable(
                f"an index file failed ({error}): run `shuangyu build`"
            ) from None
        raise damaged(path, error) from None
