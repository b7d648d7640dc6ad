"""The two ways a build writes an index: a full build into a new folder, switched in whole when
complete, and an update in place of the reports that changed.
"""

from __future__ import annotations

import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

from shuangyu.index import build_folders
from shuangyu.index.build_passages import English, add_reports
from shuangyu.index.engines import manifest as manifest_file
from shuangyu.index.engines.cluster import Cluster
from shuangyu.index.engines.manifest import LastUpdate, Manifest, Translator
from shuangyu.index.engines.seam import engine_module
from shuangyu.index.engines.store import BUILDS, TEMPORARY_PREFIX, current_build
from shuangyu.index.sources.corpus import Corpus, Report
from shuangyu.index.text.language import Language


def write_full_build(
    corpus: Corpus,
    language: Language,
    index_dir: Path,
    english: English,
    identity: str,
    index_engine: str,
    progress: bool,
    cluster: Cluster,
) -> Manifest:
    """Index every report of ``corpus`` with ``index_engine`` (an OpenSearch index: in
    ``cluster``) into a new build folder, switch it in and remove the builds no longer kept;
    its manifest."""
    started = time.perf_counter()
    builds = index_dir / BUILDS
    builds.mkdir(parents=True, exist_ok=True)
    name = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    temporary = builds / f"{TEMPORARY_PREFIX}{name}"
    temporary.mkdir()
    try:
        # The searcher reads the vocabulary of the build it opens (index.text.vocabulary).
        corpus.vocabulary.write(temporary)
        written = add_reports(
            corpus.reports,
            language,
            english,
            progress,
            index_engine,
            lambda passages, repeated: engine_module(index_engine).create(
                temporary, language, passages, repeated, cluster=cluster
            ),
        )
        manifest = Manifest(
            engine=index_engine,
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            corpus_fingerprint=corpus.fingerprint,
            vocabulary_fingerprint=corpus.vocabulary.fingerprint,
            translator=Translator(english.translator.name, written.run.model, identity),
            translation=written.translation_figures(),
            reports=written.report_entries,
            last_update=LastUpdate("full", round(time.perf_counter() - started, 3)),
        )
        manifest = manifest.replace(
            build_seconds=round(time.perf_counter() - started, 3),
            index_bytes=build_folders.folder_bytes(temporary),
        )
        manifest_file.write(temporary, manifest)
        final = builds / name
        temporary.rename(final)
    except BaseException:
        # Ctrl-C or SIGTERM too: never leave a half-written build behind. The error goes on up.
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    build_folders.switch_current(index_dir, final)
    build_folders.remove_old_builds(index_dir, final)
    return manifest


def changed_reports(corpus: Corpus, manifest: Manifest) -> tuple[list[Report], set[str]]:
    """The reports that are new or changed since ``manifest``, and the ids of those removed."""
    known = {entry["id"]: entry.get("fingerprint") for entry in manifest.reports}
    changed = [report for report in corpus.reports if known.get(report.id) != report.fingerprint]
    removed = set(known) - {report.id for report in corpus.reports}
    return changed, removed


def update_in_place(
    corpus: Corpus,
    language: Language,
    index_dir: Path,
    manifest: Manifest,
    changed: list[Report],
    removed: set[str],
    english: English,
    progress: bool,
    cluster: Cluster,
) -> Manifest:
    """Re-index only the changed, new and removed reports, in the current build.

    Engines commit atomically, so readers see the index before or after the update, never
    between; the manifest is replaced (write and rename) after the commit. An update killed
    between the two is redone by the next build, which sees the old fingerprints.
    """
    started = time.perf_counter()
    build = current_build(index_dir)
    writer_report_ids = removed | {report.id for report in changed}
    written = add_reports(
        changed,
        language,
        english,
        progress,
        manifest.engine,
        lambda passages, repeated: engine_module(manifest.engine).open_writer(
            build, language, repeated, cluster=cluster
        ),
        replacing=writer_report_ids,
    )
    entries = {
        entry["id"]: entry for entry in manifest.reports if entry["id"] not in writer_report_ids
    }
    entries.update({entry["id"]: entry for entry in written.report_entries})
    updated = manifest.replace(
        reports=[entries[report.id] for report in corpus.reports],
        corpus_fingerprint=corpus.fingerprint,
        translation=written.translation_figures(),
        last_update=LastUpdate(
            "incremental",
            round(time.perf_counter() - started, 3),
            at=datetime.now(UTC).isoformat(timespec="seconds"),
            reports=sorted(writer_report_ids),
        ),
        index_bytes=build_folders.folder_bytes(build),
    )
    manifest_file.write(build, updated, replacing=True)
    return updated
