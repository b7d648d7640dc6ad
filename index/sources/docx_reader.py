"""Read a Word (.docx) report: its paragraphs and tables in document order, which of them are
headings at which level, and its document properties.

python-docx (MIT) reads the document's XML as Word wrote it. A heading is a paragraph whose style
is, or is based on, Word's Title or Heading 1-9 (whatever language Word was in: the built-in
names are stored in English), or that carries an outline level of its own; a passage's section is
then its heading path. A table is read row by row, its cells apart by a tab. Page headers and
footers (furniture), footnotes and text boxes are not read.
"""

from __future__ import annotations

import io
import re
import zipfile

import docx
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from shuangyu.index.sources.formats import (
    Extracted,
    Properties,
    UnreadableFile,
    property_authors,
    property_date,
    property_title,
)
from shuangyu.index.sources.layout import Layout

FORMAT = "docx"
_HEADING_STYLE = re.compile(r"Heading ([1-9])")
# Word's outline levels run 0-8 for Heading 1-9; 9 is body text.
_BODY_OUTLINE_LEVEL = 9


def read_docx(raw: bytes) -> Extracted:
    """The text of a Word file's paragraphs and tables, blocks apart by a blank line, with its
    headings (``Layout.headings``) and properties. Raises ``UnreadableFile`` for a file that is
    not a readable .docx (an old .doc renamed, a damaged or partly copied file)."""
    _refuse_zip_bomb(raw)
    try:
        document = docx.Document(io.BytesIO(raw))
        blocks = [_block(item) for item in document.iter_inner_content()]
        properties = document.core_properties
        found = Properties(
            title=property_title(properties.title),
            authors=property_authors(properties.author),
            date=property_date(properties.created),
            source="the Word file's document properties",
        )
    except MemoryError:
        raise  # past the reader's memory budget (index.sources.read_budget), not a damaged file
    except Exception as error:  # a damaged package fails anywhere in zipfile, lxml or python-docx
        detail = " ".join(str(error).split())[:120] or type(error).__name__
        raise UnreadableFile(
            f"not a readable Word (.docx) file ({type(error).__name__}: {detail})"
        ) from None
    text, headings = "", []
    for block, level in blocks:
        if not block.strip():
            continue
        if level is not None:
            headings.append((len(text), len(text) + len(block), level))
        text += block + "\n\n"
    has_headings = bool(headings)
    return Extracted(
        text,
        FORMAT,
        layout=Layout(headings=tuple(headings) if has_headings else None),
        properties=found,
    )


def _block(item: Paragraph | Table) -> tuple[str, int | None]:
    """A paragraph's text and its heading level (``None`` for body text), or a table's rows."""
    if isinstance(item, Table):
        return "\n".join(_row(row) for row in item.rows), None
    level = _heading_level(item)
    if level is not None:
        # A heading is one line: a line break inside it only wrapped it.
        return " ".join(item.text.split()), level
    return item.text.strip(), None


# A Word file unpacks into memory whole: a report's parts come to a few MB, a hundred is no report.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024


def _refuse_zip_bomb(raw: bytes) -> None:
    """``UnreadableFile`` when the package would unpack to more than ``MAX_UNPACKED_BYTES``
    (a small file that expands to gigabytes would take the build's memory)."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as package:
            unpacked = sum(member.file_size for member in package.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return  # not a zip at all: python-docx says so in its own words
    if unpacked > MAX_UNPACKED_BYTES:
        raise UnreadableFile(
            f"a Word file that unpacks to {unpacked // 2**20} MB, more than the "
            f"{MAX_UNPACKED_BYTES // 2**20} MB a report may; not read"
        )


def _row(row) -> str:
    """A table row's cells apart by a tab; a merged cell, which python-docx repeats, once."""
    cells, seen = [], set()
    for cell in row.cells:
        if id(cell._tc) not in seen:
            seen.add(id(cell._tc))
            cells.append(" ".join(cell.text.split()))
    return "\t".join(cells)


def _heading_level(paragraph: Paragraph) -> int | None:
    """0 for a Title, 1-9 for a Heading 1-9 (or a style based on one, or an outline level)."""
    style = paragraph.style
    seen: set[str] = set()
    # A damaged or crafted file may base a style on itself: each style is looked at once.
    while style is not None and style.style_id not in seen:
        seen.add(style.style_id)
        if style.name == "Title":
            return 0
        match = _HEADING_STYLE.fullmatch(style.name or "")
        if match:
            return int(match.group(1))
        style = style.base_style
    properties = paragraph._p.pPr
    outline = properties.find(qn("w:outlineLvl")) if properties is not None else None
    if outline is not None and outline.get(qn("w:val"), "").isdigit():
        level = int(outline.get(qn("w:val")))
        return level + 1 if level < _BODY_OUTLINE_LEVEL else None
    return None
