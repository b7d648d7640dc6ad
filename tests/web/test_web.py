"""Every route through Flask's test client: status codes, JSON shapes, errors and headers."""

from __future__ import annotations

import json
import re

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from shuangyu.web.app import create_app

from tests.paths import SEED_PASSAGES

pytestmark = pytest.mark.every_engine

PASSAGE = "shapingba-2020-four-highs:p022"


@pytest.fixture(scope="module")
def spec(app):
    return app.test_client().get("/api/openapi.json").get_json()


def schema_validator(spec, name):
    """A validator for one component schema, resolving references within the document."""
    schema = {"$ref": f"#/components/schemas/{name}", "components": spec["components"]}
    return Draft202012Validator(schema)


def test_openapi_document_is_valid_and_describes_every_api_route(app, spec):
    validate(spec)
    documented = set(spec["paths"])
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            assert path in documented


def test_search_api_follows_the_contract_and_the_schema(client, spec):
    response = client.get("/api/search?q=物流枢纽&limit=3")
    assert response.status_code == 200
    body = response.get_json()
    schema_validator(spec, "SearchResponse").validate(body)
    assert body["query"] == "物流枢纽" and len(body["results"]) == 3
    assert "<mark>物流枢纽</mark>" in body["results"][0]["snippet"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_search_api_report_filter_and_counts_per_report(client):
    everywhere = client.get("/api/search?q=物流&limit=100").get_json()
    one = client.get("/api/search?q=物流&limit=100&report=shapingba-four-zones").get_json()
    counts = {entry["id"]: entry["count"] for entry in everywhere["reports"]}
    assert one["total"] == counts["shapingba-four-zones"] < everywhere["total"]
    assert {r["report_id"] for r in one["results"]} == {"shapingba-four-zones"}


@pytest.mark.parametrize(
    "query, detail",
    [
        ("", "q is required"),
        ("q=物流&limit=0", "limit must be between 1 and 100"),
        ("q=物流&limit=abc", "limit must be a whole number"),
        ("q=物流&offset=-5", "offset must be between"),
        ("q=物流&lang=fr", "lang must be one of"),
        ("q=物流&report=nope", "unknown report"),
        ("q=" + "物" * 600, "too long"),
        ("q=-物流", "only excludes"),
    ],
)
def test_bad_parameters_get_a_400_problem(client, spec, query, detail):
    response = client.get(f"/api/search?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    schema_validator(spec, "Problem").validate(body)
    assert detail in body["detail"]


def test_passage_api_has_context_citations_and_source(client, spec):
    body = client.get(f"/api/passages/{PASSAGE}").get_json()
    schema_validator(spec, "Passage").validate(body)
    assert body["previous_id"] == "shapingba-2020-four-highs:p021"
    assert body["next_id"] == "shapingba-2020-four-highs:p023"
    assert body["url"].endswith(f"/p/{PASSAGE}")
    citations = body["citations"]
    # The report's date is inferred, not printed: every format says so (tests/search/test_citations.py).
    assert citations["gb_t_7714"].startswith(
        "王彩艳, 肖亚平. 2020 沙坪坝走向了“四高”[EB/OL]. [2020-12]["
    )
    assert "(ca. 2020)" in citations["apa"]
    assert citations["bibtex"].startswith("@online{shapingba-2020-four-highs:p022,")
    assert json.loads(citations["csl_json"])[0]["issued"] == {
        "date-parts": [[2020, 12]],
        "circa": True,
    }
    start, end = body["source"]["spans"][0]
    assert body["text"].startswith("智能产业产值")
    assert end - start == len(body["text"])


@pytest.mark.parametrize(
    "path", ["/api/passages/nope:p001", "/api/passages/../../etc/passwd", "/api/passages/x"]
)
def test_unknown_passages_are_404_problems(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_reports_api_lists_the_reports_with_metadata(client):
    reports = client.get("/api/reports").get_json()["reports"]
    assert {r["id"] for r in reports} == {"shapingba-four-zones", "shapingba-2020-four-highs"}
    assert all(r["authors"] and r["date_basis"] for r in reports)


def test_healthz_reports_the_build(client):
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok" and body["passages"] == SEED_PASSAGES and body["built_at"]


def test_healthz_without_an_index_is_503(tmp_path):
    client = create_app({"TESTING": True, "INDEX_DIR": tmp_path}).test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "shuangyu build" in response.get_json(force=True)["detail"]
    assert client.get("/?q=物流").status_code == 503


def test_only_reading_methods_are_allowed(client):
    assert client.post("/api/search?q=物流").status_code == 405
    assert client.delete("/api/reports").status_code == 405
    preflight = client.options("/api/search")
    assert preflight.status_code == 200
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]


def test_etag_revalidation_gives_304(client):
    first = client.get("/api/search?q=物流")
    assert first.headers["ETag"]
    again = client.get("/api/search?q=物流", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_security_headers_and_framing(client):
    page = client.get("/?q=物流")
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in page.get_data(as_text=True).replace("<script src=", "")
    embed = client.get("/embed?q=物流")
    assert "frame-ancestors *" in embed.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in embed.headers


def test_search_page_shows_marked_results_counts_and_gloss_label(client):
    html = client.get("/?q=物流枢纽", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "<mark>物流枢纽</mark>" in html
    assert "Dictionary gloss" in html
    assert 'href="/p/shapingba-four-zones:p027"' in html
    assert "All reports" in html


def test_search_page_paginates_and_keeps_the_query_in_links(client):
    html = client.get("/?q=沙坪坝&page=2").get_data(as_text=True)
    assert 'rel="prev"' in html and "page=1" in html
    assert client.get("/?q=沙坪坝&page=0").status_code == 400


def test_empty_and_no_result_states(client):
    empty = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    assert "用中文或英文检索报告中的段落" in empty and "logistics hub" in empty
    none = client.get("/?q=xylophone&ui=en").get_data(as_text=True)
    assert "No passage matches “xylophone”" in none


def test_interface_language_follows_accept_language_and_the_switch(client):
    assert "Search the reports" in client.get(
        "/", headers={"Accept-Language": "en-GB,en"}
    ).get_data(as_text=True)
    assert "搜索报告" in client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(
        as_text=True
    )
    switched = client.get("/?ui=en", headers={"Accept-Language": "zh-CN"})
    assert "Search the reports" in switched.get_data(as_text=True)
    assert "ui=en" in switched.headers["Set-Cookie"]


def test_permalink_page_has_both_languages_context_and_citations(client):
    html = client.get(f"/p/{PASSAGE}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "建成5G基站2541个" in html and "base station" in html
    assert (
        "GB/T 7714-2015" in html
        and "GB/T 7714-2025" in html
        and "APA 7" in html
        and "MLA 9" in html
    )
    assert f"/r/shapingba-2020-four-highs#{PASSAGE}" in html
    assert "#:~:text=" in html
    assert "shapingba-2020-four-highs:p021" in html and "shapingba-2020-four-highs:p023" in html


@pytest.mark.parametrize(
    "fmt, mimetype, start",
    [
        ("bib", "application/x-bibtex", "@online{"),
        ("ris", "application/x-research-info-systems", "TY  - ELEC"),
        ("json", "application/vnd.citationstyles.csl+json", "["),
    ],
)
def test_citation_downloads(client, fmt, mimetype, start):
    response = client.get(f"/p/{PASSAGE}/cite.{fmt}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == f"{mimetype}; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=\"{PASSAGE.replace(':', '-')}.{fmt}\"; filename*=UTF-8''{PASSAGE.replace(':', '-')}.{fmt}"
    )
    assert response.get_data(as_text=True).startswith(start)


def test_unknown_pages_offer_a_search(client):
    for path in ("/p/nope:p999", "/r/nope", "/no/such/page", f"/p/{PASSAGE}/cite.doc"):
        response = client.get(path)
        assert response.status_code == 404
        assert 'name="q"' in response.get_data(as_text=True)


def test_report_view_lists_every_passage_with_anchors(client):
    html = client.get("/r/shapingba-four-zones").get_data(as_text=True)
    assert html.count('class="report-passage') == 46
    assert 'id="shapingba-four-zones:p010"' in html


def test_widget_script_and_static_files_are_served(client):
    with client.get("/static/widget.js") as widget:
        assert "data-shuangyu" in widget.get_data(as_text=True)
    with client.get("/static/style.css") as style:
        assert style.status_code == 200


def test_api_json_is_utf8_in_key_order_and_what_orjson_refuses_is_written_by_flask(app, client):
    answer = client.get("/api/search?q=沙坪坝")
    body = answer.get_data(as_text=True)
    assert "沙坪坝" in body and "\\u6c99" not in body  # Chinese as UTF-8, not escaped
    assert list(json.loads(body))[:3] == ["query", "lang", "report"] and body.endswith("}\n")
    with app.app_context():
        # An integer past 64 bits: orjson refuses it; Flask's own JSON writes it.
        refused = app.json.response({"text": "沙坪坝", "big": 2**70})
        assert json.loads(refused.get_data()) == {"text": "沙坪坝", "big": 2**70}
        assert json.loads(app.json.dumps({"big": 2**70})) == {"big": 2**70}
