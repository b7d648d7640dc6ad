"""Counting a query's matches per report with tantivy's aggregations: each report's matching
texts (a text a report repeats counted once in it), the matching texts in all, and how many
matches repeat a text (``index.engines.tantivy_reader``)."""

from __future__ import annotations

import tantivy
from shuangyu.index.engines.tantivy_index import report_hash


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

    def count(self, compiled) -> tuple[dict[str, int], int, int]:
        """Matching texts per report (a text a report repeats counted once in it), matching
        texts in all (a text in several reports once), and how many matches are repeats."""
        per_report = {"terms": {"field": self.report_field, "size": self._report_count + 1}}
        found = self._searcher.aggregate(compiled, {"reports": per_report})
        counts = {bucket["key"]: bucket["doc_count"] for bucket in found["reports"]["buckets"]}
        matches = sum(counts.values())
        surplus = 0
        if self.repeated:
            among = tantivy.Query.boolean_query(
                [
                    (tantivy.Occur.Must, compiled),
                    (tantivy.Occur.Must, self._repeat_filter),
                ]
            )
            repeats = self._searcher.aggregate(
                among,
                {
                    "texts": {
                        "terms": {
                            "field": "content_key",
                            "size": len(self.repeated),
                            "min_doc_count": 2,
                        },
                        "aggs": {"reports": per_report},
                    }
                },
            )
            for text in repeats["texts"]["buckets"]:
                surplus += text["doc_count"] - 1
                for bucket in text["reports"]["buckets"]:
                    counts[bucket["key"]] -= bucket["doc_count"] - 1
        by_hash = self.report_field == "report_hash"
        counts = {
            self._report_of_hash[key] if by_hash else key: count
            for key, count in counts.items()
            if count
        }
        return counts, matches - surplus, surplus
