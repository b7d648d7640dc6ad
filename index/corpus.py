"""Read the reports of a corpus folder, with their metadata.

A report is a ``.txt`` file; its metadata, when there is any, is a ``.toml`` file with the same
stem beside it. Files are read as received: the text is decoded (UTF-8 with or without a BOM,
UTF-16 with a BOM, or GB18030) but never rewritten, so passage spans point into the exact source.
A file that cannot be used is skipped with a problem that names it; the other reports still load.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

REPORT_SUFFIX = ".txt"
METADATA_SUFFIX = ".toml"

# Report ids appear in passage ids (`<report-id>:p012`) and URLs: no separators, no dots.
REPORT_ID_PATTERN = re.compile(r"^\w[\w-]{0,79}$")

_TEXT_FIELDS = ("id", "title", "subtitle", "photo_credit", "publisher", "date", "date_basis", "language")
_LIST_FIELDS = ("authors",)


@dataclass(frozen=True)
class Metadata:
    """What is known about a report. Empty strings mean "not known", never a guess."""

    id: str
    title: str
    subtitle: str = ""
    authors: tuple[str, ...] = ()
    photo_credit: str = ""
    publisher: str = ""
    date: str = ""
    date_basis: str = ""
    language: str = "zh-Hans"

    @property
    def year(self) -> int | None:
        """The year of ``date`` when it starts with one."""
        match = re.match(r"(\d{4})", self.date)
        return int(match.group(1)) if match else None


@dataclass(frozen=True)
class Report:
    """One report as received: its decoded text, metadata and a fingerprint of both files."""

    path: Path
    text: str
    metadata: Metadata
    encoding: str
    fingerprint: str
    has_metadata_file: bool = True

    @property
    def id(self) -> str:
        return self.metadata.id


@dataclass(frozen=True)
class Problem:
    """Something wrong with one corpus file. ``skipped`` says whether the report was left out."""

    path: Path
    message: str
    skipped: bool

    def __str__(self) -> str:
        verdict = "skipped" if self.skipped else "warning"
        return f"{self.path.name}: {self.message} ({verdict})"


@dataclass
class Corpus:
    """The reports that loaded, in file-name order, and the problems met on the way."""

    reports: list[Report] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        """Changes whenever a report or its metadata changes, or a report is added or removed."""
        digest = hashlib.sha256()
        for report in self.reports:
            digest.update(f"{report.path.name}\0{report.fingerprint}\n".encode())
        return digest.hexdigest()


class CorpusError(Exception):
    """A corpus file cannot be used; the message names the problem (the caller names the file)."""


def read_corpus(folder: Path) -> Corpus:
    """Read every ``*.txt`` report in ``folder`` (not recursive), in file-name order.

    Raises ``CorpusError`` only when the folder itself is missing; a bad report becomes a
    ``Problem`` and the rest still load. Report ids are unique: a duplicate is skipped.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise CorpusError(f"corpus folder not found: {folder}")
    corpus = Corpus()
    seen_ids: dict[str, Path] = {}
    for path in sorted(folder.glob(f"*{REPORT_SUFFIX}")):
        if not path.is_file():
            continue
        try:
            report = read_report(path)
        except CorpusError as error:
            corpus.problems.append(Problem(path, str(error), skipped=True))
            continue
        if not report.has_metadata_file:
            corpus.problems.append(
                Problem(path, f"no metadata file {path.stem}{METADATA_SUFFIX}; titled from its first line", skipped=False)
            )
        if report.id in seen_ids:
            corpus.problems.append(
                Problem(path, f"duplicate report id {report.id!r} (already used by {seen_ids[report.id].name})", skipped=True)
            )
            continue
        seen_ids[report.id] = path
        corpus.reports.append(report)
    return corpus


def read_report(path: Path) -> Report:
    """Read one report and its metadata; raise ``CorpusError`` when it cannot be used."""
    raw = path.read_bytes()
    text, encoding = decode_report(raw)
    if not text.strip():
        raise CorpusError("empty report (no text)")
    metadata_path = path.with_suffix(METADATA_SUFFIX)
    digest = hashlib.sha256(raw)
    if metadata_path.is_file():
        metadata_raw = metadata_path.read_bytes()
        digest.update(b"\0" + metadata_raw)
        metadata = parse_metadata(metadata_raw, default_id=slug_for(path), default_title=first_line(text))
        has_metadata = True
    else:
        metadata = Metadata(id=slug_for(path), title=first_line(text))
        has_metadata = False
    return Report(path, text, metadata, encoding, digest.hexdigest(), has_metadata)


def decode_report(raw: bytes) -> tuple[str, str]:
    """Decode a report's bytes; return the text and the encoding used.

    UTF-8 (a BOM is dropped), UTF-16 with a BOM, then GB18030, the superset of GBK and GB2312
    that Chinese Windows systems save by default. Binary data is refused rather than guessed at.
    """
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            try:
                return raw.decode(encoding), encoding
            except UnicodeDecodeError as error:
                raise CorpusError(f"starts with a {encoding} byte-order mark but is not valid {encoding}: {error.reason}") from None
    if b"\0" in raw:
        raise CorpusError("binary file (contains NUL bytes), not a text report")
    for encoding in ("utf-8", "gb18030"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return text, encoding
    raise CorpusError("not a text report: the bytes are neither UTF-8 nor GB18030 text")


# C0 control characters other than tab, line feed, form feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def _looks_like_text(text: str) -> bool:
    """True unless control characters (other than line breaks and tabs) make up the text."""
    return len(_CONTROL.findall(text)) <= len(text) // 100


def parse_metadata(raw: bytes, default_id: str, default_title: str) -> Metadata:
    """Parse a report's TOML metadata; raise ``CorpusError`` saying which field is wrong."""
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise CorpusError("metadata file is not UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        raise CorpusError(f"malformed metadata: {error}") from None
    unknown = sorted(set(data) - set(_TEXT_FIELDS) - set(_LIST_FIELDS))
    if unknown:
        raise CorpusError(f"malformed metadata: unknown field(s) {', '.join(unknown)}")
    values: dict[str, object] = {}
    for name in _TEXT_FIELDS:
        if name in data:
            if not isinstance(data[name], str):
                raise CorpusError(f"malformed metadata: {name} must be a string")
            values[name] = data[name].strip()
    for name in _LIST_FIELDS:
        if name in data:
            items = data[name]
            if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
                raise CorpusError(f"malformed metadata: {name} must be a list of strings")
            values[name] = tuple(item.strip() for item in items if item.strip())
    values["id"] = values.get("id") or default_id
    values["title"] = values.get("title") or default_title
    if not REPORT_ID_PATTERN.match(str(values["id"])):
        raise CorpusError(f"malformed metadata: id {values['id']!r} must be letters, digits, '_' or '-' (at most 80)")
    return Metadata(**values)  # type: ignore[arg-type]


def slug_for(path: Path) -> str:
    """A report id made from a file name: lower case, runs of other characters become '-'."""
    slug = re.sub(r"[^\w]+", "-", path.stem.lower()).strip("-_")[:80]
    return slug or "report"


def first_line(text: str) -> str:
    """The first non-blank line, stripped: the title of a report that has no metadata."""
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""
