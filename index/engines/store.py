"""Where builds live in the index folder, and how the current one is found.

    <index dir>/current        symlink to the build being served (switched atomically)
    <index dir>/builds/<name>/ one complete build: the engine's files and manifest.json
    <index dir>/build.lock     held by the one build that may run at a time

A build is written under ``builds/.tmp-<name>`` and renamed when complete, so a reader never
sees a half-written index, and the symlink is replaced in one ``rename``.
"""

from __future__ import annotations

from pathlib import Path

from shuangyu.index.engines import manifest as manifest_file
from shuangyu.index.engines.cluster import NO_CLUSTER, Cluster
from shuangyu.index.engines.manifest import Manifest, ManifestError
from shuangyu.index.engines.seam import ENGINES, engine_module

CURRENT = "current"
BUILDS = "builds"
MANIFEST = manifest_file.FILE
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


def read_manifest(build_dir: Path) -> Manifest:
    """The manifest of a build; ``IndexUnavailable`` when it is missing, unreadable, from an
    incompatible version of Shuangyu or names an unknown engine."""
    try:
        manifest = manifest_file.read(build_dir)
    except ManifestError as error:
        raise IndexUnavailable(str(error)) from None
    if manifest.engine not in ENGINES:
        raise IndexUnavailable(
            f"index in {build_dir} names an unknown engine {manifest.engine!r}: run `shuangyu build --force`"
        )
    return manifest


def current_manifest(index_dir: Path, cluster: Cluster = NO_CLUSTER) -> Manifest | None:
    """The manifest of the current build, or ``None`` when there is no usable one: none, an
    unreadable manifest, or index files that cannot be opened and read (an OpenSearch index
    through ``cluster``)."""
    try:
        build = current_build(index_dir)
        manifest = read_manifest(build)
        check_readable(build, manifest, cluster)
    except IndexUnavailable:
        return None
    return manifest


def check_readable(build: Path, manifest: Manifest, cluster: Cluster = NO_CLUSTER) -> None:
    """Open the build's index with the engine that wrote it and read a little of every part;
    ``IndexUnavailable`` when that fails (missing, truncated or garbled files)."""
    engine_module(manifest.engine).check_readable(build, cluster=cluster)
