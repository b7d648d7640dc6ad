"""The site under attack: hostile parameters and metadata, forged Host headers, idle connections,
large bodies, bursts from one client, huge reports. Through Flask's test client, and through a
real `shuangyu serve` where the server itself is what is tested."""

from __future__ import annotations

import json
import re
import shutil
import socket
import time
import urllib.request

import pytest
import rispy
from pybtex.database import parse_string
from shuangyu.index.build import build_index
from shuangyu.index.sources.corpus import read_corpus
from shuangyu.web.app import create_app

from tests.paths import CLUSTER, CORPUS_DIR, SHARED_INSTANCE
from tests.reliability.test_reliability import server, shuangyu, site  # noqa: F401 (fixtures)

pytestmark = pytest.mark.every_engine

PASSAGE = "shapingba-2020-four-highs:p022"
INJECTED_TITLE = 'Legit}, author = "Injected Author"'
BAD_DATES = {
    "weekly": "2021年第24期",
    "issue": "第3期 2020",
    "month13": "2020-13",
    "month00": "2020-00",
    "compact": "20201231",
}
LONG_REPORT_PASSAGES = 120


def _report(title: str, extra: str = "") -> str:
    return f"{title}\n\n沙坪坝区建成物流枢纽，带动了老旧小区改造。\n\n磁器口古镇迎来游客。\n{extra}"


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory):
    """An index of reports with hostile metadata: bad dates, a title that tries to close its
    BibTeX field, a subtitle with CR LF, a non-ASCII id, and a long report."""
    folder = tmp_path_factory.mktemp("hostile-corpus")
    shutil.copy(CORPUS_DIR / "names.tsv", folder / "names.tsv")
    for name, date in BAD_DATES.items():
        (folder / f"{name}.txt").write_text(_report(f"报告{name}"), encoding="utf-8")
        (folder / f"{name}.toml").write_text(
            f'title = "报告{name}"\ndate = "{date}"\nauthors = ["王彩艳"]\n', encoding="utf-8"
        )
    (folder / "inject.txt").write_text(_report("注入"), encoding="utf-8")
    (folder / "inject.toml").write_text(
        f"title = '{INJECTED_TITLE}'\n"
        'subtitle = "Sub\\r\\nER  - \\r\\nTY  - JOUR\\r\\nTI  - Injected"\n'
        'authors = ["王彩艳", "Real Author"]\ndate = "2020-12"\npublisher = "Pub {100%} \\\\ & Co"\n',
        encoding="utf-8",
    )
    (folder / "重庆新闻.txt").write_text(_report("重庆新闻"), encoding="utf-8")
    (folder / "long.txt").write_text(
        "长报告\n\n"
        + "\n\n".join(f"第{n}段写沙坪坝区的物流枢纽。" for n in range(LONG_REPORT_PASSAGES)),
        encoding="utf-8",
    )
    index_dir = tmp_path_factory.mktemp("hostile-index")
    build_index(
        folder, index_dir, SHARED_INSTANCE, progress=False, translator="gloss", cluster=CLUSTER
    )
    return folder, index_dir


@pytest.fixture(scope="module")
def hostile(hostile_index):
    return create_app({"TESTING": True, "INDEX_DIR": hostile_index[1]}).test_client()


def first_passage(client, report_id: str) -> str:
    reports = client.get("/api/reports").get_json()["reports"]
    assert report_id in {entry["id"] for entry in reports}
    return f"{report_id}:p001"


# 1. No 500 from any parameter or metadata.


@pytest.mark.parametrize(
    "path",
    [
        "/?endpoint=x",
        "/?_method=POST",
        f"/p/{PASSAGE}?passage_id=x",
        "/r/shapingba-four-zones?report_id=x",
        "/embed?q=物流&_external=1&endpoint=x",
        "/?q=物流&_anchor=x&_scheme=javascript",
        "/no/such/page?endpoint=x&_method=POST",
    ],
)
def test_query_parameters_never_reach_url_building(client, path):
    response = client.get(path)
    assert response.status_code in (200, 404)
    for switch in re.findall(r'id="ui-switch" href="([^"]*)"', response.get_data(as_text=True)):
        assert not re.search(
            r"[?&;](endpoint|_method|passage_id|report_id|_external|_anchor|_scheme)=", switch
        ), switch
        assert "ui=" in switch


def test_the_language_switch_keeps_the_page_and_its_known_parameters(client):
    html = client.get("/?q=物流&lang=zh&page=2&mode=lexical&ui=zh").get_data(as_text=True)
    switch = re.search(r'id="ui-switch" href="([^"]*)"', html).group(1).replace("&amp;", "&")
    assert switch.startswith("/?") and "ui=en" in switch
    assert {"lang=zh", "page=2", "mode=lexical"} <= set(switch[2:].split("&"))


def test_an_error_page_that_fails_falls_back_to_a_minimal_page(real_index):
    app = create_app({"INDEX_DIR": real_index})

    def broken():
        raise RuntimeError("the template's helper fails")

    app.jinja_env.globals["switch_language_url"] = broken
    app.logger.disabled = True
    response = app.test_client().get("/no/such/page")
    assert response.status_code == 404
    assert "404" in response.get_data(as_text=True) and "Traceback" not in response.get_data(
        as_text=True
    )
    assert (
        response.headers["X-Content-Type-Options"] == "nosniff"
        and "Content-Security-Policy" in response.headers
    )


def test_invalid_dates_are_named_when_read_and_shown_as_written(hostile_index):
    corpus = read_corpus(hostile_index[0])
    warnings = {
        problem.path.stem: problem.message for problem in corpus.problems if not problem.skipped
    }
    for name, date in BAD_DATES.items():
        assert "YYYY-MM-DD" in warnings[name] and date in warnings[name]
    assert {report.id for report in corpus.reports} >= set(BAD_DATES)


@pytest.mark.parametrize("name", sorted(BAD_DATES))
def test_a_report_with_an_invalid_date_is_served_and_cited_without_it(hostile, name):
    passage = first_passage(hostile, name)
    page = hostile.get(f"/p/{passage}")
    assert page.status_code == 200
    assert BAD_DATES[name] in page.get_data(as_text=True)  # shown as written
    body = hostile.get(f"/api/passages/{passage}").get_json()
    citations = body["citations"]
    # MLA ends with the day it was accessed (today, which may well be in December): not a date of the report.
    published_part = citations["mla"].split("Accessed")[0]
    assert (
        "(n.d.)" in citations["apa"]
        and "December" not in citations["apa"]
        and "Dec." not in published_part
    )
    assert "year =" not in citations["bibtex"] and "month =" not in citations["bibtex"]
    assert "PY  -" not in citations["ris"] and "DA  -" not in citations["ris"]
    assert "issued" not in json.loads(citations["csl_json"])[0]
    assert "20201231" not in citations["gb_t_7714"]
    for fmt in ("bib", "ris", "json"):
        assert hostile.get(f"/p/{passage}/cite.{fmt}").status_code == 200


@pytest.mark.parametrize(
    "fmt, mimetype",
    [
        ("bib", "application/x-bibtex"),
        ("ris", "application/x-research-info-systems"),
        ("json", "application/vnd.citationstyles.csl+json"),
    ],
)
def test_downloads_of_a_non_ascii_report_have_an_ascii_and_an_rfc5987_file_name(
    hostile, fmt, mimetype
):
    passage = first_passage(hostile, "重庆新闻")
    response = hostile.get(f"/p/{passage}/cite.{fmt}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == f"{mimetype}; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    disposition.encode("ascii")
    assert f'filename="____-p001.{fmt}"' in disposition
    assert f"filename*=UTF-8''%E9%87%8D%E5%BA%86%E6%96%B0%E9%97%BB-p001.{fmt}" in disposition


# 2. Citations that cannot be broken from metadata (read back with real parsers).


def test_a_title_cannot_close_its_bibtex_field(hostile):
    passage = first_passage(hostile, "inject")
    data = parse_string(hostile.get(f"/p/{passage}/cite.bib").get_data(as_text=True), "bibtex")
    (entry,) = data.entries.values()
    # A person's name in two fields (family, given), any other name braced whole.
    assert [str(person) for person in entry.persons["author"]] == ["王, 彩艳", "{Real Author}"]
    assert "Injected Author" in entry.fields["title"] and "Legit" in entry.fields["title"]
    assert set(entry.fields) == {
        "title",
        "year",
        "date",
        "organization",
        "url",
        "urldate",
        "language",
        "note",
    }
    assert "100\\%" in entry.fields["organization"]


def test_line_breaks_in_metadata_cannot_add_ris_lines_or_records(hostile):
    passage = first_passage(hostile, "inject")
    text = hostile.get(f"/p/{passage}/cite.ris").get_data(as_text=True)
    (record,) = rispy.loads(text)
    assert record["type_of_reference"] == "ELEC"
    assert record["title"] == INJECTED_TITLE
    assert "secondary_title" not in record  # the banner above a title is no part of a citation
    assert record["publisher"] == "Pub {100%} \\ & Co"
    assert record["authors"] == [
        "王, 彩艳",
        "Real Author",
    ]  # "family, given"; a name without a comma is held whole
    assert text.count("\r\n") == len(text.splitlines())


# 3. A per-client rate limit on /api/.


def test_a_burst_from_one_client_gets_429_problems_with_retry_after(real_index):
    client = create_app({"INDEX_DIR": real_index, "RATE_LIMIT": "5 per minute"}).test_client()
    answers = [client.get("/api/search?q=物流") for _ in range(8)]
    assert [answer.status_code for answer in answers] == [200] * 5 + [429] * 3
    refused = answers[-1]
    assert refused.mimetype == "application/problem+json"
    assert refused.get_json(force=True)["status"] == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert "Retry-After" in refused.headers["Access-Control-Expose-Headers"]
    other = client.get("/api/reports", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 200
    # A page that runs no search is not counted (one that does is: tests/reliability/test_edges.py).
    assert client.get("/").status_code == 200 and client.get(f"/p/{PASSAGE}").status_code == 200


def test_no_rate_limit_by_default(client):
    assert all(client.get("/api/reports").status_code == 200 for _ in range(100))


@pytest.mark.parametrize(
    "setting",
    [{"RATE_LIMIT": "lots"}, {"BASE_URL": "javascript:alert(1)"}, {"BASE_URL": "https://x/}{"}],
)
def test_bad_settings_are_refused_at_the_start(real_index, setting):
    from shuangyu.web.settings import SettingError

    with pytest.raises(SettingError):
        create_app({"INDEX_DIR": real_index, **setting})


def test_serve_refuses_a_bad_setting_with_one_line(site):
    result = shuangyu(
        "serve", "--port", "0", env={**site, "SHUANGYU_RATE_LIMIT": "lots"}, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Error: SHUANGYU_RATE_LIMIT (--rate-limit) must be a rate such as '120 per minute', not 'lots'"
    ]


# 4. Bounded work: the report page is paged.


def test_the_report_page_is_paged_and_permalinks_land_on_the_right_page(hostile):
    report = next(
        entry
        for entry in hostile.get("/api/reports").get_json()["reports"]
        if entry["id"] == "long"
    )
    assert report["passages"] > 100
    first = hostile.get("/r/long").get_data(as_text=True)
    assert first.count('class="report-passage') == 50
    assert 'href="/r/long?page=2"' in first
    second = hostile.get("/r/long?page=2").get_data(as_text=True)
    assert second.count('class="report-passage') == 50 and 'id="long:p075"' in second
    last_page = (report["passages"] + 49) // 50
    assert hostile.get(f"/r/long?page={last_page}").get_data(as_text=True).count(
        'class="report-passage'
    ) == report["passages"] - 50 * (last_page - 1)
    assert hostile.get(f"/r/long?page={last_page + 1}").status_code == 400
    permalink = hostile.get("/p/long:p075").get_data(as_text=True)
    assert 'href="/r/long?page=2#long:p075"' in permalink
    links = [
        link
        for page in range(1, 13)
        for link in re.findall(
            r'href="(/r/long[^"]*)"',
            hostile.get(f"/?q=物流枢纽&report=long&page={page}").get_data(as_text=True),
        )
    ]
    assert len(links) >= LONG_REPORT_PASSAGES
    for link in links:
        ordinal = int(link.rpartition(":p")[2])
        assert link == (
            f"/r/long#long:p{ordinal:03d}"
            if ordinal <= 50
            else f"/r/long?page={(ordinal - 1) // 50 + 1}#long:p{ordinal:03d}"
        )


# 5. One configured base URL; a forged Host never reaches the output.

FORGED = "evil.example"


@pytest.mark.parametrize(
    "path",
    [
        f"/api/passages/{PASSAGE}",
        f"/p/{PASSAGE}",
        f"/p/{PASSAGE}/cite.bib",
        f"/p/{PASSAGE}/cite.ris",
        f"/p/{PASSAGE}/cite.json",
        "/embed?q=物流",
        "/api/openapi.json",
    ],
)
@pytest.mark.parametrize(
    "host", [FORGED, f"{FORGED}:8000", f"localhost:1@{FORGED}", f"localhost/{FORGED}"]
)
def test_a_forged_host_does_not_appear_in_links_or_citations(client, path, host):
    response = client.get(path, headers={"Host": host})
    assert response.status_code == 200
    assert FORGED not in response.get_data(as_text=True)
    assert "Host" in response.headers["Vary"]


def test_an_allowed_host_gives_absolute_links(client):
    body = client.get(f"/api/passages/{PASSAGE}", headers={"Host": "127.0.0.1:8000"}).get_json()
    assert body["url"] == f"http://127.0.0.1:8000/p/{PASSAGE}"


def test_the_configured_base_url_makes_every_absolute_link(real_index):
    client = create_app(
        {"INDEX_DIR": real_index, "BASE_URL": "https://search.example.org/shuangyu/"}
    ).test_client()
    expected = f"https://search.example.org/shuangyu/p/{PASSAGE}"
    body = client.get(f"/api/passages/{PASSAGE}", headers={"Host": FORGED}).get_json()
    assert (
        body["url"] == expected
        and expected in body["citations"]["apa"]
        and expected in body["citations"]["bibtex"]
    )
    embed = client.get("/embed?q=物流枢纽", headers={"Host": FORGED})
    assert 'href="https://search.example.org/shuangyu/p/' in embed.get_data(as_text=True)
    assert "Host" not in embed.headers.get("Vary", "")
    spec = client.get("/api/openapi.json", headers={"Host": FORGED}).get_json()
    assert spec["servers"] == [{"url": "https://search.example.org/shuangyu"}]


# 3. A server that keeps serving (a real `shuangyu serve`).


def _open_idle_connections(address: tuple[str, int], count: int) -> list[socket.socket]:
    connections = []
    for _ in range(count):
        connection = socket.create_connection(address, timeout=5)
        connections.append(connection)
    return connections


def test_idle_connections_do_not_stop_the_server(server):
    host, port = server.removeprefix("http://").split(":")
    idle = _open_idle_connections((host, int(port)), 105)
    try:
        started = time.monotonic()
        with urllib.request.urlopen(f"{server}/api/reports", timeout=10) as answer:
            assert answer.status == 200
        assert time.monotonic() - started < 3
    finally:
        for connection in idle:
            connection.close()


def test_a_large_request_body_is_refused_without_being_read(server):
    host, port = server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as connection:
        started = time.monotonic()
        connection.sendall(
            b"GET /api/reports HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 314572800\r\n\r\n"
        )
        try:
            connection.sendall(b"x" * 2**20)
        except OSError:
            pass  # the server may close the connection while the body is still coming
        head = connection.recv(4096)
    assert head.startswith(b"HTTP/1.1 413"), head[:100]
    assert time.monotonic() - started < 3
