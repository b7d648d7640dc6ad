"""Spelling correction: the words of a list closest to a misspelt one, and British spellings
written the American way.

Distances count an insertion, a deletion, a substitution or two neighbours swapped as one edit
(optimal string alignment: ``refrom`` is one edit from ``reform``; rapidfuzz's C++
implementation: a scan of 100,000 words takes a few milliseconds, where a Python loop took a
second).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Sequence

from rapidfuzz import process
from rapidfuzz.distance import OSA

# British endings and their American spelling, the dictionary's (CC-CEDICT writes American):
# organisation, analyse, colour, behaviour, centre, catalogue, defence, travelled, programme,
# paediatric. A respelling is used only for a word the index has in no form as typed
# (``Suggester.respelling``): "four" is never "for".
_AMERICAN = [
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"is(ation|ations|e|es|ed|ing|er|ers)$", r"iz\1"),
        (r"ys(e|es|ed|ing)$", r"yz\1"),
        (r"(?<=[a-z]{2})our(s|ed|ing|er|ers|ite|ites|able|ably|ful)?$", r"or\1"),
        (r"tre(s)?$", r"ter\1"),
        (r"ogue(s)?$", r"og\1"),
        (r"([^aeiou])ence(s)?$", r"\1ense\2"),
        (r"([aeiou])ll(ed|ing|er|ers)$", r"\1l\2"),
        (r"amme(s)?$", r"am\1"),
        (r"^(an|arch|diarrh|encyclop|h|leuk|orthop|p)ae", r"\1e"),
        (r"^(diarrh|f|man)?oe", r"\1e"),
    )
]


def american_spellings(word: str) -> list[str]:
    """``word`` (lower case) in American spelling where it has a British ending, each rule that
    applies giving one spelling (``defence`` → ``defense``; ``licence`` → ``license``); empty
    when no rule applies."""
    found = []
    for pattern, replacement in _AMERICAN:
        spelt = pattern.sub(replacement, word)
        if spelt != word and spelt not in found:
            found.append(spelt)
    return found


# A word's regular English endings, each with what its base must not end in: surfers is surfer
# with an s, cities city, taxed tax, raised raise; taxs is no form of tax (taxes is).
_ENDINGS = (
    ("ies", "y", r"[aeiou]$"),
    ("es", "", r"(?<!s|x|z|o)(?<!ch|sh)$"),
    ("s", "", r"(s|x|z|ch|sh|[^aeiou]y)$"),
    ("ied", "y", r"[aeiou]$"),
    ("ed", "", r"(?!)"),
    ("ed", "e", r"e$"),
    ("ing", "", r"(?!)"),
    ("ing", "e", r"e$"),
)
# A final consonant doubled before -ed or -ing: planned is plan, shopping shop.
_DOUBLED = re.compile(r"([b-df-hj-np-tv-z])\1(?:ed|ing)$")


def base_forms(word: str) -> list[str]:
    """``word`` (lower case) and the bases it may be a regular English form of, of three letters
    or more (``surfers`` → surfers, surfer; ``raised`` → raised, rais, raise; ``planned`` →
    planned, plann, planne, plan; ``taxs`` → taxs):
    a word with a base that is an English word is no misspelling of another."""
    forms = [word]
    for ending, added, not_after in _ENDINGS:
        base = word[: -len(ending)]
        if word.endswith(ending) and len(base) >= 3 and not re.search(not_after, base):
            forms.append(base + added)
    if (doubled := _DOUBLED.search(word)) and doubled.start() >= 2:
        forms.append(word[: doubled.start() + 1])
    return forms


# Corrections of misspelt words kept per index (about 100 bytes each).
CORRECTIONS_KEPT = 10_000


class LatinWords:
    """The word list of English and pinyin spelling correction of one index, built once (by
    whichever reader of that index first needs it) and shared by all its readers, and the
    corrections of the words it was asked for."""

    def __init__(self):
        self._lock = threading.Lock()
        self._corrector: WordList | None = None
        # The corrections of words seen (a scan of the list each): a query's unknown word is
        # asked for by "did you mean" and by the search spelt right.
        self.corrections: dict[str, str | None] = {}

    def remember(self, word: str, correction: str | None) -> None:
        with self._lock:
            if len(self.corrections) >= CORRECTIONS_KEPT:
                self.corrections.clear()
            self.corrections[word] = correction

    def corrector(self, words: Callable[[], Iterable[str]]) -> WordList:
        """The word list, made of ``words()`` the first time."""
        with self._lock:
            if self._corrector is None:
                self._corrector = WordList(sorted(set(words())))
            return self._corrector


class WordList:
    """A fixed list of correct words to correct against."""

    def __init__(self, words: Sequence[str]):
        self.words = list(words)
        self._known = frozenset(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self._known

    def suggest(self, word: str, limit: int = 1, maxdist: int = 2) -> list[str]:
        """Up to ``limit`` words at most ``maxdist`` edits from ``word``, closest first, then in
        alphabetical order."""
        return closest(word, self.words, limit, maxdist)


def closest(
    word: str,
    candidates: Sequence[str],
    limit: int,
    maxdist: int,
    frequency: Callable[[str], int] | None = None,
) -> list[str]:
    """Up to ``limit`` of ``candidates`` at most ``maxdist`` edits from ``word``: closest first,
    then those of the same length (a character typed wrong is likelier than one left out or
    added: 磁器扣 is 磁器口, not 磁器), then the most frequent (by ``frequency``, when given),
    then in alphabetical order."""
    found = process.extract(word, candidates, scorer=OSA.distance, score_cutoff=maxdist, limit=None)
    ranked = sorted(
        found,
        key=lambda match: (
            match[1],
            abs(len(match[0]) - len(word)),
            -frequency(match[0]) if frequency else 0,
            match[0],
        ),
    )
    return [candidate for candidate, _, _ in ranked[:limit]]


def edits(word: str, other: str) -> int:
    """How many edits apart two words are (as ``closest`` counts them)."""
    return int(OSA.distance(word, other))
