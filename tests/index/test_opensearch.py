"""The opensearch engine on a real cluster (``pytest --engine opensearch``; .ci/run starts three
nodes with scripts/opensearch): rebuilds behind an alias, a build or a node lost midway, the
cluster out of reach, bulk requests rejected, and searches while all that happens."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner
from shuangyu.index.build import build_index
from shuangyu.index.engines import (
    opensearch_index,
    opensearch_lexicon,
    opensearch_request,
    opensearch_writer,
)
from shuangyu.index.engines.store import current_build, current_manifest
from shuangyu.search.searcher import Searcher
from shuangyu.web.app import create_app
from shuangyu.web.cli import main

from tests.paths import CLUSTER, DICTIONARY, REPOSITORY_ROOT, SHARED_INSTANCE
from tests.tools import under_ci

pytestmark = pytest.mark.engine("opensearch")

SCRIPT = REPOSITORY_ROOT / "scripts" / "opensearch"
UNREACHABLE = "http://127.0.0.1:9"  # the discard port: nothing listens there


def _report(n: int) -> str:
    return (
        f"第{n}号报告\n\n沙坪坝区建成物流枢纽第{n}期，带动了老旧小区改造。\n\n"
        f"磁器口古镇迎来游客，文旅融合发展第{n}年。\n\n重庆市推进成渝地区双城经济圈建设。\n"
    )


def _build(corpus: Path, index_dir: Path, force: bool = False) -> dict:
    return build_index(
        corpus,
        index_dir,
        SHARED_INSTANCE,
        progress=False,
        translator="gloss",
        force=force,
        cluster=CLUSTER,
    ).manifest


def _es():
    return opensearch_index.client(CLUSTER)


def _alias_target(index_dir: Path) -> list[str]:
    alias = opensearch_index.alias_of(current_build(index_dir))
    return opensearch_writer.alias_targets(_es(), alias)


def _folder_indices(index_dir: Path) -> list[str]:
    alias = opensearch_index.alias_of(current_build(index_dir))
    return sorted(_es().indices.get(index=f"{alias}-*", expand_wildcards="all"))


@pytest.fixture
def corpus(make_corpus):
    return make_corpus({f"r{n:02d}.txt": _report(n) for n in range(1, 9)})


def test_each_build_moves_the_alias_and_keeps_one_previous_index(corpus, tmp_path):
    index_dir = tmp_path / "index"
    names = []
    for _ in range(3):
        _build(corpus, index_dir, force=True)
        names.append(opensearch_index.index_of(current_build(index_dir)))
        assert _alias_target(index_dir) == [names[-1]]
    # The index the alias left is kept (a process may still read it); the one before it is gone.
    assert _folder_indices(index_dir) == sorted(names[-2:])


def test_a_killed_build_leaves_the_alias_and_the_next_build_succeeds(corpus, tmp_path):
    index_dir = tmp_path / "index"
    manifest = _build(corpus, index_dir)
    served = _alias_target(index_dir)
    before = Searcher(index_dir, DICTIONARY, cluster=CLUSTER).search("物流枢纽")["total"]
    for n in range(9, 60):
        (corpus / f"r{n:02d}.txt").write_text(_report(n), encoding="utf-8")
    environment = {
        **os.environ,
        "SHUANGYU_CORPUS_DIR": str(corpus),
        "SHUANGYU_INDEX_DIR": str(index_dir),
        "SHUANGYU_INSTANCE_DIR": str(SHARED_INSTANCE.path),
        "SHUANGYU_ENGINE": "opensearch",
    }
    build = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from shuangyu.web.cli import main; main()",
            "build",
            "--force",
            "--quiet",
        ],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # Killed once its new index exists in the cluster, before it switches the alias.
    alias = opensearch_index.alias_of(current_build(index_dir))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and build.poll() is None:
        if len(_es().indices.get(index=f"{alias}-*", expand_wildcards="all")) > len(served):
            break
        time.sleep(0.05)
    build.send_signal(signal.SIGKILL)
    build.wait()
    assert _alias_target(index_dir) == served
    assert Searcher(index_dir, DICTIONARY, cluster=CLUSTER).search("物流枢纽")["total"] == before
    assert (
        current_manifest(index_dir, cluster=CLUSTER).corpus_fingerprint
        == manifest.corpus_fingerprint
    )
    rebuilt = _build(corpus, index_dir)
    assert rebuilt.passages > manifest.passages
    assert _alias_target(index_dir) == [opensearch_index.index_of(current_build(index_dir))]
    # What the killed build left is removed by the next one.
    assert len(_folder_indices(index_dir)) == 2


def test_a_report_added_is_found_within_seconds(corpus, tmp_path):
    index_dir = tmp_path / "index"
    _build(corpus, index_dir)
    searcher = Searcher(index_dir, DICTIONARY, cache_size=0, cluster=CLUSTER)
    assert searcher.search("钓鱼城")["total"] == 0
    (corpus / "new.txt").write_text("新报告\n\n合川区钓鱼城遗址申报世界文化遗产。\n", "utf-8")
    started = time.monotonic()
    manifest = _build(corpus, index_dir)
    assert manifest.last_update.mode == "incremental"
    assert searcher.search("钓鱼城")["total"] == 1
    assert time.monotonic() - started < 10
    with searcher._current().reading() as reader:
        assert reader.engine.doc_count() == manifest.passages


def _lexicon_rows(build: Path) -> dict[str, list[tuple]]:
    with closing(sqlite3.connect(build / opensearch_lexicon.LEXICON_FILE)) as lexicon:
        return {
            "words": lexicon.execute(
                "SELECT fields.field, word, words.passages FROM words "
                "JOIN fields ON fields.id = words.field ORDER BY 1, 2"
            ).fetchall(),
            "fields": lexicon.execute(
                "SELECT field, passages FROM fields WHERE passages > 0 ORDER BY 1"
            ).fetchall(),
            **{
                table: lexicon.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
                for table in ("contents", "reports")
            },
        }


def test_an_update_in_place_leaves_the_lexicon_a_full_build_writes(corpus, tmp_path):
    """The words' counts (suggestions, completions, scores) after reports are added, changed
    and removed are those of a build from scratch; an update that fails as it writes them
    leaves them as they were."""
    index_dir = tmp_path / "index"
    _build(corpus, index_dir)
    (corpus / "r01.txt").unlink()
    (corpus / "r02.txt").write_text(_report(2) + "\n合川区钓鱼城遗址申报世界文化遗产。\n", "utf-8")
    (corpus / "new.txt").write_text("新报告\n\n磁器口古镇迎来游客。\n", "utf-8")
    assert _build(corpus, index_dir).last_update.mode == "incremental"
    updated = _lexicon_rows(current_build(index_dir))
    assert ("text", "遗址", 1) in updated["words"]
    _build(corpus, index_dir, force=True)
    assert _lexicon_rows(current_build(index_dir)) == updated

    def failing(self, connection) -> None:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("DELETE FROM words")
        raise OSError(28, "No space left on device")

    (corpus / "r03.txt").unlink()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(opensearch_lexicon.Lexicon, "_apply", failing)
        with pytest.raises(Exception, match="No space left"):
            _build(corpus, index_dir)
    assert _lexicon_rows(current_build(index_dir)) == updated
    searcher = Searcher(index_dir, DICTIONARY, cluster=CLUSTER)
    assert "遗址" in [completion["text"] for completion in searcher.complete("遗")]


def test_bulk_rejections_are_retried_and_nothing_is_dropped(corpus, tmp_path, monkeypatch):
    """The cluster's write queues full (429), for whole requests and for single passages: every
    passage is indexed once the cluster takes them."""
    monkeypatch.setattr(opensearch_writer, "BULK_FIRST_BACKOFF", 0.01)
    monkeypatch.setattr(opensearch_writer, "BULK_PASSAGES", 7)
    real_bulk = type(_es()).bulk
    calls = {"requests": 0, "rejected": 0}
    lock = threading.Lock()

    def rejecting_bulk(self, body=None, **options):
        from opensearchpy import exceptions

        with lock:
            calls["requests"] += 1
            turn = calls["requests"]
        if turn % 3 == 1:  # a whole request refused
            raise exceptions.TransportError(429, "es_rejected_execution_exception", {})
        answer = real_bulk(self, body=body, **options)
        if turn % 3 == 2:  # every other passage of this one refused, as a node does
            for number, item in enumerate(answer["items"]):
                if number % 2 == 0 and "index" in item:
                    _es().delete(index=item["index"]["_index"], id=item["index"]["_id"])
                    item["index"]["status"] = 429
                    with lock:
                        calls["rejected"] += 1
        return answer

    monkeypatch.setattr(type(_es()), "bulk", rejecting_bulk)
    manifest = _build(corpus, tmp_path / "index")
    monkeypatch.undo()
    assert calls["rejected"] > 0
    index = opensearch_index.index_of(current_build(tmp_path / "index"))
    assert _es().count(index=index)["count"] == manifest.passages


def test_a_rebuild_under_a_stream_of_searches_answers_every_one(corpus, tmp_path):
    index_dir = tmp_path / "index"
    _build(corpus, index_dir)
    client = create_app({"TESTING": True, "INDEX_DIR": index_dir}).test_client()
    answers: list[tuple[int, int]] = []
    stop = threading.Event()

    def search() -> None:
        while not stop.is_set() and len(answers) < 2000:
            response = client.get("/api/search?q=物流枢纽&limit=5")
            answers.append((response.status_code, response.get_json().get("total", -1)))

    searching = threading.Thread(target=search)
    searching.start()
    try:
        for _ in range(2):
            _build(corpus, index_dir, force=True)
    finally:
        stop.set()
        searching.join()
    assert answers and {status for status, _ in answers} == {200}, set(answers)
    assert {total for _, total in answers} == {8}


def test_the_cluster_out_of_reach_is_one_line_a_503_and_a_page_that_says_so(corpus, tmp_path):
    index_dir = tmp_path / "index"
    _build(corpus, index_dir)
    away = {"SHUANGYU_OPENSEARCH_URL": UNREACHABLE, "SHUANGYU_INDEX_DIR": str(index_dir)}
    result = CliRunner().invoke(main, ["search", "物流枢纽"], env=away)
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "OpenSearch cluster at http://127.0.0.1:9" in lines[0], result.output
    assert "cannot be reached" in lines[0]
    client = create_app(
        {"TESTING": True, "INDEX_DIR": index_dir, "OPENSEARCH_URL": UNREACHABLE}
    ).test_client()
    response = client.get("/api/search?q=物流枢纽")
    assert response.status_code == 503
    assert "cannot be reached" in response.get_json()["detail"]
    page = client.get("/?q=物流枢纽")
    assert page.status_code == 503
    assert "cannot be reached" in page.get_data(as_text=True)
    build = CliRunner().invoke(
        main, ["build", "--force", "--quiet"], env={**away, "SHUANGYU_CORPUS_DIR": str(corpus)}
    )
    assert build.exit_code != 0 and "cannot be reached" in build.output, build.output
    # Each app and command reaches the cluster of its own settings: the ones pointed away
    # changed nothing for the others in this process.
    assert Searcher(index_dir, DICTIONARY, cluster=CLUSTER).search("物流枢纽")["total"] == 8


# --- The time budget ------------------------------------------------------------------------


class LoopbackProxy:
    """A TCP proxy on loopback to the cluster that can stall: once ``stall`` is set, what the
    client sends is swallowed and nothing comes back (connections stay open), as from a cluster
    whose nodes hang."""

    def __init__(self, upstream: str):
        host, port = upstream.removeprefix("http://").split("/")[0].rsplit(":", 1)
        self._upstream = (host, int(port))
        self.stall = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._sockets: list[socket.socket] = [self._listener]
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                accepted, _ = self._listener.accept()
                upstream = socket.create_connection(self._upstream)
            except OSError:
                return
            self._sockets += [accepted, upstream]
            for source, target in ((accepted, upstream), (upstream, accepted)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                if not self.stall.is_set():
                    target.sendall(data)
        except OSError:
            pass

    def close(self) -> None:
        for opened in self._sockets:
            opened.close()


@pytest.fixture
def proxy():
    """A ``LoopbackProxy`` to the first node of the cluster under test."""
    found = LoopbackProxy(CLUSTER.urls[0])
    yield found
    found.close()


def test_a_stalled_cluster_is_a_clear_503_within_the_search_time_budget(corpus, tmp_path, proxy):
    index_dir = tmp_path / "index"
    _build(corpus, index_dir)
    client = create_app(
        {
            "TESTING": True,
            "INDEX_DIR": index_dir,
            "OPENSEARCH_URL": proxy.url,
            "SEARCH_TIME_BUDGET": 1,
        }
    ).test_client()
    assert client.get("/api/search?q=物流枢纽").get_json()["total"] == 8
    proxy.stall.set()
    started = time.monotonic()
    response = client.get("/api/search?q=文旅融合")
    waited = time.monotonic() - started
    assert response.status_code == 503
    detail = response.get_json()["detail"]
    assert f"the OpenSearch cluster at {proxy.url} did not answer a search within" in detail
    # The budget, the grace the cluster has to send what it found by then, and a slow machine.
    assert waited < 1 + opensearch_request.ANSWER_GRACE_SECONDS + 2, waited
    page = client.get("/?q=文旅融合")
    assert page.status_code == 503 and "did not answer a search" in page.get_data(as_text=True)
    proxy.stall.clear()
    assert client.get("/api/search?q=文旅融合").get_json()["total"] == 8


def test_a_search_past_its_time_budget_answers_what_it_has_marked_partial(make_corpus, tmp_path):
    """A search whose budget is spent when the cluster's first answer comes does not ask it
    again (for more passages, when repeated texts fill more of the first answer than
    expected): it answers what it has, marked partial on the page and in the API."""
    shared = (
        "重庆市加快建设西部金融中心。\n\n重庆市扩大内陆开放。\n\n重庆市推进成渝地区双城经济圈建设。"
    )
    corpus = make_corpus(
        {
            f"r{n:02d}.txt": f"第{n}号报告\n\n重庆市第{n}号项目开工。\n\n{shared}\n"
            for n in range(40)
        }
    )
    _build(corpus, tmp_path / "index")
    everything = Searcher(tmp_path / "index", DICTIONARY, time_budget=60, cluster=CLUSTER)
    full = everything.search("重庆", limit=50)
    assert not full["partial"] and full["total"] == 43 and len(full["results"]) == 43
    client = create_app(
        {"TESTING": True, "INDEX_DIR": tmp_path / "index", "SEARCH_TIME_BUDGET": 0.001}
    ).test_client()
    started = time.monotonic()
    cut = client.get("/api/search?q=重庆&limit=50").get_json()
    assert time.monotonic() - started < 0.001 + opensearch_request.ANSWER_GRACE_SECONDS + 2
    assert cut["partial"] is True and cut["total"] == 43 and 0 < len(cut["results"]) < 43
    page = client.get("/?q=重庆").get_data(as_text=True)
    assert 'class="partial"' in page


def test_a_search_gives_the_cluster_its_time_budget_and_says_when_it_was_cut_short(
    corpus, tmp_path, monkeypatch
):
    """The cluster is asked to stop at the time left of the search's budget; when it says it
    did (``timed_out``: on a small index it answers before any budget ends, so its answer is
    marked so here), the API and the page say the answer is partial, and it is not cached."""
    index_dir = tmp_path / "index"
    _build(corpus, index_dir)
    client = create_app(
        {"TESTING": True, "INDEX_DIR": index_dir, "SEARCH_TIME_BUDGET": 5}
    ).test_client()
    sent: list[tuple[dict, float]] = []
    connection_class = type(_es().transport.get_connection())
    real_request = connection_class.perform_request

    def cut_short(self, method, url, params=None, body=None, timeout=None, **options):
        status, headers, data = real_request(self, method, url, params, body, timeout, **options)
        if url.endswith("/_search") and b'"timeout"' in (body or b""):
            sent.append((json.loads(body), timeout))
            data = json.dumps({**json.loads(data), "timed_out": True})
        return status, headers, data

    monkeypatch.setattr(connection_class, "perform_request", cut_short)
    for _ in range(2):
        answer = client.get("/api/search?q=物流枢纽").get_json()
        assert answer["partial"] is True and answer["total"] > 0
    assert len(sent) == 2  # asked twice: a partial answer is not cached
    for body, timeout in sent:
        assert body["timeout"].endswith("ms") and 0 < int(body["timeout"][:-2]) <= 5000
        assert timeout <= 5 + opensearch_request.ANSWER_GRACE_SECONDS
    page = client.get("/?q=物流枢纽").get_data(as_text=True)
    assert 'class="partial"' in page
    monkeypatch.undo()
    assert client.get("/api/search?q=物流枢纽").get_json()["partial"] is False


# --- A node lost ---------------------------------------------------------------------------


def _script(*arguments: str) -> subprocess.CompletedProcess:
    if not SCRIPT.is_file():
        message = f"{SCRIPT} is missing: the node tests kill and start nodes with it"
        if under_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return subprocess.run(
        [sys.executable, str(SCRIPT), *arguments], capture_output=True, text=True, timeout=300
    )


def _start_again(node: int) -> subprocess.CompletedProcess:
    """Start a killed node again; on a loaded machine its port may stay taken a little while
    after the kill, so a refused start is tried again."""
    for _ in range(5):
        started = _script("start-node", str(node))
        if started.returncode == 0:
            break
        time.sleep(5)
    return started


def _node_to_kill(index: str) -> int:
    """A node that holds a copy of ``index`` and is not the cluster manager (whose loss would
    also stall the cluster's own changes while another is elected)."""
    es = _es()
    manager = es.cat.cluster_manager(format="json")[0]["node"]
    holders = [
        row["node"]
        for row in es.cat.shards(index=index, format="json")
        if row["state"] == "STARTED" and row["node"] != manager
    ]
    if not holders:
        pytest.skip(f"every copy of {index} is on the cluster manager ({manager})")
    return int(holders[0].rsplit("-", 1)[1])


@pytest.fixture
def three_nodes():
    health = _es().cluster.health()
    if health["number_of_data_nodes"] < 3:
        pytest.skip("a node is killed only on a cluster of three or more")
    status = _script("status")
    if status.returncode != 0:
        pytest.skip(f"the cluster is not the one scripts/opensearch runs: {status.stdout}")


def test_a_node_killed_while_searches_run_loses_no_answer(corpus, tmp_path, three_nodes):
    index_dir = tmp_path / "index"
    manifest = _build(corpus, index_dir)
    index = opensearch_index.index_of(current_build(index_dir))
    assert (
        int(
            _es().indices.get_settings(index=index)[index]["settings"]["index"][
                "number_of_replicas"
            ]
        )
        >= 1
    )
    searcher = Searcher(index_dir, DICTIONARY, cache_size=0, cluster=CLUSTER)
    expected = searcher.search("物流枢纽", limit=20)
    answers, failures = [], []
    stop = threading.Event()

    def search() -> None:
        while not stop.is_set():
            try:
                answer = searcher.search("物流枢纽", limit=20)
            except Exception as error:  # every failure is counted: the test says which
                failures.append(repr(error))
                continue
            answers.append(([r["id"] for r in answer["results"]], answer["total"]))

    node = _node_to_kill(index)
    threads = [threading.Thread(target=search) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1)
        assert _script("kill-node", str(node)).returncode == 0
        time.sleep(5)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        restarted = _start_again(node)
    assert restarted.returncode == 0, restarted.stderr
    assert not failures, failures[:3]
    complete = ([r["id"] for r in expected["results"]], expected["total"])
    assert answers and all(answer == complete for answer in answers)
    assert current_manifest(index_dir, cluster=CLUSTER).passages == manifest.passages


def test_a_node_killed_during_a_build_leaves_the_last_good_index_serving(
    corpus, tmp_path, three_nodes
):
    index_dir = tmp_path / "index"
    _build(corpus, index_dir)
    served = _alias_target(index_dir)
    node = _node_to_kill(served[0])
    for n in range(9, 200):
        (corpus / f"r{n:03d}.txt").write_text(_report(n), encoding="utf-8")
    outcome: dict = {}

    def rebuild() -> None:
        try:
            outcome["manifest"] = _build(corpus, index_dir, force=True)
        except Exception as error:  # the build may fail (its shard was on the node) or not
            outcome["error"] = error

    building = threading.Thread(target=rebuild)
    building.start()
    try:
        time.sleep(2)
        assert _script("kill-node", str(node)).returncode == 0
        # The index being served has a replica: it answers throughout.
        answer = Searcher(index_dir, DICTIONARY, cache_size=0, cluster=CLUSTER).search("物流枢纽")
        assert answer["total"] > 0
    finally:
        building.join()
        restarted = _start_again(node)
    assert restarted.returncode == 0, restarted.stderr
    if "error" in outcome:
        assert _alias_target(index_dir) == served
    manifest = _build(corpus, index_dir, force=True)
    index = opensearch_index.index_of(current_build(index_dir))
    assert _es().count(index=index)["count"] == manifest.passages
    assert _alias_target(index_dir) == [opensearch_index.index_of(current_build(index_dir))]
    assert Searcher(index_dir, DICTIONARY, cluster=CLUSTER).search("物流枢纽")["total"] == 199


def test_the_manifest_names_the_index_and_its_alias(corpus, tmp_path):
    index_dir = tmp_path / "index"
    _build(corpus, index_dir)
    recorded = json.loads((current_build(index_dir) / "opensearch.json").read_text("utf-8"))
    assert recorded["index"].startswith(recorded["alias"] + "-")
    assert _alias_target(index_dir) == [recorded["index"]]
