"""Passages made into the documents an engine indexes: their English gloss and pinyin, and the
engine's own analysis (``analyse`` of ``index.engines.seam``), on every core for a large build.

Worker processes are forked, so that they start with the corpus, the language, the loaded
segmenter and the English and pinyin of every word (``index.build_words``) in memory and are
sent only which passages to make; they die with the build (``index.workers``). The translation memory is read and written by the build process alone,
before this step: workers only read the English they are given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from shuangyu.index.build_words import prepare_words
from shuangyu.index.english import gloss
from shuangyu.index.english.alignment import align_gloss
from shuangyu.index.sources.corpus import Report
from shuangyu.index.sources.metadata import year_spoken_in
from shuangyu.index.sources.passages import SplitPassage
from shuangyu.index.text.language import Language
from shuangyu.index.text.normalising import normalise
from shuangyu.index.text.segmenting import words
from shuangyu.index.workers import PARALLEL_FROM, can_fork_workers, forked_pool

# The marks of ``word_bounds``: a word's first character, its others, a character outside words.
WORD_START, IN_WORD, OUTSIDE = "|", "-", "."

# Passages a worker makes at a time.
CHUNK = 100


@dataclass(frozen=True)
class Source:
    """One passage to index, with its English: a machine translation, or ``None`` for the gloss."""

    report: Report
    passage: SplitPassage
    english: str | None
    made_by: str
    # The English of the report's title and of the passage's heading, and the engine of each.
    title_en: str = ""
    title_made_by: str = ""
    section_en: str = ""
    section_made_by: str = ""


def document(source: Source, language: Language) -> dict:
    """The fields of a passage (``index.engines.schema.FIELDS``), and ``_year_spoken_in``,
    which is no field: the year its words such as 去年 count from, for the Chinese analyser of
    its text (``index.sources.metadata.year_spoken_in``; ``None`` when not known)."""
    report, passage, metadata = source.report, source.passage, source.report.metadata
    glossed_words = gloss.glossed_words(passage.text, language)
    glossed = gloss.gloss_of(passage.text, glossed_words)
    machine = source.english is not None
    return {
        "id": passage.id,
        "report_id": report.id,
        "report_title": metadata.title,
        "kind": passage.kind,
        "ordinal": passage.ordinal,
        "section": passage.section,
        "text": passage.text,
        "text_bigrams": passage.text,
        "text_en": source.english if machine else glossed,
        "gloss_en": glossed,
        # The gloss shown keeps one sense a word; every sense is searched, here, so that an English
        # query finds a passage through any meaning of its words.
        "gloss_terms": gloss.search_gloss(passage.text, language),
        "pinyin": gloss.pinyin_terms(passage.text, language),
        "translation_engine": source.made_by,
        "year": metadata.year,
        "_year_spoken_in": year_spoken_in(metadata.date, metadata.date_basis, report.path.name),
        "date": metadata.date,
        "content_hash": passage.content_hash,
        "spans": [list(span) for span in passage.spans],
        "page": passage.page,
        "gloss_alignment": align_gloss(glossed_words, glossed),
        "text_words": word_bounds(passage.text, language),
        "report_title_en": source.title_en,
        "report_title_engine": source.title_made_by,
        "section_en": source.section_en,
        "section_engine": source.section_made_by,
    }


def word_bounds(text: str, language: Language) -> str:
    """Where the words of ``text`` that the index holds (``index.text.segmenting.words``, cut
    with ``language``) begin and end: a character of ``normalise(text).text`` each, ``|``
    where a word begins, ``-`` inside a word, ``.`` outside words (punctuation, spaces).
    ``沙坪坝区，5G`` → ``|---.|-``. Stopwords are words here; the words inside a long word and a
    figure's canonical token follow from these (``search.marks``), so a search marks its
    results without segmenting them again."""
    normalised = normalise(text).text
    bounds = [OUTSIDE] * len(normalised)
    for word in words(normalised, language, subwords=False):
        bounds[word.start : word.end] = WORD_START + IN_WORD * (word.end - word.start - 1)
    return "".join(bounds)


# What the workers make documents of: set before they are forked, inherited by them.
_job: tuple[list[Source], Language, Callable] | None = None


def _make(bounds: tuple[int, int]) -> list:
    sources, language, analyse = _job
    return [
        analyse(document(source, language), language) for source in sources[bounds[0] : bounds[1]]
    ]


def analysed_documents(
    sources: list[Source],
    language: Language,
    analyse: Callable,
    workers: int,
    progress: bool = False,
) -> Iterator:
    """``analyse(document)`` of every source, in order, made by ``workers`` processes when there
    are enough passages for it to pay, else here. The English and pinyin of every word are
    worked out first, once for all the workers (``index.build_words``; ``progress``: with a
    progress bar)."""
    global _job
    if workers < 2 or len(sources) < PARALLEL_FROM or not can_fork_workers():
        for source in sources:
            yield analyse(document(source, language), language)
        return
    language.warm()  # the segmenter loaded once, before the fork: every worker has it
    prepare_words([source.passage.text for source in sources], language, workers, progress)
    _job = (sources, language, analyse)
    try:
        chunks = [
            (start, min(start + CHUNK, len(sources))) for start in range(0, len(sources), CHUNK)
        ]
        with forked_pool(workers) as pool:
            for made in pool.imap(_make, chunks):
                yield from made
    finally:
        _job = None
