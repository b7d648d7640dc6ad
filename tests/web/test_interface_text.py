"""Interface text (issue 28, point 6): the "gloss" label a tag outside links, the Chinese
interface's date note in Chinese, plurals ("1 passage"), a search under a millisecond said as
"< 1 ms", and the footer's API link opening a page that documents the API."""

from __future__ import annotations

import re
import shutil
from html import unescape

import pytest
from shuangyu.index.build import build_index
from shuangyu.web import search_pages as pages
from shuangyu.web.app import create_app

from tests.paths import CLUSTER, CORPUS_DIR, SHARED_INSTANCE
from tests.web.test_interface_language import interface_text

# A report without metadata (its date from its file name, as the build says in English) and
# one whose editor wrote in English why its date is what it is. 磁器口 is in one passage.
EDITOR_BASIS = "Inferred, not printed: the report looks back on the year it reviews, so it dates from the year after."
REPORTS = {
    "gwr-2019.txt": "政府工作报告\n\n各位代表：\n\n我们推进磁器口古镇保护。\n\n我们继续发展物流。\n\n物流枢纽建设加快。\n\n",
    "edited.txt": "沙坪坝区的物流园区建设加快。\n\n物流企业增加。\n\n",
    "edited.toml": f'id = "edited"\ntitle = "沙坪坝物流报告"\ndate = "2021"\ndate_basis = "{EDITOR_BASIS}"\n',
}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("interface-text-corpus")
    shutil.copy(CORPUS_DIR / "names.tsv", corpus / "names.tsv")
    for name, text in REPORTS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("interface-text-index")
    build_index(
        corpus, index_dir, SHARED_INSTANCE, progress=False, translator="gloss", cluster=CLUSTER
    )
    return create_app({"TESTING": True, "INDEX_DIR": index_dir}).test_client()


def page(client, path: str) -> str:
    answer = client.get(path)
    assert answer.status_code == 200, path
    return answer.get_data(as_text=True)


def summary(html: str) -> str:
    return " ".join(
        unescape(
            re.sub(
                r"<[^>]+>",
                "",
                re.search(r'<p class="summary"[^>]*>(.*?)</p>', html, flags=re.S).group(1),
            )
        ).split()
    )


def test_one_passage_is_one_passage(client):
    assert client.get("/api/search?q=磁器口").get_json()["total"] == 1
    assert re.fullmatch(r"1 passage in (< 1|\d+) ms", summary(page(client, "/?q=磁器口&ui=en")))
    past = unescape(page(client, "/?q=磁器口&page=2&ui=en"))
    assert "Page 2 is past the end: 1 passage, on 1 page." in past
    assert re.fullmatch(r"\d+ passages in (< 1|\d+) ms", summary(page(client, "/?q=物流&ui=en")))
    assert "1 passages" not in past and "1 pages" not in past


@pytest.fixture
def took(monkeypatch):
    """Set how long the searches of the pages say they took, in milliseconds."""

    def set_took(ms: float) -> None:
        def timed(text, **options):
            return {**searched(text, **options), "took_ms": ms}

        monkeypatch.setattr(pages, "run_search", timed)

    searched = pages.run_search
    return set_took


def test_a_search_under_a_millisecond_is_said_to_take_under_one(client, took):
    took(0.42)
    assert summary(page(client, "/?q=磁器口&ui=en")) == "1 passage in < 1 ms"
    assert summary(page(client, "/?q=磁器口&ui=zh")) == "共 1 段，用时不到 1 毫秒"
    assert summary(page(client, "/embed?q=磁器口&ui=zh")) == "共 1 段，用时不到 1 毫秒"
    took(12.4)
    assert summary(page(client, "/?q=磁器口&ui=en")) == "1 passage in 12 ms"
    assert summary(page(client, "/?q=磁器口&ui=zh")) == "共 1 段，用时 12 毫秒"


def date_note(html: str) -> str:
    return " ".join(
        unescape(
            re.sub(
                r"<[^>]+>",
                " ",
                re.search(r'<dd id="date-basis">(.*?)</dd>', html, flags=re.S).group(1),
            )
        ).split()
    )


def test_the_chinese_interface_says_how_a_date_is_known_in_chinese(client):
    built = date_note(page(client, "/p/gwr-2019:p001?ui=zh"))
    assert re.search(r"[\u4e00-\u9fff]", built) and not re.search(r"[A-Za-z]", built), built
    assert "文件名" in built  # what the build said, in Chinese: the year of the file name
    edited = page(client, "/p/edited:p001?ui=zh")
    note = date_note(edited)
    assert re.search(r"[\u4e00-\u9fff]", note) and not re.search(r"[A-Za-z]", note), note
    # The editor's reasoning is in English only: one link away, in the English interface.
    link = re.search(
        r'<dd id="date-basis">.*?<a href="([^"]+)" hreflang="en">查看英文说明</a>',
        edited,
        flags=re.S,
    ).group(1)
    assert unescape(link) == "/p/edited:p001?ui=en#date-basis"
    english = date_note(page(client, unescape(link).split("#")[0]))
    assert "The report does not print this date; it is inferred." in english
    assert "The report looks back on the year it reviews" in english


def test_the_gloss_label_is_a_tag_beside_a_title_outside_its_link(client):
    for path in ("/?q=磁器口&ui=en", "/p/gwr-2019:p003?ui=en"):
        html = page(client, path)
        where = re.search(r'<p class="where">(.*?)</p>', html, flags=re.S).group(1)
        link, _, after = where.partition("</a>")
        assert 'class="report"' in link and '<span lang="en">' in link
        assert "made-by" not in link and "gloss" not in re.sub(r"<[^>]+>", "", link), path
        assert re.match(r'\s*<span class="made-by made-by-gloss">gloss</span>', after), (
            path,
            after[:80],
        )


def test_the_footer_api_link_opens_a_page_documenting_the_api(client):
    html = page(client, "/?ui=en")
    footer = html.split("<footer", 1)[1]
    href = unescape(re.search(r'<a href="([^"]+)">API</a>', footer).group(1))
    answer = client.get(href)
    assert answer.status_code == 200 and answer.mimetype == "text/html"
    docs = answer.get_data(as_text=True)
    document = client.get("/api/openapi.json").get_json()
    assert 'href="/api/openapi.json"' in docs
    for path, item in document["paths"].items():
        for method, operation in item.items():
            section = re.search(
                rf'<section class="api-operation" id="{operation["operationId"]}">(.*?)</section>',
                docs,
                flags=re.S,
            ).group(1)
            assert f"<code>{method.upper()} {path}</code>" in section
            assert unescape(operation["summary"]) in unescape(section)
            for parameter in operation.get("parameters", []):
                assert f"<code>{parameter['name']}</code>" in section
                assert unescape(parameter.get("description", "")) in unescape(section)
            for status in operation["responses"]:
                assert f"<code>{status}</code>" in section
    for name, schema in document["components"]["schemas"].items():
        section = re.search(
            rf'<section class="api-schema" id="schema-{name}">(.*?)</section>', docs, flags=re.S
        ).group(1)
        for field in schema.get("properties", {}):
            assert f"<code>{field}</code>" in section
    # An example request to try for each operation that reads the index, and it answers.
    examples = [
        unescape(link)
        for link in re.findall(r'<p class="api-example">[^<]*<a href="([^"]+)">', docs)
    ]
    assert len(examples) == len(document["paths"])
    for example in examples:
        assert client.get(example).status_code == 200, example


def test_the_api_page_is_in_the_interface_language(client):
    # Paths, parameter names and media types are code, the same in either language; the API's own
    # descriptions are marked as English.
    html = re.sub(r"<code>.*?</code>", " ", page(client, "/api?ui=zh"), flags=re.S)
    text = interface_text(html)
    assert "接口文档" in text and "参数" in text and "数据结构" in text
    for name in ("CC-CEDICT", "CC BY-SA", "OpenAPI", "JSON", "API", "GET", "CORS"):
        text = text.replace(name, " ")
    assert not re.search(r"[A-Za-z]{2,}", text), re.findall(r".{0,20}[A-Za-z]{2,}.{0,20}", text)[:5]
