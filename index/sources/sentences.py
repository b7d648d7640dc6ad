"""A paragraph cut into passages of whole sentences, none longer than ``MAX_PASSAGE_CHARS``."""

from __future__ import annotations

import bisect
import re

from shuangyu.index.sources.layout import Span
from shuangyu.index.sources.lines import WHITESPACE

MAX_PASSAGE_CHARS = 250

# Half-width forms too: one of the reports uses half-width punctuation throughout.
SENTENCE_END = "。！？!?…；;"
CLOSERS = "”’」』）)》〉】]\"'"
_SENTENCE = re.compile(rf"[^{SENTENCE_END}]*(?:[{SENTENCE_END}]+[{re.escape(CLOSERS)}]*|$)")
_CLAUSE = re.compile(r"[^，,；;]*(?:[，,；;]+|$)")


def split_sentences(text: str, spans: list[Span]) -> list[tuple[Span, ...]]:
    """Cut a paragraph into passages of whole sentences, each at most ``MAX_PASSAGE_CHARS``
    where the sentences allow (a longer sentence is cut after a semicolon or comma, and a clause
    longer still at a space or, in text without any, at ``MAX_PASSAGE_CHARS``): no passage is
    longer than that. Linear in the paragraph."""
    paragraph = "".join(text[start:end] for start, end in spans)
    units: list[Span] = []
    for sentence in _SENTENCE.finditer(paragraph):
        if sentence.end() - sentence.start() <= MAX_PASSAGE_CHARS:
            units.append(sentence.span())
            continue
        for clause in _CLAUSE.finditer(sentence.group()):
            units.extend(
                _hard_cut(
                    paragraph, sentence.start() + clause.start(), sentence.start() + clause.end()
                )
            )
    ranges: list[Span] = []
    for start, end in units:
        if start == end:
            continue
        if ranges and end - ranges[-1][0] <= MAX_PASSAGE_CHARS:
            ranges[-1] = (ranges[-1][0], end)
        else:
            ranges.append((start, end))
    joined = _JoinedSpans(spans)
    return [
        joined.covering(*_trimmed(paragraph, start, end))
        for start, end in ranges
        if paragraph[start:end].strip(WHITESPACE)
    ]


def _hard_cut(paragraph: str, start: int, end: int) -> list[Span]:
    """``start:end`` in pieces of at most ``MAX_PASSAGE_CHARS``, each ending after the last
    space in its window when there is one in its second half (English, numbers), else at the
    length: text without punctuation (a table flattened, a file of one line) still makes
    passages a reader can quote and a highlighter can afford."""
    pieces: list[Span] = []
    while end - start > MAX_PASSAGE_CHARS:
        cut = start + MAX_PASSAGE_CHARS
        space = max(
            paragraph.rfind(blank, start + MAX_PASSAGE_CHARS // 2, cut) for blank in " \u3000\t"
        )
        cut = space + 1 if space > 0 else cut
        pieces.append((start, cut))
        start = cut
    pieces.append((start, end))
    return pieces


def _trimmed(paragraph: str, start: int, end: int) -> Span:
    """``start:end`` narrowed to leave out whitespace at either end."""
    while paragraph[start] in WHITESPACE:
        start += 1
    while paragraph[end - 1] in WHITESPACE:
        end -= 1
    return start, end


class _JoinedSpans:
    """Source spans read as one joined text, for finding the spans under a stretch of it."""

    def __init__(self, spans: list[Span]):
        self.spans = spans
        self.offsets = []  # where each span starts in the joined text
        offset = 0
        for span_start, span_end in spans:
            self.offsets.append(offset)
            offset += span_end - span_start

    def covering(self, start: int, end: int) -> tuple[Span, ...]:
        """The source spans covering characters ``start:end`` of the joined text (found by
        bisection: a paragraph rejoined from 80,000 lines splits in linear time)."""
        result: list[Span] = []
        index = max(0, bisect.bisect_right(self.offsets, start) - 1)
        while index < len(self.spans) and self.offsets[index] < end:
            span_start, span_end = self.spans[index]
            offset = self.offsets[index]
            low, high = max(start, offset), min(end, offset + span_end - span_start)
            if low < high:
                result.append((span_start + low - offset, span_start + high - offset))
            index += 1
        return tuple(result)
