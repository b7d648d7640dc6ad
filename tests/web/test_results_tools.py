"""Researchers' tools on the results (issue 17, point 3, and the page past the end): sort by
date, the date on each result, numbered pages, search within a report, copy a citation, export
selected results; through the HTTP API, the pages and the command line. The page controls in a
real browser are in tests/browser/test_browser_results.py."""

from __future__ import annotations

import csv
import io
import json
import re
from html import unescape

import pytest
from shuangyu.index.sources.corpus import parse_date
from shuangyu.search.citation.bibtex import bibtex_key
from shuangyu.web.cli import main
from shuangyu.web.interface_text import STRINGS
from shuangyu.web.search_pages import page_numbers

pytestmark = pytest.mark.every_engine

NEWER, OLDER = "shapingba-four-zones", "shapingba-2020-four-highs"  # dated 2022 and 2020-12
# The strings these tools added to the interface (web/i18n.py).
TOOL_STRINGS = (
    "past_end",
    "to_last_page",
    "pages",
    "page_n",
    "sort_by",
    "sort_relevance",
    "sort_date",
    "sort_oldest",
    "select_all",
    "clear_selection",
    "selection_full",
    "select_result",
    "selected_count",
    "export_format",
    "export_selected",
    "export_none",
    "format_ris",
    "format_csv",
    "citation_style",
    "copy_citation",
    "copy_failed",
    "date_inferred",
    "date_inferred_note",
    "search_report",
    "search_report_placeholder",
)


def every_result(client, **params) -> tuple[int, list[dict]]:
    """The total and every result of a search, paged through as a client does."""
    results, offset, total = [], 0, None
    while total is None or offset < total:
        body = client.get(
            "/api/search", query_string={**params, "limit": 20, "offset": offset}
        ).get_json()
        total = body["total"]
        results += body["results"]
        offset += 20
    return total, results


# --- Sort by date, and the date on each result ------------------------------------------------


@pytest.mark.parametrize("query", ["发展", "物流枢纽", "logistics hub", "枢纽园"])
def test_sorting_by_date_lists_the_same_results_newest_report_first(client, query):
    total, by_relevance = every_result(client, q=query)
    dated_total, by_date = every_result(client, q=query, sort="date")
    assert dated_total == total == len(by_date) == len({result["id"] for result in by_date})
    # The same texts (a text printed in both reports is listed once, in the newer one).
    assert sorted(result["text"] for result in by_date) == sorted(
        result["text"] for result in by_relevance
    )
    dates = [parse_date(result["report_date"]) for result in by_date]
    assert dates == sorted(dates, reverse=True) and len(set(dates)) == 2, dates
    for report_id in (NEWER, OLDER):
        scores = [result["score"] for result in by_date if result["report_id"] == report_id]
        assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("query", ["发展", "logistics hub"])
def test_sorting_oldest_first_is_the_date_order_reversed_by_report(client, query):
    _, newest = every_result(client, q=query, sort="date")
    _, oldest = every_result(client, q=query, sort="oldest")
    # The same texts (a text printed in both reports is listed once: in the older one here).
    assert sorted(result["text"] for result in oldest) == sorted(
        result["text"] for result in newest
    )
    dates = [parse_date(result["report_date"]) for result in oldest]
    assert dates == sorted(dates) and len(set(dates)) == 2, dates


def test_a_text_printed_in_both_reports_is_listed_in_the_newer_one_by_date(client):
    body = client.get("/api/search", query_string={"q": "枢纽园", "sort": "date"}).get_json()
    caption = [result for result in body["results"] if result["text"] == "俯瞰重庆国际物流枢纽园区"]
    assert len(caption) == 1 and caption[0]["report_id"] == NEWER and body["sort"] == "date"


def test_each_result_carries_its_reports_date(client):
    reports = {
        entry["id"]: entry["date"] for entry in client.get("/api/reports").get_json()["reports"]
    }
    results = client.get("/api/search", query_string={"q": "物流", "limit": 20}).get_json()[
        "results"
    ]
    assert {result["report_id"] for result in results} == {NEWER, OLDER}
    assert all(result["report_date"] == reports[result["report_id"]] for result in results)


@pytest.mark.parametrize("value", ["xyz", "DATE", "date,relevance", "0"])
def test_an_unknown_sort_is_a_400_that_names_the_choices(client, value):
    answer = client.get("/api/search", query_string={"q": "物流", "sort": value})
    assert (
        answer.status_code == 400
        and "sort must be one of relevance, date, oldest" in answer.get_json()["detail"]
    )
    page = client.get("/", query_string={"q": "物流", "sort": value})
    assert page.status_code == 400 and "sort must be one of" in page.get_data(as_text=True)


def test_the_api_document_declares_sort_and_export(client):
    document = client.get("/api/openapi.json").get_json()
    sort = next(
        p for p in document["paths"]["/api/search"]["get"]["parameters"] if p["name"] == "sort"
    )
    # An empty value is the default, as an empty form field sends it.
    assert sort["schema"] == {
        "type": "string",
        "default": "relevance",
        "enum": ["relevance", "date", "oldest", ""],
    }
    assert (
        client.get("/api/search", query_string={"q": "物流", "sort": "", "report": ""}).get_json()[
            "sort"
        ]
        == "relevance"
    )
    export = document["paths"]["/api/export"]["get"]
    assert {p["name"]: p["required"] for p in export["parameters"]} == {"ids": True, "format": True}
    assert next(p for p in export["parameters"] if p["name"] == "format")["schema"]["enum"] == [
        "ris",
        "bib",
        "json",
        "csv",
    ]
    assert "report_date" in document["components"]["schemas"]["Result"]["required"]


# --- Export selected results ------------------------------------------------------------------

CHOSEN = [f"{OLDER}:p010", f"{NEWER}:p027", f"{OLDER}:p004"]


def export(client, ids, fmt):
    return client.get("/api/export", query_string={"ids": ",".join(ids), "format": fmt})


def test_export_as_ris_holds_one_record_per_passage_in_order(client):
    answer = export(client, CHOSEN, "ris")
    assert answer.status_code == 200 and answer.mimetype == "application/x-research-info-systems"
    assert "attachment" in answer.headers["Content-Disposition"]
    records = [record for record in answer.get_data(as_text=True).split("ER  -") if record.strip()]
    assert len(records) == 3
    for record, passage_id in zip(records, CHOSEN):
        assert record.strip().startswith("TY  - ") and f"/p/{passage_id}" in record
        assert (
            record.strip() + "\r\nER  -\r\n"
            in client.get(f"/api/passages/{passage_id}").get_json()["citations"]["ris"]
        )


def test_export_as_bibtex_and_csl_json_is_each_passages_own_citation(client):
    bib = export(client, CHOSEN, "bib").get_data(as_text=True)
    assert re.findall(r"^@\w+\{([^,]+),", bib, re.M) == [bibtex_key(i) for i in CHOSEN]
    items = json.loads(export(client, CHOSEN, "json").get_data(as_text=True))
    assert [item["id"] for item in items] == CHOSEN
    assert (
        items[0]
        == json.loads(client.get(f"/api/passages/{CHOSEN[0]}").get_json()["citations"]["csl_json"])[
            0
        ]
    )


def test_export_as_csv_is_a_spreadsheet_row_per_passage(client):
    answer = export(client, CHOSEN, "csv")
    assert answer.mimetype == "text/csv"
    text = answer.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [row["id"] for row in rows] == CHOSEN
    passage = client.get(f"/api/passages/{CHOSEN[1]}").get_json()
    assert (
        rows[1]["text"] == passage["text"]
        and rows[1]["date"] == "2022"
        and rows[1]["authors"] == "王彩艳; 杨敏"
    )
    assert rows[1]["citation"] == passage["citations"]["gb_t_7714_2025"]
    assert (
        rows[1]["date_inferred"] == "yes"
    )  # the seed reports' dates are inferred (see their metadata)


def test_a_csv_cell_that_a_spreadsheet_would_run_as_a_formula_is_written_as_text():
    from shuangyu.search.export import export as export_passages

    passage = {
        "id": "r:p001",
        "url": "/p/r:p001",
        "report_id": "r",
        "report_title": '=HYPERLINK("http://x")',
        "report": {"authors": ["@王"], "date": "2020"},
        "section": "+1",
        "kind": "body",
        "text": "-2+3",
        "text_en": "plain",
        "translation_engine": "gloss",
        "citations": {"gb_t_7714": "王. 题[R]. 2020."},
    }
    row = next(
        csv.DictReader(io.StringIO(export_passages([passage], "csv").removeprefix("\ufeff")))
    )
    assert row["report_title"] == '\'=HYPERLINK("http://x")'
    assert (row["authors"], row["section"], row["text"], row["text_en"]) == (
        "'@王",
        "'+1",
        "'-2+3",
        "plain",
    )


def test_export_takes_repeated_ids_and_drops_duplicates(client):
    answer = client.get(
        "/api/export",
        query_string=[("ids", CHOSEN[0]), ("ids", f"{CHOSEN[1]},{CHOSEN[0]}"), ("format", "json")],
    )
    assert [item["id"] for item in json.loads(answer.get_data(as_text=True))] == CHOSEN[:2]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"format": "ris"}, "ids is required"),
        ({"ids": "", "format": "ris"}, "ids is required"),
        ({"ids": CHOSEN[0], "format": "docx"}, "format must be one of ris, bib, json, csv"),
        ({"ids": CHOSEN[0]}, "format must be one of"),
        ({"ids": f"{NEWER}:p999", "format": "ris"}, f"no passage with id '{NEWER}:p999'"),
        ({"ids": "<script>", "format": "bib"}, "no passage with id '<script>'"),
        (
            {"ids": ",".join(f"{NEWER}:p{n:03d}" for n in range(1, 102)), "format": "csv"},
            "at most 100",
        ),
    ],
)
def test_bad_export_requests_are_400s_that_say_what_was_wrong(client, query, message):
    answer = client.get("/api/export", query_string=query)
    assert answer.status_code == 400 and answer.mimetype == "application/problem+json"
    assert message in answer.get_json()["detail"]


# --- Pages past the end, numbered pages, search within a report --------------------------------


def page_text(client, ui="zh", **params):
    answer = client.get("/", query_string={**params, "ui": ui})
    assert answer.status_code == 200
    return unescape(answer.get_data(as_text=True))


def test_a_page_past_the_end_says_so_and_links_to_the_last_page(client):
    total = client.get("/api/search", query_string={"q": "发展"}).get_json()["total"]
    last = -(-total // 10)
    html = page_text(client, q="发展", page=99)
    assert f"第 99 页超出了结果范围：共 {total} 段，只有 {last} 页。" in html
    link = re.search(r'<a class="last-page" href="([^"]+)"', html).group(1)
    assert f"page={last}" in link
    landed = unescape(client.get(link).get_data(as_text=True))
    assert landed.count('<article class="result') == total - (last - 1) * 10
    assert "Page 99 is past the end" in page_text(client, ui="en", q="发展", page=99)


def test_the_cli_says_when_an_offset_is_past_the_end(runner):
    total = json.loads(runner.invoke(main, ["search", "物流", "--json"]).output)["total"]
    result = runner.invoke(main, ["search", "物流", "--offset", "500"])
    assert result.exit_code == 0
    last = (total - 1) // 10 * 10
    assert (
        f"Only {total} passages: --offset 500 is past the end (the last page is --offset {last})."
        in result.output
    )
    assert (
        "past the end" not in runner.invoke(main, ["search", "物流", "--offset", str(last)]).output
    )


def test_the_cli_sorts_by_date(runner):
    listed = json.loads(
        runner.invoke(main, ["search", "发展", "--sort", "date", "--limit", "100", "--json"]).output
    )
    reports = [result["report_id"] for result in listed["results"]]
    assert listed["sort"] == "date" and reports == sorted(
        reports, key=lambda report_id: report_id != NEWER
    )
    result = runner.invoke(main, ["search", "物流", "--sort", "newest"])
    assert result.exit_code != 0 and "'newest' is not one of 'relevance', 'date'" in result.output


def test_pages_are_numbered_around_the_current_one():
    assert page_numbers(1, 1) == [1]
    assert page_numbers(1, 12) == [1, 2, 3, None, 12]
    assert page_numbers(6, 12) == [1, None, 4, 5, 6, 7, 8, None, 12]
    assert page_numbers(5, 12) == [1, 2, 3, 4, 5, 6, 7, None, 12]  # a gap of one page is the page
    assert page_numbers(99, 3) == [1, 2, 3]


def test_the_results_page_links_each_page_by_number_keeping_the_sort(client):
    total = client.get("/api/search", query_string={"q": "发展"}).get_json()["total"]
    html = page_text(client, q="发展", page=2, sort="date")
    numbers = re.findall(r'<a class="page-number" href="([^"]+)" aria-label="第 (\d+) 页">', html)
    assert [int(n) for _, n in numbers] == [
        n for n in range(1, min(-(-total // 10), 4) + 1) if n != 2
    ]
    assert all("sort=date" in href for href, _ in numbers)
    assert '<span class="current" aria-current="page">2</span>' in html


def test_the_report_page_searches_within_that_report(client):
    html = unescape(client.get(f"/r/{NEWER}?ui=zh").get_data(as_text=True))
    form = re.search(
        r'<form class="search search-report"[^>]*action="([^"]+)".*?</form>', html, re.S
    )
    assert form and f'<input type="hidden" name="report" value="{NEWER}">' in form.group(0)
    assert 'placeholder="在本报告中搜索（中文或英文）"' in form.group(0)
    # What the form sends:
    results = client.get(
        form.group(1), query_string={"q": "物流", "report": NEWER, "ui": "zh"}
    ).get_data(as_text=True)
    listed = set(re.findall(r'name="ids" value="([^"]+)"', results))
    assert listed and {passage_id.rpartition(":")[0] for passage_id in listed} == {NEWER}


def test_each_result_shows_its_date_and_carries_its_citations_to_copy(client):
    html = page_text(client, q="枢纽园", report=NEWER)
    assert '<span class="date">2022<span class="inferred"' in html and "（推定）" in html
    api = client.get("/api/passages/shapingba-four-zones:p034").get_json()
    button = re.search(
        r'<button type="button" class="copy-citation"[^>]*value="?[^>]*>', html
    ) or re.search(r'<button type="button" class="copy-citation".*?>', html, re.S)
    assert f'data-cite-gb-t-7714="{api["citations"]["gb_t_7714"]}"' in button.group(0)
    assert f'data-cite-apa="{api["citations"]["apa"]}"' in button.group(0)


def shown_text(html: str) -> str:
    """What a reader sees or hears of a page: its text, and its titles, labels and placeholders."""
    said = re.findall(
        r'(?:title|aria-label|placeholder|data-none|data-template|data-copied|data-label|data-failed)="([^"]*)"',
        html,
    )
    return unescape(re.sub(r"<[^>]*>", " ", html) + " ".join(said))


@pytest.mark.parametrize(("ui", "other"), [("zh", 1), ("en", 0)])
def test_the_tools_speak_the_interface_language_only(client, ui, other):
    pages = [
        shown_text(client.get(path).get_data(as_text=True))
        for path in (f"/?q=发展&page=2&ui={ui}", f"/?q=发展&page=99&ui={ui}", f"/r/{NEWER}?ui={ui}")
    ]
    own = 0 if ui == "zh" else 1
    for key in TOOL_STRINGS:
        if STRINGS[key][other] != STRINGS[key][own]:
            foreign = re.compile(
                r"\S+?".join(
                    re.escape(part) for part in re.split(r"\{\w+\}", STRINGS[key][other].strip())
                )
            )
            assert not any(foreign.search(page) for page in pages), (ui, key, foreign)
    assert any(STRINGS["sort_date"][own] in page for page in pages)


def test_date_order_puts_a_precise_date_before_a_bare_year_of_the_same_year_and_undated_reports_last():
    from shuangyu.search.report_dates import newest_first

    reports = [
        {"id": "a-year", "date": "2020"},
        {"id": "b-day", "date": "2020-05-03"},
        {"id": "c-month", "date": "2020-05"},
        {"id": "d-undated", "date": ""},
        {"id": "e-newer", "date": "2021"},
        {"id": "f-earlier-day", "date": "2020-01-09"},
    ]
    ranks = newest_first(reports)
    assert sorted(ranks, key=ranks.get) == [
        "e-newer",
        "b-day",
        "c-month",
        "f-earlier-day",
        "a-year",
        "d-undated",
    ]
