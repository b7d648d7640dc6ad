"""English → Chinese query translation through a reverse index of CC-CEDICT.

The classic dictionary approach to cross-language search: every English sense of every
dictionary word (and the English of ``corpus/names.tsv``) is analysed like the English field
(lower case, stemmed) and indexed to its Chinese headwords. A query's English words are matched
longest phrase first (``logistics hub`` → 物流枢纽 before 物流 + 枢纽), and each matched unit
becomes one set of alternative Chinese words, so that a word with many translations does not
outweigh a word with one. Only words that occur in the index are kept.

The reverse index of the dictionary is a table of its SQLite file (``index.cedict``), the same
for every index; which words an index contains is asked of the index per query. Built per
index in memory, it took seconds at every update of a large index and tens of MB per process.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

from index.analysis import english_key, names
from index.cedict import headwords_for

MAX_PHRASE_WORDS = 4
MAX_CANDIDATES = 4


@dataclass(frozen=True)
class Translation:
    """One English unit of the query and the Chinese words it was translated to."""

    english: str
    chinese: tuple[str, ...]


@lru_cache(maxsize=1)
def _names_by_stems() -> dict[str, tuple[str, ...]]:
    by_stems: dict[str, list[str]] = {}
    for name in names().values():
        if name.english:
            by_stems.setdefault(english_key(name.english), []).append(name.word)
    return {stems: tuple(sorted(words)) for stems, words in by_stems.items()}


class ReverseDictionary:
    """English → Chinese for the words of one index (``known`` says whether the index
    contains a word), best candidates first: names of the corpus, then earlier senses, common
    words before names, shorter words first among equals."""

    def __init__(self, known: Callable[[str], bool]):
        self.known = known

    def candidates(self, stems: str) -> tuple[str, ...]:
        """The index's Chinese words for analysed English, best first, at most ``MAX_CANDIDATES``."""
        words = dict.fromkeys(_names_by_stems().get(stems, ()) + headwords_for(stems))
        return tuple(islice((word for word in words if self.known(word)), MAX_CANDIDATES))

    def translate(self, words: list[str]) -> list[Translation]:
        """Translate a run of English query words, longest dictionary phrase first; an English
        word with no translation in this index is left out."""
        stems = [english_key(word) for word in words]
        result: list[Translation] = []
        position = 0
        while position < len(words):
            for size in range(min(MAX_PHRASE_WORDS, len(words) - position), 0, -1):
                key = " ".join(stem for stem in stems[position : position + size] if stem)
                candidates = self.candidates(key) if key else ()
                if candidates:
                    result.append(Translation(" ".join(words[position : position + size]), candidates))
                    position += size
                    break
            else:
                position += 1
        return result
