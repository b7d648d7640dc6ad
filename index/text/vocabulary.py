"""A collection's own words: its names (``names.tsv``) and its glossary (``glossary.tsv``).

Both change how every report is cut into words and glossed, so a ``Vocabulary`` is read from
the corpus being built, written into the build beside its index files (the very bytes that were
read, so the words indexed and the words searched are the same), and read back from there
by the searcher: a server answers with the names of the index it has open, and picks up a
rebuilt index's names with the index.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

NAMES_FILE = "names.tsv"
GLOSSARY_FILE = "glossary.tsv"
FILES = (NAMES_FILE, GLOSSARY_FILE)

NAME_KINDS = ("place", "person", "organisation")
NAME_KINDS_AND_TERMS = NAME_KINDS + ("term",)


@dataclass(frozen=True)
class Name:
    """An entry of the names file: a word jieba must keep whole, and its English."""

    word: str
    kind: str
    english: str = ""

    @property
    def is_proper(self) -> bool:
        return self.kind in NAME_KINDS


@dataclass(frozen=True)
class GlossaryEntry:
    """A line of the glossary: the standard English of a Chinese term, and its source."""

    english: str
    chinese: str
    source: str


# Compared and hashed by fingerprint alone: two vocabularies of the same words are equal, and
# comparing them costs no more than comparing two strings.
@dataclass(frozen=True, eq=False)
class Vocabulary:
    """The names and glossary of one collection (the segmenter of its index's
    ``index.text.language.Language`` keeps them whole)."""

    names: dict[str, Name] = field(default_factory=dict)
    glossary: tuple[GlossaryEntry, ...] = ()
    fingerprint: str = ""
    # The files' bytes as read (``read``), for ``write``.
    files: dict[str, bytes] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.fingerprint:
            # Made in code rather than read: the fingerprint comes from the words themselves,
            # so that two different vocabularies are never equal.
            words = repr(
                (
                    sorted((name.word, name.kind, name.english) for name in self.names.values()),
                    self.glossary,
                )
            )
            object.__setattr__(self, "fingerprint", hashlib.sha256(words.encode()).hexdigest())

    @classmethod
    def read(cls, folder: Path) -> Vocabulary:
        """The vocabulary of a corpus or build folder; empty where its files are missing.
        ``#`` lines are comments; a line of unknown kind or with a missing column is ignored
        rather than failing every search."""
        folder = Path(folder)
        raw = {
            name: (folder / name).read_bytes() if (folder / name).is_file() else b""
            for name in FILES
        }
        digest = hashlib.sha256()
        for name, content in raw.items():
            digest.update(name.encode() + b"\0" + content + b"\0")
        names: dict[str, Name] = {}
        for columns in _rows(raw[NAMES_FILE]):
            word, kind, english = (columns + ["", ""])[:3]
            if kind in NAME_KINDS_AND_TERMS and word:
                names[word] = Name(word, kind, english)
        glossary = tuple(
            GlossaryEntry(*columns[:3])
            for columns in _rows(raw[GLOSSARY_FILE])
            if len(columns) >= 3 and all(columns[:3])
        )
        return cls(
            names,
            glossary,
            digest.hexdigest(),
            {name: content for name, content in raw.items() if content},
        )

    @cached_property
    def official_english(self) -> dict[str, str]:
        """The English of each glossary term: the first line that gives one (the standard
        rendering; later lines are other renderings a query may use)."""
        english: dict[str, str] = {}
        for entry in self.glossary:
            english.setdefault(entry.chinese, entry.english)
        return english

    def write(self, target: Path) -> None:
        """Write the files this vocabulary was read from into ``target`` (a build folder)."""
        for name, content in self.files.items():
            (Path(target) / name).write_bytes(content)

    def __eq__(self, other) -> bool:
        return isinstance(other, Vocabulary) and other.fingerprint == self.fingerprint

    def __hash__(self) -> int:
        return hash(self.fingerprint)

    def __getstate__(self):
        # Pickled with the analysers into every Whoosh index: the words, not the files' bytes.
        return {"names": self.names, "glossary": self.glossary, "fingerprint": self.fingerprint}

    def __setstate__(self, state) -> None:
        object.__setattr__(self, "files", {})
        for key, value in state.items():
            object.__setattr__(self, key, value)


def _rows(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8-sig", errors="replace")
    return [
        [column.strip() for column in line.split("\t")]
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    ]
