"""Property-based tests: any query or parameter gets a sensible answer, never a server error
or a traceback, and snippets carry no markup but ``<mark>``.

Queries mix real words of the corpus (so that there are results to check), query syntax
fragments, and arbitrary Unicode: CJK, emoji, right-to-left scripts, control characters.
"""

from __future__ import annotations

import datetime
import json
import re
import urllib.parse
from html import escape

import pytest
import rispy
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pybtex.database import parse_string
from shuangyu.index.sources.corpus import parse_date
from shuangyu.search.citation.csl import Citable, csl_name, inverted_name
from shuangyu.search.citation.styles import all_citations
from shuangyu.search.highlight import ELLIPSIS
from shuangyu.web.cli import main

from tests.paths import CORPUS_DIR, DICTIONARY

pytestmark = pytest.mark.every_engine

# Words of the corpus in both languages, and pieces of the query syntax.
CORPUS_WORDS = [
    "物流枢纽",
    "沙坪坝",
    "红岩精神",
    "高质量发展",
    "磁器口",
    "老旧小区",
    "中欧班列",
    "5G基站",
    "坪坝",
    "紅岩",
    "logistics",
    "hub",
    "hospital",
    "export",
    "ciqikou",
    "tunnel",
    "spirit",
    "2757.4",
]
SYNTAX = [
    '"',
    "(",
    ")",
    "*",
    "?",
    "~",
    "^",
    ":",
    "OR",
    "NOT",
    "-",
    "AND",
    "report:",
    "text:",
    "~2",
    "^3",
    "\\",
    "[",
    "]",
    "{",
    "}",
]
SCRIPTS = st.sampled_from(
    [
        (0x4E00, 0x9FFF),  # CJK
        (0x3400, 0x4DBF),  # CJK extension A
        (0x1F300, 0x1FAFF),  # emoji
        (0x0590, 0x06FF),  # Hebrew and Arabic
        (0x200B, 0x202E),  # zero-width and bidirectional controls
        (0x0000, 0x001F),  # C0 controls
        (0x0020, 0x007E),  # ASCII
        (0xFF00, 0xFFEF),  # full-width forms
    ]
)
SCRIPT_TEXT = SCRIPTS.flatmap(
    lambda bounds: st.text(
        st.characters(min_codepoint=bounds[0], max_codepoint=bounds[1]), max_size=12
    )
)
PIECE = st.one_of(
    st.sampled_from(CORPUS_WORDS), st.sampled_from(SYNTAX), SCRIPT_TEXT, st.text(max_size=8)
)
QUERIES = st.lists(PIECE, max_size=8).map(" ".join) | st.lists(PIECE, max_size=8).map("".join)
LONG_QUERIES = st.builds(
    lambda word, count: word * count,
    st.sampled_from(CORPUS_WORDS + ["x", "物"]),
    st.integers(100, 3000),
)
BAD_NUMBERS = st.one_of(
    st.integers(-(10**12), 10**12).map(str),
    st.sampled_from(["", " ", "1.5", "1e3", "0x10", "NaN", "-0", "٣", "１０", "10 20"]),
    st.text(max_size=10),
)
LANGS = st.one_of(
    st.sampled_from(["auto", "zh", "en", "fr", "ZH", "", "en-US"]), st.text(max_size=6)
)
REPORTS = st.one_of(
    st.none(),
    st.sampled_from(["shapingba-four-zones", "../../etc/passwd", "nope", "", "%00"]),
    st.text(max_size=20),
)

API_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TAG = re.compile(r"<[^>]*>")


def assert_clean_answer(answer) -> dict | None:
    """200 with the search object, or 400 with a JSON problem; the body of a 200."""
    assert answer.status_code in (200, 400), (
        answer.status_code,
        answer.get_data(as_text=True)[:300],
    )
    body = answer.get_json()
    if answer.status_code == 400:
        assert answer.mimetype == "application/problem+json"
        assert body["status"] == 400 and body["detail"]
        assert "Traceback" not in body["detail"]
        return None
    assert {"query", "total", "results"} <= set(body)
    return body


def assert_snippets_are_safe(body: dict) -> None:
    """Every snippet has no tag but <mark>, and without its marks is the escaped passage text
    (a fragment of it, with an ellipsis where it was cut)."""
    for result in body["results"]:
        for field, source in (("snippet", "text"), ("snippet_en", "text_en")):
            snippet = result[field]
            assert set(TAG.findall(snippet)) <= {"<mark>", "</mark>"}, snippet
            assert snippet.count("<mark>") == snippet.count("</mark>")
            unmarked = snippet.replace("<mark>", "").replace("</mark>", "")
            assert "<" not in unmarked and ">" not in unmarked
            fragment = unmarked.removeprefix(ELLIPSIS).removesuffix(ELLIPSIS)
            assert fragment in escape(result[source], quote=False), (field, snippet)


@pytest.fixture(scope="module")
def api(app):
    return app.test_client()


@API_SETTINGS
@given(query=QUERIES)
def test_any_query_gets_200_or_a_json_400_and_safe_snippets(api, query):
    answer = api.get("/api/search", query_string={"q": query})
    body = assert_clean_answer(answer)
    if body is not None:
        assert_snippets_are_safe(body)


@API_SETTINGS
@given(
    query=st.lists(st.sampled_from(CORPUS_WORDS), min_size=1, max_size=3).map(" OR ".join),
    limit=st.integers(1, 50),
)
def test_snippets_of_real_results_only_mark_and_keep_the_text(api, query, limit):
    body = assert_clean_answer(api.get("/api/search", query_string={"q": query, "limit": limit}))
    assert body is not None and body["results"], query
    assert_snippets_are_safe(body)
    assert any("<mark>" in result["snippet"] + result["snippet_en"] for result in body["results"])


@settings(max_examples=20, deadline=None)
@given(query=LONG_QUERIES)
def test_very_long_queries_are_refused_or_answered(api, query):
    assert_clean_answer(api.get("/api/search", query_string={"q": query}))


@API_SETTINGS
@given(
    raw=st.binary(min_size=1, max_size=24),
    extra=st.sampled_from([b"", b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xff\xfe", b"\xc0\xaf"]),
)
def test_undecodable_percent_encoding_and_lone_surrogates_get_no_500(api, raw, extra):
    # %ED%A0%80 is a lone surrogate (U+D800) in UTF-8 form: not valid UTF-8.
    encoded = urllib.parse.quote_from_bytes(extra + raw + extra, safe="")
    assert_clean_answer(api.get(f"/api/search?q={encoded}"))
    assert_clean_answer(api.get(f"/api/search?q=%E7%89%A9%E6%B5%81&report={encoded}"))


@API_SETTINGS
@given(limit=BAD_NUMBERS, offset=BAD_NUMBERS, lang=LANGS, report=REPORTS)
def test_bad_parameters_get_a_json_400_not_a_500(api, limit, offset, lang, report):
    parameters = {"q": "物流", "limit": limit, "offset": offset, "lang": lang}
    if report is not None:
        parameters["report"] = report
    assert_clean_answer(api.get("/api/search", query_string=parameters))


@API_SETTINGS
@given(prefix=QUERIES)
def test_suggest_answers_any_prefix(api, prefix):
    answer = api.get("/api/suggest", query_string={"q": prefix})
    assert answer.status_code in (200, 400)
    if answer.status_code == 200:
        suggestions = answer.get_json()["suggestions"]
        assert all(set(item) == {"text", "zh"} and item["text"] for item in suggestions)


# The command line: argv can't hold NUL, but it can hold lone surrogates (undecodable bytes).
CLI_WORDS = st.lists(
    PIECE.map(lambda word: word.replace("\x00", "")).filter(
        lambda word: word.strip() and not word.startswith("--")
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(words=CLI_WORDS, as_json=st.booleans())
def test_cli_search_exits_0_or_2_with_one_line_and_no_traceback(real_index, words, as_json):
    environment = {"SHUANGYU_CORPUS_DIR": str(CORPUS_DIR), "SHUANGYU_INDEX_DIR": str(real_index)}
    result = CliRunner().invoke(
        main, ["search", *words, *(["--json"] if as_json else [])], env=environment
    )
    assert result.exit_code in (0, 2), (result.output, result.exception)
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert len(result.output.strip().splitlines()) == 1, result.output
        assert result.output.startswith("Error: ")
    elif as_json:
        assert_snippets_are_safe(json.loads(result.output))


@settings(max_examples=25, deadline=None)
@given(limit=BAD_NUMBERS, lang=LANGS)
def test_cli_bad_options_exit_2_without_traceback(real_index, limit, lang):
    environment = {"SHUANGYU_CORPUS_DIR": str(CORPUS_DIR), "SHUANGYU_INDEX_DIR": str(real_index)}
    result = CliRunner().invoke(
        main, ["search", "物流", "--limit", limit, "--lang", lang], env=environment
    )
    assert result.exit_code in (0, 2), (result.output, result.exception)
    assert "Traceback" not in result.output


# Pages: any query string, any parameter name (url_for's own keywords included), never a 500.
PAGE_PATHS = [
    "/",
    "/embed",
    "/p/shapingba-2020-four-highs:p022",
    "/r/shapingba-four-zones",
    "/p/shapingba-2020-four-highs:p022/cite.bib",
    "/no/such/page",
]
PARAMETER_NAMES = st.one_of(
    st.sampled_from(
        [
            "q",
            "lang",
            "report",
            "page",
            "limit",
            "ui",
            "endpoint",
            "_method",
            "_external",
            "_anchor",
            "_scheme",
            "passage_id",
            "report_id",
            "fmt",
            "filename",
        ]
    ),
    st.text(max_size=10),
)


@API_SETTINGS
@given(
    path=st.sampled_from(PAGE_PATHS),
    parameters=st.dictionaries(PARAMETER_NAMES, st.text(max_size=20), max_size=4),
)
def test_pages_answer_any_query_string_without_a_500(api, path, parameters):
    answer = api.get(path, query_string=parameters)
    assert answer.status_code in (200, 400, 404), (path, parameters, answer.status_code)


# Citations: no metadata can add a BibTeX field or author, or a RIS line or record.
METADATA_TEXT = st.one_of(
    st.text(max_size=40),
    st.lists(
        st.sampled_from(
            [
                "}",
                "{",
                "\\",
                '"',
                "@misc{x,",
                "author = ",
                "\r\n",
                "\n",
                "ER  - ",
                "TY  - JOUR",
                "\u2028",
                "\x85",
                "%",
                "#",
                "&",
                "and",
                "王彩艳",
                "Legit",
                ",",
                "=",
                " ",
            ]
        ),
        max_size=12,
    ).map("".join),
)
DATES = st.one_of(
    st.sampled_from(
        [
            "",
            "2020",
            "2020-12",
            "2020-12-31",
            "2020-00",
            "2020-13",
            "20201231",
            "2021年第24期",
            "第3期 2020",
            "2020-02-30",
        ]
    ),
    st.text(max_size=12),
)


def _one_line(text: str) -> str:
    """What a one-line citation field makes of ``text``: line breaks and controls as one space."""
    return re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+", " ", text).strip()


@settings(max_examples=200, deadline=None)
@given(
    title=METADATA_TEXT,
    subtitle=METADATA_TEXT,
    publisher=METADATA_TEXT,
    date=DATES,
    authors=st.lists(METADATA_TEXT.filter(lambda name: _one_line(name)), max_size=3),
)
def test_citations_hold_any_metadata_in_their_fields(title, subtitle, publisher, date, authors):
    item = Citable(
        "report-x:p001",
        "report-x",
        title,
        subtitle,
        tuple(authors),
        publisher,
        date,
        "http://127.0.0.1:8000/p/report-x:p001",
        datetime.date(2024, 1, 2),
        "引文",
    )
    citations = all_citations(item, DICTIONARY)
    (entry,) = parse_string(citations["bibtex"], "bibtex").entries.values()
    assert len(entry.persons.get("author", [])) == len(authors)
    assert set(entry.fields) <= {
        "title",
        "year",
        "date",
        "organization",
        "institution",
        "url",
        "urldate",
        "language",
        "note",
    }
    (record,) = rispy.loads(citations["ris"])
    # A person's name as "family, given" (王, 彩艳), any other whole.
    assert record.get("authors", []) == [
        _one_line(inverted_name(csl_name(author))) for author in authors
    ]
    assert record.get("title", "") == _one_line(title)
    parts = parse_date(date)
    assert record.get("year", "") == (str(parts[0]) if parts else "")
    json.loads(citations["csl_json"])
