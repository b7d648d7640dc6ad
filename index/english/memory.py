"""Translation memory: every machine translation made, kept so it is never made twice.

Translations are keyed by engine, model (name and version) and a hash of the normalised source
text, in an SQLite file under the instance folder. Each batch is committed as it is made, so an
interrupted run keeps everything it finished. JSON Lines export and import carry translations
from a machine that has the model to one that does not.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS translations (
    engine TEXT NOT NULL,
    model TEXT NOT NULL,
    source_hash TEXT NOT NULL,
    source TEXT NOT NULL,
    translation TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (engine, model, source_hash)
)
"""
EXPORT_FIELDS = ("engine", "model", "source_hash", "source", "translation", "created_at")
_INSERT = "INSERT OR REPLACE INTO translations VALUES (?, ?, ?, ?, ?, ?)"
# An imported source or translation: a passage is at most a few hundred characters, so anything
# near this is not a passage (and a 200 MB one took 900 MB of memory).
MAX_TRANSLATION_CHARS = 20_000
# The other fields (engine, model, hash, date) are short names.
MAX_NAME_CHARS = 200
# An import line: two texts at the cap, every character escaped (\uXXXX), and the names.
MAX_LINE_CHARS = 2 * 6 * MAX_TRANSLATION_CHARS + 4 * MAX_NAME_CHARS
MAX_IMPORT_BYTES = 1 << 30
_IMPORT_BATCH = 1000


class TranslationMemoryError(Exception):
    """The memory or an import file cannot be used; the message names the file (and line)."""


class DamagedMemoryError(TranslationMemoryError):
    """The memory file is not a sound SQLite database; the message says how to recover."""


def source_hash(text: str) -> str:
    """The key of a source text: NFC with whitespace runs collapsed, hashed."""
    normalised = " ".join(unicodedata.normalize("NFC", text).split())
    return hashlib.sha256(normalised.encode()).hexdigest()


class TranslationMemory:
    """The translation memory file at ``path`` (created when missing)."""

    def __init__(self, path: Path):
        """Open (or create) the memory; ``DamagedMemoryError`` when the file is not a sound
        database, ``TranslationMemoryError`` when it cannot be opened or written."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(_SCHEMA)
            self._db.commit()
            (check,) = self._db.execute("PRAGMA quick_check").fetchone()
        except sqlite3.OperationalError as error:  # locked, read-only, cannot open: not damage
            self._db.close()
            raise TranslationMemoryError(
                f"cannot use the translation memory {path} ({error})"
            ) from None
        except sqlite3.DatabaseError as error:
            self._db.close()
            raise DamagedMemoryError(_damaged(path, error)) from None
        if check != "ok":
            self._db.close()
            raise DamagedMemoryError(_damaged(path, check))

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> TranslationMemory:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def lookup(self, engine: str, model: str, texts: Iterable[str]) -> dict[str, str]:
        """Known translations of ``texts``, by source hash."""
        hashes = list({source_hash(text) for text in texts})
        found: dict[str, str] = {}
        for start in range(0, len(hashes), 500):
            chunk = hashes[start : start + 500]
            rows = self._db.execute(
                f"SELECT source_hash, translation FROM translations WHERE engine = ? AND model = ? "
                f"AND source_hash IN ({','.join('?' * len(chunk))})",
                [engine, model, *chunk],
            )
            found.update(rows)
        return found

    def store(self, engine: str, model: str, pairs: Iterable[tuple[str, str]]) -> None:
        """Keep ``(source, translation)`` pairs, committed at once."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        self._db.executemany(
            _INSERT,
            [
                (engine, model, source_hash(source), source, translation, now)
                for source, translation in pairs
            ],
        )
        self._db.commit()

    def best_model(self, engine: str) -> str | None:
        """The model of ``engine`` with the most translations in the memory, if any."""
        row = self._db.execute(
            "SELECT model FROM translations WHERE engine = ? GROUP BY model ORDER BY COUNT(*) DESC, model LIMIT 1",
            [engine],
        ).fetchone()
        return row[0] if row else None

    def count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM translations").fetchone()[0]

    def export_lines(self) -> Iterator[str]:
        """Every translation as a line of JSON."""
        for row in self._db.execute(
            f"SELECT {', '.join(EXPORT_FIELDS)} FROM translations ORDER BY engine, model, source_hash"
        ):
            yield json.dumps(dict(zip(EXPORT_FIELDS, row)), ensure_ascii=False)

    def import_file(self, path: Path) -> int:
        """Add the translations of a JSON Lines file (from ``export_lines``), all or none;
        ``TranslationMemoryError`` naming the file, and the line, when it cannot be used."""
        if path.stat().st_size > MAX_IMPORT_BYTES:
            raise TranslationMemoryError(f"{path.name}: larger than {MAX_IMPORT_BYTES:,} bytes")
        try:
            with path.open(encoding="utf-8") as lines:
                # A line is read up to just past the cap, so that one huge line is never held whole.
                return self.import_lines(
                    iter(lambda: lines.readline(MAX_LINE_CHARS + 1), ""), path.name
                )
        except UnicodeDecodeError as error:
            raise TranslationMemoryError(
                f"{path.name}: not UTF-8 text ({error.reason} at byte {error.start})"
            ) from None

    def import_lines(self, lines: Iterable[str], origin: str) -> int:
        """Add translations from JSON Lines, all or none; ``TranslationMemoryError`` naming the
        first bad line."""
        added, batch = 0, []
        try:
            for number, line in enumerate(lines, start=1):
                if line.strip():
                    batch.append(_import_row(line, f"{origin}, line {number}"))
                if len(batch) == _IMPORT_BATCH:
                    self._db.executemany(_INSERT, batch)
                    added, batch = added + len(batch), []
            self._db.executemany(_INSERT, batch)
        except BaseException:
            # A bad line, Ctrl-C or SIGTERM alike: all or none, so nothing half-imported stays
            # in the memory. The error goes on up.
            self._db.rollback()
            raise
        self._db.commit()
        return added + len(batch)


def _import_row(line: str, where: str) -> tuple[str, ...]:
    """The row of one exported record; ``TranslationMemoryError`` saying what is wrong with it:
    not a JSON object of the export's text fields, a field too long, not Unicode text, or a
    hash that does not match the source."""
    if len(line) > MAX_LINE_CHARS:
        raise TranslationMemoryError(f"{where}: longer than {MAX_LINE_CHARS:,} characters")
    try:
        record = json.loads(line)
    except ValueError as error:
        raise TranslationMemoryError(f"{where}: not JSON ({error})") from None
    except RecursionError:
        raise TranslationMemoryError(f"{where}: JSON nested too deeply") from None
    if not isinstance(record, dict) or not set(EXPORT_FIELDS) <= set(record):
        raise TranslationMemoryError(
            f"{where}: not a translation record (an object with {', '.join(EXPORT_FIELDS)})"
        )
    for name in EXPORT_FIELDS:
        value = record[name]
        limit = MAX_TRANSLATION_CHARS if name in ("source", "translation") else MAX_NAME_CHARS
        if not isinstance(value, str):
            raise TranslationMemoryError(
                f"{where}: {name} must be text, not {type(value).__name__}"
            )
        if len(value) > limit:
            raise TranslationMemoryError(f"{where}: {name} is longer than {limit:,} characters")
        if not _is_unicode(value):
            raise TranslationMemoryError(
                f"{where}: {name} holds a lone surrogate (not Unicode text)"
            )
    row = tuple(record[name] for name in EXPORT_FIELDS)
    if row[2] != source_hash(row[3]):
        raise TranslationMemoryError(f"{where}: source_hash does not match the source text")
    return row


def _is_unicode(text: str) -> bool:
    """False when ``text`` holds a lone surrogate (JSON allows ``\\ud800``; UTF-8 and SQLite do not)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _damaged(path: Path, reason) -> str:
    return (
        f"the translation memory {path} is damaged ({reason}): move it away and a new, empty one is made "
        "(`shuangyu translate` fills it again)"
    )
