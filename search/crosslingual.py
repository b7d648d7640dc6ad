"""English → Chinese query translation through a reverse index of CC-CEDICT.

The classic dictionary approach to cross-language search: every English sense of every
dictionary word (and the English of ``corpus/names.tsv``) is analysed like the English field
(lower case, stemmed) and indexed to its Chinese headwords. A query's English words are matched
longest phrase first (``logistics hub`` → 物流枢纽 before 物流 + 枢纽), and each matched unit
becomes one set of alternative Chinese words, so that a word with many translations does not
outweigh a word with one. Only words that occur in the index are kept: the dictionary is built
per index, when it is opened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from index.analysis import english_analyzer, names
from index.cedict import all_entries, clean_sense

MAX_PHRASE_WORDS = 4
MAX_CANDIDATES = 4


@dataclass(frozen=True)
class Translation:
    """One English unit of the query and the Chinese words it was translated to."""

    english: str
    chinese: tuple[str, ...]


_ENGLISH = english_analyzer()


def _key(text: str) -> str:
    return " ".join(token.text for token in _ENGLISH(text))


class ReverseDictionary:
    """English → Chinese for the words of one index: built from the dictionary entries whose
    headword the index contains (``known``), best candidates first (earlier senses, common
    words before names, shorter words first among equals)."""

    def __init__(self, known: Callable[[str], bool]):
        ranked: dict[str, list[tuple[tuple, str]]] = {}
        for name in names().values():
            if name.english and known(name.word):
                ranked.setdefault(_key(name.english), []).append(((0, 0, 0), name.word))
        for headword, found in all_entries(known):
            for entry in found:
                for position, sense in enumerate(entry.senses):
                    key = _key(clean_sense(sense, entry.is_name))
                    if key:
                        ranked.setdefault(key, []).append(((position, entry.is_name, len(headword)), headword))
        self.index = {key: tuple(dict.fromkeys(word for _, word in sorted(words))) for key, words in ranked.items()}

    def translate(self, words: list[str]) -> list[Translation]:
        """Translate a run of English query words, longest dictionary phrase first; an English
        word with no translation in this index is left out."""
        stems = [_key(word) for word in words]
        result: list[Translation] = []
        position = 0
        while position < len(words):
            for size in range(min(MAX_PHRASE_WORDS, len(words) - position), 0, -1):
                key = " ".join(stem for stem in stems[position : position + size] if stem)
                candidates = self.index.get(key, ())[:MAX_CANDIDATES] if key else ()
                if candidates:
                    result.append(Translation(" ".join(words[position : position + size]), tuple(candidates)))
                    position += size
                    break
            else:
                position += 1
        return result
