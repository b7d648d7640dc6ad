"""`shuangyu serve --workers N`: gunicorn's master and N worker processes, each opening the index
itself after the fork; the same limits and proxy handling as waitress in one process. Through the
real command on loopback; the processes are read from /proc."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner
from shuangyu.search.searcher import Searcher
from shuangyu.web.app import create_app
from shuangyu.web.cli import main

from tests.paths import CLUSTER, CORPUS_DIR, DICTIONARY, REPOSITORY_ROOT, instance_with_dictionary
from tests.reliability.test_reliability import get_json
from tests.serving import STOP_SECONDS, serving_any_port

pytestmark = pytest.mark.skipif(
    sys.platform != "linux", reason="worker processes are served on Linux, and read from /proc"
)

QUERIES = [
    "物流枢纽",
    "紅岩精神",
    '"高质量发展"',
    "磁器口",
    "logistics hub",
    "ciqikou",
    "export",
    "营商环境 改革",
]
PASSAGE = "shapingba-2020-four-highs:p022"
WHOLE_SEARCH_SECONDS = 60


@pytest.fixture(scope="module")
def built_site(tmp_path_factory) -> dict:
    """Environment of a copy of the seed corpus with its index built, and an instance folder
    that has the dictionary file: the servers of this module start without building."""
    folder = tmp_path_factory.mktemp("served")
    shutil.copytree(CORPUS_DIR, folder / "corpus")
    instance_with_dictionary(folder / "instance")
    # Answers are compared whole: no search may stop at its time budget on a busy machine.
    env = {
        **os.environ,
        "SHUANGYU_CORPUS_DIR": str(folder / "corpus"),
        "SHUANGYU_INDEX_DIR": str(folder / "index"),
        "SHUANGYU_INSTANCE_DIR": str(folder / "instance"),
        "SHUANGYU_SEARCH_TIME_BUDGET": str(WHOLE_SEARCH_SECONDS),
    }
    env.pop("WEB_CONCURRENCY", None)
    built = subprocess.run(
        [sys.executable, "-m", "shuangyu.web.cli", "build", "--quiet"],
        cwd=REPOSITORY_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    return env


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # ended while the folder was listed
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def running(pid: int) -> bool:
    """True while ``pid`` runs (a zombie, ended but not yet reaped, does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def holds_files_in(pid: int, folder: str) -> bool:
    """True when ``pid`` has a file of ``folder`` open or mapped."""
    opened = []
    for descriptor in Path(f"/proc/{pid}/fd").iterdir():
        try:
            opened.append(os.readlink(descriptor))
        except FileNotFoundError:
            continue  # closed while the folder was listed
    mapped = Path(f"/proc/{pid}/maps").read_text().splitlines()
    return any(path.startswith(folder + "/") for path in opened) or any(
        folder + "/" in line for line in mapped
    )


def wait_until(condition, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {seconds} s: {what}")
        time.sleep(0.2)


def test_two_workers_each_open_the_index_and_answer_as_the_index_does(built_site):
    index_dir = built_site["SHUANGYU_INDEX_DIR"]
    searcher = Searcher(
        Path(index_dir), time_budget=WHOLE_SEARCH_SECONDS, dictionary=DICTIONARY, cluster=CLUSTER
    )
    expected = {query: searcher.search(query) for query in QUERIES}
    with serving_any_port(built_site, "--workers", "2") as served:
        assert served.server == "gunicorn: 2 worker processes of 8 threads each"
        master = served.process.pid
        workers = children(master)
        assert len(workers) == 2
        # Each worker opened the index itself, after the fork; the master never did (no preload).
        wait_until(
            lambda: all(holds_files_in(worker, index_dir) for worker in workers),
            "both workers open the index",
        )
        assert not holds_files_in(master, index_dir)
        status, health = get_json(served.base + "/healthz")
        assert status == 200 and health["status"] == "ok" and health["passages"] > 0

        def ask(query: str) -> tuple[str, tuple[int, dict]]:
            return query, get_json(f"{served.base}/api/search?q={urllib.parse.quote(query)}")

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(ask, QUERIES * 4))
    for query, (status, answer) in answers:
        assert status == 200, (query, answer)
        ranking = (answer["total"], [result["id"] for result in answer["results"]])
        assert ranking == (
            expected[query]["total"],
            [result["id"] for result in expected[query]["results"]],
        ), query
    assert any(answer["total"] for _, (_, answer) in answers)


@pytest.mark.parametrize(
    "stopping", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=lambda stopping: stopping.name
)
def test_the_workers_go_with_their_master(built_site, stopping):
    with serving_any_port(built_site, "--workers", "2") as served:
        workers = children(served.process.pid)
        assert len(workers) == 2 and all(running(worker) for worker in workers)
        served.process.send_signal(stopping)
        served.process.wait(timeout=STOP_SECONDS)
        # A worker whose master was killed notices by itself, within a second or two.
        wait_until(
            lambda: not any(running(worker) for worker in workers),
            "the workers end",
            seconds=STOP_SECONDS,
        )
        served.reader.join(timeout=STOP_SECONDS)
    if stopping != signal.SIGKILL:
        assert served.process.returncode == 0
        # Quiet: the serving line, then "Stopped.", and nothing from gunicorn itself.
        assert [line.strip() for line in served.output[1:]] == ["Stopped."], served.output


def test_serve_runs_a_process_per_usable_core_unless_told(built_site):
    cores = len(os.sched_getaffinity(0))
    with serving_any_port(built_site) as served:
        assert served.server == (
            f"gunicorn: {cores} worker processes of 8 threads each"
            if cores > 1
            else "waitress: 1 process of 8 threads"
        )
        assert len(children(served.process.pid)) == (cores if cores > 1 else 0)
    with serving_any_port({**built_site, "WEB_CONCURRENCY": "1"}, "--threads", "3") as served:
        assert served.server == "waitress: 1 process of 3 threads"
        assert children(served.process.pid) == []


@pytest.mark.parametrize("workers", ["1", "2"])
def test_either_server_refuses_a_body_past_the_limit_with_413(built_site, workers):
    with serving_any_port(built_site, "--workers", workers, "--max-request-body", "1000") as served:
        address = urllib.parse.urlsplit(served.base)
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
        connection.request("GET", "/api/reports", body=b"x" * 1000)
        assert connection.getresponse().status == 200
        connection.close()
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
        connection.putrequest("GET", "/api/reports")
        connection.putheader("Content-Length", str(300 * 2**20))
        connection.endheaders()  # the body never comes: the answer cannot wait for it
        assert connection.getresponse().status == 413
        connection.close()


def test_the_app_refuses_a_declared_body_past_its_limit_before_reading_it(real_index):
    client = create_app({"INDEX_DIR": real_index, "MAX_CONTENT_LENGTH": 100}).test_client()
    assert client.get("/api/reports", data=b"x" * 100).status_code == 200
    refused = client.get("/api/reports", data=b"x" * 101)
    assert refused.status_code == 413 and refused.mimetype == "application/problem+json"
    assert "100 bytes" in refused.get_json(force=True)["detail"]
    assert client.get("/", data=b"x" * 101).status_code == 413


@pytest.mark.parametrize("workers", ["1", "2"])
def test_either_server_believes_a_trusted_proxy_for_the_client_address_and_scheme(
    built_site, workers
):
    env = {**built_site, "SHUANGYU_RATE_LIMIT": "1 per minute"}
    with serving_any_port(env, "--workers", workers, "--trusted-proxy", "127.0.0.1") as served:
        address = urllib.parse.urlsplit(served.base)
        # One connection, so one worker process: the rate limit is counted in each.
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)

        def ask(client: str) -> tuple[int, str]:
            connection.request(
                "GET",
                f"/api/passages/{PASSAGE}",
                headers={
                    "Host": "127.0.0.1:8000",
                    "X-Forwarded-For": f"192.0.2.200, {client}",
                    "X-Forwarded-Proto": "https",
                },
            )
            answer = connection.getresponse()
            assert answer.getheader("Connection", "").lower() != "close"
            return answer.status, answer.read().decode()

        status, body = ask("198.51.100.1")
        assert status == 200 and f'"url":"https://127.0.0.1:8000/p/{PASSAGE}"' in body.replace(
            " ", ""
        )
        assert ask("198.51.100.1")[0] == 429
        assert ask("198.51.100.2")[0] == 200
        connection.close()
    said = "".join(served.output)
    assert ("counted in each of the 2 processes" in said) == (workers == "2")


def test_a_trusted_proxy_must_be_an_ip_address():
    result = CliRunner().invoke(main, ["serve", "--trusted-proxy", "proxy.example"])
    assert result.exit_code == 2
    assert "must be an IP address or '*', not 'proxy.example'" in result.output
