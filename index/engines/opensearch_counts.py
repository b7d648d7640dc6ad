"""Counting a query's matches per report with OpenSearch's aggregations, sent with its hits in
one request (``index.engines.opensearch_reader``): each report's matching texts (a text a
report repeats counted once in it), the matching texts in all, and how many matches repeat a
text."""

from __future__ import annotations

from collections import Counter


def count_aggregations(report_count: int, repeated: list[str]) -> dict:
    """The aggregations of a search that counts its matches per report, in an index of
    ``report_count`` reports whose ``repeated`` texts (content hashes) more than one passage
    has."""
    per_report = {
        "terms": {
            "field": "report_id",
            "size": report_count + 1,
            "shard_size": report_count + 1,
        }
    }
    aggregations: dict = {"reports": per_report}
    if repeated:
        aggregations["repeats"] = {
            "filter": {"terms": {"content_hash": repeated}},
            "aggs": {
                "texts": {
                    "terms": {
                        "field": "content_hash",
                        "size": len(repeated),
                        "shard_size": len(repeated),
                        "min_doc_count": 2,
                    },
                    "aggs": {"reports": per_report},
                }
            },
        }
    return aggregations


def counts_of(aggregations: dict) -> tuple[dict[str, int], int, int]:
    """As ``index.engines.tantivy_counts.ReportCounts.count``, from the answer to
    ``count_aggregations``: matching texts per report, matching texts in all, and how many
    matches are repeats."""
    counts = Counter({b["key"]: b["doc_count"] for b in aggregations["reports"]["buckets"]})
    matches = sum(counts.values())
    surplus = 0
    for text in aggregations.get("repeats", {}).get("texts", {}).get("buckets", []):
        surplus += text["doc_count"] - 1
        for bucket in text["reports"]["buckets"]:
            counts[bucket["key"]] -= bucket["doc_count"] - 1
    return {key: count for key, count in counts.items() if count}, matches - surplus, surplus
