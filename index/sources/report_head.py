"""A report's head and the opening of its speech, where it prints its own title, date and
speaker (``index.sources.inferred_metadata`` reads them): the lines above its salutation
(``各位代表：``, ``同志们！``), without the chrome of the web page it was saved from, and the
first lines below."""

from __future__ import annotations

import re

from shuangyu.index.sources.furniture import CHROME
from shuangyu.index.text.analysis import normalise

# How much of a report its head and opening are looked for in (characters).
HEAD_CHARS = 2000
# Lines of a head at most: a head without a salutation under it is its first lines.
HEAD_LINES = 30
HEADLESS_LINES = 8
_SALUTATION = re.compile(r"^(?:各位代表|同志们|代表们|各位委员|各位代表、各位委员)\s*[：:！!，,]")
# The punctuation of prose, which a line of a title has none of.
PROSE = re.compile(r"[，,。！？!?；;：:、]")


def head_and_body(text: str) -> tuple[list[str], list[str], list[str]]:
    """The report's head (its lines above the salutation, without a web page's chrome), the
    chrome (where a web copy's date is), and the first lines of its speech; simplified and NFKC, so a traditional or full-width head reads
    the same. Without a salutation near the top, the head is the first lines up to the first
    line of prose."""
    lines = [
        line.strip(" \t\u3000\u00a0\u200b\u200c\u200d\u2060\ufeff")
        for line in normalise(text[:HEAD_CHARS]).text.splitlines()
    ]
    lines = [line for line in lines if line]
    salutation = next(
        (number for number, line in enumerate(lines[:HEAD_LINES]) if _SALUTATION.match(line)), None
    )
    if salutation is None:
        # No salutation: the head is the lines before the first one of prose.
        salutation = next(
            (
                number
                for number, line in enumerate(lines[:HEADLESS_LINES])
                if len(line) > 40 or line.endswith(("。", "！", "？"))
            ),
            min(len(lines), HEADLESS_LINES),
        )
        body = lines[salutation:]
    else:
        body = [_SALUTATION.sub("", lines[salutation])] + lines[salutation + 1 :]
    head, chrome = [], []
    for number, line in enumerate(lines[:salutation]):
        # A source's name stands on the line after "来源：" (四川日报): chrome too.
        after_label = number > 0 and re.fullmatch(
            r"(?:来源|发表时间|时间)[:：]?", lines[number - 1]
        )
        (chrome if CHROME.match(line) or after_label else head).append(line)
    return _rejoined(head), chrome, [line for line in body if line]


def _rejoined(head: list[str]) -> list[str]:
    """The head with a title broken where a link was (``政府工作报`` / ``告``) made whole."""
    joined: list[str] = []
    for line in head:
        if joined and len(line) <= 2 and not PROSE.search(line) and not joined[-1].startswith("——"):
            joined[-1] += line
        else:
            joined.append(line)
    return joined
