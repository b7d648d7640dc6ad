"""Reading an index of the opensearch engine (``index.engines.seam.Reader``): the hits and the
counts per report of a query in one request, repeats listed once, ties in reading order, words
from the lexicon.

A search with a deadline (the searcher's time budget) stops at it: see
``index.engines.opensearch_request``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import groupby

from opensearchpy import OpenSearch
from opensearchpy import exceptions as os_errors
from shuangyu.index.engines.cluster import Cluster
from shuangyu.index.engines.opensearch_counts import count_aggregations, counts_of
from shuangyu.index.engines.opensearch_index import STORED, answering
from shuangyu.index.engines.opensearch_lexicon import Lexicon
from shuangyu.index.engines.opensearch_query import compile_tree
from shuangyu.index.engines.opensearch_request import search
from shuangyu.index.engines.seam import Matches

# --- Reading -------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Passage:
    """A passage found by a search: its id and stored fields (a reader's key)."""

    id: str
    fields: dict

    def __eq__(self, other) -> bool:
        return isinstance(other, Passage) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)


class OpenSearchReader:
    """``index.engines.seam.Reader`` over one OpenSearch index, which serves every thread at
    once (the client is thread-safe)."""

    concurrent = True

    def __init__(self, es: OpenSearch, cluster: Cluster, index: str, lexicon: Lexicon):
        self._es = es
        self._cluster = cluster
        self._index = index
        self._lexicon = lexicon
        self._passages = max(lexicon.passages(), 1)
        self._repeated = lexicon.repeated()
        self._report_count = lexicon.report_count()

    # The searches.

    def _search(self, body: dict, deadline: float | None = None) -> dict:
        """The cluster's answer to a search (``opensearch_request.search``)."""
        return search(self._es, self._cluster, self._index, body, deadline)

    def _scored(self, query) -> dict:
        """The compiled tree scaled by the kind of passage."""
        return {
            "function_score": {
                "query": compile_tree(query, self._idf_scale),
                "functions": [{"field_value_factor": {"field": "weight", "missing": 1}}],
                "boost_mode": "multiply",
            }
        }

    def _hits(
        self,
        query,
        report: str | None,
        size: int,
        deadline: float | None,
        aggregations: dict | None = None,
    ) -> dict:
        """The best ``size`` hits of ``query`` (of ``report`` alone when given: a filter of the
        hits after the aggregations, which count every report, and that scores nothing), as
        far as the cluster found them by ``deadline``."""
        body = {
            "query": self._scored(query),
            "size": size,
            "sort": ["_score", {"report_id": "asc"}, {"ordinal": "asc"}],
            "track_scores": True,
            "track_total_hits": False,
            "_source": [STORED],
        }
        if report is not None:
            body["post_filter"] = {"term": {"report_id": report}}
        if aggregations:
            body["aggs"] = aggregations
        return self._search(body, deadline)

    def search(
        self,
        query,
        depth: int,
        report: str | None = None,
        deadline: float | None = None,
        order: Mapping[str, int] | None = None,
        counted: bool = True,
        exact_up_to: int | None = None,
    ) -> Matches:
        # One request for the counts and, usually, the hits: enough of them that ``depth``
        # remain once repeats are dropped, unless a query repeats more than expected. Past
        # ``deadline`` (the cluster stopped at it, or no time is left for another request) the
        # answer is what was found, marked incomplete.
        guess = depth + depth // 4 + 10
        if not counted and order is None:
            return self._best(query, report, depth, guess, deadline)
        answer = self._hits(
            query, report, guess, deadline, count_aggregations(self._report_count, self._repeated)
        )
        complete = not answer.get("timed_out", False)
        counts, distinct, surplus = counts_of(answer["aggregations"])
        total = distinct if report is None else counts.get(report, 0)
        if order is not None and report is None:
            top, in_time = self._in_report_order(query, counts, order, depth, surplus, deadline)
            return Matches(top, counts, complete and in_time, total)
        hits = answer["hits"]["hits"]
        if depth + surplus > guess and len(hits) == guess:
            if _past(deadline):
                complete = False
            else:
                deeper = self._hits(query, report, depth + surplus, deadline)
                hits = deeper["hits"]["hits"]
                complete = complete and not deeper.get("timed_out", False)
        return Matches(_ranked(hits, depth), counts, complete, total)

    def _best(
        self, query, report: str | None, depth: int, size: int, deadline: float | None
    ) -> Matches:
        """The ``depth`` best passages, each text once, without the counts: ``size`` hits,
        then more until ``depth`` texts are listed, every match is, or ``deadline`` passes."""
        while True:
            answer = self._hits(query, report, size, deadline)
            hits = answer["hits"]["hits"]
            top = _ranked(hits, depth)
            complete = not answer.get("timed_out", False)
            if len(top) >= depth or len(hits) < size or not complete:
                return Matches(top, {}, complete)
            if _past(deadline):
                return Matches(top, {}, False)
            size *= 4

    def _in_report_order(
        self,
        query,
        counts: dict[str, int],
        order: Mapping[str, int],
        depth: int,
        surplus: int,
        deadline: float | None,
    ) -> tuple[list[tuple[object, float]], bool]:
        """As ``tantivy_reader.TantivyReader._in_report_order``: reports in ``order``, each
        report's best first, a text in the first report that prints it; and whether every
        report needed was searched in full by ``deadline``."""
        listed: set[str] = set()
        top: list[tuple[object, float]] = []
        for report in sorted(
            counts, key=lambda report_id: (order.get(report_id, len(order)), report_id)
        ):
            if _past(deadline):
                return top[:depth], False
            answer = self._hits(query, report, counts[report] + surplus, deadline)
            for passage, score in _ranked(answer["hits"]["hits"], counts[report]):
                if passage.fields["content_hash"] not in listed:
                    listed.add(passage.fields["content_hash"])
                    top.append((passage, score))
            if answer.get("timed_out", False):
                return top[:depth], False
            if len(top) >= depth:
                break
        return top[:depth], True

    def _idf_scale(self, field_name: str, words: list[str]) -> float:
        """As ``tantivy_query.IdfScale.of``: Whoosh's idf over Lucene's, summed over the words
        (Lucene's counts the passages that have the field)."""
        having = max(self._lexicon.having(field_name), 1)
        frequencies = self._lexicon.frequencies(field_name, words)
        whoosh = lucene = 0.0
        for word in words:
            frequency = frequencies.get(word, 0)
            whoosh += math.log(self._passages / (frequency + 1)) + 1
            lucene += math.log(1 + (having - frequency + 0.5) / (frequency + 0.5))
        return whoosh / lucene if lucene > 0 else 1.0

    # Stored passages.

    def stored(self, key) -> dict:
        return dict(key.fields)

    def document(self, passage_id: str) -> dict | None:
        with answering(self._index, self._cluster):
            try:
                found = self._es.get(index=self._index, id=passage_id, _source=[STORED])
            except os_errors.NotFoundError:
                if not self._es.indices.exists(index=self._index):
                    raise
                return None
        return found["_source"][STORED]

    def report_passages(self, report_id: str, first: int, last: int | None) -> list[dict]:
        if last is not None and last < first:
            return []
        first = max(first, 0)
        size = self._lexicon.report_passages(report_id) if last is None else last - first + 1
        if size <= 0:
            return []
        ordinal = {"gte": first} | ({"lte": last} if last is not None else {})
        body = {
            "query": {
                "bool": {
                    "filter": [{"term": {"report_id": report_id}}, {"range": {"ordinal": ordinal}}]
                }
            },
            "size": size,
            "sort": [{"ordinal": "asc"}],
            "_source": [STORED],
        }
        return [hit["_source"][STORED] for hit in self._search(body)["hits"]["hits"]]

    # Words.

    def doc_frequency(self, field_name: str, word: str) -> int:
        if field_name == "content_hash":
            return self._lexicon.content_passages(word)
        if field_name == "report_id":
            return self._lexicon.report_passages(word)
        return self._lexicon.frequency(field_name, word)

    def words(self, field_name: str, prefix: str = "") -> list[str]:
        return self._lexicon.words_starting(field_name, prefix)

    def most_frequent(self, field_name: str, count: int) -> list[tuple[str, int]]:
        return self._lexicon.most_frequent(field_name, count)

    def doc_count(self) -> int:
        with answering(self._index, self._cluster):
            return self._es.count(index=self._index)["count"]

    def segment_count(self) -> int:
        with answering(self._index, self._cluster):
            stats = self._es.indices.stats(index=self._index, metric="segments")
        return stats["_all"]["primaries"]["segments"]["count"]

    def close(self) -> None:
        self._lexicon.close()


def _past(deadline: float | None) -> bool:
    return deadline is not None and time.perf_counter() >= deadline


def _rounded(score: float) -> float:
    # Scores equal but for float noise are ties.
    return round(score, 5) if math.isfinite(score) else score


def _ranked(hits: list[dict], depth: int) -> list[tuple[object, float]]:
    """The best ``depth`` hits, each text once, ties in reading order (report, place)."""
    listed: set[str] = set()
    top: list[tuple[object, float]] = []
    scored = [(hit["_score"], Passage(hit["_id"], hit["_source"][STORED])) for hit in hits]
    for _, tied in groupby(scored, key=lambda hit: _rounded(hit[0])):
        tied = sorted(tied, key=lambda hit: (hit[1].fields["report_id"], hit[1].fields["ordinal"]))
        for score, passage in tied:
            content = passage.fields["content_hash"]
            if content not in listed:
                listed.add(content)
                top.append((passage, score))
                if len(top) == depth:
                    return top
    return top
