"""The English the index searches: every main sense of every word (``search_gloss``, and
``gloss_word`` for one word), never shown (``index.english.gloss`` makes the one a reader sees).

``物流`` → ``distribution/logistics``, so that an English query finds a passage through any sense
of its words. Words the dictionary lacks are glossed by the longest dictionary words inside
them, then by single characters; names by the English of the collection's ``names.tsv``, else
their pinyin. Latin words and numbers are kept as written. The answers depend on the index's
names, so their caches are its ``Language``'s.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pypinyin import lazy_pinyin
from shuangyu.index.text.analysis import english_analyzer, normalise, words
from shuangyu.index.text.language import Language, per_language

# Function words glossed by hand: their dictionary senses are grammar notes, not words.
_FUNCTION_WORDS = {
    "和": "and",
    "与": "and",
    "及": "and",
    "或": "or",
    "在": "in",
    "为": "for",
    "对": "to",
    "从": "from",
    "向": "towards",
    "将": "will",
    "是": "is",
    "并": "and",
    "以": "by",
    "让": "let",
    "使": "make",
    "被": "by",
    "其": "its",
    "这": "this",
    "那": "that",
    "也": "also",
    "都": "all",
    "而": "while",
    "就": "then",
    "之": "of",
    "的": "",
    "了": "",
    "着": "",
    "把": "",
    "等": "etc.",
}


def pinyin_name(word: str) -> str:
    """A name in toneless pinyin, capitalised: ``歌乐山`` → ``Geleshan``."""
    return "".join(lazy_pinyin(word)).capitalize()


def _name_english(word: str, language: Language) -> str:
    """The English of a name of the index (its own, else its pinyin); "" for other words."""
    name = language.vocabulary.names.get(word)
    if name and (name.english or name.is_proper):
        return name.english or pinyin_name(word)
    return ""


@per_language(maxsize=100_000)
def gloss_word(word: str, language: Language) -> str:
    """The English of one normalised word, with the index's names (see the module docstring)."""
    if word in _FUNCTION_WORDS:
        return _FUNCTION_WORDS[word]
    named = _name_english(word, language)
    if named:
        return named
    senses = language.dictionary.main_senses(word)
    if senses:
        return "/".join(senses)
    if len(word) == 1:
        return pinyin_name(word)
    return " ".join(
        filter(
            None,
            (
                gloss_word(part, language)
                for part in _known_parts(word, language, language.dictionary.main_senses)
            ),
        )
    )


def could_gloss_as(word: str, stems: frozenset[str], language: Language) -> bool:
    """False only when the English of ``gloss_word(word)`` has none of the analysed English
    words ``stems``, told without making it: an English query spares looking up most words of
    its results (a lookup each, for a passage not seen before).

    ``gloss_word`` takes its English from the function words, the index's names, the
    dictionary senses of the word or of the words inside it, and the pinyin of a character
    that has none of these: so a word can have a stem only if part of it is a function word,
    a name or a headword with that stem, or a character glossed by its pinyin."""
    glossing = _glossing(stems, language)
    length = len(word)
    if any(
        word[start:end] in glossing
        for start in range(length)
        for end in range(start + 1, length + 1)
    ):
        return True
    # A character without pinyin stands for itself, which no English stem is.
    if stems.isdisjoint(pinyin_stems()) and all(stem.isascii() for stem in stems):
        return False
    return any(
        _pinyin_glossed(char, language) and gloss_stems(char, language) & stems for char in word
    )


@per_language(maxsize=10_000)
def gloss_stems(word: str, language: Language) -> frozenset[str]:
    """The analysed English words of ``gloss_word(word)``: what an English query word is matched against."""
    return _stems_of(gloss_word(word, language))


@lru_cache(maxsize=1)
def pinyin_stems() -> frozenset[str]:
    """The analysed English of the pinyin of every character, as ``gloss_word`` gives a
    character it has no other English for: each character's first reading in pypinyin's table,
    without its tones, ü as v (what ``lazy_pinyin`` writes for one character, the same 415
    syllables in 40 ms instead of 550, which the first English query of a process waited for)."""
    from pypinyin.pinyin_dict import pinyin_dict

    syllables = {_toneless(readings.split(",")[0]) for readings in pinyin_dict.values()}
    return frozenset().union(*(_stems_of(syllable) for syllable in syllables))


def _toneless(reading: str) -> str:
    """A pinyin reading without its tone marks, ü written v: ``lǘ`` → ``lv``."""
    decomposed = unicodedata.normalize("NFKD", reading).replace("u\u0308", "v")
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@per_language(maxsize=256)
def _glossing(stems: frozenset[str], language: Language) -> frozenset[str]:
    """The function words, names and headwords whose own English has one of ``stems``."""
    found: set[str] = set()
    for stem in stems:
        found |= language.dictionary.headwords_with_stem(stem)
        found |= _function_words_by_stem().get(stem, set())
        found |= _names_by_stem(language).get(stem, set())
    return frozenset(found)


def _stems_of(english: str) -> frozenset[str]:
    return frozenset(english_analyzer().words(english))


@lru_cache(maxsize=1)
def _function_words_by_stem() -> dict[str, set[str]]:
    by_stem: dict[str, set[str]] = {}
    for word, english in _FUNCTION_WORDS.items():
        for stem in _stems_of(english):
            by_stem.setdefault(stem, set()).add(word)
    return by_stem


@per_language(maxsize=1)
def _names_by_stem(language: Language) -> dict[str, set[str]]:
    by_stem: dict[str, set[str]] = {}
    for word in language.vocabulary.names:
        for stem in _stems_of(_name_english(word, language)):
            by_stem.setdefault(stem, set()).add(word)
    return by_stem


@per_language(maxsize=20_000)
def _pinyin_glossed(char: str, language: Language) -> bool:
    """Whether ``gloss_word`` gives a character its pinyin, having no other English for it."""
    return (
        char not in _FUNCTION_WORDS
        and not _name_english(char, language)
        and not language.dictionary.main_senses(char)
    )


def _known_parts(word: str, language: Language, known) -> list[str]:
    """``word`` cut from the left into the longest pieces that are names or that ``known`` gives
    an English for (a lone character where none is)."""
    parts: list[str] = []
    start = 0
    while start < len(word):
        end = next(
            end
            for end in range(len(word), start, -1)
            if end - start == 1
            or (
                word[start:end] != word
                and (word[start:end] in language.vocabulary.names or known(word[start:end]))
            )
        )
        parts.append(word[start:end])
        start = end
    return parts


def search_gloss(text: str, language: Language) -> str:
    """Every main sense of every word of ``text`` (``gloss_word``), "/" between a word's senses:
    the English that the index searches, never shown."""
    normalised = normalise(text)
    bounds = normalised.bounds
    glossing = gloss_word.of(language)  # type: ignore[attr-defined]
    units = [
        (bounds[word.start], bounds[word.end], glossing(word.text) if word.is_han else word.text)
        for word in words(normalised.text, language, subwords=False)
    ]
    return joined(text, units)


def joined(text: str, units: list[tuple[int, int, str]]) -> str:
    """The English of ``units`` (source start, source end, English) of ``text`` as one line,
    the punctuation of the source between them in its English form (``gloss`` uses it too)."""
    pieces: list[str] = []
    position = 0
    for start, end, english in units:
        if start > position:  # else nothing between them: no punctuation
            pieces.append(_punctuation(text[position:start]))
        pieces.append(english)
        position = end
    pieces.append(_punctuation(text[position:]))
    line = " ".join(piece for piece in pieces if piece.strip())
    line = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", line)
    return re.sub(r"\s+", " ", _SPACE_AFTER_OPENING.sub(r"\1", line)).strip()


_PUNCTUATION = str.maketrans(
    {
        "、": ",",
        "。": ".",
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "《": '"',
        "》": '"',
        "「": '"',
        "」": '"',
        "『": '"',
        "』": '"',
        "·": " ",
        "—": "-",
    }
)
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([,.;:!?%)\]])")
_SPACE_AFTER_OPENING = re.compile(r"([(\[])\s+")


def _punctuation(between: str) -> str:
    return unicodedata.normalize("NFKC", between.translate(_PUNCTUATION)).strip()
