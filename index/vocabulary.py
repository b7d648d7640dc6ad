"""A collection's own words: its names (``names.tsv``) and its glossary (``glossary.tsv``).

Both change how every report is cut into words and glossed, so a ``Vocabulary`` is read from
the corpus being built, copied into the build beside its index files, and read back from there
by the searcher: a server answers with the names of the index it has open, and picks up a
rebuilt index's names with the index.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass, field
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


# Compared and hashed by fingerprint alone: it is a key of the analysis caches, where hashing
# every name on each lookup would cost more than the lookup.
@dataclass(frozen=True, eq=False)
class Vocabulary:
    """The names and glossary of one collection (``index.analysis.segmenter`` keeps them whole)."""

    names: dict[str, Name] = field(default_factory=dict)
    glossary: tuple[GlossaryEntry, ...] = ()
    fingerprint: str = ""

    @classmethod
    def read(cls, folder: Path) -> Vocabulary:
        """The vocabulary of a corpus or build folder; empty where its files are missing.
        ``#`` lines are comments; a line of unknown kind or with a missing column is ignored
        rather than failing every search."""
        folder = Path(folder)
        raw = {name: (folder / name).read_bytes() if (folder / name).is_file() else b"" for name in FILES}
        digest = hashlib.sha256()
        for name, content in raw.items():
            digest.update(name.encode() + b"\0" + content + b"\0")
        names: dict[str, Name] = {}
        for columns in _rows(raw[NAMES_FILE]):
            word, kind, english = (columns + ["", ""])[:3]
            if kind in NAME_KINDS_AND_TERMS and word:
                names[word] = Name(word, kind, english)
        glossary = tuple(GlossaryEntry(*columns[:3]) for columns in _rows(raw[GLOSSARY_FILE])
                         if len(columns) >= 3 and all(columns[:3]))
        return cls(names, glossary, digest.hexdigest())

    def copy_files(self, source: Path, target: Path) -> None:
        """Copy the vocabulary files of ``source`` (a corpus folder) into ``target`` (a build)."""
        for name in FILES:
            if (Path(source) / name).is_file():
                shutil.copyfile(Path(source) / name, Path(target) / name)

    def __eq__(self, other) -> bool:
        return isinstance(other, Vocabulary) and other.fingerprint == self.fingerprint

    def __hash__(self) -> int:
        return hash(self.fingerprint)

    def __getstate__(self):
        # Pickled with the analysers into a Whoosh index: the words, not the segmenter.
        return {"names": self.names, "glossary": self.glossary, "fingerprint": self.fingerprint}

    def __setstate__(self, state) -> None:
        for key, value in state.items():
            object.__setattr__(self, key, value)


def _rows(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8-sig", errors="replace")
    return [[column.strip() for column in line.split("\t")] for line in text.splitlines()
            if line.strip() and not line.startswith("#")]
