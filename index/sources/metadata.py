"""What is known about a report (``Metadata``): read from the TOML file beside it, or, where
there is none, inferred from its text and its file's own properties; each field capped in
length, and dates checked against the calendar before they are cited."""

from __future__ import annotations

import dataclasses
import datetime
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from shuangyu.index.sources.formats import Properties
from shuangyu.index.sources.ids import REPORT_ID_PATTERN
from shuangyu.index.sources.inferred_metadata import FILE_NAME_YEAR, infer
from shuangyu.index.sources.problems import CorpusError

METADATA_SUFFIX = ".toml"

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


def year_spoken_in(date: str, date_basis: str, file_name: str) -> int | None:
    """The year a report's own words count from (its 去年 and 今年): the year of its ``date``
    when a metadata file gives it, the report prints it (its opening line, the date its web copy
    was published) or its ``file_name`` holds that year alone (gwr-1989.txt). ``None`` when
    ``date_basis`` says the date was read from the file's own properties (often when the file
    was made) or from a file name with several years (关于2018年执行情况与2019年计划的报告),
    or when it is no valid date."""
    from_file = "(no metadata file)" in date_basis and (
        "when the file was made" in date_basis
        or ("file name" in date_basis and len(FILE_NAME_YEAR.findall(Path(file_name).stem)) != 1)
    )
    parts = None if from_file else parse_date(date)
    return parts[0] if parts else None


# Metadata is a few lines: the TOML parser holds what it reads several times over.
MAX_METADATA_BYTES = 10 * 2**20

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


def taken_from(metadata: Metadata, properties: Properties) -> str:
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
