"""The reports page (issue 28, point 4): /reports lists every report of the collection with its
title, date and passages, linked to its page, sorted by date, title or passages in either
direction; /r/ leads to it, and every page links to it; both interface languages."""

from __future__ import annotations

import re
import shutil
from html import unescape

import pytest
from pypinyin import lazy_pinyin
from shuangyu.index.build import build_index
from shuangyu.web.app import create_app

from tests.paths import CLUSTER, CORPUS_DIR, SHARED_INSTANCE
from tests.web.test_interface_language import interface_text

# Three reports whose orders by date, by title (pinyin or English) and by passages all differ,
# and whose titles' pinyin order is not their code point order (北 < 安 < 重 in Unicode).
REPORTS = {
    "anhui": (
        "安徽省政府工作报告",
        "2021-03-05",
        "安徽今年的工作重点是物流。\n\n安徽推进产业升级。\n\n",
    ),
    "beijing": (
        "北京市政府工作报告",
        "2019",
        "北京今年的工作重点是科技创新。\n\n北京建设国际科技创新中心。\n\n"
        "北京推进京津冀协同发展。\n\n北京办好冬奥会。\n\n北京改善生态环境。\n\n",
    ),
    "chongqing": ("重庆市政府工作报告", "", "重庆今年的工作重点是内陆开放。\n\n"),
}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """The app over an index of ``REPORTS``, each with its metadata file."""
    corpus = tmp_path_factory.mktemp("reports-corpus")
    shutil.copy(CORPUS_DIR / "names.tsv", corpus / "names.tsv")
    for report_id, (title, date, text) in REPORTS.items():
        (corpus / f"{report_id}.txt").write_text(text, encoding="utf-8")
        (corpus / f"{report_id}.toml").write_text(
            f'id = "{report_id}"\ntitle = "{title}"\ndate = "{date}"\n'
            + ('date_basis = "Printed at its head."\n' if date else ""),
            encoding="utf-8",
        )
    index_dir = tmp_path_factory.mktemp("reports-index")
    build_index(
        corpus, index_dir, SHARED_INSTANCE, progress=False, translator="gloss", cluster=CLUSTER
    )
    return create_app({"TESTING": True, "INDEX_DIR": index_dir}).test_client()


@pytest.fixture(scope="module")
def manifest(client):
    return {entry["id"]: entry for entry in client.get("/api/reports").get_json()["reports"]}


def rows(html: str) -> list[dict]:
    """The reports table's rows: id, link, title text, date cell text and passages."""
    found = []
    for row in re.findall(r'<tr id="report-([^"]+)">(.*?)</tr>', html, flags=re.S):
        report_id, cells = row
        link = re.search(r'<td class="column-title"><a href="([^"]+)">(.*?)</a>', cells, flags=re.S)
        date = re.search(r'<td class="column-date">(.*?)</td>', cells, flags=re.S).group(1)
        passages = re.search(r'<td class="column-passages">\s*(\d+)\s*</td>', cells).group(1)
        found.append(
            {
                "id": report_id,
                "href": link.group(1),
                "title": unescape(re.sub(r"<[^>]+>", "", link.group(2))).strip(),
                "date": unescape(re.sub(r"<[^>]+>", "", date)).strip(),
                "passages": int(passages),
            }
        )
    return found


def listed(client, query: str = "") -> list[str]:
    return [row["id"] for row in rows(client.get("/reports" + query).get_data(as_text=True))]


def test_the_reports_page_lists_every_report_with_its_title_date_and_passages(client, manifest):
    assert (
        len({entry["passages"] for entry in manifest.values()}) == 3
    )  # the order by passages means something
    answer = client.get("/reports?ui=zh")
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    shown = {row["id"]: row for row in rows(html)}
    assert set(shown) == set(REPORTS) == set(manifest)
    for report_id, (title, date, _) in REPORTS.items():
        assert shown[report_id]["href"] == f"/r/{report_id}"
        assert shown[report_id]["title"] == title
        assert shown[report_id]["date"] == (date or "日期不详")
        assert shown[report_id]["passages"] == manifest[report_id]["passages"]
    total = sum(entry["passages"] for entry in manifest.values())
    assert f"共 3 份报告，{total} 段。" in html
    # Each link leads to its report's page.
    for row in shown.values():
        assert client.get(row["href"]).status_code == 200


def test_the_reports_are_sorted_by_date_title_or_passages_either_way(client, manifest):
    newest = ["anhui", "beijing", "chongqing"]  # the undated report last in either direction
    assert (
        listed(client)
        == listed(client, "?sort=date")
        == listed(client, "?sort=date&order=desc")
        == newest
    )
    assert listed(client, "?sort=date&order=asc") == ["beijing", "anhui", "chongqing"]
    # Chinese titles in the order of their pinyin (an, bei, chong), not of their code points.
    assert listed(client, "?sort=title&ui=zh") == ["anhui", "beijing", "chongqing"]
    assert listed(client, "?sort=title&order=desc&ui=zh") == ["chongqing", "beijing", "anhui"]
    by_english = sorted(manifest, key=lambda report_id: manifest[report_id]["title_en"].casefold())
    assert listed(client, "?sort=title&ui=en") == by_english
    most = sorted(manifest, key=lambda report_id: -manifest[report_id]["passages"])
    assert listed(client, "?sort=passages") == most
    assert listed(client, "?sort=passages&order=asc") == most[::-1]
    assert "".join(lazy_pinyin("安徽")) < "".join(lazy_pinyin("北京")) and "北" < "安"


def test_the_column_headers_sort_and_say_which_is_sorted(client):
    html = client.get("/reports?sort=passages&ui=en").get_data(as_text=True)
    headers = dict(
        re.findall(r'<th scope="col" class="column-(\w+)"[^>]*>\s*<a href="([^"]+)"', html)
    )
    assert re.search(r'<th scope="col" class="column-passages" aria-sort="descending">', html)
    assert html.count("aria-sort=") == 1
    # The sorted column's header turns its order round; the others start in their own direction.
    assert unescape(headers["passages"]) == "/reports?sort=passages&order=asc"
    assert unescape(headers["title"]) == "/reports?sort=title"
    assert unescape(headers["date"]) == "/reports?sort=date"


def test_a_sort_that_is_not_one_is_a_400_saying_so(client):
    answer = client.get("/reports?sort=colour&ui=en")
    assert answer.status_code == 400
    assert "sort must be one of date, title, passages" in answer.get_data(as_text=True)
    assert client.get("/reports?order=sideways").status_code == 400


def test_r_slash_leads_to_the_reports_page(client):
    answer = client.get("/r/")
    assert answer.status_code == 301 and answer.headers["Location"] == "/reports"
    assert client.get("/r/?ui=en").headers["Location"] == "/reports?ui=en"
    assert client.get("/r/", follow_redirects=True).status_code == 200


@pytest.mark.parametrize(
    "path", ["/", "/?q=物流", "/p/anhui:p001", "/r/anhui", "/reports", "/api", "/no-such-page"]
)
def test_every_page_links_to_the_reports_page_from_its_header_and_footer(client, path):
    html = client.get(path).get_data(as_text=True)
    header = html.split("<header", 1)[1].split("</header>", 1)[0]
    footer = html.split("<footer", 1)[1].split("</footer>", 1)[0]
    assert 'href="/reports"' in header and 'href="/reports"' in footer


def test_the_english_interface_names_the_reports_in_english_labelled_and_says_the_rest_in_english(
    client, manifest
):
    html = client.get("/reports?ui=en").get_data(as_text=True)
    assert "<h1>The reports</h1>" in html and "3 reports, " in html
    for report_id, entry in manifest.items():
        cell = re.search(
            rf'<tr id="report-{report_id}">\s*<td class="column-title">(.*?)</td>', html, flags=re.S
        ).group(1)
        link, _, after = cell.partition("</a>")
        assert f'<span lang="en">{entry["title_en"]}</span>' in link
        assert "made-by" not in link and 'class="made-by made-by-gloss">gloss</span>' in after
    assert "Undated" in html
    text = interface_text(html)
    assert not re.search(r"[\u4e00-\u9fff]", text), re.findall(
        r".{0,20}[\u4e00-\u9fff]+.{0,20}", text
    )[:5]


# Names the Chinese interface writes in Latin letters, as Chinese writing does.
NAMES = ("CC-CEDICT", "CC BY-SA", "API")


def test_the_chinese_interface_is_chinese(client):
    answer = client.get("/reports?ui=zh")
    assert answer.status_code == 200
    text = interface_text(answer.get_data(as_text=True))
    assert "收录的报告" in text and "段落数" in text
    for name in NAMES:
        text = text.replace(name, " ")
    assert not re.search(r"[A-Za-z]{2,}", text), re.findall(r".{0,20}[A-Za-z]{2,}.{0,20}", text)[:5]
