"""Build the passage index atomically: into a new folder, switched in only when complete.

An interrupted or failed build leaves the previous index answering; only one build runs at a
time (a second one is refused with a clear message). This module decides what a build does
(nothing, an update in place, or a full build); ``index.build_write`` writes it,
``index.build_passages`` adds the reports' passages and ``index.build_folders`` keeps the folders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from shuangyu.index.build_folders import BuildError, build_lock, remove_abandoned_builds
from shuangyu.index.build_passages import English
from shuangyu.index.build_write import changed_reports, update_in_place, write_full_build
from shuangyu.index.engines.cluster import NO_CLUSTER, Cluster
from shuangyu.index.engines.manifest import Manifest
from shuangyu.index.engines.seam import DEFAULT_ENGINE, ENGINES
from shuangyu.index.engines.store import current_build, current_manifest
from shuangyu.index.english.dictionary import Dictionary
from shuangyu.index.english.memory import TranslationMemory, TranslationMemoryError
from shuangyu.index.english.translate import (
    Engine,
    TranslationError,
    select_engine,
    translator_identity,
)
from shuangyu.index.instance import InstanceFolder
from shuangyu.index.semantic.embedding import Embedder, EmbedderError
from shuangyu.index.semantic.vectors import VectorRun, embed_build
from shuangyu.index.sources.corpus import CorpusError, Problem, read_corpus
from shuangyu.index.sources.extracted import ExtractionCache
from shuangyu.index.sources.read_budget import DEFAULT_BUDGET, ReadBudget
from shuangyu.index.text.language import Language

# Share of the reports that may have changed for a build to update the index in place
# (beyond it, a fresh build is about as quick and leaves no deleted documents behind).
INCREMENTAL_UP_TO = 0.5


class NoReports(BuildError):
    """The corpus folder is missing or holds no report: nothing to build yet."""


@dataclass(frozen=True)
class BuildOptions:
    """What a build is asked to do (see ``build_index``)."""

    corpus_dir: Path
    index_dir: Path
    instance: InstanceFolder
    force: bool = False
    progress: bool = True
    translator: str = "auto"
    index_engine: str | None = None
    embedder: Embedder | None = None
    budget: ReadBudget = DEFAULT_BUDGET
    cluster: Cluster = NO_CLUSTER


@dataclass
class BuildResult:
    """What a build did. ``up_to_date`` means nothing was built because nothing changed."""

    manifest: Manifest
    up_to_date: bool = False
    problems: list[str] = field(default_factory=list)
    # The problems of the corpus's files among them (each with its kind, for a summary).
    file_problems: list[Problem] = field(default_factory=list)
    translator_note: str = ""
    # The passages' vectors (None: no embedder, or the embedding failed: see problems).
    vectors: VectorRun | None = None


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
    cluster: Cluster = NO_CLUSTER,
) -> BuildResult:
    """Build the index of ``corpus_dir`` into ``index_dir`` unless it is up to date.

    ``index_engine`` (``index.engines.seam.ENGINES``) writes the index; ``None`` keeps the engine of
    the current index (Whoosh for a first one). Another engine than the current one's is a
    full build. The opensearch engine writes its index in ``cluster``.

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
    options = BuildOptions(
        Path(corpus_dir),
        Path(index_dir),
        instance,
        force,
        progress,
        translator,
        index_engine,
        embedder,
        budget,
        cluster,
    )
    try:
        return _build(options)
    except OSError as error:
        where = f": {error.filename}" if error.filename else ""
        raise BuildError(
            f"the build stopped: {error.strerror or error}{where}; the index in use still answers (build again once the index folder can be written)"
        ) from None


def _build(options: BuildOptions) -> BuildResult:
    """``build_index`` itself; file system errors go on up."""
    if options.index_engine is not None and options.index_engine not in ENGINES:
        raise BuildError(f"unknown engine {options.index_engine!r}: one of {', '.join(ENGINES)}")
    with build_lock(options.index_dir):
        result = _build_words(options)
        if options.embedder is not None:
            vectors, problem = _embed(
                options.index_dir,
                result.manifest,
                options.embedder,
                options.instance,
                options.progress,
                options.cluster,
            )
            result.vectors = vectors
            result.problems += [problem] if problem else []
        return result


def embed_vectors(
    index_dir: Path,
    instance: InstanceFolder,
    embedder: Embedder,
    progress: bool = True,
    cluster: Cluster = NO_CLUSTER,
) -> tuple[VectorRun | None, str]:
    """Give the current index the vectors of its passages by ``embedder`` (resuming from the
    vector cache of ``instance``), holding the build lock. Returns what was done and a problem
    ("" when none: an embedder that cannot run is a problem, not an error, for the index
    answers by words without vectors). ``BuildError`` when another build is running or there
    is no index."""
    index_dir = Path(index_dir)
    try:
        with build_lock(index_dir):
            manifest = current_manifest(index_dir, cluster)
            if manifest is None:
                raise BuildError(f"no usable index in {index_dir}: run `shuangyu build` first")
            return _embed(index_dir, manifest, embedder, instance, progress, cluster)
    except OSError as error:
        where = f": {error.filename}" if error.filename else ""
        raise BuildError(
            f"the embedding stopped: {error.strerror or error}{where}; the index still answers by words"
        ) from None


def _embed(
    index_dir: Path,
    manifest: Manifest,
    embedder: Embedder,
    instance: InstanceFolder,
    progress: bool,
    cluster: Cluster,
) -> tuple[VectorRun | None, str]:
    try:
        run = embed_build(
            current_build(index_dir), manifest, embedder, instance.vector_cache, progress, cluster
        )
    except EmbedderError as error:
        return None, f"{error}; the index answers by words alone"
    return run, run.problem


def _build_words(options: BuildOptions) -> BuildResult:
    """The lexical build, under the build lock."""
    index_dir, corpus_dir, instance = options.index_dir, options.corpus_dir, options.instance
    remove_abandoned_builds(index_dir)
    if not corpus_dir.is_dir():
        raise NoReports(f"no reports in {corpus_dir}: the folder does not exist")
    try:
        extracted = ExtractionCache(instance.extracted)
        corpus = read_corpus(corpus_dir, extracted, options.budget)
        extracted.prune()  # only the build prunes: it holds the lock, and reads every report
        # The language of this run: the corpus's names and glossary, the instance's dictionary.
        language = Language(corpus.vocabulary, Dictionary(instance.path))
        translator, note = select_engine(
            options.translator, instance.models, instance.path, language
        )
    except (CorpusError, TranslationError) as error:
        raise BuildError(str(error)) from None
    problems = [str(problem) for problem in corpus.problems]
    if not corpus.reports:
        raise NoReports(
            f"no reports in {corpus_dir}: no report to index"
            + "".join(f"\n  {p}" for p in problems)
        )
    memory_path, memory_problem = _usable_memory(translator, instance.translation_memory)
    problems += [memory_problem] if memory_problem else []
    english = English(translator, memory_path)

    def result(manifest: Manifest, up_to_date: bool = False) -> BuildResult:
        return BuildResult(
            manifest,
            up_to_date=up_to_date,
            problems=problems,
            file_problems=corpus.problems,
            translator_note=note,
        )

    manifest = current_manifest(index_dir, options.cluster)
    current_engine = manifest.engine if manifest is not None else DEFAULT_ENGINE
    index_engine = options.index_engine or current_engine
    identity = translator_identity(translator, memory_path)
    if (
        manifest is not None
        and not options.force
        and manifest.translator.identity == identity
        # New names or glossary terms cut every report into words differently: all is rebuilt.
        and manifest.vocabulary_fingerprint == corpus.vocabulary.fingerprint
        and index_engine == current_engine
    ):
        if manifest.corpus_fingerprint == corpus.fingerprint:
            return result(manifest, up_to_date=True)
        changed, removed = changed_reports(corpus, manifest)
        if len(changed) + len(removed) <= len(corpus.reports) * INCREMENTAL_UP_TO:
            return result(
                update_in_place(
                    corpus,
                    language,
                    index_dir,
                    manifest,
                    changed,
                    removed,
                    english,
                    options.progress,
                    options.cluster,
                )
            )
    return result(
        write_full_build(
            corpus,
            language,
            index_dir,
            english,
            identity,
            index_engine,
            options.progress,
            options.cluster,
        )
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
