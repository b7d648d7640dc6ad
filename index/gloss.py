"""English dictionary gloss of Chinese text: word-by-word senses from CC-CEDICT.

A gloss is not a translation, and the product says so wherever it shows one. Each jieba word
becomes its main sense(s) (``物流`` → ``distribution/logistics``); a word the dictionary lacks
is glossed by the longest dictionary words inside it, then by single characters; names from
the collection's ``names.tsv`` take the English given there or are written in pinyin; characters without any sense are written in pinyin (``歌乐山`` →
``Geleshan``). Latin words and numbers are kept as written.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import lazy_pinyin

from shuangyu.index.analysis import normalise, words
from shuangyu.index.vocabulary import Vocabulary
from shuangyu.index.cedict import main_senses

ENGINE = "gloss"

# Function words glossed by hand: their dictionary senses are grammar notes, not words.
_FUNCTION_WORDS = {
    "和": "and", "与": "and", "及": "and", "或": "or", "在": "in", "为": "for", "对": "to",
    "从": "from", "向": "towards", "将": "will", "是": "is", "并": "and", "以": "by", "让": "let",
    "使": "make", "被": "by", "其": "its", "这": "this", "那": "that", "也": "also", "都": "all",
    "而": "while", "就": "then", "之": "of", "的": "", "了": "", "着": "", "把": "", "等": "etc.",
}
_PUNCTUATION = str.maketrans({"、": ",", "。": ".", "“": '"', "”": '"', "‘": "'", "’": "'", "《": '"',
                              "》": '"', "「": '"', "」": '"', "『": '"', "』": '"', "·": " ", "—": "-"})
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


@lru_cache(maxsize=100_000)
def gloss_word(word: str, vocabulary: Vocabulary) -> str:
    """The English of one normalised word, with the vocabulary's names (see the module docstring)."""
    if word in _FUNCTION_WORDS:
        return _FUNCTION_WORDS[word]
    name = vocabulary.names.get(word)
    if name and (name.english or name.is_proper):
        return name.english or pinyin_name(word)
    senses = main_senses(word)
    if senses:
        return "/".join(senses)
    if len(word) == 1:
        return pinyin_name(word)
    parts: list[str] = []
    start = 0
    while start < len(word):
        end = next(
            end for end in range(len(word), start, -1)
            if end - start == 1
            or (word[start:end] != word and (word[start:end] in vocabulary.names or main_senses(word[start:end])))
        )
        parts.append(gloss_word(word[start:end], vocabulary))
        start = end
    return " ".join(part for part in parts if part)


def glossed_words(text: str, vocabulary: Vocabulary) -> list[GlossedWord]:
    """The words of ``text`` with their English, in order, with their source spans."""
    normalised = normalise(text)
    result = []
    for word in words(normalised.text, vocabulary, subwords=False):
        english = word.text if not word.is_han else gloss_word(word.text, vocabulary)
        start, end = normalised.source_span(word.start, word.end)
        result.append(GlossedWord(start, end, text[start:end], english))
    return result


def gloss(text: str, vocabulary: Vocabulary) -> str:
    """A readable English gloss of ``text``, punctuation carried over."""
    pieces: list[str] = []
    position = 0
    for word in glossed_words(text, vocabulary):
        pieces.append(_punctuation(text[position : word.start]))
        pieces.append(word.english)
        position = word.end
    pieces.append(_punctuation(text[position:]))
    joined = " ".join(piece for piece in pieces if piece.strip())
    joined = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", joined)
    return re.sub(r"\s+", " ", _SPACE_AFTER_OPENING.sub(r"\1", joined)).strip()


def _punctuation(between: str) -> str:
    return unicodedata.normalize("NFKC", between.translate(_PUNCTUATION)).strip()


def pinyin_terms(text: str, vocabulary: Vocabulary) -> str:
    """Toneless pinyin of every word of ``text`` and of the dictionary words inside it,
    one word a token (``沙坪坝区`` → ``shapingbaqu shaping pingba baqu shapingba``)."""
    normalised = normalise(text)
    return " ".join(pinyin_of(word.text) for word in words(normalised.text, vocabulary, subwords=True) if word.is_han and not word.stopped)


@lru_cache(maxsize=100_000)
def pinyin_of(word: str) -> str:
    """Toneless pinyin of a word, as one token of the pinyin field: ``沙坪坝`` → ``shapingba``."""
    return "".join(lazy_pinyin(word))
