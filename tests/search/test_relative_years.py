"""Words that name a year by its distance from the report's own (去年, 今年, 明年, 前年) are found
by the year they name, and marked where they stand: a report given in 1989 that says 去年物价上涨
answers "prices in 1988" (issue 26). Through the API, on every engine."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.every_engine

REPORTS = {
    "gwr.txt": (
        "政府工作报告\n\n"
        "去年物价上涨幅度过大，群众很不满意。\n\n"
        "今年要把物价上涨幅度明显降下来。\n\n"
        "工业总产值比上年增长百分之二十点七。\n\n"
        # 去 and 年轻化: no 去年 here.
        "一九八八年，干部去年轻化的做法受到批评。\n"
    ),
    "gwr.toml": 'id = "gwr-1989"\ntitle = "政府工作报告"\ndate = "1989-03-20"\n',
    # The same words in a report whose date is not known: they name no year.
    "notice.txt": "一份通知\n\n去年物价上涨幅度过大，今年要控制。\n",
    "notice.toml": 'id = "notice"\ntitle = "一份通知"\ndate = ""\n',
    # No metadata file, and a file name with two years: its date (1989, the first) is a guess
    # that may be another year's, so its words name no year either (去年 is not 1988).
    "关于1989年执行情况与1990年计划的报告.txt": (
        "关于执行情况与计划的报告\n\n去年物价上涨幅度过大，明年继续治理。\n"
    ),
    # A file name with one year, as a collection names its reports: its words count from it.
    "plan-1991.txt": "计划\n\n明年物价涨幅要低于今年。\n",
}
LAST_YEAR = "去年物价上涨幅度过大，群众很不满意。"
THIS_YEAR = "今年要把物价上涨幅度明显降下来。"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from shuangyu.index.build import build_index
    from shuangyu.web.app import create_app

    from tests.paths import CLUSTER, CORPUS_DIR, SHARED_INSTANCE

    folder = tmp_path_factory.mktemp("relative-years")
    corpus = folder / "corpus"
    corpus.mkdir()
    (corpus / "names.tsv").write_bytes((CORPUS_DIR / "names.tsv").read_bytes())
    for name, text in REPORTS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    build_index(
        corpus,
        folder / "index",
        SHARED_INSTANCE,
        progress=False,
        translator="gloss",
        cluster=CLUSTER,
    )
    return create_app({"TESTING": True, "INDEX_DIR": folder / "index"}).test_client()


def search(client, query: str) -> dict:
    answer = client.get("/api/search", query_string={"q": query, "mode": "lexical"})
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


@pytest.mark.parametrize(
    ("query", "passage"),
    [("1988年物价", LAST_YEAR), ("1989年 物价", THIS_YEAR)],
)
def test_a_year_finds_the_words_that_name_it_in_a_dated_report(client, query, passage):
    body = search(client, query)
    assert [result["text"] for result in body["results"]] == [passage]
    assert body["results"][0]["report_id"] == "gwr-1989"
    marked = "去年" if passage == LAST_YEAR else "今年"
    # Marked, alone or with the word beside it that the query also has (<mark>去年物价</mark>).
    assert re.search(f"<mark>{marked}[^<]*</mark>", body["results"][0]["snippet"])


def test_an_english_query_about_a_year_finds_the_next_years_report(client):
    # Both of its words: prices (物价) and 1988 (去年 in a report of 1989).
    body = search(client, "prices in 1988")
    assert [result["text"] for result in body["results"]] == [LAST_YEAR]
    assert "<mark>last year</mark>" in body["results"][0]["snippet_en"]


def test_the_year_before_the_reported_one_and_undated_reports_name_no_year(client):
    # 上年 in a statistical report is the year before the one reported on, not the one before
    # the report was given: it is left as it is. A report of unknown date, or of a date guessed
    # from its file name, names no year.
    found = {result["id"]: result for result in search(client, "1988")["results"]}
    assert set(found) == {"gwr-1989:p002", "gwr-1989:p005"}
    assert "<mark>去年</mark>" in found["gwr-1989:p002"]["snippet"]
    assert "<mark>一九八八</mark>" in found["gwr-1989:p005"]["snippet"]
    assert "<mark>去" not in found["gwr-1989:p005"]["snippet"]
    assert search(client, "1990")["total"] == 0
    assert [result["text"] for result in search(client, "1992")["results"]] == [
        "明年物价涨幅要低于今年。"
    ]
    assert len({result["report_id"] for result in search(client, "物价")["results"]}) == 4
