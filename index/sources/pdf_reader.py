"""Read a PDF report: its text page by page, where each page begins, and its document properties.

pdfplumber (on pdfminer.six, MIT) maps the CJK CID fonts of Chinese PDFs to Unicode through
their CMaps, and gives each page's text in reading lines. A page is labelled as the PDF labels
it (the number printed on it, when the PDF says) or by its place in the file, so that a citation
gives the page a reader finds in print.

Each page's lines follow the last page's with a single line break: a paragraph cut by a page
break is rejoined by ``index.sources.passages`` like one cut by a line break, and runs over both pages.
A page's number (``- 3 -``, ``第 3 页``) and a running header or footer repeated on most pages
are page furniture, not the report's text, and are left out.
"""

from __future__ import annotations

import io
import re
from collections import Counter

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException
from shuangyu.index.sources.formats import (
    Extracted,
    Properties,
    UnreadableFile,
    property_authors,
    property_date,
    property_title,
)
from shuangyu.index.sources.layout import Layout

FORMAT = "pdf"
NEEDS_OCR = "it needs OCR, which this product does not do"

# A line holding only the page's number: "3", "- 3 -", "— 3 —", "第 3 页", "3/12", "第3页 共12页".
_PAGE_NUMBER = re.compile(
    r"^[-—–\s]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*(?:/|共)\s*\d{1,4}\s*页?)?[-—–\s]*$"
)
# A character pdfminer could not map to Unicode (a font without a map) comes out as "(cid:123)".
_UNMAPPED = re.compile(r"\(cid:\d+\)")
# A running header or footer: the same first (or last) line on this many pages at least, and on
# half of the pages with text.
MIN_RUNNING_PAGES = 3


def read_pdf(raw: bytes) -> Extracted:
    """The text of a PDF's pages, its page layout and its properties.

    Raises ``UnreadableFile`` for an encrypted PDF (it opens only with a password), a PDF without
    a text layer (scanned pages: OCR would be needed) or a corrupt one. Scanned pages among
    pages with text, and characters no font maps to Unicode, are warnings: the rest is read."""
    try:
        with pdfplumber.open(io.BytesIO(raw)) as pdf:
            pages = []
            for number, page in enumerate(pdf.pages, start=1):
                pages.append((_label(page, number), page.extract_text() or "", bool(page.images)))
                page.close()  # else every page's parsed characters stay in memory to the end
            info = dict(pdf.metadata)
    except PdfminerException as error:
        if error.args and isinstance(error.args[0], MemoryError):
            raise error.args[0] from None
        if error.args and isinstance(error.args[0], PDFPasswordIncorrect):
            raise UnreadableFile(
                "encrypted PDF: it opens only with a password; add a copy without one"
            ) from None
        raise UnreadableFile(f"corrupt PDF (pdfminer: {_detail(error)})") from None
    except MemoryError:
        raise  # past the reader's memory budget (index.sources.read_budget), not a damaged file
    except Exception as error:  # pdfminer raises whatever its parser meets in a damaged file
        raise UnreadableFile(f"corrupt PDF ({type(error).__name__}: {_detail(error)})") from None
    scanned = [label for label, text, has_images in pages if not text.strip() and has_images]
    if not any(text.strip() for _, text, _ in pages):
        if scanned:
            raise UnreadableFile(f"scanned PDF with no text layer: {NEEDS_OCR}")
        raise UnreadableFile("PDF with no text")
    unmapped = sum(len(_UNMAPPED.findall(text)) for _, text, _ in pages)
    lines = _without_furniture([_UNMAPPED.sub("", text).splitlines() for _, text, _ in pages])
    text, starts = "", []
    for (label, _, _), page_lines in zip(pages, lines):
        starts.append((len(text), label))
        text += "".join(line + "\n" for line in page_lines)
    warnings = []
    if scanned:
        warnings.append(
            f"page(s) {', '.join(scanned)} have no text layer (scanned): {NEEDS_OCR}; the other pages are indexed"
        )
    if unmapped:
        warnings.append(f"{unmapped} character(s) in fonts without a Unicode map were left out")
    return Extracted(
        text,
        FORMAT,
        layout=Layout(pages=tuple(starts)),
        properties=_properties(info),
        warnings=tuple(warnings),
    )


# A page label is printed in citations and warnings: no control characters, and short.
_LABEL_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
MAX_LABEL_CHARS = 24


def _label(page, number: int) -> str:
    """The page's label in the PDF (``iv``, ``12``), else its number in the file from 1; a
    label is at most ``MAX_LABEL_CHARS`` and has no control characters (a terminal escape in a
    label would reach the build's warnings and the citations)."""
    label = _LABEL_CONTROL.sub("", str(getattr(page.page_obj, "label", None) or "")).strip()[
        :MAX_LABEL_CHARS
    ]
    return label or str(number)


def _detail(error: Exception) -> str:
    """What the parser said, on one short line (pdfplumber wraps pdfminer's error as its argument)."""
    cause = error.args[0] if error.args else error
    return (" ".join(str(cause).split()) or type(cause).__name__)[:120]


def _without_furniture(pages: list[list[str]]) -> list[list[str]]:
    """Each page's lines less its page number and the running header or footer: a first or last
    line that stands on ``MIN_RUNNING_PAGES`` pages and half the pages, kept where it first
    appears (a title page may carry it as the title)."""
    pages = [[line for line in lines if line.strip()] for lines in pages]
    pages = [_without_page_number(lines) for lines in pages]
    with_text = sum(1 for lines in pages if lines)
    firsts = Counter(lines[0].strip() for lines in pages if lines)
    lasts = Counter(lines[-1].strip() for lines in pages if lines)
    running = {
        line
        for counts in (firsts, lasts)
        for line, count in counts.items()
        if count >= MIN_RUNNING_PAGES and count * 2 >= with_text
    }
    seen: set[str] = set()
    kept = []
    for lines in pages:
        edges = {0, len(lines) - 1}
        page = []
        for position, line in enumerate(lines):
            if position in edges and line.strip() in running:
                if line.strip() in seen:
                    continue
                seen.add(line.strip())
            page.append(line)
        kept.append(page)
    return kept


def _without_page_number(lines: list[str]) -> list[str]:
    """``lines`` less a first or last line that is only a page number."""
    if lines and _PAGE_NUMBER.match(lines[-1]):
        lines = lines[:-1]
    if lines and _PAGE_NUMBER.match(lines[0]):
        lines = lines[1:]
    return lines


def _properties(info: dict) -> Properties:
    """A PDF's document information: Title, Author, CreationDate."""

    def value(key: str) -> str:
        raw = info.get(key, "")
        return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw or "")

    return Properties(
        title=property_title(value("Title")),
        authors=property_authors(value("Author")),
        date=property_date(value("CreationDate")),
        source="the PDF's document properties",
    )
