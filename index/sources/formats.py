"""What every format's reader hands back: the text taken out of a file, its layout, and what the
file says about itself.

A reader (``index.sources.pdf_reader``, ``index.sources.docx_reader``, ``index.sources.html_reader``; plain text in
``index.sources.decoding``) takes a file's bytes as received and returns an ``Extracted``, or raises
``UnreadableFile`` with a message that says what is wrong in a way its owner can act on. The
extracted text is derived, never written back: the source stays in the corpus folder as it came.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from shuangyu.index.sources.layout import PLAIN, Layout


class UnreadableFile(Exception):
    """A file that cannot be read as a report; the message says why (the caller names the file)."""


@dataclass(frozen=True)
class Properties:
    """What a file says about itself (a PDF's or Word file's document properties, a web page's
    meta tags). Empty means the file does not say. ``source`` names where they were read, for
    the report's ``date_basis`` and the build's warning."""

    title: str = ""
    authors: tuple[str, ...] = ()
    date: str = ""
    publisher: str = ""
    source: str = ""
    # True when the file states ``date`` as the date it was published (a web page's
    # citation_publication_date); a PDF's or Word file's date is when the file was made or saved.
    date_published: bool = False


@dataclass(frozen=True)
class Extracted:
    """A report's text as read from its file. ``encoding`` is the text encoding of a plain-text
    file, "" for a format that is not decoded as text; ``warnings`` are faults met that did not
    stop the report from being read (pages that need OCR)."""

    text: str
    format: str
    encoding: str = ""
    layout: Layout = PLAIN
    properties: Properties = Properties()
    warnings: tuple[str, ...] = ()


# A file's own date written as YYYY, YYYY-MM(-DD), with / . or 年月日 between, with or without a
# time after it (2023/05/04, 2023-05-04T10:00:00+08:00, 2023年5月4日), or a PDF date
# (D:20230504103000+08'00').
_PROPERTY_DATE = re.compile(
    r"(?:D:)?(\d{4})(?:[-/.年]?(\d{1,2})(?:[-/.月]?(\d{1,2}))?)?(?=$|[T\s\d+\-Z'日])"
)


def property_date(value: object) -> str:
    """An ISO date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) from a file's date property, or ""
    when it cannot be read as a date of the calendar: a date is never guessed."""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if not isinstance(value, str):
        return ""
    match = _PROPERTY_DATE.match(value.strip())
    if not match:
        return ""
    parts = [int(part) for part in match.groups() if part is not None]
    try:
        datetime.date(*parts, *(1,) * (3 - len(parts)))
    except ValueError:
        return ""
    return "-".join([f"{parts[0]:04d}", *(f"{part:02d}" for part in parts[1:])])


# Titles that tools write into a file's properties rather than its author: the file name, the
# word processor's prefix, "Untitled".
_PLACEHOLDER_TITLE = re.compile(
    r"(?i)^(?:microsoft word - .*|untitled.*|无标题.*|.*\.(?:docx?|pdf|wps|txt|html?))$"
)
_AUTHOR_SEPARATORS = re.compile(r"\s*[;；、]\s*")


def property_title(value: object) -> str:
    """A title property, stripped; "" for a placeholder a tool wrote (``Microsoft Word - x.doc``)."""
    title = " ".join(str(value or "").split())
    return "" if _PLACEHOLDER_TITLE.match(title) else title


def property_authors(value: object) -> tuple[str, ...]:
    """The authors of an author property, which holds them in one string (``张三; 李四``)."""
    return tuple(author for author in _AUTHOR_SEPARATORS.split(str(value or "").strip()) if author)
