"""English dictionary gloss of Chinese text, word by word from CC-CEDICT: the one a reader is shown.

A gloss is not a translation, and the product says so wherever it shows one.

``gloss`` is the gloss a reader is shown: each jieba word becomes one English sense, the
commonest (``Dictionary.reading_sense``), or the official English of a term of the collection's
``glossary.tsv``; dates, ordinals, amounts and percentages are written as English
(``index.english.figures``: ``2017年3月5日`` → ``5 March 2017``); particles and measure words that
English has no word for are left out; names from the collection's ``names.tsv`` take the English
given there or are written in pinyin, as are characters without any sense (``歌乐山`` →
``Geleshan``). The English the index searches, every main sense of every word, is
``index.english.search_gloss`` (``search_gloss``, ``gloss_word``), kept importable from here.

Every function takes the ``Language`` of the index whose names it glosses with.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import Style, lazy_pinyin, pinyin
from pypinyin.phrases_dict import phrases_dict
from shuangyu.index.english.figures import CHINESE_NUMERAL, figures, number_english
from shuangyu.index.english.search_gloss import (
    _FUNCTION_WORDS,
    _known_parts,
    _name_english,
    could_gloss_as,
    gloss_stems,
    gloss_word,
    joined,
    pinyin_name,
    pinyin_stems,
    search_gloss,
)
from shuangyu.index.text.analysis import normalise, words
from shuangyu.index.text.language import Language, per_language
from shuangyu.index.text.numbers import chinese_numeral_value

__all__ = [
    "ENGINE",
    "GlossedWord",
    "could_gloss_as",
    "gloss",
    "gloss_of",
    "gloss_stems",
    "gloss_word",
    "glossed_words",
    "may_spell",
    "pinyin_name",
    "pinyin_of",
    "pinyin_stems",
    "pinyin_terms",
    "reading_word",
    "readings",
    "search_gloss",
    "word_pinyin",
]

ENGINE = "gloss"


@dataclass(frozen=True)
class GlossedWord:
    """A word of the source (its span in the source text) and its English."""

    start: int
    end: int
    source: str
    english: str


def glossed_words(text: str, language: Language) -> list[GlossedWord]:
    """The stretches of ``text`` that ``gloss`` shows, in order, each with its source span and
    the English shown for it: a word, or a whole date, ordinal or amount; a dropped particle or
    measure word has ``""``."""
    normalised = normalise(text)
    found = words(normalised.text, language, subwords=False)
    found_figures = figures(
        normalised.text, {word.start for word in found}, {word.end for word in found}
    )
    reading = reading_word.of(language)  # type: ignore[attr-defined]
    units = [(start, end, english) for start, end, english in found_figures]
    for word in found:
        if not found_figures:  # most passages: each word is glossed whole
            units.append((word.start, word.end, reading(word.text) if word.is_han else word.text))
            continue
        for start, end in _outside(word.start, word.end, found_figures):
            piece = normalised.text[start:end]
            if not word.is_han:
                english = piece
            elif (start, end) == (word.start, word.end):
                english = reading(piece)
            else:
                english = reading(piece) if len(piece) > 1 else _glossed_part(piece, language)
            units.append((start, end, english))
    if found_figures:
        units.sort()  # else in order already: the words do not overlap
    bounds = normalised.bounds
    result = []
    for start, end, english in units:
        source_start, source_end = bounds[start], bounds[end]
        result.append(GlossedWord(source_start, source_end, text[source_start:source_end], english))
    return result


def _outside(start: int, end: int, figures: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
    """The stretches of ``start:end`` that no figure covers."""
    pieces = [(start, end)]
    for figure_start, figure_end, _ in figures:
        if figure_start >= end or figure_end <= start:
            continue  # a figure elsewhere in the passage
        pieces = [
            part
            for piece_start, piece_end in pieces
            for part in (
                (piece_start, min(piece_end, figure_start)),
                (max(piece_start, figure_end), piece_end),
            )
            if part[0] < part[1]
        ]
    return pieces


def gloss(text: str, language: Language) -> str:
    """The gloss of ``text`` a reader is shown (see the module docstring), punctuation carried over."""
    return gloss_of(text, glossed_words(text, language))


def gloss_of(text: str, glossed: list[GlossedWord]) -> str:
    """``gloss(text)`` from its ``glossed_words``, for a caller that needs both."""
    return joined(text, [(word.start, word.end, word.english) for word in glossed])


# Words whose English a reader is better shown by hand: particles and measure words English has no
# word for (""), and the commonest characters, whose dictionary senses mix grammar and meaning
# (月 is "moon" before "month", 到 "leave for" before "to").
_READING_WORDS = _FUNCTION_WORDS | {
    "个": "",
    "们": "",
    "吗": "",
    "呢": "",
    "吧": "",
    "啊": "",
    "所": "",
    "得": "",
    "地": "",
    "月": "month",
    "日": "day",
    "到": "to",
    "上": "on",
    "下": "under",
    "中": "in",
    "后": "after",
    "前": "before",
    "过去": "past",
    "作": "make",
    "报告": "report",
    "代表": "representative",
    "我国": "China",
    "第": "number",
    "党": "Party",
    "各": "every",
    "每": "every",
    "年": "year",
    "来": "since",
    "多": "many",
}


@per_language(maxsize=100_000)
def reading_word(word: str, language: Language) -> str:
    """The English a reader is shown for one normalised word: one sense (see the module docstring)."""
    if word in _READING_WORDS:
        return _READING_WORDS[word]
    named = _name_english(word, language)
    if named:
        return named
    # A term of the collection's glossary is shown in its official English, not in the
    # dictionary's senses of its characters (乡村振兴: "rural revitalization", not "rustic revive").
    official = language.vocabulary.official_english.get(word)
    if official:
        return official
    value = chinese_numeral_value(word) if CHINESE_NUMERAL.fullmatch(word) else None
    if value is not None:
        return "one" if value == 1 else number_english(value)
    sense = language.dictionary.reading_sense(word)
    if sense:
        return sense
    if len(word) == 1:
        return pinyin_name(word)
    return " ".join(
        filter(
            None,
            (
                _glossed_part(part, language)
                for part in _known_parts(word, language, language.dictionary.reading_sense)
            ),
        )
    )


def _glossed_part(part: str, language: Language) -> str:
    """A part of a longer word: a lone character that is a particle there keeps its meaning."""
    if (
        len(part) == 1
        and _READING_WORDS.get(part) == ""
        and part not in ("的", "了", "着", "个", "们")
    ):
        return language.dictionary.reading_sense(part) or pinyin_name(part)
    return reading_word(part, language)


def pinyin_terms(text: str, language: Language) -> str:
    """Toneless pinyin of every word of ``text`` and of the dictionary words inside it,
    one word a token (``沙坪坝区`` → ``shapingbaqu shaping pingba baqu shapingba``)."""
    normalised = normalise(text)
    spelt = word_pinyin.of(language)  # type: ignore[attr-defined]
    return " ".join(
        spelt(word.text)
        for word in words(normalised.text, language, subwords=True)
        if word.is_han and not word.stopped
    )


@lru_cache(maxsize=100_000)
def pinyin_of(word: str) -> str:
    """Toneless pinyin of a word, as one token of the pinyin field: ``沙坪坝`` → ``shapingba``."""
    return "".join(lazy_pinyin(word))


@lru_cache(maxsize=30_000)
def readings(character: str) -> tuple[str, ...]:
    """Every toneless reading of a character that may start a word's pinyin: those of pypinyin's
    table (行 → xing, hang, heng) and those its phrases give it (乐 → le, yue; 乐亭 → lao)."""
    table = pinyin(character, style=Style.NORMAL, heteronym=True)[0]
    return tuple(dict.fromkeys([*table, *sorted(_phrase_openings().get(character, ()))]))


@lru_cache(maxsize=1)
def _phrase_openings() -> dict[str, frozenset[str]]:
    """The toneless first syllable of each of pypinyin's phrases, by the phrase's first character
    (0.1 s once)."""
    openings: dict[str, set[str]] = {}
    for phrase, syllables in phrases_dict.items():
        marked = unicodedata.normalize("NFD", syllables[0][0])
        toneless = "".join(c for c in marked if not unicodedata.combining(c)).replace("ü", "v")
        openings.setdefault(phrase[0], set()).add(toneless)
    return {character: frozenset(found) for character, found in openings.items()}


def may_spell(word: str, spellings: frozenset[str]) -> bool:
    """False when no pinyin of ``spellings`` can be ``pinyin_of(word)``: none starts with a
    reading of its first character. A few microseconds where ``pinyin_of`` takes a hundred
    and fifty for a word it has not seen: most words of a result are ruled out by this alone."""
    starts = readings(word[0])
    return any(spelt.startswith(starts) for spelt in spellings)


@per_language(maxsize=100_000)
def word_pinyin(word: str, language: Language) -> str:
    """``pinyin_of(word)``, kept in ``language``, where a build keeps the pinyin of all its
    words, worked out once for every worker (``index.build_words``)."""
    return "".join(lazy_pinyin(word))
