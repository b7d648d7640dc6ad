"""Both engines behind the seam (index/engines/seam.py) answer alike: the same passages match, the
same counts per report, and the top results of the evaluation queries agree; and each engine
is chosen at build time, recorded in the manifest and followed by search and serve."""

from __future__ import annotations

import json

import pytest
from shuangyu.index.build import build_index
from shuangyu.index.engines.store import current_manifest
from shuangyu.search.searcher import Searcher
from shuangyu.web.cli import main

from testbed.judging import load_queries, load_real_queries
from testbed.paths import REAL_COLLECTION
from testbed.real_index import build_real_index
from tests.paths import CLUSTER, CORPUS_DIR, DICTIONARY, SHARED_INSTANCE


def agreement(first: Searcher, second: Searcher, queries: list[str]) -> dict[str, float]:
    """Over ``queries``: the share whose totals and counts per report are equal, whose best
    result is the same, and the mean share of the top ten the two have in common."""
    same_counts = same_best = 0
    overlaps = []
    for query in queries:
        one, two = first.search(query, limit=10), second.search(query, limit=10)
        same_counts += one["total"] == two["total"] and one["reports"] == two["reports"]
        ids = [[result["id"] for result in response["results"]] for response in (one, two)]
        same_best += ids[0][:1] == ids[1][:1]
        overlaps.append(len(set(ids[0]) & set(ids[1])) / max(len(ids[0]), len(ids[1]), 1))
    return {
        "counts": same_counts / len(queries),
        "best": same_best / len(queries),
        "top10": sum(overlaps) / len(queries),
    }


@pytest.fixture(scope="module")
def both_seed_indexes(tmp_path_factory):
    folder = tmp_path_factory.mktemp("engines")
    for engine in ("whoosh", "tantivy"):
        build_index(
            CORPUS_DIR,
            folder / engine,
            SHARED_INSTANCE,
            progress=False,
            translator="gloss",
            index_engine=engine,
            cluster=CLUSTER,
        )
    return {
        engine: Searcher(folder / engine, dictionary=DICTIONARY, cluster=CLUSTER)
        for engine in ("whoosh", "tantivy")
    }


def test_the_engines_agree_on_the_seed_evaluation(both_seed_indexes):
    queries = [query.text for query in load_queries()]
    measured = agreement(both_seed_indexes["whoosh"], both_seed_indexes["tantivy"], queries)
    # Matching is the same query tree on the same tokens: counts agree everywhere. Scores are
    # BM25F (Whoosh) and BM25 with tantivy's idf and phrase scoring: near ties may swap.
    assert measured["counts"] == 1.0
    assert measured["best"] >= 0.9 and measured["top10"] >= 0.9, measured


def test_tied_scores_come_in_reading_order_on_both_engines(make_corpus, tmp_path):
    # Report ids that begin alike (the real collection's prov2026-*), so that tantivy's numeric
    # report key alone cannot order them; the reports written out of order.
    corpus = make_corpus(
        {
            f"{report_id}.txt": f"报告{n}\n\n这里的物流枢纽建设第{n}期进展顺利。\n"
            for report_id, n in (
                ("prov2026-c", "三"),
                ("prov2026-a", "一"),
                ("prov2026-b", "二"),
                ("gwr-1990", "四"),
            )
        }
    )
    for engine in ("whoosh", "tantivy"):
        build_index(
            corpus,
            tmp_path / engine,
            SHARED_INSTANCE,
            progress=False,
            translator="gloss",
            index_engine=engine,
            cluster=CLUSTER,
        )
        results = Searcher(tmp_path / engine, dictionary=DICTIONARY, cluster=CLUSTER).search(
            "物流枢纽"
        )["results"]
        assert len({result["score"] for result in results}) == 1, results
        assert [result["id"] for result in results] == [
            "gwr-1990:p002",
            "prov2026-a:p002",
            "prov2026-b:p002",
            "prov2026-c:p002",
        ]


def test_tantivy_counts_per_report_alike_when_report_hashes_collide(both_seed_indexes, monkeypatch):
    # tantivy counts reports by a hash of their id; were two ids to hash alike, it counts by
    # the ids themselves, with the same answers.
    from shuangyu.index.engines import tantivy_counts

    queries = [query.text for query in load_queries()]
    by_hash = [both_seed_indexes["tantivy"].search(query, limit=10) for query in queries]
    monkeypatch.setattr(tantivy_counts, "report_hash", lambda report_id: 7)
    by_id = Searcher(
        both_seed_indexes["tantivy"].index_dir, DICTIONARY, cache_size=0, cluster=CLUSTER
    )
    with by_id._current().reading() as reader:
        assert reader.engine._counting.report_field == "report_id"
    for query, expected in zip(queries, by_hash):
        answer = by_id.search(query, limit=10)
        assert (answer["total"], answer["reports"]) == (expected["total"], expected["reports"]), (
            query
        )
        assert [r["id"] for r in answer["results"]] == [r["id"] for r in expected["results"]], query
    assert any(len(expected["reports"]) > 1 for expected in by_hash)


@pytest.mark.engine("whoosh")
@pytest.mark.skipif(
    not REAL_COLLECTION.is_dir(), reason=f"the real collection is not at {REAL_COLLECTION}"
)
def test_the_engines_agree_on_the_real_evaluation(real_collection_index, tmp_path):
    # The session's real index is Whoosh's here; tantivy's is quick to build beside it.
    tantivy_index = build_real_index(
        tmp_path / "corpus", tmp_path / "index", index_engine="tantivy"
    )
    queries = [query.text for query in load_real_queries()]
    # Every match counted: past SHUANGYU_EXACT_COUNTS tantivy would answer "at least" and
    # estimates (tests/search/test_counts_that_stop.py), which Whoosh never does.
    measured = agreement(
        Searcher(real_collection_index, dictionary=DICTIONARY, cluster=CLUSTER),
        Searcher(tantivy_index, dictionary=DICTIONARY, cluster=CLUSTER, exact_up_to=None),
        queries,
    )
    assert measured["counts"] >= 0.98
    assert measured["best"] >= 0.8 and measured["top10"] >= 0.8, measured


def test_the_engine_is_chosen_at_build_recorded_and_followed(tmp_path, monkeypatch):
    from click.testing import CliRunner

    index_dir = tmp_path / "index"
    monkeypatch.setenv("SHUANGYU_CORPUS_DIR", str(CORPUS_DIR))
    monkeypatch.setenv("SHUANGYU_INDEX_DIR", str(index_dir))
    monkeypatch.setenv("SHUANGYU_INSTANCE_DIR", str(SHARED_INSTANCE.path))
    monkeypatch.delenv("SHUANGYU_ENGINE")
    runner = CliRunner()
    built = runner.invoke(
        main, ["build", "--quiet", "--translator", "gloss", "--engine", "tantivy"]
    )
    assert built.exit_code == 0, built.output
    assert (
        "with tantivy" in built.output
        and current_manifest(index_dir, cluster=CLUSTER).engine == "tantivy"
    )
    found = json.loads(runner.invoke(main, ["search", "物流枢纽", "--json"]).output)
    assert found["total"] > 0 and "物流枢纽" in found["results"][0]["text"]
    # A build that names no engine keeps the index's own; naming another rebuilds with it.
    assert "up to date" in runner.invoke(main, ["build", "--quiet", "--translator", "gloss"]).output
    assert current_manifest(index_dir, cluster=CLUSTER).engine == "tantivy"
    switched = runner.invoke(
        main, ["build", "--quiet", "--translator", "gloss", "--engine", "whoosh"]
    )
    assert (
        "with whoosh" in switched.output
        and current_manifest(index_dir, cluster=CLUSTER).engine == "whoosh"
    )
    assert (
        json.loads(runner.invoke(main, ["search", "物流枢纽", "--json"]).output)["total"]
        == found["total"]
    )


def test_an_unknown_engine_is_refused_in_one_line(tmp_path, monkeypatch):
    from click.testing import CliRunner

    monkeypatch.setenv("SHUANGYU_INDEX_DIR", str(tmp_path / "index"))
    result = CliRunner().invoke(main, ["build", "--engine", "lucene"])
    assert result.exit_code == 2
    assert "SHUANGYU_ENGINE (--engine) must be one of whoosh, tantivy" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "index" / "current").exists()
