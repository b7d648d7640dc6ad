"""Hybrid ranking: the lexical and the semantic rankings of one query fused into one list.

Reciprocal rank fusion (Cormack, Clarke and Büttcher, 2009): a passage scores
``1 / (k + its lexical rank) + weight / (k + its semantic rank)``, a rank it lacks adding
nothing. It needs no calibration of one side's scores against the other's (BM25 scores and
cosines are on unrelated scales) and is the usual first choice of search engines for hybrid
retrieval. ``k`` and the weight are compared on the evaluation by ``bench/calibrate.py --fusion``.

Only the head of the lexical ranking is fused (``FUSED_DEPTH``); the lexical matches below it
follow in lexical order. So a deeper page never reorders an earlier one, and the list pages
through every lexical match and every passage found by meaning alone exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass

WORDS = "words"
MEANING = "meaning"
BOTH = "both"
FOUND_BY = (WORDS, MEANING, BOTH)

RRF_K = 60
# The semantic side counts for less than the words: on the real collection's English queries a
# weight of 1 took success@5 of the official terms from 0.93 to 0.83, 0.3 to 0.94, and plain
# questions from 0.44 to 0.51 (bench/calibrate.py --fusion). At 0.3 a passage found by meaning
# alone comes after the words' best matches, and one found both ways rises among them.
SEMANTIC_WEIGHT = 0.3
FUSED_DEPTH = 50


@dataclass(frozen=True)
class Fused:
    """The head of a hybrid ranking: passage ids best first, each with its fused score and
    what found it (``FOUND_BY``)."""

    ids: list[str]
    scores: dict[str, float]
    found_by: dict[str, str]

    @property
    def meaning_only(self) -> int:
        """How many passages the semantic side alone found (each counts in the total)."""
        return sum(1 for found in self.found_by.values() if found == MEANING)


def fuse(
    lexical: list[str],
    semantic: list[str],
    lexical_matches: set[str],
    k: float = RRF_K,
    weight: float = SEMANTIC_WEIGHT,
) -> Fused:
    """Fuse ``lexical`` (the head of the lexical ranking, best first) with ``semantic`` (the
    passages nearest in meaning, best first). ``lexical_matches`` are those of ``semantic``
    that match the query's words although below the head: they rank as if just below it.
    Ties keep the lexical order, then the semantic one."""
    scores: dict[str, float] = {}
    found_by: dict[str, str] = {}
    for rank, passage_id in enumerate(lexical, start=1):
        scores[passage_id] = 1.0 / (k + rank)
        found_by[passage_id] = WORDS
    below_head = len(lexical) + 1
    for rank, passage_id in enumerate(semantic, start=1):
        if passage_id in found_by:
            found_by[passage_id] = BOTH
        elif passage_id in lexical_matches:
            scores[passage_id] = 1.0 / (k + below_head)
            found_by[passage_id] = BOTH
        else:
            scores[passage_id] = 0.0
            found_by[passage_id] = MEANING
        scores[passage_id] += weight / (k + rank)
    order = {
        passage_id: position
        for position, passage_id in enumerate(dict.fromkeys([*lexical, *semantic]))
    }
    ids = sorted(scores, key=lambda passage_id: (-scores[passage_id], order[passage_id]))
    return Fused(ids, scores, found_by)
