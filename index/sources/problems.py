"""What goes wrong with the files of a corpus: ``CorpusError`` when a file cannot be used, and
the ``Problem`` a corpus reading records for it (a file left out, or a warning), printed safely."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path


class CorpusError(Exception):
    """A corpus file cannot be used; the message names the problem (the caller names the file)."""


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
