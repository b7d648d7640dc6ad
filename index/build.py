"""Build the passage index atomically: into a new folder, switched in only when complete.

An interrupted or failed build leaves the previous index answering; only one build runs at a
time (a second one is refused with a clear message).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from shuangyu.index.documents import Source, analysed_documents
from shuangyu.index.engines.schema import SCHEMA_VERSION
from shuangyu.index.engines.seam import DEFAULT_ENGINE, ENGINES, Writer, engine_module, engine_of
from shuangyu.index.engines.store import (
    BUILDS,
    CURRENT,
    LOCK,
    MANIFEST,
    TEMPORARY_PREFIX,
    current_build,
    current_manifest,
)
from shuangyu.index.english import gloss
from shuangyu.index.english.dictionary import Dictionary
from shuangyu.index.english.memory import TranslationMemory, TranslationMemoryError
from shuangyu.index.english.translate import (
    Engine,
    TranslationError,
    TranslationRun,
    select_engine,
    translate_all,
    translator_identity,
)
from shuangyu.index.instance import InstanceFolder
from shuangyu.index.semantic.embedding import Embedder, EmbedderError
from shuangyu.index.semantic.vectors import VectorRun, embed_build
from shuangyu.index.sources.corpus import Corpus, CorpusError, Problem, Report, read_corpus
from shuangyu.index.sources.extracted import ExtractionCache
from shuangyu.index.sources.passages import split_report
from shuangyu.index.sources.read_budget import DEFAULT_BUDGET, ReadBudget
from shuangyu.index.text.language import Language
from shuangyu.index.workers import usable_cores
from tqdm import tqdm

# Builds kept besides the current one, so that a process still reading the previous index
# keeps working while it switches.
KEEP_PREVIOUS = 1
# Share of the reports that may have changed for a build to update the index in place
# (beyond it, a fresh build is about as quick and leaves no deleted documents behind).
INCREMENTAL_UP_TO = 0.5


class BuildError(Exception):
    """A build could not run; the message says why."""


class NoReports(BuildError):
    """The corpus folder is missing or holds no report: nothing to build yet."""


@dataclass
class BuildResult:
    """What a build did. ``up_to_date`` means nothing was built because nothing changed."""

    manifest: dict
    up_to_date: bool = False
    problems: list[str] = field(default_factory=list)
    # The problems of the corpus's files among them (each with its kind, for a summary).
    file_problems: list[Problem] = field(default_factory=list)
    translator_note: str = ""
    # The passages' vectors (None: no embedder, or the embedding failed: see problems).
    vectors: VectorRun | None = None


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


def build_index(
    corpus_dir: Path,
    index_dir: Path,
    instance: InstanceFolder,
    force: bool = False,
    progress: bool = True,
    translator: str = "auto",
    index_engine: str | None = None,
    embedder: Embedder | None = None,
    budget: ReadBudget = DEFAULT_BUDGET,
) -> BuildResult:
    """Build the index of ``corpus_dir`` into ``index_dir`` unless it is up to date.

    ``index_engine`` (``index.engines.seam.ENGINES``) writes the index; ``None`` keeps the engine of
    the current index (Whoosh for a first one). Another engine than the current one's is a
    full build.

    ``translator`` is ``auto``, ``argos`` or ``gloss`` (see ``index.english.translate``); machine
    translations go through the translation memory of the ``instance`` folder, where the
    models are installed and the dictionary file is kept (the run's ``Dictionary``).
    Returns the new (or current) manifest. Raises ``BuildError`` when the corpus folder is missing or has no usable
    report, when the translator cannot run, when another build is running, or when the index
    folder cannot be written (full, read-only): the previous index still answers then.

    With an ``embedder``, the passages are then embedded (``embed_vectors``), after the new
    index is switched in: it answers by words meanwhile. Each received file is read within
    ``budget``; a file past it is skipped and named in the problems.
    """
    try:
        return _build(
            Path(corpus_dir),
            Path(index_dir),
            instance,
            force,
            progress,
            translator,
            index_engine,
            embedder,
            budget,
        )
    except OSError as error:
        where = f": {error.filename}" if error.filename else ""
        raise BuildError(
            f"the build stopped: {error.strerror or error}{where}; the index in use still answers (build again once the index folder can be written)"
        ) from None


def _build(
    corpus_dir: Path,
    index_dir: Path,
    instance: InstanceFolder,
    force: bool,
    progress: bool,
    translator: str,
    index_engine: str | None,
    embedder: Embedder | None,
    budget: ReadBudget,
) -> BuildResult:
    """``build_index`` itself; file system errors go on up."""
    if index_engine is not None and index_engine not in ENGINES:
        raise BuildError(f"unknown engine {index_engine!r}: one of {', '.join(ENGINES)}")
    with build_lock(index_dir):
        result = _build_words(
            corpus_dir, index_dir, instance, force, progress, translator, index_engine, budget
        )
        if embedder is not None:
            vectors, problem = _embed(index_dir, result.manifest, embedder, instance, progress)
            result.vectors = vectors
            result.problems += [problem] if problem else []
        return result


def embed_vectors(
    index_dir: Path, instance: InstanceFolder, embedder: Embedder, progress: bool = True
) -> tuple[VectorRun | None, str]:
    """Give the current index the vectors of its passages by ``embedder`` (resuming from the
    vector cache of ``instance``), holding the build lock. Returns what was done and a problem
    ("" when none: an embedder that cannot run is a problem, not an error, for the index
    answers by words without vectors). ``BuildError`` when another build is running or there
    is no index."""
    index_dir = Path(index_dir)
    try:
        with build_lock(index_dir):
            manifest = current_manifest(index_dir)
            if manifest is None:
                raise BuildError(f"no usable index in {index_dir}: run `shuangyu build` first")
            return _embed(index_dir, manifest, embedder, instance, progress)
    except OSError as error:
        where = f": {error.filename}" if error.filename else ""
        raise BuildError(
            f"the embedding stopped: {error.strerror or error}{where}; the index still answers by words"
        ) from None


def _embed(
    index_dir: Path, manifest: dict, embedder: Embedder, instance: InstanceFolder, progress: bool
) -> tuple[VectorRun | None, str]:
    try:
        run = embed_build(
            current_build(index_dir), manifest, embedder, instance.vector_cache, progress
        )
    except EmbedderError as error:
        return None, f"{error}; the index answers by words alone"
    return run, run.problem


def _build_words(
    corpus_dir: Path,
    index_dir: Path,
    instance: InstanceFolder,
    force: bool,
    progress: bool,
    translator: str,
    index_engine: str | None,
    budget: ReadBudget,
) -> BuildResult:
    """The lexical build, under the build lock."""
    _remove_abandoned_builds(index_dir)
    if not Path(corpus_dir).is_dir():
        raise NoReports(f"no reports in {corpus_dir}: the folder does not exist")
    try:
        extracted = ExtractionCache(instance.extracted)
        corpus = read_corpus(corpus_dir, extracted, budget)
        extracted.prune()  # only the build prunes: it holds the lock, and reads every report
        # The language of this run: the corpus's names and glossary, the instance's dictionary.
        language = Language(corpus.vocabulary, Dictionary(instance.path))
        engine, note = select_engine(translator, instance.models, instance.path, language)
    except (CorpusError, TranslationError) as error:
        raise BuildError(str(error)) from None
    problems = [str(problem) for problem in corpus.problems]
    if not corpus.reports:
        raise NoReports(
            f"no reports in {corpus_dir}: no report to index"
            + "".join(f"\n  {p}" for p in problems)
        )
    memory_path, memory_problem = _usable_memory(engine, instance.translation_memory)
    problems += [memory_problem] if memory_problem else []
    manifest = current_manifest(index_dir)
    current_engine = engine_of(manifest) if manifest is not None else DEFAULT_ENGINE
    index_engine = index_engine or current_engine
    identity = translator_identity(engine, memory_path)
    same_english = (
        manifest is not None and manifest.get("translator", {}).get("identity") == identity
    )
    # New names or glossary terms cut every report into words differently: all is rebuilt.
    same_words = (
        manifest is not None
        and manifest.get("vocabulary_fingerprint") == corpus.vocabulary.fingerprint
    )
    if not force and same_english and same_words and index_engine == current_engine:
        if manifest.get("corpus_fingerprint") == corpus.fingerprint:
            return BuildResult(
                manifest,
                up_to_date=True,
                problems=problems,
                file_problems=corpus.problems,
                translator_note=note,
            )
        changed, removed = _changed_reports(corpus, manifest)
        if len(changed) + len(removed) <= len(corpus.reports) * INCREMENTAL_UP_TO:
            manifest = _update_in_place(
                corpus,
                language,
                index_dir,
                manifest,
                changed,
                removed,
                engine,
                memory_path,
                progress,
            )
            manifest["problems"] = problems
            return BuildResult(
                manifest, problems=problems, file_problems=corpus.problems, translator_note=note
            )
    manifest = _write_build(
        corpus, language, index_dir, progress, engine, memory_path, identity, index_engine
    )
    manifest["problems"] = problems
    return BuildResult(
        manifest, problems=problems, file_problems=corpus.problems, translator_note=note
    )


def _usable_memory(engine: Engine, path: Path) -> tuple[Path | None, str]:
    """The translation memory at ``path`` for ``engine``, and a problem to report ("" when none).

    The gloss only reads remembered machine translations, so it goes on without a memory that
    cannot be opened (and says so); a machine engine needs it: ``BuildError``."""
    if not engine.machine and not path.is_file():
        return path, ""
    try:
        TranslationMemory(path).close()
    except TranslationMemoryError as error:
        if engine.machine:
            raise BuildError(str(error)) from None
        return None, f"{error}; the English is the dictionary gloss alone"
    return path, ""


def _write_build(
    corpus: Corpus,
    language: Language,
    index_dir: Path,
    progress: bool,
    engine: Engine,
    memory_path: Path | None,
    identity: str,
    index_engine: str,
) -> dict:
    started = time.perf_counter()
    builds = index_dir / BUILDS
    builds.mkdir(parents=True, exist_ok=True)
    name = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    temporary = builds / f"{TEMPORARY_PREFIX}{name}"
    temporary.mkdir()
    try:
        # The searcher reads the vocabulary of the build it opens (index.text.vocabulary).
        corpus.vocabulary.write(temporary)
        written = _add_reports(
            corpus.reports,
            language,
            engine,
            memory_path,
            progress,
            index_engine,
            lambda passages, repeated: engine_module(index_engine).create(
                temporary, language, passages, repeated
            ),
        )
        manifest = {
            "schema_version": SCHEMA_VERSION,
            "engine": index_engine,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "corpus_fingerprint": corpus.fingerprint,
            "vocabulary_fingerprint": corpus.vocabulary.fingerprint,
            "translator": {"engine": engine.name, "model": written.run.model, "identity": identity},
            "translation": written.translation_figures(),
            "reports": written.report_entries,
            "last_update": {"mode": "full", "seconds": round(time.perf_counter() - started, 3)},
        }
        _count_passages(manifest)
        manifest["build_seconds"] = round(time.perf_counter() - started, 3)
        manifest["index_bytes"] = _folder_bytes(temporary)
        (temporary / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        final = builds / name
        temporary.rename(final)
    except BaseException:
        # Ctrl-C or SIGTERM too: never leave a half-written build behind. The error goes on up.
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    _switch_current(index_dir, final)
    _remove_old_builds(index_dir, final)
    return manifest


def _changed_reports(corpus: Corpus, manifest: dict) -> tuple[list[Report], set[str]]:
    """The reports that are new or changed since ``manifest``, and the ids of those removed."""
    known = {entry["id"]: entry.get("fingerprint") for entry in manifest["reports"]}
    changed = [report for report in corpus.reports if known.get(report.id) != report.fingerprint]
    removed = set(known) - {report.id for report in corpus.reports}
    return changed, removed


def _update_in_place(
    corpus: Corpus,
    language: Language,
    index_dir: Path,
    manifest: dict,
    changed: list[Report],
    removed: set[str],
    engine: Engine,
    memory_path: Path | None,
    progress: bool,
) -> dict:
    """Re-index only the changed, new and removed reports, in the current build.

    Engines commit atomically, so readers see the index before or after the update, never
    between; the manifest is replaced (write and rename) after the commit. An update killed
    between the two is redone by the next build, which sees the old fingerprints.
    """
    started = time.perf_counter()
    build = current_build(index_dir)
    writer_report_ids = removed | {report.id for report in changed}
    written = _add_reports(
        changed,
        language,
        engine,
        memory_path,
        progress,
        engine_of(manifest),
        lambda passages, repeated: engine_module(engine_of(manifest)).open_writer(
            build, language, repeated
        ),
        replacing=writer_report_ids,
    )
    entries = {
        entry["id"]: entry for entry in manifest["reports"] if entry["id"] not in writer_report_ids
    }
    entries.update({entry["id"]: entry for entry in written.report_entries})
    updated = dict(manifest)
    updated["reports"] = [entries[report.id] for report in corpus.reports]
    updated["corpus_fingerprint"] = corpus.fingerprint
    updated["translation"] = written.translation_figures()
    updated["last_update"] = {
        "mode": "incremental",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "reports": sorted(writer_report_ids),
        "seconds": round(time.perf_counter() - started, 3),
    }
    _count_passages(updated)
    updated["index_bytes"] = _folder_bytes(build)
    staging = build / f"{MANIFEST}.tmp"
    staging.write_text(json.dumps(updated, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(staging, build / MANIFEST)
    return updated


def _folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def _count_passages(manifest: dict) -> None:
    engines: Counter[str] = Counter()
    for entry in manifest["reports"]:
        engines.update(entry["engines"])
    manifest["engines"] = dict(engines)
    manifest["passages"] = sum(entry["passages"] for entry in manifest["reports"])


@dataclass
class _Written:
    run: TranslationRun
    report_entries: list[dict]

    def translation_figures(self) -> dict:
        return {
            "memory_hits": self.run.hits,
            "translated": self.run.translated,
            "seconds": round(self.run.seconds, 3),
            "passages_per_second": round(self.run.rate, 2),
        }


def _add_reports(
    reports: list[Report],
    language: Language,
    engine: Engine,
    memory_path: Path | None,
    progress: bool,
    index_engine: str,
    open_writer: Callable[[int, frozenset[str]], Writer],
    replacing: set[str] = frozenset(),
) -> _Written:
    """Add the passages of ``reports`` with the writer that ``open_writer`` gives for their
    number and the content hashes more than one of them has (deleting those of the
    ``replacing`` report ids first), in one commit; the writer is cancelled on any error."""
    passages = [
        (report, passage)
        for report in reports
        for passage in split_report(report.id, report.text, report.layout)
    ]
    run = translate_all(
        engine,
        [passage.text for _, passage in passages],
        memory_path,
        progress=progress,
        defer_gloss=True,
    )
    headings = _headings_english(
        engine, memory_path, reports, [passage.section for _, passage in passages]
    )
    sources = [
        Source(
            report,
            passage,
            None if made_by == gloss.ENGINE else english,
            made_by,
            *headings[report.metadata.title],
            *headings[passage.section],
        )
        for (report, passage), english, made_by in zip(passages, run.translations, run.engines)
    ]
    kinds: dict[str, Counter[str]] = {report.id: Counter() for report in reports}
    engines: dict[str, Counter[str]] = {report.id: Counter() for report in reports}
    hashes = Counter(passage.content_hash for _, passage in passages)
    writer = open_writer(
        len(passages), frozenset(text for text, count in hashes.items() if count > 1)
    )
    try:
        for report_id in replacing:
            writer.delete_report(report_id)
        made = analysed_documents(
            sources, language, engine_module(index_engine).analyse, usable_cores()
        )
        for source, analysed in tqdm(
            zip(sources, made),
            total=len(sources),
            desc="Indexing passages",
            unit="passage",
            disable=not progress,
        ):
            writer.add(analysed)
            engines[source.report.id][source.made_by] += 1
            kinds[source.report.id][source.passage.kind] += 1
        writer.commit(merge=not replacing)
    except BaseException:
        # Ctrl-C or SIGTERM too: drop the uncommitted passages (the index stays at its last
        # commit) and stop any worker. The error goes on up.
        writer.cancel()
        raise
    entries = [
        {
            "id": report.id,
            "file": report.path.name,
            "format": report.format,
            "encoding": report.encoding,
            "fingerprint": report.fingerprint,
            "title": report.metadata.title,
            "subtitle": report.metadata.subtitle,
            # In English, by the passages' engine (a machine translation, else the gloss): which, in title_en_engine.
            "title_en": headings[report.metadata.title][0],
            "title_en_engine": headings[report.metadata.title][1],
            "subtitle_en": headings[report.metadata.subtitle][0],
            "authors": list(report.metadata.authors),
            "photo_credit": report.metadata.photo_credit,
            "publisher": report.metadata.publisher,
            "date": report.metadata.date,
            "date_basis": report.metadata.date_basis,
            # Which fields were read from the report's own text (it came without a metadata file).
            "inferred": list(report.metadata.inferred),
            "language": report.metadata.language,
            "passages": sum(kinds[report.id].values()),
            "passages_by_kind": dict(kinds[report.id]),
            "engines": dict(engines[report.id]),
        }
        for report in reports
    ]
    return _Written(run, entries)


def _headings_english(
    engine: Engine, memory_path: Path | None, reports: list[Report], sections: list[str]
) -> dict[str, tuple[str, str]]:
    """The English of the reports' titles and subtitles and of the passages' headings, made as
    the passages' English is (``translate_all``: the translation memory, the model when there is
    one, else the gloss), with the engine that made each: {Chinese: (English, engine)}; an empty
    text has an empty English and no engine."""
    texts = list(
        dict.fromkeys(
            text
            for text in (
                *(report.metadata.title for report in reports),
                *(report.metadata.subtitle for report in reports),
                *sections,
            )
            if text.strip()
        )
    )
    run = translate_all(engine, texts, memory_path, progress=False)
    headings = {
        text: (english, made_by)
        for text, english, made_by in zip(texts, run.translations, run.engines)
    }
    return defaultdict(lambda: ("", ""), headings)


def _switch_current(index_dir: Path, build: Path) -> None:
    """Point ``current`` at ``build`` in one atomic rename of a new symlink over the old one."""
    link = index_dir / CURRENT
    staging = index_dir / f"{CURRENT}.{os.getpid()}"
    if staging.is_symlink() or staging.exists():
        staging.unlink()
    staging.symlink_to(Path(BUILDS) / build.name)
    os.replace(staging, link)


def _remove_old_builds(index_dir: Path, current: Path) -> None:
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


def _remove_abandoned_builds(index_dir: Path) -> None:
    """Remove what a killed build left behind (called with the lock held, so none is running)."""
    builds = index_dir / BUILDS
    if builds.is_dir():
        for path in builds.glob(f"{TEMPORARY_PREFIX}*"):
            shutil.rmtree(path, ignore_errors=True)
    for staging in index_dir.glob(f"{CURRENT}.*"):
        staging.unlink(missing_ok=True)
