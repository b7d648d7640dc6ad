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
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tqdm import tqdm
from whoosh import index as whoosh_index

from index import gloss
from index.corpus import Corpus, CorpusError, read_corpus
from index.passages import split_report
from index.schema import SCHEMA_VERSION, passage_schema
from index.settings import INSTANCE_DIR, models_dir, translation_memory_path
from index.translate import Engine, TranslationError, select_engine, translate_all, translator_identity
from index.store import BUILDS, CURRENT, LOCK, MANIFEST, TEMPORARY_PREFIX, current_manifest

# Builds kept besides the current one, so that a process still reading the previous index
# keeps working while it switches.
KEEP_PREVIOUS = 1
# Passages from which a full build writes with two processes.
PARALLEL_FROM = 2000


class BuildError(Exception):
    """A build could not run; the message says why."""


@dataclass
class BuildResult:
    """What a build did. ``up_to_date`` means nothing was built because nothing changed."""

    manifest: dict
    up_to_date: bool = False
    problems: list[str] = field(default_factory=list)
    translator_note: str = ""


@contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """Hold the index folder's build lock, or raise ``BuildError`` when another build has it."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / LOCK, "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildError(f"another `shuangyu build` is running on {index_dir}; try again when it has finished") from None
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def build_index(corpus_dir: Path, index_dir: Path, force: bool = False, progress: bool = True,
                translator: str = "auto") -> BuildResult:
    """Build the index of ``corpus_dir`` into ``index_dir`` unless it is up to date.

    ``translator`` is ``auto``, ``argos`` or ``gloss`` (see ``index.translate``); machine
    translations go through the translation memory of the instance folder. Returns the new (or
    current) manifest. Raises ``BuildError`` when the corpus folder is missing or has no usable
    report, when the translator cannot run, or when another build is running.
    """
    try:
        engine, note = select_engine(translator, models_dir(), INSTANCE_DIR.value())
    except TranslationError as error:
        raise BuildError(str(error)) from None
    index_dir = Path(index_dir)
    with build_lock(index_dir):
        _remove_abandoned_builds(index_dir)
        try:
            corpus = read_corpus(Path(corpus_dir))
        except CorpusError as error:
            raise BuildError(str(error)) from None
        problems = [str(problem) for problem in corpus.problems]
        if not corpus.reports:
            raise BuildError(f"no report to index in {corpus_dir}" + "".join(f"\n  {p}" for p in problems))
        manifest = current_manifest(index_dir)
        unchanged = manifest and manifest.get("corpus_fingerprint") == corpus.fingerprint
        identity = translator_identity(engine, translation_memory_path())
        if not force and unchanged and manifest.get("translator", {}).get("identity") == identity:
            return BuildResult(manifest, up_to_date=True, problems=problems, translator_note=note)
        manifest = _write_build(corpus, index_dir, progress, engine, identity)
        manifest["problems"] = problems
        return BuildResult(manifest, problems=problems, translator_note=note)


def _write_build(corpus: Corpus, index_dir: Path, progress: bool, engine: Engine, identity: str) -> dict:
    started = time.perf_counter()
    builds = index_dir / BUILDS
    builds.mkdir(parents=True, exist_ok=True)
    name = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    temporary = builds / f"{TEMPORARY_PREFIX}{name}"
    temporary.mkdir()
    try:
        manifest = _write_index(corpus, temporary, progress, engine)
        manifest["translator"]["identity"] = identity
        manifest["build_seconds"] = round(time.perf_counter() - started, 3)
        manifest["index_bytes"] = sum(path.stat().st_size for path in temporary.iterdir())
        (temporary / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        final = builds / name
        temporary.rename(final)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    _switch_current(index_dir, final)
    _remove_old_builds(index_dir, final)
    return manifest


def _write_index(corpus: Corpus, folder: Path, progress: bool, engine: Engine) -> dict:
    passages = [(report, passage) for report in corpus.reports for passage in split_report(report.id, report.text)]
    texts = [passage.text for _, passage in passages]
    run = translate_all(engine, texts, translation_memory_path(), progress=progress)
    engines: Counter[str] = Counter()
    kinds: dict[str, Counter[str]] = {report.id: Counter() for report in corpus.reports}
    ix = whoosh_index.create_in(str(folder), passage_schema())
    # Two processes with a segment each roughly halve a big build (Whoosh merges nothing then).
    many = len(passages) >= PARALLEL_FROM
    writer = ix.writer(limitmb=256, procs=2 if many else 1, multisegment=many)
    try:
        for (report, passage), english, made_by in tqdm(list(zip(passages, run.translations, run.engines)),
                                                        desc="Indexing passages", unit="passage", disable=not progress):
            metadata = report.metadata
            glossed = english if made_by == gloss.ENGINE else gloss.gloss(passage.text)
            writer.add_document(
                id=passage.id,
                report_id=report.id,
                report_title=metadata.title,
                kind=passage.kind,
                ordinal=passage.ordinal,
                section=passage.section,
                text=passage.text,
                text_bigrams=passage.text,
                text_en=english,
                gloss_en=glossed,
                gloss_terms=glossed if made_by != gloss.ENGINE else "",
                pinyin=gloss.pinyin_terms(passage.text),
                translation_engine=made_by,
                year=metadata.year,
                date=metadata.date,
                content_hash=passage.content_hash,
                spans=[list(span) for span in passage.spans],
            )
            engines[made_by] += 1
            kinds[report.id][passage.kind] += 1
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    ix.close()
    return {
        "schema_version": SCHEMA_VERSION,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "corpus_fingerprint": corpus.fingerprint,
        "passages": len(passages),
        "engines": dict(engines),
        "translator": {"engine": engine.name, "model": run.model},
        "translation": {"memory_hits": run.hits, "translated": run.translated, "seconds": round(run.seconds, 3),
                        "passages_per_second": round(run.rate, 2)},
        "reports": [
            {
                "id": report.id,
                "file": report.path.name,
                "encoding": report.encoding,
                "title": report.metadata.title,
                "subtitle": report.metadata.subtitle,
                "authors": list(report.metadata.authors),
                "photo_credit": report.metadata.photo_credit,
                "publisher": report.metadata.publisher,
                "date": report.metadata.date,
                "date_basis": report.metadata.date_basis,
                "language": report.metadata.language,
                "passages": sum(kinds[report.id].values()),
                "passages_by_kind": dict(kinds[report.id]),
            }
            for report in corpus.reports
        ],
    }


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
        (path for path in (index_dir / BUILDS).iterdir() if path.is_dir() and not path.name.startswith(TEMPORARY_PREFIX)),
        key=lambda path: path.name,
    )
    keep = {current.name} | {path.name for path in [p for p in builds if p != current][-KEEP_PREVIOUS:]}
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

