"""The edges a red team found (issue 27): every route without an index, URLs as long as the API's
longest valid requests and longer, the OpenAPI document read by a JSON Schema validator, the rate
limit over every route that searches, and a request that says its length two ways, sent to both
servers `shuangyu serve` runs."""

from __future__ import annotations

import logging
import re
import shutil
import socket
import sys
import urllib.parse
from urllib.parse import quote, urlencode

import pytest
from shuangyu.index.build import build_index
from shuangyu.index.sources.ids import PASSAGE_ID_PATTERN, REPORT_ID_PATTERN, passage_id
from shuangyu.search.export import MAX_EXPORT
from shuangyu.search.query import MAX_QUERY_CHARS
from shuangyu.web.app import MAX_URL_BYTES, create_app

from tests.paths import CLUSTER, CORPUS_DIR, SHARED_INSTANCE
from tests.serving import serving_any_port
from tests.web.test_serve_workers import built_site  # noqa: F401 (fixture)

PROBLEM = "application/problem+json"
PASSAGE = "shapingba-2020-four-highs:p022"
# The longest report id the build accepts (index.sources.ids: 80 word characters), in characters of four
# UTF-8 bytes (CJK Extension B): twelve bytes each in a URL, the longest an id can be.
LONGEST_REPORT_ID = "𠮷" * 80
CHINESE_REPORT_ID = "2017年政府工作报告"
LONG_REPORT_PASSAGES = 120


@pytest.fixture(scope="module")
def chinese_ids_index(tmp_path_factory):
    """An index of two reports with Chinese ids: one with the longest id and more passages than
    an export takes, one with a year before its name."""
    folder = tmp_path_factory.mktemp("chinese-ids-corpus")
    shutil.copy(CORPUS_DIR / "names.tsv", folder / "names.tsv")
    (folder / "long.txt").write_text(
        "长报告\n\n"
        + "\n\n".join(f"第{n}段写沙坪坝区的物流枢纽。" for n in range(LONG_REPORT_PASSAGES)),
        encoding="utf-8",
    )
    (folder / "long.toml").write_text(
        f'id = "{LONGEST_REPORT_ID}"\ntitle = "长报告"\n', encoding="utf-8"
    )
    (folder / "report.txt").write_text(
        "政府工作报告\n\n沙坪坝区建成物流枢纽。\n\n磁器口古镇迎来游客。\n", encoding="utf-8"
    )
    (folder / "report.toml").write_text(
        f'id = "{CHINESE_REPORT_ID}"\ntitle = "2017年政府工作报告"\n', encoding="utf-8"
    )
    index_dir = tmp_path_factory.mktemp("chinese-ids-index")
    build_index(
        folder, index_dir, SHARED_INSTANCE, progress=False, translator="gloss", cluster=CLUSTER
    )
    return index_dir


@pytest.fixture(scope="module")
def chinese_ids(chinese_ids_index):
    return create_app({"TESTING": True, "INDEX_DIR": chinese_ids_index}).test_client()


# 8. Without an index, every route that reads one answers 503, none 500.

# A value for each variable of the app's routes.
ROUTE_VALUES = {
    "passage_id": PASSAGE,
    "report_id": "shapingba-2020-four-highs",
    "fmt": "bib",
    "filename": "favicon.svg",
}
# What each route needs to get past its own checks of the parameters.
QUERY = "?" + urlencode({"q": "物流", "ids": PASSAGE, "format": "json"})


def test_every_route_answers_503_without_an_index_and_none_500(tmp_path, caplog):
    app = create_app(
        {"INDEX_DIR": tmp_path / "no-index"}
    )  # not TESTING: errors answered as when served
    client = app.test_client()
    answers, expected = {}, {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<(?:\w+:)?{name}>", ROUTE_VALUES[name], path)
        for url in (path, path + QUERY):
            with client.get(url) as response:
                answers[url] = (response.status_code, response.mimetype)
                body = response.get_data(as_text=True)
            json_answer = path.startswith("/api/") or path == "/healthz"
            if rule.endpoint in ("static", "pages.favicon"):
                expected[url] = (200, "image/svg+xml")
            elif rule.endpoint == "pages.api_docs":  # documents the API, which needs no index
                expected[url] = (200, "text/html")
            elif url == "/":  # says how to build an index
                expected[url] = (200, "text/html")
                assert "shuangyu build" in body
            else:
                expected[url] = (503, PROBLEM if json_answer else "text/html")
                assert "shuangyu build" in body, url
    assert "/embed" in answers and "/api/suggest" in answers
    assert answers == expected
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


# 10. URLs as long as the API's longest valid requests are answered; a longer one gets a 414.


def test_the_longest_valid_requests_are_answered(chinese_ids):
    ids = [passage_id(LONGEST_REPORT_ID, ordinal) for ordinal in range(1, MAX_EXPORT + 1)]
    export = "/api/export?" + urlencode({"format": "json", "ids": ",".join(ids)})
    assert len(export) > 90_000
    answer = chinese_ids.get(export)
    assert answer.status_code == 200 and len(answer.get_json(force=True)) == MAX_EXPORT
    repeated = "/api/export?format=csv&" + urlencode([("ids", one) for one in ids])
    assert chinese_ids.get(repeated).status_code == 200
    # A query is at most 64 words; stopwords do not count.
    query = "物流" + "的" * (MAX_QUERY_CHARS - 2)
    for path in ("/api/search", "/", "/embed"):
        url = f"{path}?q={quote(query)}&lang=zh"
        assert len(url) > 4500
        answer = chinese_ids.get(url)
        assert answer.status_code == 200, url[:40]
        assert "沙坪坝" in answer.get_data(as_text=True)


@pytest.mark.parametrize(
    "path, mimetype", [("/api/search", PROBLEM), ("/", "text/html"), ("/embed", "text/html")]
)
def test_a_url_past_the_limit_gets_a_414_and_one_at_the_limit_does_not(chinese_ids, path, mimetype):
    filler = MAX_URL_BYTES - len(path) - len("q=")
    at_limit = chinese_ids.get(f"{path}?q={'a' * filler}")
    assert at_limit.status_code == 400  # as long as the app reads, and a query too long
    refused = chinese_ids.get(f"{path}?q={'a' * (filler + 1)}")
    assert refused.status_code == 414 and refused.mimetype == mimetype
    if mimetype == PROBLEM:
        problem = refused.get_json(force=True)
        assert problem["status"] == 414 and f"{MAX_URL_BYTES:,}" in problem["detail"]
    else:
        assert "414" in refused.get_data(as_text=True)


# 11. The OpenAPI document read as a JSON Schema validator reads it (ECMA-262 patterns).

REAL_IDS = [
    passage_id(CHINESE_REPORT_ID, 1),
    passage_id(LONGEST_REPORT_ID, 100),
    PASSAGE,
    "重庆新闻:p001",
    "报告_2:p1234567",
    "Ünïcode-报告:p010",
    "x:p001",
]
REFUSED_IDS = [
    "-report:p001",
    "report.v2:p001",
    "a:b:p001",
    "报告 2:p001",
    "报告:p01",
    "报告:x001",
    "report",
    "a/b:p001",
]


def _validator(document: dict, schema: dict):
    jsonschema_rs = pytest.importorskip(
        "jsonschema_rs"
    )  # schemathesis's validator, whose patterns are ECMA-262
    return jsonschema_rs.validator_for({**schema, "components": document["components"]})


def test_the_id_patterns_of_the_openapi_document_take_every_id_the_build_takes(chinese_ids):
    document = chinese_ids.get("/api/openapi.json").get_json()
    assert all(PASSAGE_ID_PATTERN.match(passage) for passage in REAL_IDS)
    assert not any(PASSAGE_ID_PATTERN.match(passage) for passage in REFUSED_IDS)
    (parameter,) = document["paths"]["/api/passages/{passage_id}"]["get"]["parameters"]
    schemas = document["components"]["schemas"]
    for schema in (
        parameter["schema"],
        schemas["Result"]["properties"]["id"],
        schemas["Passage"]["properties"]["id"],
    ):
        validator = _validator(document, schema)
        assert [passage for passage in REAL_IDS if not validator.is_valid(passage)] == []
        assert [passage for passage in REFUSED_IDS if validator.is_valid(passage)] == []
        # As an ECMA-262 engine reads \w and \d: ASCII alone.
        ecma = re.compile(schema["pattern"], re.ASCII)
        assert all(ecma.search(passage) for passage in REAL_IDS)
    for schema in (
        schemas["Result"]["properties"]["report_id"],
        schemas["Passage"]["properties"]["report_id"],
    ):
        validator = _validator(document, schema)
        report_ids = [passage.rpartition(":p")[0] for passage in REAL_IDS]
        assert all(REPORT_ID_PATTERN.match(report_id) for report_id in report_ids)
        assert [report_id for report_id in report_ids if not validator.is_valid(report_id)] == []


def test_answers_about_passages_with_chinese_ids_follow_the_openapi_document(chinese_ids):
    document = chinese_ids.get("/api/openapi.json").get_json()
    search = chinese_ids.get("/api/search?q=物流枢纽&limit=100").get_json()
    assert {result["report_id"] for result in search["results"]} == {
        LONGEST_REPORT_ID,
        CHINESE_REPORT_ID,
    }
    errors = list(
        _validator(document, {"$ref": "#/components/schemas/SearchResponse"}).iter_errors(search)
    )
    assert errors == []
    passage = chinese_ids.get(f"/api/passages/{quote(passage_id(CHINESE_REPORT_ID, 2))}").get_json()
    assert (
        list(_validator(document, {"$ref": "#/components/schemas/Passage"}).iter_errors(passage))
        == []
    )


def test_a_required_parameter_answered_400_when_empty_is_described_as_not_empty(client):
    document = client.get("/api/openapi.json").get_json()
    examples = {"q": "物流", "ids": PASSAGE}
    checked = []
    for path, operations in document["paths"].items():
        parameters = operations["get"].get("parameters", [])
        given = {
            parameter["name"]: parameter["schema"]["enum"][0]
            if "enum" in parameter["schema"]
            else examples[parameter["name"]]
            for parameter in parameters
            if parameter["in"] == "query" and parameter["required"]
        }
        for name in given:
            schema = next(
                parameter["schema"] for parameter in parameters if parameter["name"] == name
            )
            if client.get(path + "?" + urlencode({**given, name: ""})).status_code == 400:
                checked.append(f"{path} {name}")
                assert schema.get("minLength", 0) >= 1 or "" not in schema.get("enum", [""]), (
                    f"{path}: {name}"
                )
    assert {"/api/search q", "/api/export ids", "/api/export format"} <= set(checked)


# 12. One rate limit for every route that searches.


@pytest.fixture
def limited(real_index):
    """A client of an app that answers 5 requests a minute to each route of the API, and 5
    searches in all."""
    return create_app({"INDEX_DIR": real_index, "RATE_LIMIT": "5 per minute"}).test_client()


@pytest.mark.parametrize(
    "urls",
    [["/?q=物流"], ["/embed?q=物流"], ["/api/search?q=物流", "/?q=物流枢纽", "/embed?q=磁器口"]],
    ids=["search page", "embed", "mixed"],
)
def test_every_route_that_searches_counts_against_one_limit(limited, urls):
    answers = [limited.get(urls[number % len(urls)]) for number in range(8)]
    assert [answer.status_code for answer in answers] == [200] * 5 + [429] * 3
    for refused in answers[5:]:
        assert 0 < int(refused.headers["Retry-After"]) <= 60
        expected = PROBLEM if refused.request.path.startswith("/api/") else "text/html"
        assert refused.mimetype == expected
    assert limited.get("/api/search?q=物流").status_code == 429
    # Pages that search nothing are not counted; another client has its own count.
    assert [
        limited.get(url).status_code
        for url in ("/", "/embed", "/?q=%20", f"/p/{PASSAGE}", "/api/reports")
    ] == [200] * 5
    assert limited.get(urls[0], environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 200


# 13. A request with Content-Length and Transfer-Encoding is refused, and its connection closed.

STATUS_LINE = re.compile(rb"HTTP/1\.[01] \d{3} [^\r]*")


def _smuggling(version: str) -> bytes:
    """A POST whose chunked body ends at once, followed by a second request that a proxy going
    by Content-Length would have taken for the rest of the body."""
    behind = b"0\r\n\r\nGET /api/reports HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    return (
        f"POST /api/search?q=x HTTP/{version}\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n"
        f"Content-Length: {len(behind)}\r\nTransfer-Encoding: chunked\r\n\r\n"
    ).encode() + behind


def _everything_answered(base: str, request: bytes) -> bytes:
    """All that the server at ``base`` sends back to ``request`` until it closes the connection
    (a test failure when it keeps it open for ten seconds)."""
    address = urllib.parse.urlsplit(base)
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall(request)
        received = b""
        try:
            while chunk := connection.recv(65536):
                received += chunk
        except TimeoutError:
            pytest.fail(f"the connection was left open after {STATUS_LINE.findall(received)}")
    return received


@pytest.mark.parametrize(
    "workers",
    [
        "1",
        pytest.param(
            "2",
            marks=pytest.mark.skipif(sys.platform != "linux", reason="gunicorn serves on Linux"),
        ),
    ],
    ids=["waitress", "gunicorn"],
)
@pytest.mark.parametrize("version", ["1.1", "1.0"])
def test_a_request_with_two_lengths_is_refused_and_its_connection_closed(
    built_site, workers, version
):
    with serving_any_port(built_site, "--workers", workers) as served:
        received = _everything_answered(served.base, _smuggling(version))
        # The server still answers a request that says its length once.
        plain = _everything_answered(
            served.base,
            b"GET /api/reports HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
        )
    assert re.match(rb"HTTP/1\.[01] 400 ", received), received[:200]
    assert len(STATUS_LINE.findall(received)) == 1, received
    assert plain.startswith(b"HTTP/1.1 200 ")
