"""Add reports to an index: split them into passages, make their English, analyse them in the
build's worker processes and write them with one engine writer in one commit; and describe each
report for the manifest (``index.engines.manifest.ReportEntry``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from shuangyu.index.documents import Source, analysed_documents
from shuangyu.index.engines.manifest import ReportEntry, TranslationFigures
from shuangyu.index.engines.seam import Writer, engine_module
from shuangyu.index.english import gloss
from shuangyu.index.english.translate import Engine, TranslationRun, translate_all
from shuangyu.index.sources.corpus import Report
from shuangyu.index.sources.passages import split_report
from shuangyu.index.text.language import Language
from shuangyu.index.workers import usable_cores
from tqdm import tqdm


@dataclass(frozen=True)
class English:
    """How a build makes the English of its passages: the translator, and the translation memory
    it goes through (``None``: no usable memory)."""

    translator: Engine
    memory: Path | None


@dataclass
class Written:
    """What adding reports did: the translation run and the reports' manifest entries."""

    run: TranslationRun
    report_entries: list[ReportEntry]

    def translation_figures(self) -> TranslationFigures:
        return TranslationFigures(
            memory_hits=self.run.hits,
            translated=self.run.translated,
            seconds=round(self.run.seconds, 3),
            passages_per_second=round(self.run.rate, 2),
        )


def add_reports(
    reports: list[Report],
    language: Language,
    english: English,
    progress: bool,
    index_engine: str,
    open_writer: Callable[[int, frozenset[str]], Writer],
    replacing: set[str] | frozenset[str] = frozenset(),
) -> Written:
    """Add the passages of ``reports`` with the writer that ``open_writer`` gives for their
    number and the content hashes more than one of them has (deleting those of the
    ``replacing`` report ids first), in one commit; the writer is cancelled on any error."""
    passages = [
        (report, passage)
        for report in reports
        for passage in split_report(report.id, report.text, report.layout)
    ]
    run = translate_all(
        english.translator,
        [passage.text for _, passage in passages],
        english.memory,
        progress=progress,
        defer_gloss=True,
    )
    headings = _headings_english(english, reports, [passage.section for _, passage in passages])
    sources = [
        Source(
            report,
            passage,
            None if made_by == gloss.ENGINE else text_en,
            made_by,
            *headings[report.metadata.title],
            *headings[passage.section],
        )
        for (report, passage), text_en, made_by in zip(passages, run.translations, run.engines)
    ]
    kinds: dict[str, Counter[str]] = {report.id: Counter() for report in reports}
    translators: dict[str, Counter[str]] = {report.id: Counter() for report in reports}
    hashes = Counter(passage.content_hash for _, passage in passages)
    writer = open_writer(
        len(passages), frozenset(text for text, count in hashes.items() if count > 1)
    )
    try:
        for report_id in replacing:
            writer.delete_report(report_id)
        made = analysed_documents(
            sources, language, engine_module(index_engine).analyse, usable_cores(), progress
        )
        for source, analysed in tqdm(
            zip(sources, made),
            total=len(sources),
            desc="Indexing passages",
            unit="passage",
            disable=not progress,
        ):
            writer.add(analysed)
            translators[source.report.id][source.made_by] += 1
            kinds[source.report.id][source.passage.kind] += 1
        writer.commit(merge=not replacing)
    except BaseException:
        # Ctrl-C or SIGTERM too: drop the uncommitted passages (the index stays at its last
        # commit) and stop any worker. The error goes on up.
        writer.cancel()
        raise
    entries = [
        _entry(report, headings, kinds[report.id], translators[report.id]) for report in reports
    ]
    return Written(run, entries)


def _entry(
    report: Report,
    headings: dict[str, tuple[str, str]],
    kinds: Counter[str],
    translators: Counter[str],
) -> ReportEntry:
    """The manifest entry of ``report``, whose passages are of ``kinds`` and had their English
    made by ``translators``."""
    metadata = report.metadata
    return {
        "id": report.id,
        "file": report.path.name,
        "format": report.format,
        "encoding": report.encoding,
        "fingerprint": report.fingerprint,
        "title": metadata.title,
        "subtitle": metadata.subtitle,
        "title_en": headings[metadata.title][0],
        "title_en_engine": headings[metadata.title][1],
        "subtitle_en": headings[metadata.subtitle][0],
        "authors": list(metadata.authors),
        "photo_credit": metadata.photo_credit,
        "publisher": metadata.publisher,
        "date": metadata.date,
        "date_basis": metadata.date_basis,
        "inferred": list(metadata.inferred),
        "language": metadata.language,
        "passages": sum(kinds.values()),
        "passages_by_kind": dict(kinds),
        "translators": dict(translators),
    }


def _headings_english(
    english: English, reports: list[Report], sections: list[str]
) -> dict[str, tuple[str, str]]:
    """The English of the reports' titles and subtitles and of the passages' headings, made as
    the passages' English is (``translate_all``: the translation memory, the model when there is
    one, else the gloss), with the translator that made each: {Chinese: (English, translator)};
    an empty text has an empty English and no translator."""
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
    run = translate_all(english.translator, texts, english.memory, progress=False)
    headings = {
        text: (text_en or "", made_by)
        for text, text_en, made_by in zip(texts, run.translations, run.engines)
    }
    return defaultdict(lambda: ("", ""), headings)
