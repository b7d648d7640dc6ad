"""The lexicon kept beside a build of the opensearch engine (each field's words and how many
passages have them), which suggestions and completions read many of a request.

The lexicon is an SQLite database (Python's own ``sqlite3``), so that an update in place writes
only the counts it changes, in one transaction: a build killed or failed midway leaves the
lexicon as the last good build wrote it (SQLite rolls the unfinished transaction back when the
file is next opened), and a reader opens it without reading it whole.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections import Counter
from pathlib import Path

from shuangyu.index.engines.opensearch_values import words_of
from shuangyu.index.engines.sqlite_errors import answering, damaged, writing
from shuangyu.index.engines.store import IndexUnavailable

LEXICON_FILE = "lexicon.sqlite"
EARLIER_LEXICON_FILE = "lexicon.json"  # written by Shuangyu before the SQLite lexicon
# How long a reader or an update waits for the other to finish with the file.
BUSY_SECONDS = 30
# --- The lexicon ---------------------------------------------------------------------------

# A field is named once, in ``fields``, and by its number in each of its words' rows.
SCHEMA = """
CREATE TABLE fields (id INTEGER PRIMARY KEY, field TEXT NOT NULL UNIQUE,
                     passages INTEGER NOT NULL);
CREATE TABLE words (field INTEGER NOT NULL, word TEXT NOT NULL, passages INTEGER NOT NULL,
                    PRIMARY KEY (field, word)) WITHOUT ROWID;
CREATE TABLE contents (hash TEXT PRIMARY KEY, passages INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX repeated ON contents (hash) WHERE passages > 1;
CREATE TABLE reports (report TEXT PRIMARY KEY, passages INTEGER NOT NULL) WITHOUT ROWID;
"""
# A field's number, in a question about its words.
FIELD_ID = "(SELECT id FROM fields WHERE field = ?)"


class Lexicon:
    """The words of each text field with the number of passages that have them, how many
    passages have each field, the passages of each content hash and of each report: what a
    reader asks of many words at once, kept beside the build in ``LEXICON_FILE``.

    ``Lexicon()`` is a new build's, ``Lexicon.read(build_dir)`` the one a build wrote. ``count``
    adds (or, with ``sign`` -1, takes away) a passage's words to the changes that ``write``
    then writes: a new lexicon whole, a read one's changes alone, in one transaction. The
    questions (``frequency``, ``words_starting`` ...) read the file as written; they are safe
    to ask from several threads at once."""

    def __init__(self, path: Path | None = None, connection: sqlite3.Connection | None = None):
        self._path = path
        self._connection = connection
        self._lock = threading.Lock()
        # The changes counted since the lexicon was read (all of a new one's counts).
        self.words: dict[str, Counter] = {}
        self.fields: Counter = Counter()
        self.contents: Counter = Counter()
        self.reports: Counter = Counter()

    # Counting.

    def count(self, document: dict, values: dict[str, list[str]], sign: int = 1) -> None:
        for name, field_values in values.items():
            words = words_of(field_values)
            if words:
                self.fields[name] += sign
                counter = self.words.setdefault(name, Counter())
                for word in words:
                    counter[word] += sign
        self.contents[document["content_hash"]] += sign
        self.reports[document["report_id"]] += sign

    def _word_rows(self, ids: dict[str, int]) -> list[tuple[int, str, int]]:
        """The changes of the words' counts, by field number (``ids``), zero ones left out."""
        return sorted(
            (ids[name], word, change)
            for name, counter in self.words.items()
            for word, change in counter.items()
            if change
        )

    def _forget_changes(self) -> None:
        self.words, self.fields, self.contents, self.reports = {}, Counter(), Counter(), Counter()

    # Writing.

    def write(self, build_dir: Path) -> None:
        """Write what was counted: a new lexicon in ``build_dir`` (written aside, then renamed
        into place), or the changes to the one that was read, in one transaction."""
        path = Path(build_dir) / LEXICON_FILE
        with writing(path):
            if self._connection is None:
                self._write_new(path)
            else:
                with self._lock:
                    self._apply(self._connection)
        self._forget_changes()

    def _write_new(self, path: Path) -> None:
        staging = path.with_name(path.name + ".tmp")
        staging.unlink(missing_ok=True)
        connection = sqlite3.connect(staging)
        try:
            # No journal: a new build's folder is removed whole when it fails.
            connection.execute("PRAGMA journal_mode = OFF")
            connection.execute("PRAGMA synchronous = OFF")
            connection.executescript(SCHEMA)
            ids = {name: number for number, name in enumerate(sorted({*self.words, *self.fields}))}
            with connection:
                connection.executemany(
                    "INSERT INTO fields VALUES (?, ?, ?)",
                    [(number, name, max(self.fields[name], 0)) for name, number in ids.items()],
                )
                connection.executemany(
                    "INSERT INTO words VALUES (?, ?, ?)",
                    [row for row in self._word_rows(ids) if row[-1] > 0],
                )
                for table, counter in (("contents", self.contents), ("reports", self.reports)):
                    connection.executemany(
                        f"INSERT INTO {table} VALUES (?, ?)",
                        sorted((key, count) for key, count in counter.items() if count > 0),
                    )
        finally:
            connection.close()
        with open(staging, "rb+") as written:
            os.fsync(written.fileno())
        os.replace(staging, path)

    def _apply(self, connection: sqlite3.Connection) -> None:
        """Add the changes to the counts in the file, and drop the counts they bring to
        nothing, in one transaction."""
        add = "ON CONFLICT ({}) DO UPDATE SET passages = passages + excluded.passages"
        with connection:
            connection.execute("BEGIN IMMEDIATE")
            # A field new to the index gets the next number; a field's row is never removed.
            connection.executemany(
                "INSERT INTO fields (field, passages) VALUES (?, ?) " + add.format("field"),
                [(name, self.fields[name]) for name in sorted({*self.words, *self.fields})],
            )
            ids = dict(connection.execute("SELECT field, id FROM fields").fetchall())
            rows = self._word_rows(ids)
            connection.executemany(
                "INSERT INTO words VALUES (?, ?, ?) " + add.format("field, word"), rows
            )
            connection.executemany(
                "DELETE FROM words WHERE field = ? AND word = ? AND passages <= 0",
                [row[:-1] for row in rows if row[-1] < 0],
            )
            for table, key in (("contents", "hash"), ("reports", "report")):
                counter = self.contents if table == "contents" else self.reports
                changes = sorted((name, change) for name, change in counter.items() if change)
                connection.executemany(
                    f"INSERT INTO {table} VALUES (?, ?) " + add.format(key), changes
                )
                connection.executemany(
                    f"DELETE FROM {table} WHERE {key} = ? AND passages <= 0",
                    [(name,) for name, change in changes if change < 0],
                )

    # Reading.

    @classmethod
    def read(cls, build_dir: Path) -> Lexicon:
        """The lexicon a build wrote; ``IndexUnavailable`` when it is missing or damaged."""
        path = Path(build_dir) / LEXICON_FILE
        if not path.is_file() and (Path(build_dir) / EARLIER_LEXICON_FILE).is_file():
            raise IndexUnavailable(
                f"index in {build_dir} was written by an earlier Shuangyu: run `shuangyu build`"
            )
        try:
            # mode=rw: never a new empty file in place of a missing one.
            connection = sqlite3.connect(
                path.absolute().as_uri() + "?mode=rw",
                uri=True,
                timeout=BUSY_SECONDS,
                check_same_thread=False,
                isolation_level=None,
            )
        except sqlite3.Error as error:
            raise damaged(path, error) from None
        try:
            # The tables a reader opens with: a file that is not the lexicon fails here.
            connection.execute("SELECT count(*), sum(passages) FROM reports").fetchall()
            connection.execute("SELECT count(*) FROM fields").fetchall()
        except sqlite3.Error as error:
            connection.close()
            raise damaged(path, error) from None
        return cls(path, connection)

    def _select(self, sql: str, parameters: tuple = ()) -> list[tuple]:
        with self._lock, answering(self._path):
            if self._connection is None:
                raise sqlite3.ProgrammingError("the lexicon is closed")
            return self._connection.execute(sql, parameters).fetchall()

    def _one(self, sql: str, parameters: tuple) -> int:
        found = self._select(sql, parameters)
        return found[0][0] if found and found[0][0] is not None else 0

    def frequency(self, field_name: str, word: str) -> int:
        """The number of passages whose ``field_name`` has ``word``."""
        return self._one(
            f"SELECT passages FROM words WHERE field = {FIELD_ID} AND word = ?", (field_name, word)
        )

    def frequencies(self, field_name: str, words: list[str]) -> dict[str, int]:
        """``frequency`` of several words of one field (those it lacks left out)."""
        found: dict[str, int] = {}
        for start in range(0, len(words), 500):
            chunk = words[start : start + 500]
            found.update(
                self._select(
                    f"SELECT word, passages FROM words WHERE field = {FIELD_ID} AND word IN "
                    f"({', '.join('?' * len(chunk))})",
                    (field_name, *chunk),
                )
            )
        return found

    def having(self, field_name: str) -> int:
        """The number of passages that have a word in ``field_name``."""
        return self._one("SELECT passages FROM fields WHERE field = ?", (field_name,))

    def words_starting(self, field_name: str, prefix: str = "") -> list[str]:
        """The words of ``field_name`` that start with ``prefix``, in order."""
        if not prefix:
            rows = self._select(
                f"SELECT word FROM words WHERE field = {FIELD_ID} ORDER BY word", (field_name,)
            )
            return [word for (word,) in rows]
        # Every word that starts with the prefix sorts from it to (not including) the prefix
        # with its last character one higher: code point order, SQLite's as Python's.
        sql = f"SELECT word FROM words WHERE field = {FIELD_ID} AND word >= ?"
        parameters = [field_name, prefix]
        if ord(prefix[-1]) < 0x10FFFF:
            sql += " AND word < ?"
            parameters.append(prefix[:-1] + chr(ord(prefix[-1]) + 1))
        rows = self._select(sql + " ORDER BY word", tuple(parameters))
        return [word for (word,) in rows if word.startswith(prefix)]

    def most_frequent(self, field_name: str, count: int) -> list[tuple[str, int]]:
        return [
            (word, passages)
            for word, passages in self._select(
                f"SELECT word, passages FROM words WHERE field = {FIELD_ID} "
                "ORDER BY passages DESC, word LIMIT ?",
                (field_name, count),
            )
        ]

    def content_passages(self, content_hash: str) -> int:
        """The number of passages with the text of ``content_hash``."""
        return self._one("SELECT passages FROM contents WHERE hash = ?", (content_hash,))

    def repeated(self) -> list[str]:
        """The content hashes of the texts in more than one passage, in order."""
        rows = self._select("SELECT hash FROM contents WHERE passages > 1 ORDER BY hash")
        return [content for (content,) in rows]

    def report_passages(self, report_id: str) -> int:
        return self._one("SELECT passages FROM reports WHERE report = ?", (report_id,))

    def report_count(self) -> int:
        return self._one("SELECT count(*) FROM reports", ())

    def passages(self) -> int:
        return self._one("SELECT sum(passages) FROM reports", ())

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
