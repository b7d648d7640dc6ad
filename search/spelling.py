"""Spelling correction: the words of a list closest to a misspelt one.

Distances count an insertion, a deletion or a substitution as one edit (Levenshtein, as
Whoosh's correctors did before; rapidfuzz's C++ implementation: a scan of 100,000 words takes a
few milliseconds, where a Python loop took a second).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein


class WordList:
    """A fixed list of correct words to correct against."""

    def __init__(self, words: Sequence[str]):
        self.words = list(words)

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
    found = process.extract(
        word, candidates, scorer=Levenshtein.distance, score_cutoff=maxdist, limit=None
    )
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
