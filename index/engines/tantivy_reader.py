"""The tantivy engine's reader (``index.engines.seam.Reader``): searches with tantivy, counts per
report (``index.engines.tantivy_counts``), drops repeated passages after the search and puts
tied scores in reading order; reads stored passages and the words of a field."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from itertools import groupby

import tantivy
from shuangyu.index.engines.seam import Matches
from shuangyu.index.engines.tantivy_counts import ReportCounts
from shuangyu.index.engines.tantivy_index import SMALLEST_WEIGHT, STORED
from shuangyu.index.engines.tantivy_query import IdfScale, compile_tree

# Report ids of passages kept by a reader for ordering tied scores (about 100 bytes each).
_REPORT_IDS_KEPT = 100_000


class TantivyReader:
    """``index.engines.seam.Reader`` over one tantivy searcher (a snapshot of the index as opened),
    which serves every thread at once: tantivy's searcher is thread-safe and runs a search
    without the GIL."""

    concurrent = True

    def __init__(self, index: tantivy.Index):
        self._index = index
        self._schema = index.schema
        self._searcher = index.searcher()
        self._idf = IdfScale(self._searcher)
        self._report_ids: dict[tuple[int, int], str] = {}  # see _report_id
        self._counting = ReportCounts(self._searcher, self._schema)

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
        compiled = compile_tree(query, self._schema, self._idf)
        within = self._within(compiled, report)
        if not counted and order is None:
            # The two aggregations walk every match: most of a small search's time.
            return Matches(self._best(within, depth), {})
        if order is not None and report is None:
            counts, total, surplus = self._counting.count(compiled)
            return Matches(
                self._in_report_order(compiled, counts, order, depth, surplus), counts, total=total
            )
        # One pass lists the best hits and counts the matches (of the report searched).
        first = self._first_answer(within, depth)
        if exact_up_to:
            matches = first.count if report is None else self._counting.matches(compiled)
            if matches > exact_up_to:
                return self._estimated(compiled, within, depth, report, matches, exact_up_to, first)
        counts, distinct, _ = self._counting.count(compiled)
        total = distinct if report is None else counts.get(report, 0)
        # A tie across the last place is cut as tantivy cuts it: finding the whole tie may take
        # several walks over every match (thousands of passages tie on a common word).
        return Matches(self._best(within, depth, first, whole_ties=False), counts, total=total)

    def _first_answer(self, query, depth: int):
        """tantivy's first answer to ``query``: its best hits, a few more than ``depth`` (for
        repeats and ties), and its number of matches."""
        return self._searcher.search(
            query, limit=depth + depth // 4 + 10, count=True, weight_by_field="weight"
        )

    def _estimated(
        self,
        compiled,
        within,
        depth: int,
        report: str | None,
        matches: int,
        exact_up_to: int,
        first,
    ) -> Matches:
        """The answer to a search of ``matches`` matches, more than ``exact_up_to``: its counts
        per report estimated from a sample; the total exact for a report searched alone (its
        matches alone are counted: ``within``, the query within it), else at least
        ``exact_up_to`` when so many matches must
        hold that many texts, else counted exactly (a walk over the repeated texts alone)."""
        counts = self._counting.estimated(compiled, matches)
        if report is not None:
            exact, _, _ = self._counting.count(within)
            total = counts[report] = exact.get(report, 0)
            if not total:
                del counts[report]
            total_exact = True
        elif self._counting.fewest_texts(matches) >= exact_up_to:
            total, total_exact = exact_up_to, False
        else:
            total, total_exact = matches - self._counting.surplus(compiled), True
        top = self._best(within, depth, first, whole_ties=False)
        return Matches(top, counts, total=total, total_exact=total_exact, counts_exact=False)

    def _best(
        self, query, depth: int, first=None, whole_ties: bool = True
    ) -> list[tuple[object, float]]:
        """The ``depth`` best passages of ``query``, each text once, ties in reading order,
        without knowing how many matches repeat a text: from its ``first`` answer
        (``_first_answer``, asked for here when not given), then more hits until ``depth``
        texts are listed and, with ``whole_ties``, the hits past the last of them score lower
        (else a tie across the last place is cut where tantivy cuts it: by its order of the
        passages, which is reading order but across the parts an update adds), or every match
        is listed."""
        if depth <= 0:
            return []
        found = first if first is not None else self._first_answer(query, depth)
        matches, limit = found.count, len(found.hits)
        while True:
            top = self._ranked(found.hits, depth)
            if (
                len(found.hits) >= matches
                or (len(top) >= depth and not whole_ties)
                or (
                    len(top) >= depth
                    and _rounded(found.hits[-1][0] * SMALLEST_WEIGHT) < _rounded(top[-1][1])
                )
            ):
                return top
            limit = min(matches, limit * 4)
            found = self._searcher.search(query, limit=limit, count=False, weight_by_field="weight")

    def _within(self, compiled, report: str | None):
        if report is None:
            return compiled
        # The report filter scores nothing: a passage scores the same within its report as in
        # the whole index (a scored term would add to every score before the kind's weight
        # multiplies it, and could reorder a report's passages).
        return tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Must, compiled),
                (
                    tantivy.Occur.Must,
                    tantivy.Query.const_score_query(
                        tantivy.Query.term_query(self._schema, "report_id", report), 0.0
                    ),
                ),
            ]
        )

    def _in_report_order(
        self, compiled, counts: dict[str, int], order: Mapping[str, int], depth: int, surplus: int
    ) -> list[tuple[object, float]]:
        """The first ``depth`` passages when the reports are taken in ``order`` (by rank) and
        each report's best first; a text several reports print, in the first of them. The
        reports are searched one at a time, only as many as ``depth`` needs."""
        listed: set[int] = set()
        top: list[tuple[object, float]] = []
        for report in sorted(
            counts, key=lambda report_id: (order.get(report_id, len(order)), report_id)
        ):
            hits = self._searcher.search(
                self._within(compiled, report),
                limit=counts[report] + surplus,
                count=False,
                weight_by_field="weight",
            ).hits
            ranked = self._ranked(hits, counts[report])
            contents = self._searcher.fast_field_values(
                "content_key", [address for address, _ in ranked]
            )
            for (address, score), content in zip(ranked, contents):
                if content not in listed:
                    listed.add(content)
                    top.append((address, score))
            if len(top) >= depth:
                break
        return top[:depth]

    def _ranked(self, hits: list, depth: int) -> list[tuple[object, float]]:
        """The best ``depth`` hits, each text once, ties in reading order (report, place)."""
        addresses = [address for _, address in hits]
        fast = [
            self._searcher.fast_field_values(name, addresses)
            for name in ("content_key", "ordinal", "report_key", "report_hash")
        ]
        scored = [
            (score * SMALLEST_WEIGHT, address, *values)
            for (score, address), *values in zip(hits, *fast)
        ]
        listed: set[int] = set()
        top: list[tuple[object, float]] = []
        # Score by score, best first, until ``depth`` texts are listed: the hits past them are
        # neither ordered nor read.
        for _, tied in groupby(scored, key=lambda hit: _rounded(hit[0])):
            tied = list(tied)
            if len(tied) > 1:
                tied.sort(key=self._reading_order(tied))
            for score, address, content, *_ in tied:
                if content not in listed:
                    listed.add(content)
                    top.append((address, score))
                    if len(top) == depth:
                        return top
        return top

    def _reading_order(self, tied: list[tuple]):
        """The sort key that puts tied hits ``(score, address, content, ordinal, report_key,
        report_hash)`` in reading order: by report id, then place. The report key orders the
        reports; the stored id is read only where two reports of the tie share a key."""
        hashes: dict[int, set[int]] = {}
        for *_, key_of_report, hash_of_report in tied:
            hashes.setdefault(key_of_report, set()).add(hash_of_report)

        def key(hit: tuple) -> tuple:
            _, address, _, ordinal, report_key, _ = hit
            shared = len(hashes[report_key]) > 1
            return report_key, self._report_id(address) if shared else "", ordinal

        return key

    def _report_id(self, address) -> str:
        """The report id of a passage, read from its stored JSON once per reader (bounded)."""
        place = (address.segment_ord, address.doc)
        report_id = self._report_ids.get(place)
        if report_id is None:
            if len(self._report_ids) >= _REPORT_IDS_KEPT:
                self._report_ids.clear()
            report_id = self._report_ids[place] = self.stored(address)["report_id"]
        return report_id

    def stored(self, key) -> dict:
        return json.loads(self._searcher.doc(key)[STORED][0])

    def _first(self, query) -> dict | None:
        hits = self._searcher.search(query, limit=1, count=False).hits
        return self.stored(hits[0][1]) if hits else None

    def document(self, passage_id: str) -> dict | None:
        return self._first(tantivy.Query.term_query(self._schema, "id", passage_id))

    def report_passages(self, report_id: str, first: int, last: int | None) -> list[dict]:
        if last is not None and last < first:
            return []
        query = tantivy.Query.boolean_query(
            [
                (
                    tantivy.Occur.Must,
                    tantivy.Query.term_query(self._schema, "report_id", report_id),
                ),
                (
                    tantivy.Occur.Must,
                    tantivy.Query.range_query(
                        self._schema, "ordinal", tantivy.FieldType.Unsigned, max(first, 0), last
                    ),
                ),
            ]
        )
        limit = self._searcher.num_docs if last is None else last - max(first, 0) + 1
        hits = self._searcher.search(
            query,
            limit=max(limit, 1),
            count=False,
            order_by_field="ordinal",
            order=tantivy.Order.Asc,
        ).hits
        return [self.stored(address) for _, address in hits]

    def doc_frequency(self, field: str, word: str) -> int:
        return self._searcher.doc_freq(field, word)

    def words(self, field: str, prefix: str = "") -> list[str]:
        return [word for word, _ in self._searcher.terms_with_prefix(field, prefix)]

    def most_frequent(self, field: str, count: int) -> list[tuple[str, int]]:
        return list(self._searcher.terms_with_prefix(field, "", limit=count))

    def doc_count(self) -> int:
        return self._searcher.num_docs

    def segment_count(self) -> int:
        return self._searcher.num_segments

    def close(self) -> None:
        self._searcher = None


def _rounded(score: float) -> float:
    # Scores equal but for float noise are ties.
    return round(score, 6) if math.isfinite(score) else score
