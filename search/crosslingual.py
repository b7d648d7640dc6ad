"""English → Chinese query translation through a reverse index of CC-CEDICT.

The classic dictionary approach to cross-language search: every English sense of every
dictionary word (and the English of the index's glossary and names, its ``Language``) is analysed
like the English field (lower case, stemmed) and indexed to its Chinese headwords. A query's
English words are matched longest phrase first (``logistics hub`` → 物流枢纽 before 物流 + 枢纽);
a phrase neither starts nor ends with a function word, so ``Ministry of Finance`` is 财政部 and
never "Ministry of" → 部. Each matched unit becomes one set of alternative Chinese words, so that
a word with many translations does not outweigh a word with one. Only words the index holds are
kept: its own words, and a dictionary word jieba cuts into index words that a passage has in a
row (新冠肺炎 → the phrase 新冠 肺炎). English numbers with a scale word become the canonical token of the figure
(``index.text.numbers``: ``5 million`` → ``5000000``, which the index holds for ``500万``), a
British spelling is searched in the American one the dictionary writes (``organisation`` →
``organization``) and an irregular form in its base form (``fought`` → ``fight``). A misspelt
word is not searched as another word: it is offered as "did you mean" (``search.suggest``).

The reverse index of the dictionary is a table of its SQLite file (``index.english.dictionary``), the same
for every index; which words an index contains is asked of the index per query. Built per
index in memory, it took seconds at every update of a large index and tens of MB per process.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice

from shuangyu.index.text.analysis import english_key, has_han, query_words
from shuangyu.index.text.language import Language, per_language
from shuangyu.index.text.numbers import (
    ENGLISH_SCALES,
    canonical,
    chinese_display,
    english_number,
    is_token,
    percent,
)

MAX_PHRASE_WORDS = 4
MAX_CANDIDATES = 6


@dataclass(frozen=True)
class Translation:
    """One English unit of the query and the Chinese words it was translated to (``shown``:
    how to show them, when that differs from the indexed form, as for figures)."""

    english: str
    chinese: tuple[str, ...]
    shown: tuple[str, ...] = ()
    # Its words (lower case) searched in another spelling, and that spelling: the American one of
    # a British word, the base form of an irregular one (fought → fight).
    respelt: tuple[tuple[str, str], ...] = ()
    # Each Chinese word as the index holds it: itself, or the words it is cut into (新冠肺炎 →
    # 新冠 肺炎), searched as a phrase.
    held: tuple[tuple[str, ...], ...] = ()

    def held_as(self) -> list[tuple[str, ...]]:
        """Each Chinese word as the words the index holds it in, in ``chinese`` order."""
        return list(self.held) or [(word,) for word in self.chinese]

    @property
    def display(self) -> tuple[str, ...]:
        return self.shown or self.chinese

    @property
    def is_figure(self) -> bool:
        """A number's canonical token (``index.text.numbers``), not a word."""
        return all(is_token(word) for word in self.chinese)


# A query's English words: figures whole (``1.2``, ``6,850``, ``35%``), else runs of letters
# and digits.
_QUERY_WORD = re.compile(r"\d+(?:[.,]\d+)*%?|[^\W_]+")
_PERCENT_WORDS = ("percent", "pct")


def english_words(text: str) -> list[str]:
    """The words of English query text, for translation (see ``_QUERY_WORD``)."""
    return _QUERY_WORD.findall(text)


@per_language(maxsize=1)
def _glossary_by_stems(language: Language) -> dict[str, tuple[str, ...]]:
    by_stems: dict[str, list[str]] = {}
    for entry in language.vocabulary.glossary:
        by_stems.setdefault(english_key(entry.english), []).append(entry.chinese)
    return {stems: tuple(words) for stems, words in by_stems.items()}


@per_language(maxsize=1)
def _names_by_stems(language: Language) -> dict[str, tuple[str, ...]]:
    by_stems: dict[str, list[str]] = {}
    for name in language.vocabulary.names.values():
        if name.english:
            by_stems.setdefault(english_key(name.english), []).append(name.word)
    return {stems: tuple(sorted(words)) for stems, words in by_stems.items()}


class ReverseDictionary:
    """English → Chinese for the words of one index (``known`` says whether the index
    contains a word, ``holds`` whether a passage has words in a row; ``language`` has its
    glossary and names, and the dictionary), best candidates first: the
    glossary's terms and the names, then earlier senses, common words before names, shorter
    words first among equals."""

    def __init__(
        self,
        known: Callable[[str], bool],
        language: Language,
        respell: Callable[[str], str | None] | None = None,
        holds: Callable[[tuple[str, ...]], bool] | None = None,
    ):
        self.known = known
        self.language = language
        self.respell = respell
        # Whether a passage has these index words in a row (None: taken as yes).
        self.holds = holds

    def candidates(self, stems: str) -> dict[str, tuple[str, ...]]:
        """The Chinese words for analysed English that the index holds, best first, at most
        ``MAX_CANDIDATES``: the glossary's, then the names', then the dictionary's; else those
        of a dictionary sense's head (``Dictionary.headwords_named``); each with the words the
        index holds it in (``held_in``)."""
        dictionary = self.language.dictionary
        held = self._held(
            _glossary_by_stems(self.language).get(stems, ())
            + _names_by_stems(self.language).get(stems, ())
            + dictionary.headwords_for(stems)
        )
        # A head only when no word has the sense whole: a head is often the first of a list
        # ("blood, sweat and tears"), while covid-19 and left-behind children have no other.
        return held or self._held(dictionary.headwords_named(stems))

    def _held(self, words: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
        """The first ``MAX_CANDIDATES`` of ``words`` the index holds, with their ``held_in``."""
        held = ((word, self.held_in(word)) for word in dict.fromkeys(words))
        return dict(islice(((word, parts) for word, parts in held if parts), MAX_CANDIDATES))

    def held_in(self, word: str) -> tuple[str, ...]:
        """The words the index holds a Chinese word in: itself when it is an index word, else
        the words the query analysis cuts it into when each has two characters or more and a
        passage has them in a row (新冠肺炎 → 新冠 肺炎: jieba cuts the dictionary's word, in
        passages as in queries), else none. Single characters are left out: a word cut into
        characters (a transliterated name) is not held by the index as its characters."""
        if self.known(word):
            return (word,)
        if not has_han(word):
            return ()
        parts = query_words(word, self.language)
        if (
            len(parts) > 1
            and all(len(part) > 1 and self.known(part) for part in parts)
            and (self.holds is None or self.holds(tuple(parts)))
        ):
            return tuple(parts)
        return ()

    def translate(self, words: list[str]) -> list[Translation]:
        """Translate a run of English query words (``english_words``): figures first, then the
        longest dictionary phrase, British words in their American spelling and irregular forms
        in their base form (``respell``); a word with no translation in this index is left out."""
        # A British spelling is looked up in the American one the dictionary writes, an
        # irregular form (fought) in its base form (fight).
        respelt = [self.respell(word) if self.respell is not None else None for word in words]
        spelt = [spelling or word for spelling, word in zip(respelt, words)]
        stems = [english_key(word) for word in spelt]
        result: list[Translation] = []
        position = 0
        while position < len(words):
            figure = _figure(words, position)
            if figure is not None:
                size, translation = figure
                if self.known(translation.chinese[0]):
                    result.append(translation)
                position += size
                continue
            for size in range(min(MAX_PHRASE_WORDS, len(words) - position), 0, -1):
                window = stems[position : position + size]
                if not window[0] or not window[-1]:
                    continue  # a phrase does not start or end with a function word
                candidates = self.candidates(" ".join(stem for stem in window if stem))
                if candidates:
                    unit = range(position, position + size)
                    respelt_here = tuple((words[i].lower(), respelt[i]) for i in unit if respelt[i])
                    typed = " ".join(words[i] for i in unit)
                    english = typed
                    if respelt_here:
                        english += " → " + " ".join(spelt[i] for i in unit)
                    result.append(
                        Translation(
                            english,
                            tuple(candidates),
                            respelt=respelt_here,
                            held=tuple(candidates.values()),
                        )
                    )
                    position += size
                    break
            else:
                position += 1
        return result


def _figure(words: list[str], position: int) -> tuple[int, Translation] | None:
    """A figure starting at ``words[position]``: ``1.2 trillion``, ``35 percent``, ``35%``, as
    (number of words, translation to its canonical token); ``None`` when there is none."""
    word = words[position]
    following = words[position + 1].lower() if position + 1 < len(words) else ""
    if word.endswith("%") and (value := english_number(word[:-1])) is not None:
        token = percent(value)
        return 1, Translation(word, (token,))
    value = english_number(word)
    if value is None:
        return None
    if following in ENGLISH_SCALES:
        token = canonical(value * ENGLISH_SCALES[following])
        if token is None:
            return None
        return 2, Translation(f"{word} {following}", (token,), (chinese_display(Decimal(token)),))
    if following in _PERCENT_WORDS or (
        following == "per" and position + 2 < len(words) and words[position + 2].lower() == "cent"
    ):
        size = 3 if following == "per" else 2
        token = percent(value)
        return size, Translation(" ".join(words[position : position + size]), (token,))
    return None
