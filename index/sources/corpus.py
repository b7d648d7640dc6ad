"""Read the reports of a corpus folder, with their metadata.

A report is a plain-text (``.txt``), PDF (``.pdf``), Word (``.docx``) or web page (``.html``,
``.htm``) file; its metadata, when there is any, is a ``.toml`` file with the same stem beside
it. Files are read as received and never rewritten: a text file is decoded (UTF-8 with or
without a BOM, UTF-16 with a BOM, or GB18030), so passage spans point into the exact source; the
text of the other formats is extracted by their readers (``index.sources.pdf_reader``,
``index.sources.docx_reader``, ``index.sources.html_reader``) and spans point into that text. A file that cannot
be used, or of a type the build does not read, is skipped with a problem that names it; the
other reports still load.

This module reads the folder; ``index.sources.reports`` reads one report,
``index.sources.metadata`` its metadata and ``index.sources.decoding`` a text file's bytes.
"""

from __future__ import annotations

import errno
import hashlib
import stat
from dataclasses import dataclass, field
from pathlib import Path

# Beside the reading itself, the build, search and the web take from here the kinds of problem
# and how to print one (KINDS, visible), a report's date (parse_date) and the file an indexed
# report was read from (source_of).
from shuangyu.index.sources.extracted import ExtractionCache
from shuangyu.index.sources.metadata import METADATA_SUFFIX
from shuangyu.index.sources.metadata import parse_date as parse_date
from shuangyu.index.sources.problems import KINDS as KINDS
from shuangyu.index.sources.problems import CorpusError, Problem
from shuangyu.index.sources.problems import visible as visible
from shuangyu.index.sources.read_budget import DEFAULT_BUDGET, ReadBudget
from shuangyu.index.sources.reports import READERS, Report, read_report
from shuangyu.index.sources.reports import source_of as source_of
from shuangyu.index.text.vocabulary import FILES as VOCABULARY_FILES
from shuangyu.index.text.vocabulary import Vocabulary

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
