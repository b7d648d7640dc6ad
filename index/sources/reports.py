"""One report file read as received, with the metadata file beside it: its text (decoded, or
extracted by the reader of its format), its metadata and a fingerprint of both files."""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from shuangyu.index.sources.decoding import TEXT_FORMAT, read_text
from shuangyu.index.sources.extracted import ExtractionCache
from shuangyu.index.sources.formats import Extracted, UnreadableFile
from shuangyu.index.sources.layout import PLAIN, Layout
from shuangyu.index.sources.metadata import (
    MAX_METADATA_BYTES,
    METADATA_SUFFIX,
    Metadata,
    bounded_metadata,
    first_line,
    infer_metadata,
    parse_metadata,
    slug_for,
    taken_from,
)
from shuangyu.index.sources.problems import CorpusError
from shuangyu.index.sources.read_budget import DEFAULT_BUDGET, ReadBudget, read_within

REPORT_SUFFIX = ".txt"


# The report formats, by file suffix (lower case), and their readers.
def _reader(module: str, name: str) -> Callable[[bytes], Extracted]:
    """The reader of a format (``index.sources.<module>.<name>``), imported when a file of it is first read:
    the libraries of PDF, Word and web pages would cost a serving process, which reads no report,
    35 MB, and every command 0.3 s."""

    def read(raw: bytes) -> Extracted:
        return getattr(importlib.import_module(f"shuangyu.index.sources.{module}"), name)(raw)

    return read


READERS = {
    REPORT_SUFFIX: read_text,
    ".pdf": _reader("pdf_reader", "read_pdf"),
    ".docx": _reader("docx_reader", "read_docx"),
    ".html": _reader("html_reader", "read_html"),
    ".htm": _reader("html_reader", "read_html"),
}


@dataclass(frozen=True)
class Report:
    """One report as received: its decoded text, metadata and a fingerprint of both files."""

    path: Path
    text: str
    metadata: Metadata
    encoding: str
    fingerprint: str
    has_metadata_file: bool = True
    # The file's format (a key of ``READERS`` less its dot, ``htm`` read as ``html``), where its
    # text's pages and headings are, and faults met that did not stop it being read.
    format: str = TEXT_FORMAT
    layout: Layout = PLAIN
    warnings: tuple[str, ...] = ()
    # Which metadata came from the file's own properties (no metadata file): "title, date".
    from_properties: str = ""

    @property
    def id(self) -> str:
        return self.metadata.id


# The largest file read as a report: a report of a thousand scanned-free pages is far smaller, and
# every reader holds the whole file (and a PDF's parsed pages) in memory.
MAX_REPORT_BYTES = 200 * 1024 * 1024


def source_of(folder: Path, report: dict) -> Path | None:
    """The file in the corpus ``folder`` that the indexed ``report`` (its manifest entry) was
    read from, when it is still there unchanged (same fingerprint, metadata file included);
    else ``None``."""
    name = str(report.get("file", ""))
    path = Path(folder) / name
    if not name or Path(name).name != name or not path.is_file() or path.is_symlink():
        return None
    digest = hashlib.sha256(path.read_bytes())
    metadata_path = path.with_suffix(METADATA_SUFFIX)
    if metadata_path.is_file():
        digest.update(b"\0" + metadata_path.read_bytes())
    return path if digest.hexdigest() == report.get("fingerprint") else None


def read_report(
    path: Path, cache: ExtractionCache | None = None, budget: ReadBudget = DEFAULT_BUDGET
) -> Report:
    """Read one report and its metadata within ``budget``; raise ``CorpusError`` when it cannot be used."""
    size = path.stat().st_size
    if size > MAX_REPORT_BYTES:
        raise CorpusError(
            f"a file of {size // 2**20} MB, more than the {MAX_REPORT_BYTES // 2**20} MB a report may be; not read"
        )
    reader = READERS.get(path.suffix.lower(), read_text)
    # A character takes at most four bytes in any encoding read: a larger text file is past the
    # text budget before it is decoded.
    if reader is read_text and size > 4 * budget.max_chars:
        raise CorpusError(
            f"a text file of {size // 2**20} MB, more than the {budget.max_chars:,} characters a report may have; skipped"
        )
    raw = path.read_bytes()
    try:
        if reader is read_text:
            # Plain text decodes in milliseconds, in this process, and is not worth keeping.
            extracted = reader(raw)
            if len(extracted.text) > budget.max_chars:
                raise CorpusError(
                    f"a text of {len(extracted.text):,} characters, more than the {budget.max_chars:,} a report may have; skipped"
                )
        else:

            def bounded(raw: bytes) -> Extracted:
                return read_within(reader, raw, budget)

            extracted = cache.extract(raw, path.suffix.lower(), bounded) if cache else bounded(raw)
    except UnreadableFile as error:
        raise CorpusError(str(error)) from None
    text = extracted.text
    if not text.strip():
        raise CorpusError("empty report (no text)")
    metadata_path = path.with_suffix(METADATA_SUFFIX)
    digest = hashlib.sha256(raw)
    from_properties = ""
    if metadata_path.is_file():
        if metadata_path.stat().st_size > MAX_METADATA_BYTES:
            raise CorpusError(
                f"a metadata file of {metadata_path.stat().st_size:,} bytes, more than the "
                f"{MAX_METADATA_BYTES:,} one may be; not read"
            )
        metadata_raw = metadata_path.read_bytes()
        digest.update(b"\0" + metadata_raw)
        default_title = extracted.properties.title or first_line(text)
        metadata = parse_metadata(
            metadata_raw, default_id=slug_for(path), default_title=default_title
        )
        has_metadata = True
    else:
        metadata = infer_metadata(path, text, extracted.properties)
        from_properties = taken_from(metadata, extracted.properties)
        has_metadata = False
    metadata, cut = bounded_metadata(metadata)
    return Report(
        path,
        text,
        metadata,
        extracted.encoding,
        digest.hexdigest(),
        has_metadata,
        format=extracted.format,
        layout=extracted.layout,
        warnings=extracted.warnings + cut,
        from_properties=from_properties,
    )
