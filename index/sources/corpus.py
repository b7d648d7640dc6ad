"""Read the reports of a corpus folder, with their metadata.

A report is a plain-text (``.txt``), PDF (``.pdf``), Word (``.docx``) or web page (``.html``,
``.htm``) file; its metadata, when there is any, is a ``.toml`` file with the same stem beside
it. Files are read as received and never rewritten: a text file is decoded (UTF-8 with or
without a BOM, UTF-16 with a BOM, or GB18030), so passage spans point into the exact source; the
text of the other formats is extracted by their readers (``index.sources.pdf_reader``,
``index.sources.docx_reader``, ``index.sources.html_reader``) and spans point into that text. A file that cannot
be used, or of a type the build does not read, is skipped with a problem that names it; the
other reports still load.
"""

from __future__ import annotations

import codecs
import dataclasses
import datetime
import errno
import hashlib
import importlib
import re
import stat
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from shuangyu.index.sources.extracted import ExtractionCache
from shuangyu.index.sources.formats import Extracted, Properties, UnreadableFile
from shuangyu.index.sources.ids import REPORT_ID_PATTERN
from shuangyu.index.sources.inferred_metadata import infer
from shuangyu.index.sources.passages import PLAIN, Layout
from shuangyu.index.sources.read_budget import DEFAULT_BUDGET, ReadBudget, read_within
from shuangyu.index.text.vocabulary import FILES as VOCABULARY_FILES
from shuangyu.index.text.vocabulary import Vocabulary

REPORT_SUFFIX = ".txt"
METADATA_SUFFIX = ".toml"
TEXT_FORMAT = "txt"


def read_text(raw: bytes) -> Extracted:
    """A plain-text report: its decoded text (see ``decode_report``)."""
    text, encoding = decode_report(raw)
    return Extracted(text, TEXT_FORMAT, encoding=encoding)


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
# What to do with a file of a type that is not read, where there is more to say than that.
_UNREAD_ADVICE = {
    ".doc": "an old Word file (.doc), which the build does not read: save it as .docx",
    ".wps": "a WPS file, which the build does not read: save it as .docx",
    ".rtf": "an RTF file, which the build does not read: save it as .docx",
    **dict.fromkeys(
        (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".gif", ".bmp", ".webp"),
        "an image: its text needs OCR, which this product does not do",
    ),
}


_TEXT_FIELDS = (
    "id",
    "title",
    "subtitle",
    "photo_credit",
    "publisher",
    "date",
    "date_basis",
    "language",
)
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
    # The fields read from the report's own text (no metadata file): "title", "date", "authors"...
    inferred: tuple[str, ...] = ()

    @property
    def year(self) -> int | None:
        """The year of ``date`` when it is a valid date (see ``parse_date``), else ``None``."""
        parts = parse_date(self.date)
        return parts[0] if parts else None

    @property
    def date_problem(self) -> str:
        """What is wrong with ``date`` (empty when it is valid or absent): such a date is shown as
        written but never cited."""
        if not self.date or parse_date(self.date):
            return ""
        return f"date {self.date[:40]!r} is not YYYY, YYYY-MM or YYYY-MM-DD; shown as written, left out of citations"


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


@dataclass(frozen=True)
class Problem:
    """Something wrong with one corpus file. ``skipped`` says whether the report was left out."""

    path: Path
    message: str
    skipped: bool

    def __str__(self) -> str:
        verdict = "skipped" if self.skipped else "warning"
        return visible(f"{self.path.name}: {self.message} ({verdict})")

    @property
    def kind(self) -> str:
        """What sort of problem this is, for a summary (``KINDS``): a file left out, metadata
        read from the text, a date that cannot be cited, or another warning."""
        if self.skipped:
            return "skipped"
        if self.message.startswith("no metadata file"):
            return "inferred"
        if self.message.startswith("date "):
            return "date"
        return "warning"


# The kinds of problem, in the order a summary lists them, with what a summary line says of them.
KINDS = {
    "skipped": "files not indexed",
    "inferred": "reports without a metadata file, their title, date, authors and publisher read from their text where it prints them",
    "date": "reports whose date is not YYYY, YYYY-MM or YYYY-MM-DD (shown as written, never cited)",
    "warning": "other warnings",
}


# Control characters (C0 but the tab, DEL, C1, the bidi overrides) and the surrogates a name that is not UTF-8 is
# read with: printed as they are, they would move the operator's cursor, change the terminal's
# title or forge a line of their own.
_INVISIBLE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def visible(text: str) -> str:
    """``text`` with its control characters (line breaks too) and undecodable bytes written
    as escapes (``\\x1b``, ``\\n``, ``\\udcff``): safe to print on one line of a terminal."""
    return _INVISIBLE.sub(
        lambda match: match.group().encode("unicode_escape").decode("ascii"), text
    )


@dataclass
class Corpus:
    """The reports that loaded, in file-name order, and the problems met on the way."""

    reports: list[Report] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # names.tsv and glossary.tsv, which change how every report is cut into words
    vocabulary: Vocabulary = field(default_factory=Vocabulary)

    @property
    def fingerprint(self) -> str:
        """Changes whenever a report or its metadata changes, or a report is added or removed."""
        digest = hashlib.sha256()
        for report in self.reports:
            digest.update(f"{report.path.name}\0{report.fingerprint}\n".encode())
        return digest.hexdigest()


class CorpusError(Exception):
    """A corpus file cannot be used; the message names the problem (the caller names the file)."""


def read_corpus(
    folder: Path, extracted: ExtractionCache | None = None, budget: ReadBudget = DEFAULT_BUDGET
) -> Corpus:
    """Read every report in ``folder`` (not recursive; see ``READERS``), in file-name order;
    the text of PDF, Word and web page files from ``extracted`` where it was read before, each
    file within ``budget`` (a file past it is skipped, named).

    Raises ``CorpusError`` only when the folder itself is missing; a bad report becomes a
    ``Problem`` and the rest still load. Report ids are unique: a duplicate is skipped. A report
    or metadata file that links outside the folder is skipped. Every other file but the
    vocabulary's, hidden ones and the metadata beside a report is named as not read: nothing in
    the folder is passed over silently.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise CorpusError(f"corpus folder not found: {folder}")
    corpus = Corpus(vocabulary=Vocabulary.read(folder))
    seen_ids: dict[str, Path] = {}
    root = folder.resolve()
    files = []
    for path in sorted(entry for entry in folder.iterdir() if not entry.name.startswith(".")):
        refusal = _not_a_file(path)
        if refusal is None:
            files.append(path)
        elif refusal:
            corpus.problems.append(Problem(path, refusal, skipped=True))
    report_stems = {path.stem for path in files if path.suffix.lower() in READERS}
    for path in files:
        if path.suffix.lower() not in READERS:
            unread = _unread_problem(path, report_stems)
            corpus.problems.extend([unread] if unread else [])
            continue
        # A link may point anywhere (a home folder, /etc): only what is in the folder is published.
        if any(
            not linked.resolve().is_relative_to(root)
            for linked in (path, path.with_suffix(METADATA_SUFFIX))
            if linked.exists()
        ):
            corpus.problems.append(
                Problem(path, "links to a file outside the corpus folder", skipped=True)
            )
            continue
        try:
            report = read_report(path, extracted, budget)
        except CorpusError as error:
            corpus.problems.append(Problem(path, str(error), skipped=True))
            continue
        except Exception as error:  # noqa: BLE001 - one file's fault never stops the build
            corpus.problems.append(
                Problem(
                    path,
                    f"could not be read ({type(error).__name__}: {str(error)[:200]})",
                    skipped=True,
                )
            )
            continue
        corpus.problems.extend(Problem(path, warning, skipped=False) for warning in report.warnings)
        if report.metadata.date_problem:
            corpus.problems.append(Problem(path, report.metadata.date_problem, skipped=False))
        if not report.has_metadata_file:
            title, metadata = report.metadata.title, report.metadata
            inferred = (
                f"title {title[:80]!r}"
                + ("..." if len(title) > 80 else "")
                + (f", date {metadata.date}" if metadata.date else "")
            )
            from_text = [
                f"{name} {', '.join(value) if isinstance(value, tuple) else value}"
                for name in ("authors", "publisher")
                if name in metadata.inferred and (value := getattr(metadata, name))
            ]
            inferred += "".join(f", {part}" for part in from_text)
            source = (
                f" ({report.from_properties} from the file's own properties)"
                if report.from_properties
                else ""
            )
            corpus.problems.append(
                Problem(
                    path,
                    f"no metadata file {path.stem}{METADATA_SUFFIX}; inferred {inferred}{source}",
                    skipped=False,
                )
            )
        if report.id in seen_ids:
            corpus.problems.append(
                Problem(
                    path,
                    f"duplicate report id {report.id!r} (already used by {seen_ids[report.id].name})",
                    skipped=True,
                )
            )
            continue
        seen_ids[report.id] = path
        corpus.reports.append(report)
    return corpus


def _not_a_file(path: Path) -> str | None:
    """Why ``path`` is not read as a file of the corpus ("" for a folder, which is passed over:
    the corpus is not recursive), or ``None`` when it is a regular file with a usable name.
    Reading a named pipe or a device would never end; a name that is not UTF-8 cannot be an
    id, a link or a citation."""
    try:
        path.name.encode("utf-8")
    except UnicodeEncodeError:
        return "a file name that is not UTF-8: rename it"
    try:
        mode = path.stat().st_mode
    except RuntimeError:  # a loop of links (Python 3.11 and 3.12)
        return "a link that loops back on itself"
    except OSError as error:
        if error.errno == errno.ELOOP:
            return "a link that loops back on itself"
        if error.errno == errno.ENOENT:
            return "a link to nothing (its target does not exist)"
        return f"cannot be read: {error.strerror}"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return ""
    kind = (
        "a named pipe"
        if stat.S_ISFIFO(mode)
        else "a device"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "not a regular file"
    )
    return f"{kind}, not a file: not read"


def _unread_problem(path: Path, report_stems: set[str]) -> Problem | None:
    """The problem to name a file that is not a report, or ``None`` for the corpus's own files
    (the vocabulary, the metadata beside a report)."""
    if path.name in VOCABULARY_FILES:
        return None
    if path.suffix.lower() == METADATA_SUFFIX:
        if path.stem in report_stems:
            return None
        return Problem(
            path,
            f"metadata file without a report (no {path.stem}.txt, .pdf, .docx or .html beside it)",
            skipped=True,
        )
    formats = ", ".join(READERS)
    advice = _UNREAD_ADVICE.get(
        path.suffix.lower(), f"not a report format the build reads ({formats})"
    )
    return Problem(path, advice, skipped=True)


# The largest file read as a report: a report of a thousand scanned-free pages is far smaller, and
# every reader holds the whole file (and a PDF's parsed pages) in memory.
MAX_REPORT_BYTES = 200 * 1024 * 1024


# Metadata is a few lines: the TOML parser holds what it reads several times over.
MAX_METADATA_BYTES = 10 * 2**20


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
        from_properties = _taken_from(metadata, extracted.properties)
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


# What one metadata field may hold: every result and citation carries the report's metadata, so
# a 6 MB title from a received file would be copied into every answer.
MAX_FIELD_CHARS = 500
MAX_AUTHORS = 100
MAX_AUTHOR_CHARS = 200


def bounded_metadata(metadata: Metadata) -> tuple[Metadata, tuple[str, ...]]:
    """``metadata`` with each text field cut to ``MAX_FIELD_CHARS`` and the authors to
    ``MAX_AUTHORS`` of at most ``MAX_AUTHOR_CHARS`` each, and a warning for each field cut,
    saying how long it was."""
    changes: dict[str, object] = {}
    warnings = []
    for name in _TEXT_FIELDS:
        value = getattr(metadata, name)
        if len(value) > MAX_FIELD_CHARS:
            changes[name] = value[:MAX_FIELD_CHARS].rstrip()
            warnings.append(
                f"{name} of {len(value):,} characters cut to its first {MAX_FIELD_CHARS}"
            )
    authors = metadata.authors
    if len(authors) > MAX_AUTHORS:
        warnings.append(f"{len(authors):,} authors: only the first {MAX_AUTHORS} kept")
        authors = authors[:MAX_AUTHORS]
    if any(len(author) > MAX_AUTHOR_CHARS for author in authors):
        warnings.append(
            f"author names longer than {MAX_AUTHOR_CHARS} characters cut to that length"
        )
        authors = tuple(author[:MAX_AUTHOR_CHARS].rstrip() for author in authors)
    if authors != metadata.authors:
        changes["authors"] = authors
    return (dataclasses.replace(metadata, **changes) if changes else metadata), tuple(warnings)


def _taken_from(metadata: Metadata, properties: Properties) -> str:
    """Which of ``metadata``'s fields are the file's ``properties`` ("title, authors")."""
    taken = [
        name
        for name, value in (
            ("title", properties.title),
            ("authors", properties.authors),
            ("date", properties.date),
            ("publisher", properties.publisher),
        )
        if value and getattr(metadata, name) == value
    ]
    return ", ".join(taken)


def decode_report(raw: bytes) -> tuple[str, str]:
    """Decode a report's bytes; return the text and the encoding used.

    UTF-8 (a BOM is dropped), UTF-16 with a BOM, then GB18030, the superset of GBK and GB2312
    that Chinese Windows systems save by default. Binary data is refused rather than guessed at.
    """
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if raw.startswith(bom):
            try:
                return raw.decode(encoding), encoding
            except UnicodeDecodeError as error:
                raise CorpusError(
                    f"starts with a {encoding} byte-order mark but is not valid {encoding}: {error.reason}"
                ) from None
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
    except RecursionError:
        # tomllib parses nested arrays and tables by recursion: 500 levels exhaust the stack.
        raise CorpusError(
            "malformed metadata: arrays or tables nested too deeply to read"
        ) from None
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
        raise CorpusError(
            f"malformed metadata: id {values['id']!r} must be letters, digits, '_' or '-' (at most 80)"
        )
    return Metadata(**values)  # type: ignore[arg-type]


_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")


def parse_date(text: str) -> tuple[int, ...] | None:
    """The (year,), (year, month) or (year, month, day) of an ISO date ``YYYY``, ``YYYY-MM`` or
    ``YYYY-MM-DD`` that exists in the calendar; ``None`` for anything else (``2020-13``,
    ``2020-00``, ``20201231``, ``2021年第24期``), which is never cited."""
    match = _DATE.fullmatch(text.strip())
    if not match:
        return None
    parts = tuple(int(part) for part in match.groups() if part is not None)
    try:
        datetime.date(*parts, *(1,) * (3 - len(parts)))
    except ValueError:
        return None
    return parts if parts[0] >= 1000 else None


_MAX_TITLE_CHARS = 60
_PROSE_END = re.compile(r"[：:，,；;。！？!?]$")


def infer_metadata(path: Path, text: str, properties: Properties = Properties()) -> Metadata:  # noqa: B008 (frozen)
    """Metadata for a report that came without any: its id from the file name; its title,
    subtitle, date, speaker and issuing body as the text prints them (``index.sources.inferred_metadata``);
    where the text is silent, what the file's ``properties`` say (a PDF's or Word file's
    document properties, a web page's meta tags; a property title always wins over a guessed
    one), else the year in the file name, else the first line or the file name for a title.
    ``date_basis`` says where the date came from and ``inferred`` which fields were read from
    the text. Nothing is invented: what cannot be read stays empty."""
    found = infer(path, text)
    date, date_basis = found.date, found.date_basis
    printed_date = date and "opening line" in date_basis
    if properties.date and not printed_date:
        if properties.date_published:
            date, date_basis = properties.date, f"From {properties.source} (no metadata file)."
        else:
            # A PDF's or Word file's date is often when the file was made, not when the report
            # was published: a guess, cited as one.
            date, date_basis = (
                properties.date,
                f"Inferred from {properties.source}, which may be when the file was made (no metadata file).",
            )
    title, inferred = found.title, list(found.fields)
    if properties.title:
        title = properties.title
        inferred = [name for name in inferred if name not in ("title", "subtitle")]
    elif found.title_basis == "file name":
        # A salutation (同志们：) or a paragraph says nothing of the report: the file name does.
        opening_line = first_line(text)
        title = (
            opening_line
            if len(opening_line) <= _MAX_TITLE_CHARS and not _PROSE_END.search(opening_line)
            else path.stem
        )
    if date != found.date:
        inferred = [name for name in inferred if name != "date"]
    authors = properties.authors or found.authors
    publisher = properties.publisher or found.publisher
    inferred = [
        name
        for name in inferred
        if not (name == "authors" and properties.authors)
        and not (name == "publisher" and properties.publisher)
    ]
    return Metadata(
        id=slug_for(path),
        title=title,
        subtitle="" if properties.title else found.subtitle,
        authors=authors,
        publisher=publisher,
        date=date,
        date_basis=date_basis,
        inferred=tuple(inferred),
    )


def slug_for(path: Path) -> str:
    """A report id made from a file name: lower case, runs of other characters become '-'."""
    slug = re.sub(r"[^\w]+", "-", path.stem.lower()).strip("-_")[:80]
    return slug or "report"


def first_line(text: str) -> str:
    """The first line with something visible, stripped: the title of a report that has no metadata.
    A line of zero-width spaces alone (web copies have them) is blank."""
    for line in text.splitlines():
        if line.strip(_INVISIBLE_AND_SPACE):
            return line.strip(_INVISIBLE_AND_SPACE)
    return ""


# str.strip() leaves the zero-width space, joiners and the byte-order mark.
_INVISIBLE_AND_SPACE = " \t\r\n\f\v\u3000\u00a0\u200b\u200c\u200d\u2060\ufeff"
