"""Counts that are true: through the JSON API, ``total`` is the number of results one can page
through, with and without a report filter, for every evaluation query (issue 17, point 4)."""

from __future__ import annotations

import pytest

from testbed.judging import load_queries
from tests.paths import CLUSTER

pytestmark = pytest.mark.every_engine

QUERIES = sorted({query.text for query in load_queries()})
PAGE = 7  # not a divisor of the usual totals: the last page is a part page


def page_through(client, query: str, report: str | None = None) -> tuple[int, list[str]]:
    """The total of the first page and the ids of every page, asked for as a client pages."""
    params = {"q": query, "limit": PAGE, **({"report": report} if report else {})}
    first = client.get("/api/search", query_string=params)
    assert first.status_code == 200, first.get_json()
    total, ids, offset = first.get_json()["total"], [], 0
    while offset < total:
        body = client.get("/api/search", query_string={**params, "offset": offset}).get_json()
        assert body["total"] == total, f"{query!r} {report}: the total changed at offset {offset}"
        page_ids = [result["id"] for result in body["results"]]
        assert len(page_ids) == min(PAGE, total - offset), (
            f"{query!r} {report}: a short page at offset {offset}"
        )
        ids += page_ids
        offset += PAGE
    past = client.get("/api/search", query_string={**params, "offset": offset}).get_json()
    assert past["results"] == [] and past["total"] == total
    return total, ids


def test_the_evaluation_set_matches_in_more_than_one_report(client):
    # Otherwise the filtered half of the test below would test nothing.
    assert any(
        len(client.get("/api/search", query_string={"q": q}).get_json()["reports"]) > 1
        for q in QUERIES
    )


@pytest.mark.parametrize("query", QUERIES)
def test_paging_through_a_search_gives_exactly_its_total(client, query):
    total, ids = page_through(client, query)
    assert len(ids) == len(set(ids)) == total
    reports = client.get("/api/search", query_string={"q": query}).get_json()["reports"]
    for entry in reports:
        in_report, report_ids = page_through(client, query, entry["id"])
        assert len(report_ids) == len(set(report_ids)) == in_report == entry["count"], entry
        assert {passage_id.rpartition(":")[0] for passage_id in report_ids} == {entry["id"]}


def test_a_text_printed_in_two_reports_is_listed_and_counted_in_each(client):
    # 俯瞰重庆国际物流枢纽园区 is a caption of both seed reports: the count that once hid it.
    body = client.get("/api/search", query_string={"q": "枢纽园"}).get_json()
    counts = {entry["id"]: entry["count"] for entry in body["reports"]}
    assert len(counts) == 2 and body["total"] < sum(counts.values())
    for report_id, count in counts.items():
        filtered = client.get(
            "/api/search", query_string={"q": "枢纽园", "report": report_id}
        ).get_json()
        assert filtered["total"] == count == len(filtered["results"])


def test_counts_stay_true_when_an_update_makes_a_text_repeated_and_single_again(
    make_corpus, tmp_path
):
    """An update that adds a report printing a text the index has (and one that removes it
    again) leaves every count as a full build of the same corpus gives it."""
    from shuangyu.index.build import build_index
    from shuangyu.search.searcher import Searcher

    from tests.paths import DICTIONARY, SHARED_INSTANCE

    shared = "物流枢纽的建设进展顺利。"
    corpus = make_corpus(
        {
            "a.txt": f"报告甲\n\n{shared}\n\n物流枢纽以外的段落。\n",
            "b.txt": "报告乙\n\n物流枢纽在这里。\n",
        }
    )

    def answer(index_dir):
        response = Searcher(index_dir, cache_size=0, dictionary=DICTIONARY, cluster=CLUSTER).search(
            "物流枢纽", limit=50
        )
        return (
            response["total"],
            {entry["id"]: entry["count"] for entry in response["reports"]},
            sorted(result["text"] for result in response["results"]),
        )

    def updated_and_full(name):
        assert build_index(
            corpus,
            tmp_path / "index",
            SHARED_INSTANCE,
            progress=False,
            translator="gloss",
            cluster=CLUSTER,
        )
        build_index(
            corpus,
            tmp_path / name,
            SHARED_INSTANCE,
            progress=False,
            translator="gloss",
            cluster=CLUSTER,
        )
        return answer(tmp_path / "index"), answer(tmp_path / name)

    build_index(
        corpus,
        tmp_path / "index",
        SHARED_INSTANCE,
        progress=False,
        translator="gloss",
        cluster=CLUSTER,
    )
    (corpus / "c.txt").write_text(f"报告丙\n\n{shared}\n", encoding="utf-8")
    updated, full = updated_and_full("full-with-c")
    assert updated == full and updated[0] == 3 and updated[1] == {"a": 2, "b": 1, "c": 1}
    (corpus / "c.txt").unlink()
    updated, full = updated_and_full("full-without-c")
    assert updated == full and updated[0] == 3 and updated[1] == {"a": 2, "b": 1}


def test_a_search_without_counts_lists_the_same_passages(make_corpus, tmp_path):
    # The copies of a text and the words a result has are searched without counts (the engine
    # then cannot know how many matches repeat a text beforehand): the passages listed must be
    # those of the counted search, here with one text printed by 14 reports, more than the
    # hits an engine first asks for at these depths.
    from shuangyu.index.build import build_index
    from shuangyu.index.engines import seam as tree
    from shuangyu.search.searcher import Searcher

    from tests.paths import DICTIONARY, SHARED_INSTANCE

    reports = {
        f"copy-{n:02d}.txt": f"通报{n}\n\n物流枢纽建设进展顺利，物流园区全面开工。\n"
        for n in range(14)
    }
    reports.update(
        {
            f"own-{n}.txt": f"报告{n}\n\n第{n}期物流项目完成。\n\n物流{'仓储' * n}中心建成。\n"
            for n in range(1, 4)
        }
    )
    build_index(
        make_corpus(reports),
        tmp_path / "index",
        SHARED_INSTANCE,
        progress=False,
        translator="gloss",
        cluster=CLUSTER,
    )
    searcher = Searcher(tmp_path / "index", dictionary=DICTIONARY, cache_size=0, cluster=CLUSTER)
    query = tree.Term("text", "物流")
    with searcher._current().reading() as reader:
        engine = reader.engine
        for report in (None, "copy-03", "own-2"):
            counted = engine.search(query, 50, report)
            assert counted.total >= (7 if report is None else 1)
            for depth in (1, 2, 3, 5, 50):
                uncounted = engine.search(query, depth, report, counted=False)
                assert uncounted.top == counted.top[:depth], (report, depth)
