"""Safe HTML snippets: everything escaped except ``<mark>`` around the matched words.

The marks come from ``search.marks`` (where the engine matched), merged so that overlapping
matches (a word and the words inside it) never give nested or doubled marks; the snippet shows
the fragment of the passage with the most marks (the whole passage when it is short), and the
English beside it shows the same stretch.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from shuangyu.index.english.alignment import (
    chinese_offset,
    english_of,
    english_offset,
    sentence_offset,
)
from shuangyu.search.marks import Span, merge

CHINESE_FRAGMENT_CHARS = 120
ENGLISH_FRAGMENT_CHARS = 320
ELLIPSIS = "…"
_CHINESE_BREAKS = "。！？；，、,;!?：: "


def snippet(
    text: str, spans: list[Span], max_chars: int, breaks: str, window: Span | None = None
) -> str:
    """HTML of ``text`` in ``window`` (else its best fragment): escaped, with ``<mark>`` around ``spans``."""
    start, end = window or best_fragment(text, spans, max_chars, breaks)
    pieces = [ELLIPSIS] if start > 0 else []
    position = start
    for span_start, span_end in spans:
        span_start, span_end = max(span_start, start), min(span_end, end)
        if span_start >= span_end:
            continue
        pieces.append(escape(text[position:span_start], quote=False))
        pieces.append(f"<mark>{escape(text[span_start:span_end], quote=False)}</mark>")
        position = span_end
    pieces.append(escape(text[position:end], quote=False))
    if end < len(text):
        pieces.append(ELLIPSIS)
    return "".join(pieces)


def chinese_snippet(text: str, spans: list[Span], window: Span | None = None) -> str:
    return snippet(text, spans, CHINESE_FRAGMENT_CHARS, _CHINESE_BREAKS, window)


def english_snippet(text_en: str, spans: list[Span], window: Span | None = None) -> str:
    return snippet(text_en, spans, ENGLISH_FRAGMENT_CHARS, " ", window)


def heading_html(section: str, marks: list[Span]) -> str:
    """HTML of a section heading: escaped, with ``<mark>`` around ``marks``
    (``search.marks.heading_marks``)."""
    return snippet(section, marks, len(section) + 1, "")


def best_fragment(text: str, spans: list[Span], max_chars: int, breaks: str) -> Span:
    """The window of at most ``max_chars`` with the most marks, starting just after a break
    (a clause end in Chinese, a space in English) shortly before its first mark."""
    if len(text) <= max_chars:
        return 0, len(text)
    best_start, best_count = 0, -1
    # Marks are merged (sorted, apart): their starts and ends are both in order, so the marks
    # inside a window are counted by bisection. A passage with thousands of marks costs
    # thousands of steps, not millions.
    spans = merge(spans)
    starts, ends = [s for s, _ in spans], [e for _, e in spans]
    for anchor, _ in spans or [(0, 0)]:
        start = anchor
        limit = max(0, anchor - max_chars // 4)
        while start > limit and text[start - 1] not in breaks:
            start -= 1
        if start == limit and limit > 0:
            start = max(0, anchor - max_chars // 8)
        count = bisect.bisect_right(ends, start + max_chars) - bisect.bisect_left(starts, start)
        if count > best_count:
            best_start, best_count = start, count
    end = min(len(text), best_start + max_chars)
    if end < len(text) and " " in breaks:
        cut = text.rfind(" ", best_start, end)
        end = cut if cut > best_start else end
    return best_start, end


def window_from(text: str, start: int, end: int, max_chars: int, breaks: str) -> Span:
    """The window of ``text`` that shows ``start:end`` (a stretch that stands for what the
    other language's snippet shows): from just after the break before ``start``, at most
    ``max_chars`` long (the whole text when it is that short), cut at a break."""
    if len(text) <= max_chars:
        return 0, len(text)
    start = max(0, min(start, len(text) - 1))
    limit = max(0, start - max_chars // 8)
    while start > limit and text[start - 1] not in breaks:
        start -= 1
    end = min(len(text), start + max_chars, max(end, start + max_chars * 2 // 3))
    if end < len(text):
        cut = max(text.rfind(char, start, end) for char in breaks) if breaks else -1
        if cut > start:
            end = (
                cut if text[cut] == " " else cut + 1
            )  # a clause keeps its comma; a space is dropped
    return start, end


@dataclass(frozen=True)
class Snippets:
    """A result's two snippets (HTML), showing the same stretch of the passage."""

    chinese: str
    english: str


def paired_snippets(
    text: str,
    text_en: str,
    marks: list[Span],
    marks_en: list[Span],
    alignment: Sequence[int] | None,
) -> Snippets:
    """The Chinese and the English snippet of a passage, centred on the same stretch: the
    language with marks (the Chinese first) chooses its best fragment, and the other shows what
    stands for it. ``alignment`` (``index.english.alignment``) maps the words of a gloss; without it (a
    machine translation) a sentence stands for a sentence."""
    chinese_leads = bool(marks) or not marks_en
    if chinese_leads:
        start, end = best_fragment(text, marks, CHINESE_FRAGMENT_CHARS, _CHINESE_BREAKS)
        other = _english_stretch(text, text_en, start, end, alignment)
        window = _window_within(text_en, other, marks_en, ENGLISH_FRAGMENT_CHARS, " ")
        return Snippets(
            chinese_snippet(text, marks, (start, end)), english_snippet(text_en, marks_en, window)
        )
    start, end = best_fragment(text_en, marks_en, ENGLISH_FRAGMENT_CHARS, " ")
    other = _chinese_stretch(text, text_en, start, end, alignment)
    window = _window_within(text, other, marks, CHINESE_FRAGMENT_CHARS, _CHINESE_BREAKS)
    return Snippets(
        chinese_snippet(text, marks, window), english_snippet(text_en, marks_en, (start, end))
    )


def _window_within(
    text: str, stretch: Span, marks: list[Span], max_chars: int, breaks: str
) -> Span:
    """The window of ``text`` that shows the part of ``stretch`` with the most ``marks`` (a
    gloss is longer than its Chinese: the whole stretch may not fit), else its start."""
    inside = [(s, e) for s, e in marks if stretch[0] <= s and e <= stretch[1]]
    if inside and inside[0][0] - stretch[0] > max_chars // 2:
        return best_fragment(text, inside, max_chars, breaks)
    return window_from(text, *stretch, max_chars, breaks)


def _english_stretch(
    text: str, text_en: str, start: int, end: int, alignment: Sequence[int] | None
) -> Span:
    if alignment:
        en_start = english_offset(start, alignment)
        en_end = english_offset(end, alignment)
        if en_start is not None:
            return en_start, en_end if en_end is not None else len(text_en)
    return (
        sentence_offset(start, text, text_en, source_is_chinese=True),
        sentence_offset(end, text, text_en, source_is_chinese=True)
        if end < len(text)
        else len(text_en),
    )


def _chinese_stretch(
    text: str, text_en: str, start: int, end: int, alignment: Sequence[int] | None
) -> Span:
    if alignment:
        zh_start = chinese_offset(start, alignment)
        zh_end = chinese_offset(end, alignment)
        if zh_start is not None:
            return zh_start, zh_end if zh_end is not None else len(text)
    return (
        sentence_offset(start, text_en, text, source_is_chinese=False),
        sentence_offset(end, text_en, text, source_is_chinese=False)
        if end < len(text_en)
        else len(text),
    )


def english_marks_for(
    marks: list[Span],
    marks_en: list[Span],
    typed_marks_en: list[Span],
    alignment: Sequence[int] | None,
) -> list[Span]:
    """The marks of a result's English, agreeing with its Chinese marks where the English is a
    gloss (``alignment`` given): a word typed in English is marked wherever it is; the English
    of the Chinese query words (``marks_en``) only where it stands for a marked Chinese word;
    and the English of a word wholly inside a Chinese mark that none of those marks (红岩精神
    marked in the Chinese marks Hongyan Spirit). Without an alignment, ``marks_en``."""
    if not alignment:
        return marks_en
    if not marks:
        return typed_marks_en
    standing_for = _Covering(english_of(marks, alignment, whole=False))
    shown = merge([span for span in marks_en if standing_for.covers(span)] + typed_marks_en)
    shown_starts = [start for start, _ in shown]
    added = []
    for start, end in english_of(marks, alignment, whole=True):
        # Is a shown mark inside start:end? The first shown mark from start on tells.
        at = bisect.bisect_left(shown_starts, start)
        if not (at < len(shown) and shown[at][1] <= end):
            added.append((start, end))
    return merge(shown + added)


class _Covering:
    """Spans asked whether one of them covers a given span, by bisection (linear highlighting
    in a passage however many marks it has)."""

    def __init__(self, spans: list[Span]):
        spans = sorted(spans)
        self.starts = [start for start, _ in spans]
        # The furthest end among the spans starting up to each one.
        self.reach = []
        for _, end in spans:
            self.reach.append(max(end, self.reach[-1]) if self.reach else end)

    def covers(self, span: Span) -> bool:
        """True when one span starts at or before ``span`` and ends at or after it."""
        at = bisect.bisect_right(self.starts, span[0]) - 1
        return at >= 0 and self.reach[at] >= span[1]
