"""Which stretch of the English stands for which stretch of the Chinese, so that a mark in one
language can be shown in the other and both snippets show the same part of a passage.

The gloss is word by word: each glossed word's English is found in the gloss, in order, and
kept as four numbers (its Chinese span, its English span), made once at build time and stored
with the passage (``gloss_alignment``), so that a search never segments a result again. A machine
translation has no word alignment: its sentences stand for the Chinese sentences
(``sentence_offset``), which is the best one can do without the model's attention.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence

from shuangyu.index.english.gloss import GlossedWord

# How far past the last aligned word a word's English may be found: further away, an equal
# English word belongs to a later Chinese word (a shown gloss may drop or reorder a few words).
_SEARCH_AHEAD = 40

Alignment = Sequence[int]  # zh_start, zh_end, en_start, en_end, repeated


def align_gloss(glossed: Iterable[GlossedWord], english: str) -> list[int]:
    """The alignment of a gloss ``english`` with the words it was made of (``gloss.glossed_words``
    of the Chinese): for each word whose English is found in ``english``, in order and near the
    previous one, its Chinese span and its English span, flattened. A word the gloss shows
    otherwise (a date rewritten, a particle dropped) is left out, and the next is found after it."""
    flat: list[int] = []
    position = 0
    lowered = english.lower()
    for word in glossed:
        found = _find(lowered, word.english.lower(), position)
        if found is None:
            continue
        start, end = found
        flat.extend((word.start, word.end, start, end))
        position = end
    return flat


def _find(english: str, wanted: str, position: int) -> tuple[int, int] | None:
    """Where the gloss ``english`` shows ``wanted`` (a word's English, or one of its senses when
    the shown gloss keeps one) from ``position``, at most ``_SEARCH_AHEAD`` past it."""
    limit = position + _SEARCH_AHEAD
    candidates = (
        dict.fromkeys([wanted.strip(), *(sense.strip() for sense in wanted.split("/"))])
        if "/" in wanted
        else (wanted.strip(),)  # the same, made quicker: most words have one English
    )
    for candidate in candidates:
        if not candidate:
            continue
        start = english.find(candidate, position, limit + len(candidate))
        if start != -1:
            return start, start + len(candidate)
    return None


def triples(alignment: Alignment) -> list[tuple[int, int, int, int]]:
    """The alignment as (zh_start, zh_end, en_start, en_end) tuples."""
    return list(zip(alignment[0::4], alignment[1::4], alignment[2::4], alignment[3::4]))


def english_of(
    spans: Iterable[tuple[int, int]], alignment: Alignment, whole: bool = True
) -> list[tuple[int, int]]:
    """The English spans of the words whose Chinese lies wholly inside one of ``spans`` (with
    ``whole=False``: overlaps any of them)."""
    # The words are in order of their Chinese: each span looks only at the words from the
    # first that could touch it (a search runs this for every result it shows).
    zh_starts, zh_ends = alignment[0::4], alignment[1::4]
    found = []
    for start, end in spans:
        index = bisect_right(zh_ends, start) if not whole else bisect_left(zh_starts, start)
        while index < len(zh_starts) and zh_starts[index] < end:
            if not whole or zh_ends[index] <= end:
                found.append((alignment[4 * index + 2], alignment[4 * index + 3]))
            index += 1
    return sorted(set(found))


def english_offset(chinese_offset: int, alignment: Alignment) -> int | None:
    """Where the English of the first word at or after ``chinese_offset`` starts; ``None``
    when no aligned word is there."""
    index = bisect_left(alignment[0::4], chinese_offset)
    return alignment[4 * index + 2] if 4 * index < len(alignment) else None


def chinese_offset(english_offset: int, alignment: Alignment) -> int | None:
    """Where the Chinese of the first word whose English starts at or after ``english_offset``
    starts; ``None`` when no aligned word is there."""
    index = bisect_left(alignment[2::4], english_offset)
    return alignment[4 * index] if 4 * index < len(alignment) else None


_CHINESE_SENTENCE_END = re.compile(r"[。！？!?；;]+[”’」』）)]*")
_ENGLISH_SENTENCE_END = re.compile(r"[.!?;]+[\"')\]]*(?=\s|$)")


def sentence_starts(text: str, chinese: bool) -> list[int]:
    """The offsets where the sentences of ``text`` start (the first is 0)."""
    pattern = _CHINESE_SENTENCE_END if chinese else _ENGLISH_SENTENCE_END
    starts = [0]
    for match in pattern.finditer(text):
        start = match.end()
        while start < len(text) and text[start].isspace():
            start += 1
        if start < len(text):
            starts.append(start)
    return starts


def sentence_offset(offset: int, source: str, target: str, source_is_chinese: bool) -> int:
    """The offset in ``target`` (a translation of ``source``, or the source of it) that stands
    for ``offset`` in ``source``: the start of the same sentence when both have as many
    sentences, else the same share of the text, moved back to the start of its sentence."""
    source_starts = sentence_starts(source, source_is_chinese)
    target_starts = sentence_starts(target, not source_is_chinese)
    index = max(i for i, start in enumerate(source_starts) if start <= offset)
    if len(source_starts) == len(target_starts):
        return target_starts[index]
    share = source_starts[index] / max(1, len(source))
    guess = int(share * len(target))
    return max(start for start in target_starts if start <= guess)
