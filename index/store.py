"""Where builds live in the index folder, and how the current one is found.

    <index dir>/current        symlink to the build being served (switched atomically)
    <index dir>/builds/<name>/ one complete build: Whoosh files and manifest.json
    <index dir>/build.lock     held by the one build that may run at a time

A build is written under ``builds/.tmp-<name>`` and renamed when complete, so a reader never
sees a half-written index, and the symlink is replaced in one ``rename``.
"""

from __future__ import annotations

import json
from pathlib import Path

from shuangyu.index.schema import SCHEMA_VERSION

CURRENT = "current"
BUILDS = "builds"
MANIFEST = "manifest.json"
LOCK = "build.lock"
TEMPORARY_PREFIX = ".tmp-"


class IndexUnavailable(Exception):
    """There is no usable index; the message says why and what to run."""


def current_build(index_dir: Path) -> Path:
    """The folder of the build being served; ``IndexUnavailable`` when there is none."""
    link = Path(index_dir) / CURRENT
    if not link.exists():
        raise IndexUnavailable(f"no index in {index_dir}: run `shuangyu build` first")
    return link.resolve()


def read_manifest(build_dir: Path) -> dict:
    """The manifest of a build; ``IndexUnavailable`` when it is missing, unreadable or from an
    incompatible version of Shuangyu."""
    try:
        manifest = json.loads((build_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise IndexUnavailable(f"index in {build_dir} is damaged ({error}): run `shuangyu build`") from None
    if not isinstance(manifest, dict) or manifest.get("schema_version") != SCHEMA_VERSION:
        raise IndexUnavailable(
            f"index in {build_dir} was built by an incompatible version of Shuangyu: run `shuangyu build --force`"
        )
    return manifest


def current_manifest(index_dir: Path) -> dict | None:
    """The manifest of the current build, or ``None`` when there is no usable one: none, an
    unreadable manifest, or index files that cannot be opened and read."""
    try:
        build = current_build(index_dir)
        manifest = read_manifest(build)
        check_readable(build)
    except IndexUnavailable:
        return None
    return manifest


def check_readable(build: Path) -> None:
    """Open the build's index and read every segment's table of contents, document count and
    the ends of its columns;
    ``IndexUnavailable`` when that fails (missing, truncated or garbled files)."""
    from whoosh.filedb.filestore import FileStorage

    try:
        # Without mmap: whoosh 2.7 copies each memory-mapped file into memory (4 s for the
        # term table of a 100,000-passage index).
        ix = FileStorage(str(build), supports_mmap=False).open_index()
        with ix.reader() as reader:
            reader.doc_count()
            # The first and last document of each segment's columns: reading them all took
            # 2 s at 100,000 passages, before every update.
            for segment, _ in reader.leaf_readers():
                for docnum in {0, segment.doc_count_all() - 1} - {-1}:
                    for name in ("kind", "report_id", "content_hash"):
                        segment.column_reader(name)[docnum]
    except Exception as error:  # Whoosh raises many kinds on damaged files; all mean "rebuild".
        raise IndexUnavailable(f"index in {build} is damaged ({type(error).__name__}): run `shuangyu build`") from None
