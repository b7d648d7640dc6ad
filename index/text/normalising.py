"""Normalising Chinese text for search: NFKC, lower case, invisible characters dropped,
traditional → simplified (OpenCC, and the old variant forms it misses), each character's offset
mapped back to the source text; and what kind of text a string is (Han, Latin).

Everything here depends on its input alone, so its caches are the process's, not an index's.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import opencc
from shuangyu.index.english.cedict import source_entries
from shuangyu.index.text.numbers import fold_circle_zeros

HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_LATIN_LETTER = re.compile(rf"[^\W_{HAN}]")
_HAN_CHAR = re.compile(rf"[{HAN}]")


@dataclass(frozen=True)
class Normalised:
    """Normalised text with, for each of its characters, the offset of its source character."""

    text: str
    offsets: tuple[int, ...]
    source_length: int
    # ``offsets`` and then ``source_length``: the source span of normalised characters
    # ``start:end`` is ``bounds[start], bounds[end]``, for a caller that maps many spans.
    bounds: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "bounds", (*self.offsets, self.source_length))

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the source text that normalised characters ``start:end`` came from."""
        source_end = self.offsets[end] if end < len(self.offsets) else self.source_length
        return self.offsets[start], source_end


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


# Invisible characters that real text leaves inside words (zero-width spaces where a web page
# had a link, byte-order marks): they are dropped, so 全员劳动生\u200b产率 is one word.
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")


@lru_cache(maxsize=8192)
def _fold(char: str) -> str:
    if char in _INVISIBLE:
        return ""
    return unicodedata.normalize("NFKC", char).lower()


class _FoldTable(dict):
    """``str.translate`` table of ``_fold``, filled as characters are met: folding a text is one
    pass in C rather than a Python call per character."""

    def __missing__(self, code: int) -> str:
        folded = _fold(chr(code))
        if len(folded) != 1:
            _NOT_ONE_TO_ONE.add(chr(code))
        self[code] = folded
        return folded


_FOLDS = _FoldTable()
# The characters met so far that fold to none or to several (their texts need an offset map).
_NOT_ONE_TO_ONE: set[str] = set()


_VARIANT_OF = re.compile(
    r"^(?:old |archaic |ancient |Japanese )?variant of (?:\S\|)?(?P<target>\S)(?:\[|$)"
)


@lru_cache(maxsize=1)
def _variants() -> dict[int, str]:
    """Old and variant character forms that OpenCC leaves, to their simplified form, from
    CC-CEDICT: a character whose entries all map it elsewhere (衞 "variant of 衛|卫", 擧 → 举,
    汚 → 污). A character that is itself the simplified form of a word (儿, also an old variant
    of 人) or has an entry of its own meaning (乾 in 乾隆) is left alone."""
    targets: dict[str, set[str]] = {}
    # Characters that are the simplified form of a word with a meaning of its own.
    standard: set[str] = set()
    for entry in source_entries(single_characters=True):
        variant = _VARIANT_OF.match(entry.senses[0])
        if not variant:
            standard.add(entry.simplified)
        target = variant["target"] if variant else entry.simplified
        targets.setdefault(entry.traditional, set()).add(target)
    t2s = _t2s()
    return {
        ord(char): t2s.convert(target)
        for char, (target,) in (
            (char, found)
            for char, found in targets.items()
            if len(found) == 1 and char not in standard
        )
        if target != char and t2s.convert(char) == char
    }


# The per-text caches serve one passage's fields, analysed one after another at build time,
# and the few passages of a result page: a few hundred texts. At 4,096 they held 60 MB of a
# serving process that had shown many different passages.
@lru_cache(maxsize=512)
def normalise(text: str) -> Normalised:
    """NFKC, lower case, invisible characters dropped, then traditional → simplified (with
    the old variant forms OpenCC misses), keeping the map back to ``text``. Cached: the writer,
    the gloss and the pinyin all analyse the same passage."""
    joined = text.translate(_FOLDS)
    if _NOT_ONE_TO_ONE.isdisjoint(text):
        offsets = range(len(text))
    else:
        offsets = [index for index, char in enumerate(text) for _ in _FOLDS[ord(char)]]
    folded = fold_circle_zeros(joined)
    simplified = _t2s().convert(folded)
    if len(simplified) != len(folded):
        # OpenCC rewrote a phrase to one of another length: convert character by character,
        # which keeps the offsets exact at the cost of phrase-level accuracy in this text.
        simplified = "".join(_t2s().convert(char) or char for char in folded)
    return Normalised(simplified.translate(_variants()), tuple(offsets), len(text))


def is_han_only(text: str) -> bool:
    """True when every character of ``text`` is a Han character."""
    return all(_HAN_CHAR.match(char) for char in text)


def is_latin_word(text: str) -> bool:
    """True when ``text`` has no Han character but at least one letter or digit."""
    return not _HAN_CHAR.search(text) and bool(_LATIN_LETTER.search(text))


def has_han(text: str) -> bool:
    """True when ``text`` contains a Han character."""
    return bool(_HAN_CHAR.search(text))
