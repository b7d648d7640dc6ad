"""The fields of a passage document, defined once for every engine, the writer and the searcher.

Each engine makes its own schema from ``FIELDS`` (``index.engines.whoosh_engine``,
``index.engines.tantivy_engine``) and indexes the tokens of the analysers named here, so that a query
analysed by ``search.query`` finds what the writer wrote whatever the engine.
"""

from __future__ import annotations

from dataclasses import dataclass

from shuangyu.index.sources.passages import BODY, CAPTION, CREDIT, HEADING
from shuangyu.index.text.analysis import (
    bigram_analyzer,
    chinese_analyzer,
    english_analyzer,
    pinyin_analyzer,
)
from shuangyu.index.text.vocabulary import Vocabulary

# Bump when the fields or the analysis change: an index of another version is rebuilt.
SCHEMA_VERSION = 18  # 18: text_words stored, where each word of text begins and ends (issue 29)
# 17: the analysers moved to index/text/ (Whoosh pickles their import path)
# 16: passages cut at a hard length (issue 27)

# Captions and credits rank below body text for the same match; headings slightly below.
KIND_WEIGHTS = {BODY: 1.0, HEADING: 0.9, CAPTION: 0.6, CREDIT: 0.4}


def kind_weight(kind: str) -> float:
    """The factor of a passage's score for its kind."""
    return KIND_WEIGHTS.get(kind, 1.0)


@dataclass(frozen=True)
class Field:
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
    Field("id", "id", stored=True),
    Field("report_id", "id", stored=True),
    Field("report_title", "stored", stored=True),
    Field("kind", "id", stored=True),
    Field("ordinal", "number", stored=True),
    # Headings have no positions: a phrase cannot be checked there.
    Field("section", "text", stored=True, analyser="chinese"),
    Field("text", "text", stored=True, analyser="chinese", positions=True),
    Field("text_bigrams", "text", analyser="bigram", positions=True),
    # The best English available (machine translation, else the gloss shown, one sense a word)
    # and, always, the gloss shown; every sense of every word (gloss.search_gloss) is indexed
    # apart, in gloss_terms, so that a query finds a passage through any meaning of its words.
    Field("text_en", "text", stored=True, analyser="english", positions=True),
    Field("gloss_en", "stored", stored=True),
    Field("gloss_terms", "text", analyser="english"),
    Field("pinyin", "text", analyser="pinyin"),
    Field("translation_engine", "id", stored=True),
    Field("year", "number", stored=True),
    Field("date", "stored", stored=True),
    Field("content_hash", "id", stored=True),
    Field("spans", "stored", stored=True),
    # The page (a PDF's page label, or "first-last") a passage is printed on; "" without pages.
    Field("page", "stored", stored=True),
    # Which words of gloss_en stand for which words of text (index.english.alignment), so that a search
    # marks the same words in both languages without segmenting its results again.
    Field("gloss_alignment", "stored", stored=True),
    # Where each word of text that the index holds begins and ends (index.documents.word_bounds),
    # so that a search marks the words it matched without segmenting its results again.
    Field("text_words", "stored", stored=True),
    # The report's title and the passage's heading in English, made by the passages' engine
    # (a machine translation, else the gloss), and which engine made each.
    Field("report_title_en", "stored", stored=True),
    Field("report_title_engine", "stored", stored=True),
    Field("section_en", "stored", stored=True),
    Field("section_engine", "stored", stored=True),
)
FIELDS_BY_NAME = {field.name: field for field in FIELDS}


def analyser(name: str, vocabulary: Vocabulary):
    """The analyser called ``name`` in ``FIELDS``, cutting Chinese with ``vocabulary``."""
    if name == "chinese":
        return chinese_analyzer(vocabulary)
    return {"bigram": bigram_analyzer, "english": english_analyzer, "pinyin": pinyin_analyzer}[
        name
    ]()
