"""The analysers, defined once for the index writer, the query parser and the highlighter.

Chinese text is normalised (``index.text.normalising``: NFKC, lower case, traditional →
simplified, with every character's offset mapped back to the original text), then cut into
words with the names and terms of the index's vocabulary (``index.text.segmenting``, with the
segmenter of its ``index.text.language.Language``), or into character bigrams. English is cut
into words, stopwords dropped, and stemmed (Porter); pinyin into its words.

The analysers belong to no engine: each engine indexes the tokens they make (``index.engines.seam``).
The Whoosh engine pickles them into its index: their import path (``shuangyu.index.text.analysis``),
class names and pickled state are part of its on-disk format.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import Stemmer
from shuangyu.index.text.language import Language
from shuangyu.index.text.normalising import (
    Normalised,
    has_han,
    is_han_only,
    is_latin_word,
    normalise,
)
from shuangyu.index.text.segmenting import (
    STOPWORDS,
    Word,
    bigram_tokens,
    bigrams,
    query_words,
    words,
)

# Kept importable from here, where the analysis was one module.
__all__ = [
    "STOPWORDS",
    "BigramAnalyzer",
    "ChineseAnalyzer",
    "EnglishAnalyzer",
    "Normalised",
    "PinyinAnalyzer",
    "Token",
    "Word",
    "bigram_analyzer",
    "bigrams",
    "chinese_analyzer",
    "english_analyzer",
    "english_key",
    "english_spans_of",
    "has_han",
    "is_han_only",
    "is_latin_word",
    "normalise",
    "pinyin_analyzer",
    "query_words",
    "stem",
    "words",
]


@dataclass(frozen=True, slots=True)
class Token:
    """One token of analysed text: its indexed form, its position (counting words) and the
    span ``start:end`` of the source text it came from (``text[start:end]``)."""

    text: str
    position: int
    start: int
    end: int


class ChineseAnalyzer:
    """Chinese words (``index.text.segmenting``), cut with the names and terms of one index's
    ``Language``.

    At index time (``mode="index"``) a long word is followed by its dictionary sub-words at the
    same position; a query (any other mode) is cut into whole words only, so that a quoted
    phrase is a sequence of consecutive positions. Stopwords take no position; with
    ``removestops=False`` they are kept (at the position of the next word).
    """

    def __init__(self, language: Language):
        self.language = language

    def __call__(
        self, text: str, mode: str = "query", removestops: bool = True, year: int | None = None
    ) -> Iterator[Token]:
        """The tokens of ``text``; at index time, of a text written in ``year`` (when known), with
        the year each word such as 去年 names (``index.text.segmenting.words``)."""
        normalised = normalise(text)
        span = normalised.source_span
        indexing = mode == "index"
        for word in words(normalised.text, self.language, indexing, year if indexing else None):
            if not (word.stopped and removestops):
                yield Token(word.text, word.position, *span(word.start, word.end))

    def index_tokens(self, text: str, year: int | None = None) -> list[tuple[str, int, int, int]]:
        """The tokens of ``mode="index"`` (of a text written in ``year``) as (text, position,
        start, end): what an engine is given at build time, without a ``Token`` each."""
        normalised = normalise(text)
        bounds = normalised.bounds
        return [
            (word.text, word.position, bounds[word.start], bounds[word.end])
            for word in words(normalised.text, self.language, subwords=True, year=year)
            if not word.stopped
        ]

    # Pickled into every Whoosh index as it was before there was a Language (its vocabulary),
    # so that indexes built before read the same: an unpickled analyser has a language of its
    # own, which only cuts words (Whoosh cuts with it when it updates an index).
    def __getstate__(self) -> dict:
        return {"vocabulary": self.language.vocabulary}

    def __setstate__(self, state: dict) -> None:
        self.language = Language(state["vocabulary"])


class BigramAnalyzer:
    """Overlapping Han character bigrams (see ``bigrams``)."""

    def __call__(self, text: str, mode: str = "query") -> Iterator[Token]:
        normalised = normalise(text)
        span = normalised.source_span
        for gram, position, start, end in bigrams(normalised.text):
            yield Token(gram, position, *span(start, end))

    def index_tokens(self, text: str) -> list[tuple[str, int, int, int]]:
        """The tokens as (text, position, start, end), as ``ChineseAnalyzer.index_tokens``."""
        normalised = normalise(text)
        return bigram_tokens(normalised.text, normalised.bounds)


# Function words of English that carry no meaning for search (Whoosh's list, which the first
# indexes used), and words of a question ("what is the target for GDP growth") that say
# nothing of its subject.
ENGLISH_STOPWORDS = frozenset(
    "a an and are as at be by can for from have if in is it may not of on or tbd that the "
    "this to us we when will with yet you your".split()
)
QUESTION_WORDS = frozenset(
    "what which who whom whose where when why how does did do was were been being about "
    "there any many much its their they".split()
)
_ENGLISH_WORD = re.compile(r"[\w*]+(?:\.?[\w*]+)*")
# A word shorter than this is no search term ("s" of "Xi's").
_ENGLISH_MIN_CHARS = 2


@lru_cache(maxsize=1)
def _porter() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("porter")


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The Porter stem of a lower-case English word (Snowball's implementation)."""
    return _porter().stemWord(word)


def english_spans_of(text: str, stems: frozenset[str]) -> list[tuple[int, int]]:
    """The spans of the words of ``text`` (as the English analyser cuts them, stopwords
    included) whose stem is one of ``stems``, found without stemming every word of the text.

    Porter's stemmer rewrites at most the last two letters of the stem it keeps (checked on
    every English word of CC-CEDICT), so a word whose stem is ``s`` starts with ``s`` but for its
    last two letters: only words that begin so are cut out and stemmed."""
    if not stems:
        return []
    spans = []
    for match in _stem_prefixes(stems).finditer(text):
        start = match.start()
        if start and (
            _ENGLISH_CHAR.match(text, start - 1)
            or text[start - 1] == "."
            and start > 1
            and _ENGLISH_CHAR.match(text, start - 2)
        ):
            continue  # inside a word (or after the dot of one such as U.S), not at its start
        word = _ENGLISH_WORD.match(text, start)
        if stem(word.group().lower()) in stems:
            spans.append((start, word.end()))
    return spans


_ENGLISH_CHAR = re.compile(r"[\w*]")


@lru_cache(maxsize=256)
def _stem_prefixes(stems: frozenset[str]) -> re.Pattern:
    # An empty stem (of the word "s") is no search term: the English analyser keeps no such word.
    prefixes = sorted(
        {word[: max(1, len(word) - 2)] for word in stems if word}, key=len, reverse=True
    )
    if not prefixes:
        return re.compile(r"(?!)")  # matches nothing
    return re.compile("|".join(map(re.escape, prefixes)), re.IGNORECASE)


@lru_cache(maxsize=50_000)
def _term(word: str) -> str | None:
    """What the English analyser indexes of ``word`` as written: its stem, or ``None`` for a
    word it drops. Once per distinct word: the gloss repeats the same few thousand words."""
    lowered = word.lower()
    if (
        len(lowered) < _ENGLISH_MIN_CHARS
        or lowered in ENGLISH_STOPWORDS
        or lowered in QUESTION_WORDS
    ):
        return None
    return stem(lowered)


class EnglishAnalyzer:
    """English words: lower case, stopwords and question words dropped (they take no
    position), Porter stems."""

    def __call__(self, text: str, mode: str = "query") -> Iterator[Token]:
        position = 0
        for match in _ENGLISH_WORD.finditer(text):
            word = match.group().lower()
            if (
                len(word) < _ENGLISH_MIN_CHARS
                or word in ENGLISH_STOPWORDS
                or word in QUESTION_WORDS
            ):
                continue
            yield Token(stem(word), position, match.start(), match.end())
            position += 1

    def words(self, text: str) -> list[str]:
        """The words of the tokens, in order (one at each position): without the spans, for an
        index that needs none."""
        return [term for term in map(_term, _ENGLISH_WORD.findall(text)) if term is not None]


class PinyinAnalyzer:
    """Toneless pinyin syllables joined per word, as ``index.english.gloss.pinyin_terms`` writes them."""

    def __call__(self, text: str, mode: str = "query") -> Iterator[Token]:
        for position, match in enumerate(_PINYIN_WORD.finditer(text)):
            yield Token(match.group(), position, match.start(), match.end())

    def words(self, text: str) -> list[str]:
        """The words of the tokens, in order (one at each position)."""
        return _PINYIN_WORD.findall(text)


_PINYIN_WORD = re.compile(r"[a-z0-9]+")


def chinese_analyzer(language: Language) -> ChineseAnalyzer:
    """The analyser of the Chinese word fields (text, section), cutting with ``language``."""
    return ChineseAnalyzer(language)


def bigram_analyzer() -> BigramAnalyzer:
    """The analyser of the Chinese bigram field."""
    return BigramAnalyzer()


def english_analyzer() -> EnglishAnalyzer:
    """The analyser of the English fields."""
    return EnglishAnalyzer()


def english_key(text: str) -> str:
    """``text`` as the English field indexes it, one string: how English is matched against
    the dictionary's senses."""
    return " ".join(EnglishAnalyzer().words(text))  # the tokens' words, made without a Token each


def pinyin_analyzer() -> PinyinAnalyzer:
    """The analyser of the pinyin field."""
    return PinyinAnalyzer()
