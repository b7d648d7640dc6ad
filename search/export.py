"""Several passages exported together, for a reference manager (RIS, BibTeX, CSL-JSON) or a
spreadsheet (CSV).

The reference formats are the passages' own citations (``search.citation``) put together, so that
an exported record is the record of the passage's page; CSV has one row per passage.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from shuangyu.search.citation.csl import date_is_inferred
from shuangyu.search.citation.styles import FORMATS
from shuangyu.search.records import Passage

# Extension -> content type, in the order a user is offered them.
EXPORT_FORMATS = {
    "ris": FORMATS["ris"][0],
    "bib": FORMATS["bib"][0],
    "json": FORMATS["json"][0],
    "csv": "text/csv; charset=utf-8",
}
# How many passages one export may hold (a page of results at most).
MAX_EXPORT = 100
CSV_COLUMNS = (
    "id",
    "url",
    "report_id",
    "report_title",
    "authors",
    "date",
    "date_inferred",
    "section",
    "kind",
    "text",
    "text_en",
    "translation_engine",
    "citation",
)


def export(passages: Sequence[Passage], fmt: str) -> str:
    """``passages`` (the API's passage objects) as one file of format ``fmt`` (a key of
    ``EXPORT_FORMATS``), in the order given."""
    if fmt == "csv":
        return _csv(passages)
    citations = [passage["citations"][FORMATS[fmt][1]] for passage in passages]
    if fmt == "json":
        # Each passage's CSL-JSON is an array (or an item): one array holds them all.
        items = []
        for text in citations:
            parsed = json.loads(text)
            items += parsed if isinstance(parsed, list) else [parsed]
        return json.dumps(items, ensure_ascii=False, indent=2) + "\n"
    newline = "\r\n" if fmt == "ris" else "\n"
    return newline.join(text.rstrip("\r\n") + newline for text in citations)


# A cell a spreadsheet would run as a formula (CSV injection, OWASP): it starts with one of these.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    """``value`` as a spreadsheet shows it, never as a formula: a leading apostrophe (which the
    spreadsheet hides) before a cell that would start one."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _csv(passages: Sequence[Passage]) -> str:
    out = io.StringIO()
    # A byte order mark: spreadsheets read a UTF-8 file without one as a legacy code page.
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for passage in passages:
        report = passage["report"]
        writer.writerow(
            [
                _cell(str(value))
                for value in (
                    passage["id"],
                    passage["url"],
                    passage["report_id"],
                    passage["report_title"],
                    "; ".join(report.get("authors", ())),
                    report.get("date", ""),
                    # Said as the citations say it: a guessed date is never a bare fact in a spreadsheet.
                    "yes"
                    if report.get("date") and date_is_inferred(report.get("date_basis", ""))
                    else "no",
                    passage["section"],
                    passage["kind"],
                    passage["text"],
                    passage["text_en"],
                    passage["translation_engine"],
                    # The GB/T 7714 in force (2025 since 2026-07-01).
                    passage["citations"].get("gb_t_7714_2025", ""),
                )
            ]
        )
    return out.getvalue()
