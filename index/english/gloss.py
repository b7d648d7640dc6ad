"""English dictionary gloss of Chinese text, word by word from CC-CEDICT: one for reading, one for searching.

A gloss is not a translation, and the product says so wherever it shows one.

``gloss`` is the gloss a reader is shown: each jieba word becomes one English sense, the
commonest (``cedict.reading_sense``), or the official English of a term of the collection's
``glossary.tsv``; dates, ordinals, amounts and percentages are written as
English (``2017年3月5日`` → ``5 March 2017``, ``第十二届`` → ``12th``, ``1600亿元`` → ``160 billion
yuan``); particles and measure words that English has no word for are left out; names from the
collection's ``names.tsv`` take the English given there or are written in pinyin, as are
characters without any sense (``歌乐山`` → ``Geleshan``).

``search_gloss`` (and ``gloss_word``, for query words) keeps every main sense of every word
(``物流`` → ``distribution/logistics``), so that an English query finds a passage through any
sense of its words. Words the dictionary lacks are glossed by the longest dictionary words inside
them, then by single characters. Latin words and numbers are kept as written.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from pypinyin import lazy_pinyin
from shuangyu.index.english.cedict import headwords_with_stem, main_senses, reading_sense
from shuangyu.index.text.analysis import english_analyzer, normalise, words
from shuangyu.index.text.numbers import chinese_numeral_value
from shuangyu.index.text.vocabulary import Vocabulary

ENGINE = "gloss"

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


@dataclass(frozen=True)
class GlossedWord:
    """A word of the source (its span in the source text) and its English."""

    start: int
    end: int
    source: str
    english: str


def pinyin_name(word: str) -> str:
    """A name in toneless pinyin, capitalised: ``歌乐山`` → ``Geleshan``."""
    return "".join(lazy_pinyin(word)).capitalize()


def _name_english(word: str, vocabulary: Vocabulary) -> str:
    """The English of a name of the vocabulary (its own, else its pinyin); "" for other words."""
    name = vocabulary.names.get(word)
    if name and (name.english or name.is_proper):
        return name.english or pinyin_name(word)
    return ""


@lru_cache(maxsize=100_000)
def gloss_word(word: str, vocabulary: Vocabulary) -> str:
    """The English of one normalised word, with the vocabulary's names (see the module docstring)."""
    if word in _FUNCTION_WORDS:
        return _FUNCTION_WORDS[word]
    named = _name_english(word, vocabulary)
    if named:
        return named
    senses = main_senses(word)
    if senses:
        return "/".join(senses)
    if len(word) == 1:
        return pinyin_name(word)
    return " ".join(
        filter(
            None,
            (gloss_word(part, vocabulary) for part in _known_parts(word, vocabulary, main_senses)),
        )
    )


def could_gloss_as(word: str, stems: frozenset[str], vocabulary: Vocabulary) -> bool:
    """False only when the English of ``gloss_word(word)`` has none of the analysed English
    words ``stems``, told without making it: an English query spares looking up most words of
    its results (a lookup each, for a passage not seen before).

    ``gloss_word`` takes its English from the function words, the vocabulary's names, the
    dictionary senses of the word or of the words inside it, and the pinyin of a character
    that has none of these: so a word can have a stem only if part of it is a function word,
    a name or a headword with that stem, or a character glossed by its pinyin."""
    glossing = _glossing(stems, vocabulary)
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
        _pinyin_glossed(char, vocabulary) and gloss_stems(char, vocabulary) & stems for char in word
    )


@lru_cache(maxsize=10_000)
def gloss_stems(word: str, vocabulary: Vocabulary) -> frozenset[str]:
    """The analysed English words of ``gloss_word(word)``: what an English query word is matched against."""
    return _stems_of(gloss_word(word, vocabulary))


@lru_cache(maxsize=1)
def pinyin_stems() -> frozenset[str]:
    """The analysed English of the pinyin of every character, as ``gloss_word`` gives a
    character it has no other English for (about half a second, once)."""
    from pypinyin.pinyin_dict import pinyin_dict

    syllables = set(lazy_pinyin([chr(code) for code in pinyin_dict]))
    return frozenset().union(*(_stems_of(syllable) for syllable in syllables))


@lru_cache(maxsize=256)
def _glossing(stems: frozenset[str], vocabulary: Vocabulary) -> frozenset[str]:
    """The function words, names and headwords whose own English has one of ``stems``."""
    found: set[str] = set()
    for stem in stems:
        found |= headwords_with_stem(stem)
        found |= _function_words_by_stem().get(stem, set())
        found |= _names_by_stem(vocabulary).get(stem, set())
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


@lru_cache(maxsize=2)  # a server holds the old index's vocabulary until its last search ends
def _names_by_stem(vocabulary: Vocabulary) -> dict[str, set[str]]:
    by_stem: dict[str, set[str]] = {}
    for word in vocabulary.names:
        for stem in _stems_of(_name_english(word, vocabulary)):
            by_stem.setdefault(stem, set()).add(word)
    return by_stem


@lru_cache(maxsize=20_000)
def _pinyin_glossed(char: str, vocabulary: Vocabulary) -> bool:
    """Whether ``gloss_word`` gives a character its pinyin, having no other English for it."""
    return (
        char not in _FUNCTION_WORDS
        and not _name_english(char, vocabulary)
        and not main_senses(char)
    )


def _known_parts(word: str, vocabulary: Vocabulary, known) -> list[str]:
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
                and (word[start:end] in vocabulary.names or known(word[start:end]))
            )
        )
        parts.append(word[start:end])
        start = end
    return parts


def glossed_words(text: str, vocabulary: Vocabulary) -> list[GlossedWord]:
    """The stretches of ``text`` that ``gloss`` shows, in order, each with its source span and
    the English shown for it: a word, or a whole date, ordinal or amount; a dropped particle or
    measure word has ``""``."""
    normalised = normalise(text)
    found = words(normalised.text, vocabulary, subwords=False)
    figures = _figures(
        normalised.text, {word.start for word in found}, {word.end for word in found}
    )
    units = [(start, end, english) for start, end, english in figures]
    for word in found:
        for start, end in _outside(word.start, word.end, figures):
            piece = normalised.text[start:end]
            if not word.is_han:
                english = piece
            elif (start, end) == (word.start, word.end):
                english = reading_word(piece, vocabulary)
            else:
                english = (
                    reading_word(piece, vocabulary)
                    if len(piece) > 1
                    else _glossed_part(piece, vocabulary)
                )
            units.append((start, end, english))
    result = []
    for start, end, english in sorted(units):
        source_start, source_end = normalised.source_span(start, end)
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


def gloss(text: str, vocabulary: Vocabulary) -> str:
    """The gloss of ``text`` a reader is shown (see the module docstring), punctuation carried over."""
    return gloss_of(text, glossed_words(text, vocabulary))


def gloss_of(text: str, glossed: list[GlossedWord]) -> str:
    """``gloss(text)`` from its ``glossed_words``, for a caller that needs both."""
    return _joined(text, [(word.start, word.end, word.english) for word in glossed])


def search_gloss(text: str, vocabulary: Vocabulary) -> str:
    """Every main sense of every word of ``text`` (``gloss_word``), "/" between a word's senses:
    the English that the index searches, never shown."""
    normalised = normalise(text)
    units = []
    for word in words(normalised.text, vocabulary, subwords=False):
        start, end = normalised.source_span(word.start, word.end)
        units.append(
            (start, end, word.text if not word.is_han else gloss_word(word.text, vocabulary))
        )
    return _joined(text, units)


def _joined(text: str, units: list[tuple[int, int, str]]) -> str:
    pieces: list[str] = []
    position = 0
    for start, end, english in units:
        pieces.append(_punctuation(text[position:start]))
        pieces.append(english)
        position = end
    pieces.append(_punctuation(text[position:]))
    joined = " ".join(piece for piece in pieces if piece.strip())
    joined = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", joined)
    return re.sub(r"\s+", " ", _SPACE_AFTER_OPENING.sub(r"\1", joined)).strip()


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


@lru_cache(maxsize=100_000)
def reading_word(word: str, vocabulary: Vocabulary) -> str:
    """The English a reader is shown for one normalised word: one sense (see the module docstring)."""
    if word in _READING_WORDS:
        return _READING_WORDS[word]
    named = _name_english(word, vocabulary)
    if named:
        return named
    # A term of the collection's glossary is shown in its official English, not in the
    # dictionary's senses of its characters (乡村振兴: "rural revitalization", not "rustic revive").
    official = vocabulary.official_english.get(word)
    if official:
        return official
    value = chinese_numeral_value(word) if _CHINESE_NUMERAL.fullmatch(word) else None
    if value is not None:
        return "one" if value == 1 else _number(value)
    sense = reading_sense(word)
    if sense:
        return sense
    if len(word) == 1:
        return pinyin_name(word)
    return " ".join(
        filter(
            None,
            (
                _glossed_part(part, vocabulary)
                for part in _known_parts(word, vocabulary, reading_sense)
            ),
        )
    )


def _glossed_part(part: str, vocabulary: Vocabulary) -> str:
    """A part of a longer word: a lone character that is a particle there keeps its meaning."""
    if (
        len(part) == 1
        and _READING_WORDS.get(part) == ""
        and part not in ("的", "了", "着", "个", "们")
    ):
        return reading_sense(part) or pinyin_name(part)
    return reading_word(part, vocabulary)


# Figures written as English. A pattern with Chinese numerals counts only where it is whole
# jieba words (一般 is not the number one); Arabic digits are figures wherever they stand.
_CN_DIGIT = "〇零一二两三四五六七八九"
_CHINESE_NUMERAL = re.compile(rf"[{_CN_DIGIT}十百千]*[{_CN_DIGIT}十][{_CN_DIGIT}十百千]*")
_NUMBER = rf"(?:\d+(?:\.\d+)?|[{_CN_DIGIT}十百千]+)"
_SMALL = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})"
_YEAR = rf"(?:\d{{4}}|[{_CN_DIGIT}]{{4}})"
_YEAR_DIGITS = {char: digit for digit, char in enumerate("〇一二三四五六七八九")} | {"零": 0}
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_SCALES = {"万亿": 10**12, "万多亿": 10**12, "亿": 10**8, "万": 10**4}
_UNITS = {
    "美元": "",
    "元": "yuan",
    "人": "people",
    "户": "households",
    "吨": "tonnes",
    "公里": "km",
    "亩": "mu",
    "千瓦": "kW",
    "斤": "jin",
    "人次": "person-times",
}
_MEASURES = "个项条件位座名批只台辆所家支"
_ORDINAL_WORDS = (
    "zeroth",
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
)
_FIGURE_PATTERNS = (
    ("date", re.compile(rf"(?P<year>{_YEAR})年(?P<month>{_SMALL})月(?:(?P<day>{_SMALL})[日号])?")),
    ("day", re.compile(rf"(?P<month>{_SMALL})月(?P<day>{_SMALL})[日号]")),
    ("year", re.compile(rf"(?P<year>{_YEAR})年(?!代)")),
    (
        "ordinal",
        re.compile(
            rf"第(?P<number>{_NUMBER})(?:[届次{_MEASURES}])?|(?P<bare>{_NUMBER})(?:届|次(?=(?:全体)?会议))"
        ),
    ),
    ("plenum", re.compile(rf"(?P<number>{_NUMBER})中全会")),
    ("percent", re.compile(rf"百分之(?P<number>{_NUMBER}(?:点[{_CN_DIGIT}]+)?)")),
    (
        "amount",
        re.compile(
            rf"(?P<number>{_NUMBER})(?P<scale>万亿|万多亿|亿|万)(?P<more>多)?(?P<unit>{'|'.join(_UNITS)})?"
        ),
    ),
    ("money", re.compile(r"(?P<number>\d+(?:\.\d+)?)(?P<unit>美元|元)")),
    ("count", re.compile(rf"(?P<number>{_NUMBER})[{_MEASURES}]")),
)


def _figures(text: str, word_starts: set[int], word_ends: set[int]) -> list[tuple[int, int, str]]:
    """The dates, ordinals, percentages and amounts of normalised ``text`` with their English,
    as ``(start, end, english)``, in order and not overlapping (the longest where two start together)."""
    candidates = []
    for kind, pattern in _FIGURE_PATTERNS:
        for match in pattern.finditer(text):
            chinese = bool(re.search(f"[{_CN_DIGIT}十百千]", match.group()))
            groups, end = match.groupdict(), match.end()
            if (
                chinese
                and end not in word_ends
                and groups.get("unit")
                and match.start("unit") in word_ends
            ):
                # 十三亿多人口: the unit's character begins the next word, 人口.
                groups, end = groups | {"unit": None}, match.start("unit")
            if match.start() not in word_starts or (chinese and end not in word_ends):
                continue
            english = _figure_english(kind, groups)
            if english is not None:
                candidates.append((match.start(), -end, english))
    chosen: list[tuple[int, int, str]] = []
    for start, negative_end, english in sorted(candidates):
        if not chosen or start >= chosen[-1][1]:
            chosen.append((start, -negative_end, english))
    return chosen


def _value(numeral: str) -> Decimal | None:
    if re.fullmatch(r"\d+(?:\.\d+)?", numeral):
        return Decimal(numeral)
    return (
        chinese_numeral_value(numeral)
        if _CHINESE_NUMERAL.fullmatch(numeral.split("点")[0])
        else None
    )


def _figure_english(kind: str, groups: dict) -> str | None:
    """The English of one figure from its pattern's groups; ``None`` when it is not well formed (a 13th month)."""
    if kind in ("date", "day", "year"):
        year = "".join(str(_YEAR_DIGITS.get(char, char)) for char in groups.get("year") or "")
        month = _value(groups["month"]) if groups.get("month") else None
        day = _value(groups["day"]) if groups.get("day") else None
        if (month is not None and not 1 <= month <= 12) or (day is not None and not 1 <= day <= 31):
            return None
        return " ".join(
            part
            for part in (str(day) if day else "", _MONTHS[int(month) - 1] if month else "", year)
            if part
        )
    value = _value(groups.get("number") or groups.get("bare") or "")
    if value is None:
        return None
    if kind == "plenum":
        return f"{_ordinal(int(value))} plenary session"
    if kind == "ordinal":
        return _ordinal(int(value)) if value == value.to_integral_value() and value > 0 else None
    if kind == "percent":
        return f"{format(value.normalize(), 'f')}%"
    if kind == "count":
        return "one" if value == 1 else _number(value)
    scaled = value * _SCALES.get(groups.get("scale") or "", 1)
    unit = groups.get("unit") or ""
    amount = (
        f"US${_number(scaled)}"
        if unit == "美元"
        else " ".join(part for part in (_number(scaled), _UNITS.get(unit, "")) if part)
    )
    return f"over {amount}" if groups.get("more") or groups.get("scale") == "万多亿" else amount


def _ordinal(number: int) -> str:
    """``5`` → ``fifth``, ``12`` → ``12th``, ``22`` → ``22nd`` (words up to ten, as the reports' official English writes them)."""
    if number < len(_ORDINAL_WORDS):
        return _ORDINAL_WORDS[number]
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


def _number(value: Decimal) -> str:
    """A figure as English writes it: ``1.6E11`` → ``160 billion``, ``13120000`` → ``13.12 million``,
    ``50000`` → ``50,000``."""
    for name, scale in (("trillion", 10**12), ("billion", 10**9), ("million", 10**6)):
        if value >= scale:
            return f"{format((value / scale).normalize(), 'f')} {name}"
    if value >= 10_000 and value == value.to_integral_value():
        return f"{int(value):,}"
    return format(value.normalize(), "f")


def _punctuation(between: str) -> str:
    return unicodedata.normalize("NFKC", between.translate(_PUNCTUATION)).strip()


def pinyin_terms(text: str, vocabulary: Vocabulary) -> str:
    """Toneless pinyin of every word of ``text`` and of the dictionary words inside it,
    one word a token (``沙坪坝区`` → ``shapingbaqu shaping pingba baqu shapingba``)."""
    normalised = normalise(text)
    return " ".join(
        pinyin_of(word.text)
        for word in words(normalised.text, vocabulary, subwords=True)
        if word.is_han and not word.stopped
    )


@lru_cache(maxsize=100_000)
def pinyin_of(word: str) -> str:
    """Toneless pinyin of a word, as one token of the pinyin field: ``沙坪坝`` → ``shapingba``."""
    return "".join(lazy_pinyin(word))
