"""Styled text: the plain form the JSON API carries and an HTML form with <i> where the style
italicises, made from one list of (text, italic) runs so that the two never differ in words; and
the punctuation the styles share."""

from __future__ import annotations

from html import escape

Runs = list[tuple[str, bool]]


def plain(runs: Runs) -> str:
    """The citation as plain text."""
    return "".join(text for text, _ in runs)


def html(runs: Runs) -> str:
    """The citation as HTML: every run escaped, the italic ones in <i>."""
    return "".join(f"<i>{escape(text)}</i>" if italic else escape(text) for text, italic in runs)


def end(text: str, mark: str = ".") -> str:
    """``text`` closed with ``mark`` unless it already ends with a stop, question or exclamation mark."""
    return text if text.endswith((".", "?", "!", "？", "！", "。")) else text + mark


def title_runs(title: str, italic: bool, bracket: str = "") -> Runs:
    """A title closed with a full stop; the stop is not italic when the title is (a question
    mark that ends the title is part of it). A romanised title is followed by its English (or,
    without one, its Chinese) in brackets, not italic (APA 7 §9.38)."""
    if bracket:
        return [(title, italic), (f" [{bracket}].", False)]
    return [(title, italic), (end(title)[len(title) :], False)]


def bracketed(text: str, original: str) -> str:
    return f"{text} [{original}]" if original else text


def pages(page: str, one: str, several: str) -> str:
    """``p. 11`` or ``pp. 11–12`` (an en dash between the pages of a range)."""
    first, _, last = page.partition("-")
    return f"{several} {first}\u2013{last}" if last else f"{one} {first}"


def tidy(runs: Runs) -> Runs:
    """The runs without empty ones, and without trailing space."""
    runs = [(text, italic) for text, italic in runs if text]
    while runs and not runs[-1][0].strip():
        runs.pop()
    if runs:
        runs[-1] = (runs[-1][0].rstrip(), runs[-1][1])
    return runs
