"""Which characters of a result to mark: where the engine matched the compiled query.

A passage's Chinese is marked from what the build recorded (``text_words`` of
``index.engines.schema``: where each word of the index's analysis begins and ends in the
normalised text), matched against the words the query tree searched (``search.searched``), field
by field:

- ``text``: a word of the passage (or a dictionary word inside a longer one, or the figure a
  number stands for) that is a searched word;
- ``text_bigrams``: the characters a bigram phrase spells, wherever they stand (part of a word,
  坪坝 in 沙坪坝区), and a lone character only where it stands alone;
- the English fields (``text_en``, ``gloss_terms``): a word whose dictionary English is one of
  the English words typed; ``pinyin``: a word spelt by the pinyin searched.

No passage is segmented again. A section heading is marked where a query word occurs in it,
once for its HTML and for ``matched_in``. The English is marked in one pass over its words.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

from shuangyu.index.documents import IN_WORD, OUTSIDE, WORD_START
from shuangyu.index.english.gloss import gloss_stems
from shuangyu.index.text.analysis import (
    Normalised,
    english_spans_of,
    has_han,
    is_han_only,
    normalise,
    stem,
)
from shuangyu.index.text.language import Language
from shuangyu.index.text.numbers import RELATIVE_YEARS, aliases
from shuangyu.search.glossed_marks import WordMark, word_marks
from shuangyu.search.searched import searched_words, spelt

Span = tuple[int, int]

_WORD = re.compile(rf"\{WORD_START}{IN_WORD}*")

# Why a result matched (``matched_in``), from the most to the least visible.
MATCHED_IN = ("text", "heading", "english", "meaning")


def merge(spans: list[Span]) -> list[Span]:
    """Sorted, non-overlapping spans covering the same characters."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


@dataclass(frozen=True)
class ChineseTerms:
    """What to mark in a passage's Chinese: the words searched in ``text`` (``inner``: those
    also indexed inside a longer word), the stretches spelt by bigram phrases, the English words
    typed (their Chinese is marked) and the pinyin searched."""

    words: frozenset[str]
    inner: frozenset[str]
    stretches: frozenset[str]
    english: frozenset[str]
    pinyin: frozenset[str]
    # Where each word of the results is marked through ``english`` or ``pinyin``
    # (``word_marks``): kept while the terms are, for the results of one query share their words.
    _word_marks: dict[str, tuple[WordMark, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def word_marks(self, word: str, language: Language) -> tuple[WordMark, ...]:
        """Where an indexed word of a passage is marked through the English words typed or
        the pinyin searched (``word_marks``); each distinct word looked up once a query."""
        found = self._word_marks.get(word)
        if found is None:
            found = self._word_marks[word] = word_marks(word, self.english, self.pinyin, language)
        return found


# The terms of each compiled query, made for its first result and kept while the query is.
_TERMS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def chinese_terms(compiled, language: Language) -> ChineseTerms:
    """The ``ChineseTerms`` of a compiled query (``search.query.CompiledQuery``) of an index
    of ``language``."""
    terms = _TERMS.get(compiled.query)
    if terms is None:
        terms = _TERMS[compiled.query] = _chinese_terms(compiled, language)
    return terms


def _chinese_terms(compiled, language: Language) -> ChineseTerms:
    searched = searched_words(compiled.query)
    stretches = frozenset(
        filter(None, (spelt(grams) for grams in searched.phrases.get("text_bigrams", [])))
    )
    english = searched.of("text_en", "gloss_terms")
    # A Chinese query word searched through its English (lang=en) matched where the passage
    # holds it: its English is that of the passage's word.
    through_english = {
        word
        for word in compiled.chinese_terms
        if has_han(word) and (stems := gloss_stems(word, language)) and stems <= english
    }
    # A stretch of two characters or more marks every place the same word could.
    words = frozenset(
        (searched.of("text") | through_english)
        - {stretch for stretch in stretches if len(stretch) > 1}
    )
    has_word = _has_word(language)
    return ChineseTerms(
        words,
        # A dictionary word of two or three characters is also indexed inside a longer word.
        frozenset(
            word for word in words if 2 <= len(word) <= 3 and is_han_only(word) and has_word(word)
        ),
        stretches,
        frozenset(compiled.typed_english_terms & english),
        frozenset(searched.of("pinyin")),
    )


def chinese_marks(
    text: str, words_at: str, language: Language, terms: ChineseTerms, year: int | None = None
) -> list[Span]:
    """Spans of ``text`` (of a passage that speaks in ``year``) to mark (see the module
    docstring), ``words_at`` being its stored ``text_words``. A word found through its English
    is marked only where its English is: ``logistics`` marks 物流 in 物流业 and 物流园 (the part
    whose English it is), and a whole word only when no part of it has that English."""
    normalised = normalise(text)
    spans = _word_spans(normalised, words_at, terms, year)
    for stretch in terms.stretches:
        spans.extend(_stretch_spans(normalised, stretch))
    if not (terms.english or terms.pinyin):
        return merge(spans)
    by_english: list[Span] = []  # whole words whose English is a query term
    parts_by_english: list[Span] = []  # words inside a longer word whose English is a query term
    plain = normalised.text
    for match in _WORD.finditer(words_at):
        start = match.start()
        for mark in terms.word_marks(plain[start : match.end()], language):
            span = normalised.source_span(start + mark.start, start + mark.end)
            if mark.how == "pinyin":
                spans.append(span)
            else:
                (parts_by_english if mark.subword else by_english).append(span)
    for start, end in by_english:
        inside = [
            (s, e)
            for s, e in spans + parts_by_english
            if start <= s and e <= end and (s, e) != (start, end)
        ]
        spans.extend(inside or [(start, end)])
    return merge(spans)


def _has_word(language: Language) -> Callable[[str], bool]:
    """Whether the index's segmenter knows a word: the dictionary words inside a long word are
    indexed at its place (``index.text.analysis.words``). A look-up, not a segmentation."""
    return language.segmenter.has_word


def _word_at(words_at: str, start: int) -> Span | None:
    """The word of ``words_at`` that holds character ``start``, or ``None`` outside words."""
    if words_at[start] == OUTSIDE:
        return None
    first = words_at.rfind(WORD_START, 0, start + 1)
    match = _WORD.match(words_at, first)
    return first, match.end()


def _word_spans(
    normalised: Normalised, words_at: str, terms: ChineseTerms, year: int | None
) -> list[Span]:
    """Source spans of the passage's indexed words that are one of ``terms.words``; in a
    passage of ``year``, a word such as 去年 where the year it names is one of them."""
    spans: list[Span] = []
    text = normalised.text
    for word in terms.words:
        inner = word in terms.inner
        start = text.find(word)
        while start != -1:
            end = start + len(word)
            holder = _word_at(words_at, start)
            if holder == (start, end) or (
                inner and holder and end <= holder[1] and holder[1] - holder[0] > 2
            ):
                spans.append(normalised.source_span(start, end))
            start = text.find(word, start + 1)
    if any(word == "年" or any(char.isdigit() for char in word) for word in terms.words):
        # A figure's canonical token (5000000 for 500万, 1953 for 一九五三年) is indexed at the
        # word where the figure starts.
        for token, start, end in aliases(text):
            if token in terms.words and words_at[start] != OUTSIDE:
                spans.append(normalised.source_span(start, end))
        for word, offset in RELATIVE_YEARS.items() if year is not None else ():
            if str(year + offset) in terms.words:  # indexed so (index.text.segmenting.words)
                start = text.find(word)
                while start != -1:
                    # Where the index has it: a word that starts with it (not 去|年轻化).
                    if words_at[start : start + 2] == WORD_START + IN_WORD:
                        spans.append(normalised.source_span(start, start + len(word)))
                    start = text.find(word, start + 1)
    return spans


def _stretch_spans(normalised: Normalised, stretch: str) -> list[Span]:
    """Source spans where the characters ``stretch`` stand: anywhere for two or more, and a
    lone character only between two characters that are not Han (as bigrams index it)."""
    spans: list[Span] = []
    text = normalised.text
    start = text.find(stretch)
    while start != -1:
        end = start + len(stretch)
        if len(stretch) > 1 or not (
            (start and has_han(text[start - 1])) or (end < len(text) and has_han(text[end]))
        ):
            spans.append(normalised.source_span(start, end))
        start = text.find(stretch, start + 1)
    return spans


def heading_marks(section: str, terms: set[str]) -> list[Span]:
    """Spans of a section heading where a normalised query word occurs (a traditional-character
    query marks the simplified heading)."""
    normalised = normalise(section)
    spans: list[Span] = []
    for term in terms:
        if not term:
            continue
        start = normalised.text.find(term)
        while start != -1:
            spans.append(normalised.source_span(start, start + len(term)))
            start = normalised.text.find(term, start + 1)
    return merge(spans)


def english_marks(text_en: str, terms: set[str], typed: set[str]) -> tuple[list[Span], list[Span]]:
    """Spans of the English text whose analysed (stemmed) word is one of ``terms``, and those
    of them whose word is one of ``typed`` (a part of ``terms``), found in one pass.

    The words are those of the English analyser (``analysis.english_spans_of``): running the
    analyser itself on every result's text was most of a query's highlighting time."""
    spans = english_spans_of(text_en, frozenset(terms))
    typed_spans = [span for span in spans if typed and stem(text_en[slice(*span)].lower()) in typed]
    return merge(spans), merge(typed_spans)


def matched_in(marks: list[Span], heading: list[Span]) -> str:
    """Why a result matched, for the reader: ``text`` when its Chinese shows a mark, else
    ``heading`` when its section heading shows one, else ``english`` (its English matched)."""
    if marks:
        return "text"
    if heading:
        return "heading"
    return "english"
