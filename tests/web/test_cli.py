"""The command line as a user runs it: build, search, errors."""

from __future__ import annotations

import json

import pytest
from shuangyu.search.records import Result
from shuangyu.web.cli import main

from tests.paths import SEED_PASSAGES

pytestmark = pytest.mark.every_engine

# The fields every result has: the one definition of a result (search.records.Result).
CONTRACT_FIELDS = set(Result.__annotations__)


def test_help_lists_the_commands(runner):
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("build", "search"):
        assert command in result.output
    assert "SHUANGYU_INDEX_DIR" in result.output


def test_search_json_parses_and_has_every_contract_field(runner):
    result = runner.invoke(main, ["search", "物流枢纽", "--json", "--limit", "3"])
    assert result.exit_code == 0
    response = json.loads(result.output)
    assert {"query", "total", "took_ms", "results"} <= set(response)
    assert response["query"] == "物流枢纽" and len(response["results"]) == 3
    assert all(CONTRACT_FIELDS == set(r) for r in response["results"])


def test_plain_search_shows_ids_reports_and_the_gloss_label(runner):
    result = runner.invoke(main, ["search", "ciqikou"])
    assert result.exit_code == 0
    assert "shapingba-2020-four-highs:p064" in result.output
    assert "磁器口" in result.output and "dictionary gloss" in result.output


@pytest.mark.parametrize("query", ['"高质量', "NOT OR -", "", "物" * 10_000, "-物流"])
def test_bad_queries_exit_cleanly_with_one_line(runner, query):
    result = runner.invoke(main, ["search", query])
    assert result.exit_code in (0, 2)
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "options", [["--limit", "0"], ["--limit", "1000"], ["--offset", "-1"], ["--lang", "fr"]]
)
def test_bad_options_exit_2(runner, options):
    result = runner.invoke(main, ["search", "物流", *options])
    assert result.exit_code == 2


def test_build_says_up_to_date_then_rebuilds_with_force(runner):
    result = runner.invoke(main, ["build", "--quiet"])
    assert result.exit_code == 0 and "up to date" in result.output
    result = runner.invoke(main, ["build", "--quiet", "--force"])
    assert result.exit_code == 0
    assert f"Indexed {SEED_PASSAGES} passages from 2 reports" in result.output


def test_search_without_an_index_says_to_build(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("SHUANGYU_INDEX_DIR", str(tmp_path / "nothing"))
    result = runner.invoke(main, ["search", "物流"])
    assert result.exit_code == 2 and "shuangyu build" in result.output
