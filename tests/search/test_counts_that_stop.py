"""Counts that stop when they are enough (issue 31): past ``SHUANGYU_EXACT_COUNTS`` matches the
tantivy engine answers "at least" that many and estimates the counts per report from a sample,
through the API, the page and the CLI, on the real collection; the other engines count every
match and say so. The results are the same either way."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

pytestmark = [pytest.mark.every_engine, pytest.mark.real_collection]

# Below the matches of the common words of the real collection (发展: about 7,800 passages of
# 15,500), far above those of a term (粮食安全: a few dozen).
THRESHOLD = 500
COMMON = ("发展", "development")
RARE = "粮食安全"


@pytest.fixture(scope="module")
def clients(real_collection_index):
    """Two API clients of the real collection: one that counts every match, one that stops at
    ``THRESHOLD``."""
    from shuangyu.web.app import create_app

    def client(exact_counts: int):
        config = {"TESTING": True, "INDEX_DIR": real_collection_index, "EXACT_COUNTS": exact_counts}
        return create_app(config).test_client()

    return client(0), client(THRESHOLD)


def search(client, query: str, **params) -> dict:
    answer = client.get("/api/search", query_string={"q": query, "reports": 100_000, **params})
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def ids(body: dict) -> list[str]:
    return [result["id"] for result in body["results"]]


@pytest.mark.parametrize("query", COMMON)
def test_past_the_threshold_the_total_is_at_least_and_the_counts_are_estimated(
    clients, engine, query
):
    exact, capped = clients
    every, stopped = search(exact, query), search(capped, query)
    assert every["total_relation"] == "eq" and every["report_counts"] == "exact"
    assert every["total"] > THRESHOLD * 5
    # The results do not depend on counting: the same passages, page after page.
    for offset in (0, 10, 600):
        assert ids(search(capped, query, offset=offset)) == ids(search(exact, query, offset=offset))
    counts = {entry["id"]: entry["count"] for entry in every["reports"]}
    estimates = {entry["id"]: entry["count"] for entry in stopped["reports"]}
    if engine != "tantivy":
        # Whoosh ranks by walking every match, and OpenSearch's cluster counts them all anyway.
        assert stopped["total_relation"] == "eq" and stopped["report_counts"] == "exact"
        assert stopped["total"] == every["total"] and estimates == counts
        return
    assert stopped["total_relation"] == "gte" and stopped["total"] == THRESHOLD
    assert stopped["report_counts"] == "estimated"
    # Estimates, not guesses: in all within a tenth of the true sum, the reports with the most
    # matches all listed, each of the ten largest within half of its count.
    assert abs(sum(estimates.values()) - sum(counts.values())) <= sum(counts.values()) / 10
    largest = sorted(counts, key=counts.get, reverse=True)[:10]
    assert all(
        abs(estimates.get(report, 0) - counts[report]) <= counts[report] / 2 for report in largest
    )
    # A report searched alone is counted exactly, as its own total.
    top = largest[0]
    alone = search(capped, query, report=top)
    assert alone["total"] == counts[top] and alone["total_relation"] == "eq"
    assert {entry["id"]: entry["count"] for entry in alone["reports"]}[top] == counts[top]


def test_below_the_threshold_every_count_is_exact(clients):
    exact, capped = clients
    every, stopped = search(exact, RARE), search(capped, RARE)
    assert 0 < every["total"] < THRESHOLD
    assert stopped["total_relation"] == "eq" and stopped["report_counts"] == "exact"
    assert (stopped["total"], stopped["reports"], ids(stopped)) == (
        every["total"],
        every["reports"],
        ids(every),
    )


def test_the_page_the_widget_page_and_the_cli_say_at_least(
    clients, engine, real_collection_index, monkeypatch
):
    from click.testing import CliRunner
    from shuangyu.web.cli import main

    exact, capped = clients
    total = search(exact, COMMON[0])["total"]
    page = capped.get(f"/?q={quote(COMMON[0])}&ui=en").get_data(as_text=True)
    embed = capped.get(f"/embed?q={quote(COMMON[0])}&ui=en").get_data(as_text=True)
    monkeypatch.setenv("SHUANGYU_INDEX_DIR", str(real_collection_index))
    monkeypatch.setenv("SHUANGYU_EXACT_COUNTS", str(THRESHOLD))
    printed = CliRunner().invoke(main, ["search", COMMON[0], "--limit", "1"])
    assert printed.exit_code == 0, printed.output
    as_json = CliRunner().invoke(main, ["search", COMMON[0], "--limit", "1", "--json"])
    answer = json.loads(as_json.stdout)
    if engine != "tantivy":
        assert f"{total} passages" in page and "estimated" not in page
        assert printed.output.startswith(f"{total} passages")
        assert answer["total"] == total and answer["total_relation"] == "eq"
        return
    assert f"{THRESHOLD}+ passages" in page and f"{total} passages" not in page
    assert "estimated from a sample" in page and '<span class="count">≈' in page
    assert f"{THRESHOLD}+ passages" in embed
    assert printed.stdout.startswith(f"{THRESHOLD}+ passages")
    assert "at least 500" in printed.stderr
    assert answer["total"] == THRESHOLD and answer["total_relation"] == "gte"
    # Paging on past the bound is not "past the end": the results go on, and so do the links.
    far = capped.get(f"/?q={quote(COMMON[0])}&ui=en&page=60").get_data(as_text=True)
    assert 'class="result' in far and "past-end" not in far
    assert 'rel="next"' in far and "page=61" in far
    # The report searched alone is counted exactly: its count has no ≈, the others have.
    top = max(search(exact, COMMON[0])["reports"], key=lambda entry: entry["count"])
    alone = capped.get(f"/?q={quote(COMMON[0])}&report={top['id']}&ui=en").get_data(as_text=True)
    assert 'aria-current="page"' in alone
    active = alone[alone.index('aria-current="page"') :]
    assert active[: active.index("</a>")].endswith(f'<span class="count">{top["count"]}</span>')
    assert '<span class="count">≈' in alone
