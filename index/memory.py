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


class TranslationMemoryError(Exception):
    """An import file cannot be read; the message names the line."""


def source_hash(text: str) -> str:
    """The key of a source text: NFC with whitespace runs collapsed, hashed."""
    normalised = " ".join(unicodedata.normalize("NFC", text).split())
    return hashlib.sha256(normalised.encode()).hexdigest()


class TranslationMemory:
    """The translation memory file at ``path`` (created when missing)."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(_SCHEMA)
        self._db.commit()

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
            "INSERT OR REPLACE INTO translations VALUES (?, ?, ?, ?, ?, ?)",
            [(engine, model, source_hash(source), source, translation, now) for source, translation in pairs],
        )
        self._db.commit()

    def best_model(self, engine: str) -> str | None:
        """The model of ``engine`` with the most translations in the memory, if any."""
        row = self._db.execute(
            "SELECT model FROM translations WHERE engine = ? GROUP BY model ORDER BY COUNT(*) DESC, model LIMIT 1", [engine]
        ).fetchone()
        return row[0] if row else None

    def count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM translations").fetchone()[0]

    def export_lines(self) -> Iterator[str]:
        """Every translation as a line of JSON."""
        for row in self._db.execute(f"SELECT {', '.join(EXPORT_FIELDS)} FROM translations ORDER BY engine, model, source_hash"):
            yield json.dumps(dict(zip(EXPORT_FIELDS, row)), ensure_ascii=False)

    def import_lines(self, lines: Iterable[str], origin: str) -> int:
        """Add translations from JSON Lines; ``TranslationMemoryError`` naming the first bad line."""
        rows = []
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                row = tuple(str(record[field]) for field in EXPORT_FIELDS)
            except (ValueError, KeyError, TypeError) as error:
                raise TranslationMemoryError(f"{origin}, line {number}: not a translation record ({error})") from None
            if row[2] != source_hash(row[3]):
                raise TranslationMemoryError(f"{origin}, line {number}: source_hash does not match the source text")
            rows.append(row)
        self._db.executemany("INSERT OR REPLACE INTO translations VALUES (?, ?, ?, ?, ?, ?)", rows)
        self._db.commit()
        return len(rows)
