"""The build's folders in the index folder (``index.engines.store``): the lock that lets one
build run at a time, the atomic switch to a new build, and the removal of old and abandoned ones.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from shuangyu.index.engines.store import BUILDS, CURRENT, LOCK, TEMPORARY_PREFIX

# Builds kept besides the current one, so that a process still reading the previous index
# keeps working while it switches.
KEEP_PREVIOUS = 1


class BuildError(Exception):
    """A build could not run; the message says why."""


# Lock files this process holds. POSIX record locks do not conflict within one process, and
# closing any descriptor of the file drops them: a second build here is refused before opening it.
_HELD_LOCKS: set[Path] = set()


@contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """Hold the index folder's build lock, or raise ``BuildError`` when another build has it.

    The lock is a POSIX record lock (``lockf``): it belongs to this process alone, is not
    inherited by forked workers, and goes when the process ends, however it ends."""
    index_dir.mkdir(parents=True, exist_ok=True)
    path = (index_dir / LOCK).resolve()
    if path in _HELD_LOCKS:
        raise BuildError(_busy(index_dir))
    with open(path, "a+") as lock:
        try:
            fcntl.lockf(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # EAGAIN or EACCES, depending on the system
            raise BuildError(_busy(index_dir)) from None
        _HELD_LOCKS.add(path)
        try:
            yield
        finally:
            _HELD_LOCKS.discard(path)
            fcntl.lockf(lock, fcntl.LOCK_UN)


def _busy(index_dir: Path) -> str:
    return f"another `shuangyu build` is running on {index_dir}; try again when it has finished"


def folder_bytes(folder: Path) -> int:
    """The size of the files under ``folder``."""
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def switch_current(index_dir: Path, build: Path) -> None:
    """Point ``current`` at ``build`` in one atomic rename of a new symlink over the old one."""
    link = index_dir / CURRENT
    staging = index_dir / f"{CURRENT}.{os.getpid()}"
    if staging.is_symlink() or staging.exists():
        staging.unlink()
    staging.symlink_to(Path(BUILDS) / build.name)
    os.replace(staging, link)


def remove_old_builds(index_dir: Path, current: Path) -> None:
    """Remove the builds older than ``current`` but the ``KEEP_PREVIOUS`` newest of them."""
    builds = sorted(
        (
            path
            for path in (index_dir / BUILDS).iterdir()
            if path.is_dir() and not path.name.startswith(TEMPORARY_PREFIX)
        ),
        key=lambda path: path.name,
    )
    keep = {current.name} | {
        path.name for path in [p for p in builds if p != current][-KEEP_PREVIOUS:]
    }
    for path in builds:
        if path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)


def remove_abandoned_builds(index_dir: Path) -> None:
    """Remove what a killed build left behind (called with the lock held, so none is running)."""
    builds = index_dir / BUILDS
    if builds.is_dir():
        for path in builds.glob(f"{TEMPORARY_PREFIX}*"):
            shutil.rmtree(path, ignore_errors=True)
    for staging in index_dir.glob(f"{CURRENT}.*"):
        staging.unlink(missing_ok=True)
