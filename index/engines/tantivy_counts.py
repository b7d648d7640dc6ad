"""Counting a query's matches per report with tantivy's aggregations: each report's matching
texts (a text a report repeats counted once in it), the matching texts in all, and how many
matches repeat a text (``index.engines.tantivy_reader``); or, for very many matches, an
estimate of each report's from a sample."""

from __future__ import annotations

import math

import tantivy
from shuangyu.index.engines.tantivy_index import report_hash

# About how many matches a search of very many counts, to estimate its counts per report: a
# report with a hundredth of the matches is then counted within about a fifth of its count.
SAMPLED_MATCHES = 2_048


class ReportCounts:
    """The counts of the queries of one searcher: its reports and its repeated texts, read once."""

    def __init__(self, searcher, schema):
        self._searcher = searcher
        self._schema = schema
        everything = searcher.aggregate(
            tantivy.Query.all_query(),
            {
                "reports": {"terms": {"field": "report_id", "size": 1_000_000}},
                "repeated": {
                    "terms": {"field": "content_hash", "size": 1_000_000, "min_doc_count": 2}
                },
            },
        )
        report_ids = [bucket["key"] for bucket in everything["reports"]["buckets"]]
        self._report_count = len(report_ids)
        # Counts per report are made on the hash of the report id: a number, which tantivy
        # counts and answers about six times faster than the id itself at 1,000 reports; the id
        # where two reports' hashes are the same.
        self._report_of_hash = {report_hash(report_id): report_id for report_id in report_ids}
        self.report_field = (
            "report_hash" if len(self._report_of_hash) == len(report_ids) else "report_id"
        )
        # Texts that more than one passage has: only matches among these can repeat.
        self.repeated = [bucket["key"] for bucket in everything["repeated"]["buckets"]]
        copies = [bucket["doc_count"] for bucket in everything["repeated"]["buckets"]]
        # The most passages one text has, and how many passages repeat a text in all.
        self._most_copies = max(copies, default=1)
        self._repeats_in_all = sum(copies) - len(copies)
        self._repeat_filter = self._repeats_query()

    def _repeats_query(self):
        """A query that matches at least every passage whose text another passage has: the
        passages marked repeated when written, when the marks are exactly those passages (an
        update may have made a text repeated, or single again, since), else the repeated texts'
        own terms (about four times slower on 100,000 passages)."""
        if not self.repeated:
            return None
        marked = tantivy.Query.term_query(self._schema, "repeated", 1)
        texts = tantivy.Query.term_set_query(self._schema, "content_hash", self.repeated)

        def count(query) -> int:
            return self._searcher.search(query, limit=1, count=True).count

        both = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, marked), (tantivy.Occur.Must, texts)]
        )
        return marked if count(marked) == count(texts) == count(both) else texts

    def fewest_texts(self, matches: int) -> int:
        """The fewest texts ``matches`` matching passages can have: no text has more than the
        most copies of one, and no more of them repeat a text than in the whole index."""
        return max(-(-matches // self._most_copies), matches - self._repeats_in_all)

    def matches(self, compiled) -> int:
        """How many passages match (a text repeated counted each time): tantivy's count alone,
        without aggregating anything."""
        return self._searcher.search(compiled, limit=1, count=True).count

    def estimated(self, compiled, matches: int) -> dict[str, int]:
        """The matches per report of a query of ``matches`` matches, estimated from a sample of
        about ``SAMPLED_MATCHES`` of them: the passages of a sample level (by their text's hash,
        ``tantivy_index.sample_level``) and above, counted and scaled up."""
        level = max(0, math.ceil(math.log2(max(matches, 1) / SAMPLED_MATCHES)))
        among = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Must, compiled),
                (
                    tantivy.Occur.Must,
                    tantivy.Query.range_query(
                        self._schema, "sample", tantivy.FieldType.Unsigned, level, 63
                    ),
                ),
            ]
        )
        per_report = {"terms": {"field": self.report_field, "size": self._report_count + 1}}
        found = self._searcher.aggregate(among, {"reports": per_report})
        return self._by_id(
            {bucket["key"]: bucket["doc_count"] << level for bucket in found["reports"]["buckets"]}
        )

    def _by_id(self, counts: dict) -> dict[str, int]:
        """``counts`` of report keys (hashes or ids) by report id, reports without one left out."""
        by_hash = self.report_field == "report_hash"
        return {
            self._report_of_hash[key] if by_hash else key: count
            for key, count in counts.items()
            if count
        }

    def surplus(self, compiled) -> int:
        """How many of the matches of ``compiled`` repeat a text another match has."""
        if not self.repeated:
            return 0
        return sum(
            text["doc_count"] - 1 for text in self._repeats(compiled, {})["texts"]["buckets"]
        )

    def _repeats(self, compiled, per_text: dict) -> dict:
        """The aggregation of the matches of ``compiled`` by repeated text (at least two
        matches), each with the aggregations ``per_text``."""
        among = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, compiled), (tantivy.Occur.Must, self._repeat_filter)]
        )
        texts = {"terms": {"field": "content_key", "size": len(self.repeated), "min_doc_count": 2}}
        if per_text:
            texts["aggs"] = per_text
        return self._searcher.aggregate(among, {"texts": texts})

    def count(self, compiled) -> tuple[dict[str, int], int, int]:
        """Matching texts per report (a text a report repeats counted once in it), matching
        texts in all (a text in several reports once), and how many matches are repeats."""
        per_report = {"terms": {"field": self.report_field, "size": self._report_count + 1}}
        found = self._searcher.aggregate(compiled, {"reports": per_report})
        counts = {bucket["key"]: bucket["doc_count"] for bucket in found["reports"]["buckets"]}
        matches = sum(counts.values())
        surplus = 0
        if self.repeated:
            repeats = self._repeats(compiled, {"reports": per_report})
            for text in repeats["texts"]["buckets"]:
                surplus += text["doc_count"] - 1
                for bucket in text["reports"]["buckets"]:
                    counts[bucket["key"]] -= bucket["doc_count"] - 1
        return self._by_id(counts), matches - surplus, surplus
