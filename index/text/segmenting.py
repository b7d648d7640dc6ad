"""Cutting normalised Chinese text into words, with the names and terms of one index's vocabulary.

jieba (``Language.segmenter``) cuts each Han run; Latin words and numbers (``5G``, ``ix5``,
``2757.4``) stay whole. Token positions count words, not characters, so a phrase query over
multi-character words works; at index time a long word is also indexed by the dictionary words
inside it (jieba's search mode) at the word's own position, so ``沙坪坝`` finds ``沙坪坝区``, and
a figure by its canonical token (``index.text.numbers``). ``bigrams`` cuts the same text into
character bigrams, so that part of a word (``坪坝``) still matches.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from shuangyu.index.text.language import Language, per_language
from shuangyu.index.text.normalising import HAN, has_han, normalise
from shuangyu.index.text.numbers import RELATIVE_YEARS, aliases, relative_year

# Function words that carry no meaning for search; kept short on purpose, because in Chinese
# many single characters are also parts of names (中欧, 之城).
STOPWORDS = frozenset(
    "的 了 和 与 及 是 在 等 也 都 而 之 其 把 被 着 这 那 并 或 就 让 使 对 从 向 以 为 将".split()
)

_WORD = re.compile(rf"(?P<han>[{HAN}]+)|(?P<latin>[^\W_{HAN}]+(?:\.\d+)*)")
_HAN_RUN = re.compile(rf"[{HAN}]+")  # the runs of ``_WORD``'s han group


@dataclass(frozen=True)
class Word:
    """A word of normalised text: its text, position (counting words) and normalised span."""

    text: str
    position: int
    start: int
    end: int
    is_han: bool
    stopped: bool = False
    subword: bool = False


def query_words(text: str, language: Language) -> list[str]:
    """The words of query text as the index holds them, a figure as its canonical token:
    ``1800万吨`` → ``18000000`` (found as 1800万 and 一千八百万), ``33%`` → ``33%``."""
    normalised = normalise(text).text
    found = [word for word in words(normalised, language, subwords=False) if not word.stopped]
    figures = list(aliases(normalised))
    result: list[str] = []
    for word in found:
        figure = next(
            (
                token
                for token, start, end in figures
                if start <= word.start < end and not has_han(token)
            ),
            None,
        )
        text_of = figure or word.text
        if not (figure and result and result[-1] == figure):
            result.append(text_of)
    return result


def words(
    normalised: str, language: Language, subwords: bool, year: int | None = None
) -> tuple[Word, ...]:
    """The words of normalised text, numbered by word. Stopwords come with ``stopped=True``
    and take no position; punctuation takes one, so that phrases stop at it. With ``subwords``,
    a long word is followed by the dictionary words inside it, at the same position, and, in a
    text of ``year``, a word such as 去年 by the year it names (``1988`` and ``年``)."""
    every, whole = _segment(normalised, language)
    if not subwords:
        return whole
    if year is None or not any(word in normalised for word in RELATIVE_YEARS):
        return every
    return _with_relative_years(every, year)


def _with_relative_years(found: tuple[Word, ...], year: int) -> tuple[Word, ...]:
    """``found`` with the year each of its words such as 去年 or 今年 names in a text of ``year``
    (``index.text.numbers.relative_year``) as sub-words of that word: found by ``1988`` and by
    ``1988年`` as ``一九八八年`` is."""
    result: list[Word] = []
    for word in found:
        result.append(word)
        named = None if word.subword else relative_year(word.text, year)
        if named is not None:
            start = word.start
            result.append(Word(named, word.position, start, start + 2, False, subword=True))
            result.append(Word("年", word.position, start + 1, start + 2, True, subword=True))
    return tuple(result)


@per_language(maxsize=512)
def _segment(normalised: str, language: Language) -> tuple[tuple[Word, ...], tuple[Word, ...]]:
    """Words and sub-words of normalised text, and its words alone; cached, so a passage is
    segmented once (a build makes its document and its tokens from the same words)."""
    jieba_tokenizer = language.segmenter
    parts_of = subwords_of.of(language)  # type: ignore[attr-defined]
    found: list[Word] = []
    position = 0
    previous_end = 0
    for match in _WORD.finditer(normalised):
        # Punctuation between words leaves a gap in positions: a phrase does not run across it.
        if normalised[previous_end : match.start()].strip():
            position += 1
        previous_end = match.end()
        if match.lastgroup == "latin":
            found.append(Word(match.group(), position, match.start(), match.end(), is_han=False))
            position += 1
            continue
        base = match.start()
        for word, start, end in jieba_tokenizer.tokenize(match.group(), "default", True):
            if word in STOPWORDS:
                found.append(
                    Word(word, position, base + start, base + end, is_han=True, stopped=True)
                )
                continue
            found.append(Word(word, position, base + start, base + end, is_han=True))
            if len(word) > 2:
                for part, offset, size in parts_of(word):
                    found.append(
                        Word(
                            part,
                            position,
                            base + start + offset,
                            base + start + offset + size,
                            True,
                            subword=True,
                        )
                    )
            position += 1
    every = tuple(_with_number_aliases(normalised, found))
    return every, tuple(word for word in every if not word.subword)


@per_language(maxsize=100_000)
def subwords_of(word: str, language: Language) -> tuple[tuple[str, int, int], ...]:
    """The dictionary words of two and three characters inside a long ``word``, as (sub-word,
    offset, size): once per distinct word of a build (kept in ``language``)."""
    has_word = language.segmenter.has_word
    return tuple(
        (word[offset : offset + size], offset, size)
        for size in (2, 3)
        for offset in range(len(word) - size + 1)
        if word[offset : offset + size] != word and has_word(word[offset : offset + size])
    )


def han_words(normalised: str, language: Language) -> list[str]:
    """The words jieba cuts the Han runs of normalised text into, stopwords included, as
    ``words`` has them, without their positions and sub-words: for a build that finds its
    distinct words first (``index.build_words``)."""
    cut = language.segmenter.cut
    return [word for run in _HAN_RUN.findall(normalised) for word in cut(run, True)]


def _with_number_aliases(normalised: str, found: list[Word]) -> list[Word]:
    """``found`` with the canonical token of each figure (``index.text.numbers``) as a sub-word at
    the position of the word where the figure starts: ``500万`` also indexes ``5000000``."""
    extra: list[Word] = []
    for token, start, end in aliases(normalised):
        word = next(
            (word for word in found if not word.subword and word.start <= start < word.end), None
        )
        if word is not None and word.text != token:
            extra.append(
                Word(token, word.position, start, end, is_han=has_han(token), subword=True)
            )
    if not extra:
        return found
    # Whole words first, then sub-words, in order of position.
    return sorted(found + extra, key=lambda word: (word.position, word.subword))


def bigram_tokens(
    normalised: str, bounds: tuple[int, ...] | list[int]
) -> list[tuple[str, int, int, int]]:
    """``bigrams(normalised)`` with each span mapped through ``bounds`` (``Normalised.bounds``):
    the same tokens, made a run at a time for a build."""
    tokens: list[tuple[str, int, int, int]] = []
    position = 0
    for match in _WORD.finditer(normalised):
        run = match.group()
        start = match.start()
        length = len(run)
        if match.lastgroup == "latin" or length == 1:
            tokens.append((run, position, bounds[start], bounds[match.end()]))
            position += 2
            continue
        tokens += zip(
            [run[offset : offset + 2] for offset in range(length - 1)],
            range(position, position + length - 1),
            bounds[start : start + length - 1],
            bounds[start + 2 : start + length + 1],
        )
        position += length
    return tokens


def bigrams(normalised: str) -> Iterator[tuple[str, int, int, int]]:
    """Overlapping character bigrams of each Han run (a lone character stands alone), and
    Latin words whole, with their positions and normalised spans. Any gap between runs leaves
    a gap in positions, so that a phrase of bigrams stays within one run."""
    position = 0
    for match in _WORD.finditer(normalised):
        run = match.group()
        if match.lastgroup == "latin" or len(run) == 1:
            yield run, position, match.start(), match.end()
            position += 2
            continue
        for offset in range(len(run) - 1):
            yield (
                run[offset : offset + 2],
                position,
                match.start() + offset,
                match.start() + offset + 2,
            )
            position += 1
        position += 1
