"""The answer to one search: what finds its results (the words, their meaning or both), its
page of results, the passages offered apart (related in meaning, or with some of its words) and
the response object of the JSON contract.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from shuangyu.search.copies import copies_of, words_matched
from shuangyu.search.fusion import MEANING, WORDS
from shuangyu.search.hybrid import Fusion, hybrid_head, hybrid_page
from shuangyu.search.meaning import (
    RELATED_COUNT,
    QueryVectors,
    allowed,
    semantic_state,
)
from shuangyu.search.opened import OpenIndex, Reader
from shuangyu.search.query import QueryError, compile_query, parse
from shuangyu.search.ranking import Rankings, with_content
from shuangyu.search.records import Result
from shuangyu.search.report_lists import matches_by_year, most_results, report_entries
from shuangyu.search.results import conversions, result
from shuangyu.search.semantic import VectorIndex
from shuangyu.search.unknown_words import (
    UNKNOWN_WORDS_FOR_NOTHING,
    SomeWords,
    some_words,
    unknown_words,
)

# A Chinese query that matches nothing is offered the passages nearest in meaning only from this
# cosine up: every no-answer Chinese query of the evaluation has its nearest passage below it (at
# most 0.873), answered ones mostly above (median 0.91); bench/calibrate.py. No cosine (nor how far
# one stands above the rest) tells an English query's answer from nothing, so an English query
# gains passages by meaning only where its words found some.
RELATED_MIN_COSINE = 0.88


@dataclass(frozen=True)
class Services:
    """What every search of a Searcher shares: its cached rankings, its query vectors, the field
    weights of its queries (``search.query``) and how it fuses the two rankings."""

    rankings: Rankings
    meaning: QueryVectors
    weights: dict[str, float]
    fusion: Fusion


def answer(
    services: Services,
    opened: OpenIndex,
    reader: Reader,
    vectors: VectorIndex | None,
    text: str,
    limit: int,
    offset: int,
    lang: str,
    report: str | None,
    sort: str,
    mode: str,
    started: float,
    reports: int | None = None,
) -> dict[str, Any]:
    """The response of the JSON contract to a search (``Searcher.search``) with ``reader`` of
    ``opened``; ``vectors`` are its passages' vectors (``None``: words alone); at most
    ``reports`` reports listed (``None``: every report with results)."""
    rankings, meaning = services.rankings, services.meaning
    compiled = compile_query(text, lang, opened.language, reader.dictionary, services.weights)
    # Pinyin that no passage has (most English words) spells no word of a result: checking
    # each word of each result for it was a third of an English query's highlighting.
    compiled.pinyin_terms = {
        term for term in compiled.pinyin_terms if reader.engine.doc_frequency("pinyin", term)
    }
    report = report or compiled.report
    if report is not None and report not in opened.titles:
        raise QueryError(f"unknown report {report!r}; see /api/reports for the report ids")
    if mode == "semantic" and vectors is None:
        raise QueryError(
            f"mode=semantic needs the passages' vectors: {semantic_state(meaning.status(opened))}"
        )
    if mode == "semantic" and sort != "relevance":
        raise QueryError("mode=semantic orders results by meaning: sort must be relevance")
    has_latin = lang != "zh" and any(
        not term.is_han for group in parse(text).groups for term in group
    )
    effective = mode if vectors is not None and sort == "relevance" else "lexical"
    if effective == "hybrid" and not has_latin:
        effective = "lexical"  # Chinese keeps its precision: every word must match
    unknown = unknown_words(reader, compiled, text, lang)
    compiled = compiled.requiring_words(skipping=unknown)
    nowhere = len(unknown) >= UNKNOWN_WORDS_FOR_NOTHING and mode != "semantic"
    if effective != "lexical" and not nowhere and not meaning.embeds(text):
        if mode == "semantic":
            raise QueryError(f"mode=semantic cannot run: {meaning.problem}")
        effective, vectors = "lexical", None
    order = opened.date_orders.get(sort)
    ranking_key = (opened.generation, text, lang, report, sort)
    related: list[Result] = []
    partly: SomeWords | None = None
    # Whether the total is exact (else a lower bound) and the counts per report (else estimates).
    total_exact = counts_exact = True
    if nowhere:
        # Words that no passage has in any form: the collection does not speak of it, so
        # nothing matches (as for a Chinese word no passage has), and the passages with the
        # query's other words are offered apart.
        effective, total, meaning_total, partial, counts, page = "lexical", 0, 0, False, {}, []
        partly = some_words(rankings, reader, compiled, opened, ranking_key, report, order)
    elif effective == "lexical":
        ranked = rankings.ranking(
            reader, compiled.query, ranking_key, report, order, offset + limit
        )
        page = [
            (reader.engine.stored(key), score, WORDS)
            for key, score in ranked.top[offset : offset + limit]
        ]
        total, meaning_total, partial, counts = ranked.total, 0, ranked.partial, ranked.counts
        total_exact, counts_exact = ranked.total_exact, ranked.counts_exact
        if (
            ranked.total == 0
            and mode == "hybrid"
            and vectors is not None
            and not has_latin
            and meaning.embeds(text)
        ):
            nearest = [
                neighbour
                for neighbour in meaning.neighbours(vectors, text, report, RELATED_COUNT)
                if neighbour.cosine >= RELATED_MIN_COSINE
            ]
            shown = [
                (fields, neighbour.cosine)
                for neighbour in allowed(rankings, reader, compiled, nearest)
                if (fields := reader.engine.document(neighbour.passage_id))
            ]
            copies = copies_of(rankings, reader, opened, None, [fields for fields, _ in shown])
            related = [
                result(fields, cosine, compiled, opened, copies[fields["content_hash"]], MEANING)
                for fields, cosine in shown
            ]
    elif effective == "semantic":
        # The nearest texts of the whole collection, each counted in every report that prints
        # it; a report filter keeps those it prints, as its own passages: a report's count is
        # what a search of it lists.
        nearest = allowed(
            rankings,
            reader,
            compiled,
            meaning.neighbours(vectors, text, None, services.fusion.candidates),
        )
        contents = [neighbour.content for neighbour in nearest]
        printed, counts = (
            rankings.texts(reader, with_content(contents), len(contents), report)
            if contents
            else ({}, {})
        )
        # Unfiltered, each text is the passage nearest in meaning.
        listed = [
            (neighbour, printed[neighbour.content])
            for neighbour in nearest
            if neighbour.content in printed
        ]
        page = [
            (
                fields if report else reader.engine.document(neighbour.passage_id) or fields,
                neighbour.cosine,
                MEANING,
            )
            for neighbour, fields in listed[offset : offset + limit]
        ]
        total, meaning_total, partial = len(listed), len(listed), False
    else:
        head, ranked = hybrid_head(
            rankings,
            meaning,
            services.fusion,
            reader,
            vectors,
            compiled,
            ranking_key,
            text,
            report,
            opened.vectors_key,
        )
        page, tail_partial = hybrid_page(
            rankings, services.fusion, reader, compiled, ranking_key, report, head, offset, limit
        )
        total, meaning_total = ranked.total + head.fused.meaning_only, head.fused.meaning_only
        partial = ranked.partial or tail_partial
        counts = dict(Counter(ranked.counts) + Counter(head.meaning_counts))
        total_exact, counts_exact = ranked.total_exact, ranked.counts_exact
    if (
        partly is None
        and compiled.loose is not None
        and effective != "semantic"
        and total == meaning_total
    ):
        # No passage has enough of the English words together: those with some are offered.
        partly = some_words(rankings, reader, compiled, opened, ranking_key, report, order)
    # English words match with LEAST_WORDS of them (a passage with two of three is listed,
    # ranked by how many it has): how many passages have every one, so that "234 passages" for
    # food security policy is not read as 234 about it.
    every_word = None
    # A word no passage has is named apart (unknown_words): counted, it would make it 0.
    every_query = compiled.every_word(skipping=unknown) if compiled.counts_words else None
    if every_query is not None and effective != "semantic" and not nowhere and total:
        every = rankings.ranking(
            reader, every_query, (*ranking_key, "every word"), report, order, 1
        )
        every_word, partial = every.total, partial or every.partial
    # A result of a query of several English words says how many of them it has.
    matched = (
        words_matched(rankings, reader, compiled, [fields for fields, _, _ in page])
        if compiled.counts_words
        else {}
    )
    copies = {
        **copies_of(
            rankings,
            reader,
            opened,
            compiled.query,
            [fields for fields, _, found_by in page if found_by != MEANING],
        ),
        **copies_of(
            rankings,
            reader,
            opened,
            None,
            [fields for fields, _, found_by in page if found_by == MEANING],
        ),
    }
    results = [
        result(
            fields,
            score,
            compiled,
            opened,
            copies[fields["content_hash"]],
            found_by,
            matched.get(fields["id"], 0),
        )
        for fields, score, found_by in page
    ]
    # The counts name only reports with results (``index.engines.seam.Matches``); the report
    # searched in is listed whatever its rank, so that a filter can name it.
    listed = most_results(counts, reports, opened.report_position, always=report)
    return {
        "query": text,
        "lang": lang,
        "report": report,
        "sort": sort,
        "mode": effective,
        "total": total,
        "total_relation": "eq" if total_exact else "gte",
        "total_by": {
            "words": total - meaning_total,
            "meaning": meaning_total,
            "some_words": partly.total if partly else 0,
            "every_word": every_word,
        },
        "partial": partial,
        "offset": offset,
        "limit": limit,
        "took_ms": round((time.perf_counter() - started) * 1000, 2),
        "results": results,
        "related": related,
        "some_words": partly.results if partly else [],
        "semantic": meaning.status(opened),
        "reports": report_entries(
            ((report_id, counts[report_id]) for report_id in listed), opened.titles
        ),
        "reports_more": len(counts) - len(listed),
        "matches_by_year": matches_by_year(counts, opened.report_years),
        "report_counts": "exact" if counts_exact else "estimated",
        "query_translations": [
            {"en": t.english, "zh": list(t.display)} for t in compiled.translations
        ],
        "query_conversions": conversions(text, compiled, results),
        "did_you_mean": reader.suggester.did_you_mean(text, total - meaning_total, unknown),
        "searched_instead": None,
        "unknown_words": unknown,
    }
