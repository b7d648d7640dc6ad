"""A report's text as the passage splitter reads it: its non-blank lines, with their spans and
the blank lines before each, without the lines of page furniture (``index.sources.furniture``)
and without a verbatim repeat of earlier lines (a text pasted twice)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from shuangyu.index.sources.furniture import (
    FURNITURE,
    FURNITURE_WITH_VALUE_NEXT,
    MAX_FURNITURE_VALUE_CHARS,
)

# The kinds of line, and so of passage (``index.sources.line_kinds`` tells them apart).
BODY, HEADING, CAPTION, CREDIT = "body", "heading", "caption", "credit"
KINDS = (BODY, HEADING, CAPTION, CREDIT)

# The typographic spaces too (an em space alone on a line is a blank line, not a heading).
BLANK = " \t\r\n\f\v\u3000\u00a0\ufeff\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f"
# Zero-width characters count as white space around a passage, but a line of them is no blank.
WHITESPACE = BLANK + "\u200b\u200c\u200d\u2060"
# A run of lines that repeats earlier lines word for word, at least this long, is a copy.
MIN_REPEAT_LINES = 3
MIN_REPEAT_CHARS = 200


@dataclass(frozen=True)
class Line:
    """One non-blank line of a report: its stripped span and text, the blank lines before it
    and its kind."""

    start: int
    end: int
    text: str
    blank_lines_before: int
    kind: str
    after_cut: bool = False  # a line of zero-width characters came before it: a link cut out
    joins_heading: bool = (
        False  # the rest of the heading on the line above (a link or a word cut it)
    )


def read_lines(text: str) -> list[Line]:
    """Non-blank lines with their stripped spans and the number of blank lines before each.
    A line of zero-width characters only is where a link was cut out: not a line, not a blank.
    Lines of page furniture are left out."""
    lines: list[Line] = []
    blank = 0
    cut = False
    value_follows = False
    for match in re.finditer(r"[^\r\n]*(?:\r\n|\r|\n|$)", text):
        raw = match.group()
        if not raw:
            continue
        content = raw.rstrip("\r\n")
        stripped = content.strip(WHITESPACE)
        if not stripped:
            if content.strip(BLANK):
                cut = True
            else:
                blank += 1
            continue
        if FURNITURE.match(stripped) or (
            value_follows and len(stripped) <= MAX_FURNITURE_VALUE_CHARS
        ):
            value_follows = bool(FURNITURE_WITH_VALUE_NEXT.match(stripped))
            continue
        value_follows = False
        start = match.start() + (len(content) - len(content.lstrip(WHITESPACE)))
        lines.append(
            Line(start, start + len(stripped), stripped, blank, BODY, after_cut=cut and not blank)
        )
        blank = 0
        cut = False
    return lines


def without_repeats(lines: list[Line]) -> list[Line]:
    """``lines`` less every run of lines that repeats earlier lines word for word (at least
    ``MIN_REPEAT_LINES`` lines and ``MIN_REPEAT_CHARS`` characters): a text pasted twice."""
    first_at: dict[str, int] = {}
    keep = [True] * len(lines)
    index = 0
    while index < len(lines):
        earlier = first_at.get(lines[index].text)
        if earlier is not None:
            length = 0
            while (
                index + length < len(lines)
                and earlier + length < index
                and lines[earlier + length].text == lines[index + length].text
            ):
                length += 1
            run = lines[index : index + length]
            if (
                length >= MIN_REPEAT_LINES
                and sum(len(line.text) for line in run) >= MIN_REPEAT_CHARS
            ):
                keep[index : index + length] = [False] * length
                index += length
                continue
        first_at.setdefault(lines[index].text, index)
        index += 1
    return [line for line, kept in zip(lines, keep) if kept]
