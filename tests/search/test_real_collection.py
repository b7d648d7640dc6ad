"""The real collection (../shared/realcorpus, 99 reports 1954-2026) built with corpus/ through
``shuangyu build``: its evaluation floors, "not found" through every interface, and the faults
of its text, each on an excerpt of a real file."""

from __future__ import annotations

import json
import re

import pytest
from shuangyu.index.sources.corpus import read_report
from shuangyu.index.sources.passages import BODY, HEADING, split_report
from shuangyu.index.text.analysis import normalise, query_words

from testbed.judging import FLOORS, evaluate_real, load_real_queries
from testbed.paths import REAL_COLLECTION
from tests.paths import CLUSTER, language

pytestmark = [pytest.mark.every_engine, pytest.mark.real_collection]

NOWHERE = "恐龙化石"


@pytest.fixture(scope="session")
def real_searcher(real_collection_index):
    """The real collection searched as the service does: words and meaning (hybrid)."""
    from shuangyu.index.semantic.embedding import E5Small
    from shuangyu.search.searcher import Searcher

    from tests.paths import DICTIONARY

    return Searcher(
        real_collection_index, embedder=E5Small(), dictionary=DICTIONARY, cluster=CLUSTER
    )


def excerpt(name: str, start: str, length: int = 200) -> str:
    text = (REAL_COLLECTION / name).read_text(encoding="utf-8")
    return text[text.index(start) :][:length]


def test_no_kind_of_real_query_falls_below_its_floor(real_searcher):
    results = evaluate_real(real_searcher, load_real_queries())
    floors = {
        kind: metrics
        for kind, metrics in json.loads(FLOORS.read_text(encoding="utf-8")).items()
        if kind.startswith("real_")
    }
    assert set(floors) == set(results)
    failures = [
        f"{kind} {metric}: {results[kind].mean(metric):.4f} < floor {floor}"
        for kind, metrics in floors.items()
        for metric, floor in metrics.items()
        if results[kind].mean(metric) < floor
    ]
    misses = [
        f"miss: {text} → {ranked}" for kind in results for text, ranked in results[kind].misses
    ]
    assert not failures, "\n".join(failures + misses)


@pytest.mark.parametrize("query", ["粮食", "reform and opening up"])
def test_the_real_collection_sorts_by_date_both_ways_across_seventy_years(real_searcher, query):
    by_date = {
        sort: real_searcher.search(query, limit=100, sort=sort)
        for sort in ("relevance", "date", "oldest")
    }
    # By date the words alone order them (hybrid ranking is by relevance): the same matches.
    assert by_date["date"]["mode"] == by_date["oldest"]["mode"] == "lexical"
    assert (
        by_date["date"]["total"]
        == by_date["oldest"]["total"]
        == by_date["relevance"]["total_by"]["words"]
        > 100
    )
    newest = [result["report_date"][:4] for result in by_date["date"]["results"]]
    oldest = [result["report_date"][:4] for result in by_date["oldest"]["results"]]
    assert newest == sorted(newest, reverse=True) and oldest == sorted(oldest)
    assert oldest[0] < "1960" and newest[0] >= "2025", (oldest[:3], newest[:3])


def test_the_real_evaluation_covers_every_kind_the_issue_names():
    queries = load_real_queries()
    kinds = {query.kind for query in queries}
    assert len(queries) >= 150
    assert {
        "real_zh_keyword",
        "real_zh_phrase",
        "real_en_term",
        "real_en_number",
        "real_pinyin",
        "real_zh_traditional",
        "real_zh_simplified_1954",
        "real_digits",
        "real_none",
        "real_en_question",
        "real_en_none",
    } <= kinds
    assert sum(not query.answers for query in queries) >= 15
    # Plain-English questions a foreign researcher would type, and English queries with no answer.
    assert sum(query.kind == "real_en_question" for query in queries) >= 60
    assert sum(query.kind == "real_en_none" and not query.answers for query in queries) >= 20
    english = [query for query in queries if query.kind in ("real_en_term", "real_en_number")]
    floors = json.loads(FLOORS.read_text(encoding="utf-8"))
    assert english and all(
        floors[kind]["success@5"] >= 0.85 for kind in ("real_en_term", "real_en_number")
    )
    assert floors["real_none"]["empty"] == 1.0


def test_a_query_whose_words_are_nowhere_finds_nothing_in_the_api_the_page_and_the_cli(
    real_collection_index, monkeypatch
):
    from click.testing import CliRunner
    from shuangyu.web.app import create_app
    from shuangyu.web.cli import main

    client = create_app({"TESTING": True, "INDEX_DIR": real_collection_index}).test_client()
    body = client.get(f"/api/search?q={NOWHERE}").get_json()
    assert body["total"] == 0 and body["results"] == []
    page = client.get(f"/?q={NOWHERE}&ui=en").get_data(as_text=True)
    assert f"No passage matches “{NOWHERE}”" in page and 'class="result' not in page
    monkeypatch.setenv("SHUANGYU_INDEX_DIR", str(real_collection_index))
    result = CliRunner().invoke(main, ["search", NOWHERE, "--json"])
    assert result.exit_code == 0 and json.loads(result.output)["total"] == 0


def test_the_api_lists_the_reports_with_the_most_results_and_says_how_many_more(
    real_collection_index,
):
    # A response listed every report with results (160 KB at 1,000 reports); the API lists the
    # ones with the most (100 unless asked), the page still shows every one in its filter.
    from urllib.parse import quote, unquote

    from shuangyu.web.app import create_app

    client = create_app({"TESTING": True, "INDEX_DIR": real_collection_index}).test_client()
    query = "发展"
    every = client.get("/api/search", query_string={"q": query, "reports": 100_000}).get_json()
    counts = {entry["id"]: entry["count"] for entry in every["reports"]}
    assert every["reports_more"] == 0 and len(counts) > 100
    default = client.get("/api/search", query_string={"q": query}).get_json()
    assert len(default["reports"]) == 100 and default["reports_more"] == len(counts) - 100
    five = client.get("/api/search", query_string={"q": query, "reports": 5}).get_json()
    listed = [entry["id"] for entry in five["reports"]]
    assert len(listed) == 5 and five["reports_more"] == len(counts) - 5
    fifth = sorted(counts.values(), reverse=True)[4]
    assert min(counts[report_id] for report_id in listed) == fifth
    assert all(five_entry["count"] == counts[five_entry["id"]] for five_entry in five["reports"])
    collection = [entry["id"] for entry in client.get("/api/reports").get_json()["reports"]]
    assert listed == sorted(listed, key=collection.index)
    # The list is what changes: the total and the results are those of the full response.
    assert five["total"] == every["total"] and five["results"] == every["results"]
    none = client.get("/api/search", query_string={"q": query, "reports": 0}).get_json()
    assert none["reports"] == [] and none["reports_more"] == len(counts)
    bad = client.get("/api/search", query_string={"q": query, "reports": -1})
    assert bad.status_code == 400 and "reports" in bad.get_json()["detail"]
    # Every report counts in the matches by year, however few are listed.
    dates = {
        entry["id"]: entry.get("date", "")
        for entry in client.get("/api/reports").get_json()["reports"]
    }
    by_year: dict[int, int] = {}
    for report_id, count in counts.items():
        if dates[report_id][:4].isdigit():
            by_year[int(dates[report_id][:4])] = by_year.get(int(dates[report_id][:4]), 0) + count
    assert none["matches_by_year"] == [{"year": y, "count": by_year[y]} for y in sorted(by_year)]
    # The report searched in is listed whatever its rank.
    fewest = min(counts, key=lambda report_id: (counts[report_id], report_id))
    alone = client.get("/api/search", query_string={"q": query, "reports": 5, "report": fewest})
    assert fewest in [entry["id"] for entry in alone.get_json()["reports"]]
    # The page asks for the reports its filter names, not for every one (at 1,000 reports the
    # page weighed 230 KB: bench/page_profile.py), and links to the page that lists them all.
    page = client.get(f"/?q={quote(query)}&ui=en").get_data(as_text=True)
    assert page.count('class="report-chip') == 5 + 1  # and "All reports"
    assert f"report={quote(fewest)}" not in page and f'report={fewest}"' not in page
    assert (
        f"/reports?q={quote(query)}" in page and f"List the {len(counts)} reports by year" in page
    )
    matching = client.get(f"/reports?q={quote(query)}&ui=en").get_data(as_text=True)
    chips = re.findall(r'report=([^"&]+)"[^>]*>.*?<span class="count">(\d+)</span>', matching, re.S)
    assert {unquote(report_id): int(count) for report_id, count in chips} == counts
    for year in by_year:
        assert f'id="reports-{year}"' in matching


def test_official_english_finds_the_term_and_shows_how_it_was_searched(real_searcher):
    response = real_searcher.search("Ministry of Finance")
    assert {"en": "Ministry of Finance", "zh": ["财政部"]} in response["query_translations"]
    assert "<mark>财政部</mark>" in response["results"][0]["snippet"]
    response = real_searcher.search("5 million people")
    assert any(
        t["en"] == "5 million" and t["zh"] == ["500万"] for t in response["query_translations"]
    )
    assert all(result["matched_in"] == "text" for result in response["results"])
    assert all(
        re.search(r"<mark>[^<]*(500|５００|五百)万", result["snippet"])
        for result in response["results"][:3]
    )
    # "5" and "million" are searched as the figure only: no lone 5, no 亿 marked for "million".
    marks = [
        mark
        for result in response["results"]
        for mark in re.findall(r"<mark>([^<]*)</mark>", result["snippet"])
    ]
    assert marks and not [mark for mark in marks if re.fullmatch(r"[5５]|[亿万]元?", mark)]


def test_english_finds_a_dictionary_word_the_index_holds_as_two_words(real_collection_index):
    # CC-CEDICT has 新冠肺炎 as "covid-19, the coronavirus disease identified in 2019" (a sense
    # found by its head, before the comma) and jieba cuts it into 新冠 肺炎, in the passages as
    # in a query: the English finds it as that phrase, as the Chinese query does.
    from shuangyu.web.app import create_app

    client = create_app({"TESTING": True, "INDEX_DIR": real_collection_index}).test_client()
    english = client.get("/api/search?q=covid-19&mode=lexical&limit=50").get_json()
    chinese = client.get("/api/search?q=新冠肺炎&mode=lexical&limit=50").get_json()
    assert {"en": "covid 19", "zh": ["新冠肺炎"]} in english["query_translations"]
    assert english["unknown_words"] == [] and english["total"] > 0
    assert {r["id"] for r in english["results"]} <= {r["id"] for r in chinese["results"]}
    assert all("<mark>新冠肺炎" in result["snippet"] for result in english["results"])
    # A quoted sense head: "left-behind children", rural children whose parents…
    children = client.get("/api/search?q=left-behind+children&mode=lexical").get_json()
    assert {"en": "left behind children", "zh": ["留守儿童"]} in children["query_translations"]
    assert "<mark>留守儿童</mark>" in children["results"][0]["snippet"]


def test_ascii_figures_find_full_width_digits_and_chinese_numerals(real_searcher):
    for query, written in (("1953", "一九五三"), ("33%", "百分之三十三")):
        snippets = [
            result["snippet"] for result in real_searcher.search(query, limit=50)["results"]
        ]
        assert any(f"<mark>{written}" in snippet for snippet in snippets), query
    assert query_words("９．７％", language()) == query_words("9.7%", language()) == ["9.7%"]


def test_a_link_cut_out_of_a_sentence_is_joined_back():
    text = excerpt("gwr-1954.txt", "我們第一届全國人民代表大會第一次會議", 400)
    assert "\n關於憲法草案的報告\n" in text
    first = split_report("gwr-1954", text)[0]
    assert first.kind == BODY and "同志關於憲法草案的報告並進行了三天" in first.text
    assert not [p for p in split_report("gwr-1954", text) if p.kind == HEADING]


def test_zero_width_spaces_inside_words_and_on_lines_of_their_own_are_invisible():
    text = excerpt("gwr-2017.txt", "（二）深化重要领域", 120)
    assert "改\n\u200b\n革" in text
    passages = split_report("gwr-2017", text)
    [passage] = [p for p in passages if "要全面深化" in p.text]
    assert "要全面深化各领域改革" in normalise(passage.text).text and passage.kind == BODY
    assert not [p for p in passages if p.kind == HEADING]


def test_old_variant_characters_read_as_simplified():
    text = excerpt("gwr-1954.txt", "衞", 30)
    assert "卫" in normalise(text).text and "衞" not in normalise(text).text
    assert normalise("擧汚").text == "举污"


def test_page_furniture_is_left_out_and_the_title_inferred():
    report = read_report(REAL_COLLECTION / "prov2026-上海市.txt")
    texts = [passage.text for passage in split_report(report.id, report.text)]
    assert not {"下载", "打印", "全屏", "收藏", "加大", "还原", "减小"} & set(texts)
    assert not any(re.match(r"^(来源|时间)[:：]", text) for text in texts)
    assert (
        report.metadata.title == "2026年上海市政府工作报告" and report.metadata.date == "2026-02-03"
    )
    assert "opening line" in report.metadata.date_basis


def test_a_title_is_never_a_salutation_or_a_paragraph():
    # cpc12_07 opens with 同志们：, then says whom it reports to: that is its title, not the
    # salutation. gwr-1964 opens with a 250-character paragraph and prints nothing of itself: the
    # file name is its title. Guangdong's opening names no province: its file name does.
    titles = {
        name: read_report(REAL_COLLECTION / f"{name}.txt").metadata.title
        for name in ("cpc12_07", "gwr-1964", "prov2026-广东省")
    }
    assert titles == {
        "cpc12_07": "中国共产党第十二次全国代表大会报告",
        "gwr-1964": "gwr-1964",
        "prov2026-广东省": "2026年广东省政府工作报告",
    }


def test_a_report_printed_twice_is_indexed_once():
    report = read_report(REAL_COLLECTION / "gwr-1991.txt")
    texts = [passage.text for passage in split_report(report.id, report.text)]
    assert len(texts) == len(set(texts)) or len(texts) - len(set(texts)) <= 2
    opening = "国务院根据中共中央《建议》精神"
    assert report.text.count(opening) == 2 and sum(opening in text for text in texts) == 1


def test_an_english_question_gains_the_passage_that_means_what_it_asks(
    real_collection_index, real_searcher
):
    from shuangyu.search.searcher import Searcher

    from tests.paths import DICTIONARY

    question = "how fast did China catch up with Britain in steel output"
    answer = "英国走了五十多年的路"
    lexical = Searcher(real_collection_index, dictionary=DICTIONARY, cluster=CLUSTER).search(
        question
    )["results"][:5]
    hybrid = real_searcher.search(question)
    assert hybrid["mode"] == "hybrid" and hybrid["semantic"]["state"] == "ready"
    assert not any(answer in result["text"] for result in lexical)
    found = [result for result in hybrid["results"][:5] if answer in result["text"]]
    # Found by its words too (a lexical match the meaning lifted), and it says so.
    assert found and found[0]["found_by"] == "both"


def test_a_chinese_paraphrase_that_matches_nothing_is_offered_related_passages_apart(real_searcher):
    response = real_searcher.search("延迟退休年龄改革方案")
    assert response["total"] == 0 and response["results"] == []
    related = response["related"]
    assert related and "延迟法定退休年龄" in related[0]["text"]
    assert all(
        result["found_by"] == "meaning" and result["matched_in"] == "meaning" for result in related
    )
    # Nothing near enough in meaning: nothing offered.
    assert real_searcher.search(NOWHERE)["related"] == []


def test_an_english_query_about_what_the_collection_never_mentions_finds_nothing(real_searcher):
    response = real_searcher.search("bitcoin cryptocurrency price crash")
    assert response["total"] == 0 and response["results"] == [] and response["related"] == []
    assert {"bitcoin", "cryptocurrency"} <= set(response["unknown_words"])
