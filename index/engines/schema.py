"""The fields of a passage document, defined once for every engine, the writer and the searcher.

Each engine makes its own schema from ``FIELDS`` (``index.engines.whoosh_engine``,
``index.engines.tantivy_index``) and indexes the tokens of the analysers named here, so that a query
analysed by ``search.query`` finds what the writer wrote whatever the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from shuangyu.index.sources.lines import BODY, CAPTION, CREDIT, HEADING
from shuangyu.index.text.analysis import (
    BigramAnalyzer,
    ChineseAnalyzer,
    EnglishAnalyzer,
    PinyinAnalyzer,
    bigram_analyzer,
    chinese_analyzer,
    english_analyzer,
    pinyin_analyzer,
)
from shuangyu.index.text.language import Language

# Bump when the fields or the analysis change: an index of another version is rebuilt.
SCHEMA_VERSION = 22
# 22: those years only in the text, and only from a date that the report or its metadata gives
# 21: a word such as 去年 also indexes the year it names in its report (issue 26)
# 20: tantivy's sample level, to estimate the counts of very many matches (issue 31; every
# engine's index is rebuilt once, as for any version)
# 19: text_words stored, where each word of text begins and ends (issue 29)
# 18: the manifest's translator counts are "translators" (were "engines")
# 17: the analysers moved to index/text/ (Whoosh pickles their import path)
# 16: passages cut at a hard length (issue 27)

# Captions and credits rank below body text for the same match; headings slightly below.
KIND_WEIGHTS = {BODY: 1.0, HEADING: 0.9, CAPTION: 0.6, CREDIT: 0.4}


def kind_weight(kind: str) -> float:
    """The factor of a passage's score for its kind."""
    return KIND_WEIGHTS.get(kind, 1.0)


@dataclass(frozen=True)
class IndexField:
    """One field of a passage document.

    ``kind`` is ``id`` (one exact value, searchable and sortable), ``number`` (a whole
    number), ``text`` (words of ``analyser``, with their ``positions`` where phrases are
    searched) or ``stored`` (kept, never searched)."""

    name: str
    kind: str
    stored: bool = False
    analyser: str | None = None
    positions: bool = False


FIELDS = (
    IndexField("id", "id", stored=True),
    IndexField("report_id", "id", stored=True),
    IndexField("report_title", "stored", stored=True),
    IndexField("kind", "id", stored=True),
    IndexField("ordinal", "number", stored=True),
    # Headings have no positions: a phrase cannot be checked there.
    IndexField("section", "text", stored=True, analyser="chinese"),
    IndexField("text", "text", stored=True, analyser="chinese", positions=True),
    IndexField("text_bigrams", "text", analyser="bigram", positions=True),
    # The best English available (machine translation, else the gloss shown, one sense a word)
    # and, always, the gloss shown; every sense of every word (gloss.search_gloss) is indexed
    # apart, in gloss_terms, so that a query finds a passage through any meaning of its words.
    IndexField("text_en", "text", stored=True, analyser="english", positions=True),
    IndexField("gloss_en", "stored", stored=True),
    IndexField("gloss_terms", "text", analyser="english"),
    IndexField("pinyin", "text", analyser="pinyin"),
    IndexField("translation_engine", "id", stored=True),
    IndexField("year", "number", stored=True),
    IndexField("date", "stored", stored=True),
    IndexField("content_hash", "id", stored=True),
    IndexField("spans", "stored", stored=True),
    # The page (a PDF's page label, or "first-last") a passage is printed on; "" without pages.
    IndexField("page", "stored", stored=True),
    # Which words of gloss_en stand for which words of text (index.english.alignment), so that a search
    # marks the same words in both languages without segmenting its results again.
    IndexField("gloss_alignment", "stored", stored=True),
    # Where each word of text that the index holds begins and ends (index.documents.word_bounds),
    # so that a search marks the words it matched without segmenting its results again.
    IndexField("text_words", "stored", stored=True),
    # The report's title and the passage's heading in English, made by the passages' engine
    # (a machine translation, else the gloss), and which engine made each.
    IndexField("report_title_en", "stored", stored=True),
    IndexField("report_title_engine", "stored", stored=True),
    IndexField("section_en", "stored", stored=True),
    IndexField("section_engine", "stored", stored=True),
)


class StoredPassage(TypedDict):
    """The stored fields of a passage (``FIELDS`` with ``stored=True``), as a reader gives them."""

    id: str
    report_id: str
    report_title: str
    kind: str
    ordinal: int
    section: str
    text: str
    text_en: str
    gloss_en: str
    translation_engine: str
    year: int
    date: str
    content_hash: str
    # (start, end) of each piece of the report's text the passage was made of.
    spans: list[list[int]]
    page: str
    # Flattened (Chinese start, end, English start, end) per aligned word (index.english.alignment).
    gloss_alignment: list[int]
    # Where each word of text begins ('|'), goes on ('-'), or a character is outside words ('.').
    text_words: str
    report_title_en: str
    report_title_engine: str
    section_en: str
    section_engine: str


def analyser(
    name: str, language: Language
) -> ChineseAnalyzer | BigramAnalyzer | EnglishAnalyzer | PinyinAnalyzer:
    """The analyser called ``name`` in ``FIELDS``, cutting Chinese with ``language``."""
    if name == "chinese":
        return chinese_analyzer(language)
    if name == "bigram":
        return bigram_analyzer()
    if name == "english":
        return english_analyzer()
    if name == "pinyin":
        return pinyin_analyzer()
    raise KeyError(name)
