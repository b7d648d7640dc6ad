"""Hybrid rankings: the head fused from the lexical ranking and the passages nearest in meaning
(``search.fusion``), then the lexical matches below it; and a page of such a ranking.
"""

from __future__ import annotations

from dataclasses import dataclass

from shuangyu.index.engines import seam as tree
from shuangyu.index.engines.schema import StoredPassage
from shuangyu.search.fusion import FUSED_DEPTH, RRF_K, SEMANTIC_WEIGHT, WORDS, Fused, fuse
from shuangyu.search.meaning import SEMANTIC_CANDIDATES, QueryVectors, allowed
from shuangyu.search.opened import Reader
from shuangyu.search.ranking import Ranked, Rankings, with_content
from shuangyu.search.semantic import VectorIndex


@dataclass(frozen=True)
class Fusion:
    """How the two rankings are fused: ``k`` of reciprocal rank fusion and the ``weight`` of the
    ranking by meaning (``search.fusion.fuse``), and how many passages nearest in meaning a
    query may gain (``candidates``)."""

    k: float = RRF_K
    weight: float = SEMANTIC_WEIGHT
    candidates: int = SEMANTIC_CANDIDATES


@dataclass(frozen=True)
class Head:
    """The fused head of a hybrid ranking (``search.fusion``), the texts it lists (by content
    hash: the lexical tail below it skips them, whichever report's copy it would name) and, per
    report, how many of its texts found by meaning alone the report prints (they count in the
    report's count as the words' matches do)."""

    fused: Fused
    contents: frozenset[str]
    meaning_counts: dict[str, int]


def hybrid_head(
    rankings: Rankings,
    meaning: QueryVectors,
    fusion: Fusion,
    reader: Reader,
    vectors: VectorIndex,
    compiled,
    ranking_key: tuple,
    text: str,
    report: str | None,
    vectors_key: tuple | None,
) -> tuple[Head, Ranked]:
    """The fused head of a hybrid ranking (cached as rankings are, by the vectors it was made
    with too) and the lexical ranking under it, at least ``FUSED_DEPTH`` deep.

    The passages nearest in meaning are those of the whole collection, with or without a
    report filter: a text found by meaning alone counts in every report that prints it, and
    a search of one report lists those of them it prints (its own copies), so that a
    report's count is what a search of it lists."""
    key = ("hybrid", vectors_key, *ranking_key)
    head = rankings.get(key, touch=False)
    ranked = rankings.ranking(reader, compiled.query, ranking_key, report, None, FUSED_DEPTH)
    if head is not None:
        return head, ranked
    lexical = [reader.engine.stored(doc) for doc, _ in ranked.top[:FUSED_DEPTH]]
    # Nothing has the words in any report: the collection does not speak of it. e5 cannot
    # tell "nothing here" (its nearest passage to "dinosaur" stands further above the rest
    # than a right answer does: bench/calibrate.py), so meaning only adds to what the words found.
    neighbours = (
        allowed(
            rankings,
            reader,
            compiled,
            meaning.neighbours(vectors, text, None, fusion.candidates),
        )
        if any(ranked.counts.values())
        else []
    )
    contents = [neighbour.content for neighbour in neighbours]
    # A text is one passage, named as the lexical side names it (the report's own copy).
    named = {fields["content_hash"]: fields["id"] for fields in lexical}
    below = [content for content in contents if content not in named]
    matching: dict[str, StoredPassage] = {}  # the texts below the head that match the words here
    meaning_only = below  # when the head holds every match
    if below and (report is not None or len(lexical) == FUSED_DEPTH):
        # Which of them match the words in some report: matches, not found by meaning alone.
        words = tree.Filter(compiled.query, with_content(below))
        matching, _ = rankings.texts(reader, words, len(below), None, counted=False)
        meaning_only = [content for content in below if content not in matching]
        if report is not None:
            # A full head of the report may leave some of its matches below it.
            full = len(lexical) == FUSED_DEPTH
            matching = (
                rankings.texts(reader, words, len(matching), report, counted=False)[0]
                if matching and full
                else {}
            )
    found_by_meaning, meaning_counts = (
        rankings.texts(reader, with_content(meaning_only), len(meaning_only), report)
        if meaning_only
        else ({}, {})
    )
    lexical_matches = {fields["id"] for fields in matching.values()}
    for content, fields in matching.items():
        named[content] = fields["id"]
    # Found by meaning alone: the passage nearest in meaning, or the report's own copy.
    nearest_passage = {neighbour.content: neighbour.passage_id for neighbour in neighbours}
    for content, fields in found_by_meaning.items():
        named[content] = fields["id"] if report else nearest_passage[content]
    nearest = [named[content] for content in contents if content in named]
    fused = fuse(
        [fields["id"] for fields in lexical],
        nearest,
        lexical_matches,
        k=fusion.k,
        weight=fusion.weight,
    )
    head = Head(fused, frozenset(named), meaning_counts)
    if not ranked.partial:
        rankings.keep(key, head)
    return head, ranked


def hybrid_page(
    rankings: Rankings,
    fusion: Fusion,
    reader: Reader,
    compiled,
    ranking_key: tuple,
    report: str | None,
    head: Head,
    offset: int,
    limit: int,
) -> tuple[list[tuple[StoredPassage, float, str]], bool]:
    """The results ``offset`` to ``offset + limit`` of a hybrid ranking, each with its score
    and what found it: the fused head, then the lexical matches whose texts it does not
    list, in lexical order; and whether the time budget cut the lexical ranking short."""
    fused = head.fused
    page: list[tuple[StoredPassage, float, str]] = []
    for passage_id in fused.ids[offset : offset + limit]:
        fields = reader.engine.document(passage_id)
        if fields is not None:
            page.append((fields, fused.scores[passage_id], fused.found_by[passage_id]))
    wanted = offset + limit - len(fused.ids)
    if wanted <= 0:
        return page, False
    # The tail is every match whose text the head does not list, taken by text (not by place:
    # a deeper ranking may order tied scores at the head's edge otherwise).
    ranked = rankings.ranking(
        reader, compiled.query, ranking_key, report, None, len(fused.ids) + wanted
    )
    skip = max(0, offset - len(fused.ids))
    position = 0
    for rank, (doc, _) in enumerate(ranked.top, start=1):
        fields = reader.engine.stored(doc)
        if fields["content_hash"] in head.contents:
            continue
        if position >= skip:
            page.append((fields, 1.0 / (fusion.k + rank), WORDS))
            if len(page) == limit:
                break
        position += 1
    return page, ranked.partial
