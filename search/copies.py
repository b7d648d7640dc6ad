"""Every report's copy of a result's text, and how many of a query's English words each result
has: what a result says beyond its own passage.
"""

from __future__ import annotations

from collections import Counter

from shuangyu.index.engines import seam as tree
from shuangyu.index.engines.schema import StoredPassage
from shuangyu.index.text.analysis import chinese_analyzer
from shuangyu.search.opened import OpenIndex, Reader
from shuangyu.search.ranking import Rankings, with_content
from shuangyu.search.records import Copy


def copies_of(
    rankings: Rankings,
    reader: Reader,
    opened: OpenIndex,
    query: tree.Node | None,
    passages: list[StoredPassage],
) -> dict[str, list[Copy]]:
    """Every report's copy of the texts of ``passages`` (stored fields of results, each text
    once), by content hash, the oldest report first: the report's passage of that text that
    ``query`` (a query tree; any passage with ``None``) matches, as a search of that report
    alone lists it.

    Most texts are in one passage (its number of passages is read from the index, no search).
    For the others, a search of their hashes says which reports print them, and one per
    report that prints more of them than ``passages`` name there finds its copies. Copies of
    a text differ at most in their heading and kind, which decide no match unless the heading
    holds a word the query searches in headings: the query itself (a costly matcher for a
    long query) is searched only where a copy's heading has other such words than its
    result's, or where a report prints a text twice (the query then picks which passage a
    search of the report lists)."""
    results = {fields["content_hash"]: fields for fields in passages}
    copies = {content: {fields["report_id"]: fields} for content, fields in results.items()}
    passages_of = {
        content: reader.engine.doc_frequency("content_hash", content) for content in results
    }
    repeated = sorted(content for content, count in passages_of.items() if count > 1)
    if repeated:
        printed = with_content(repeated)
        named = Counter(results[content]["report_id"] for content in repeated)
        printed_in = rankings.search(reader, printed, 1, None).counts
        found = {
            report_id: rankings.texts(reader, printed, count, report_id, counted=False)[0]
            for report_id, count in printed_in.items()
            if count > named[report_id]
        }
        if query is not None and found:
            twice = sum(passages_of[content] for content in repeated) > sum(printed_in.values())
            searched = _field_words(query, "section")
            heading = chinese_analyzer(opened.language)

            def hits(fields: StoredPassage) -> set[str]:
                return (
                    searched & {token.text for token in heading(fields["section"], mode="index")}
                    if searched
                    else set()
                )

            unlike = [
                report_id
                for report_id, in_report in found.items()
                if twice
                or any(
                    hits(fields) != hits(results[content]) for content, fields in in_report.items()
                )
            ]
            if unlike:
                matching = tree.Filter(query, printed)
                matching_in = rankings.search(reader, matching, 1, None).counts
                for report_id in unlike:
                    count = matching_in.get(report_id, 0)
                    found[report_id] = (
                        rankings.texts(reader, matching, count, report_id, counted=False)[0]
                        if count > named[report_id]
                        else {}
                    )
        for report_id, in_report in found.items():
            for content, fields in in_report.items():
                copies[content].setdefault(report_id, fields)
    order = opened.date_orders["oldest"]
    return {
        content: [
            _copy(by_report[report_id], opened)
            for report_id in sorted(
                by_report, key=lambda report_id: order.get(report_id, len(order))
            )
        ]
        for content, by_report in copies.items()
    }


def words_matched(
    rankings: Rankings, reader: Reader, compiled, passages: list[StoredPassage]
) -> dict[str, int]:
    """How many of the query's English words (``CompiledQuery.coverage``) each of
    ``passages`` (stored fields) has, by passage id: a search of each word among their
    texts (a text several reports print is listed once, under any of its ids)."""
    contents = {fields["content_hash"] for fields in passages}
    by_content = dict.fromkeys(contents, 0)
    for _, node in compiled.coverage if contents else ():
        found = rankings.search(
            reader,
            tree.All([node, with_content(sorted(contents))]),
            len(contents),
            None,
            counted=False,
        )
        for key, _ in found.top:
            by_content[reader.engine.stored(key)["content_hash"]] += 1
    return {fields["id"]: by_content[fields["content_hash"]] for fields in passages}


def _field_words(node: tree.Node, field: str) -> set[str]:
    """The words that query tree ``node`` searches in ``field`` (required, optional or excluded)."""
    if isinstance(node, tree.Term):
        return {node.text} if node.field == field else set()
    if isinstance(node, tree.Phrase):
        return set(node.words) if node.field == field else set()
    if isinstance(node, (tree.All, tree.Any, tree.Best)):
        parts = node.parts
    elif isinstance(node, tree.WithOptional):
        parts = [node.required, node.optional]
    elif isinstance(node, tree.Without):
        parts = [node.positive, node.negative]
    else:
        parts = [node.query, node.condition]
    return set().union(*(_field_words(part, field) for part in parts))


def _copy(fields: StoredPassage, opened: OpenIndex) -> Copy:
    """A report's copy of a result's text, from its passage's stored fields."""
    return Copy(
        id=fields["id"],
        report_id=fields["report_id"],
        report_title=fields["report_title"],
        report_date=opened.report_dates.get(fields["report_id"], ""),
        section=fields["section"],
        page=fields.get("page", ""),
        url=f"/p/{fields['id']}",
    )
