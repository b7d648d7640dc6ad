"""`shuangyu serve --workers 2` with slow clients, through the real command on loopback: forty
connections sending a request's head or body a byte at a time, or never closing after their
answer, do not hold up other clients' requests; a request not whole within the read deadline is
answered 408 and closed; the API's longest requests reach the app, and a head past the worker's
cap is refused at once."""

from __future__ import annotations

import http.client
import json
import os
import re
import select
import socket
import sys
import threading
import time
import urllib.parse

import pytest
from shuangyu.web import polling_worker, request_framing
from shuangyu.web.app import MAX_URL_BYTES

from tests.paths import CORPUS_DIR
from tests.serving import serving_any_port

pytestmark = pytest.mark.skipif(
    sys.platform != "linux", reason="worker processes are served on Linux"
)

SLOW_CLIENTS = 40
# A slow client sends its next byte every TRICKLE_SECONDS.
TRICKLE_SECONDS = 0.5
BASELINE_SECONDS = 2
PRESSED_SECONDS = 10
# A request not answered whole within this many seconds counts as not answered.
ANSWER_SECONDS = 8
# What a normal request may take while slow clients press: the baseline's worst plus this, and
# never more than MOST_SECONDS.
SLOWER_BY_SECONDS = 2
MOST_SECONDS = 5


def http_request(target: str, *fields: str, body: bytes = b"", last: bool = True) -> bytes:
    """A GET of ``target`` with ``fields`` and ``body``; ``last`` closes the connection after it."""
    lines = [
        f"GET {target} HTTP/1.1",
        "Host: 127.0.0.1",
        *fields,
        *(["Connection: close"] if last else []),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


SEARCH = http_request("/api/search?q=" + urllib.parse.quote("发展"))
# Requests that bring a body, in each framing, and two requests sent at once: the final statuses
# they are answered.
WITH_BODIES = [
    (http_request("/api/reports", "Content-Length: 1000", body=b"x" * 1000), [200]),
    (
        http_request(
            "/api/reports",
            "Transfer-Encoding: chunked",
            body=b"5\r\nhello\r\n3;note=x\r\nabc\r\n0\r\n\r\n",
        ),
        [200],
    ),
    (
        http_request("/api/reports", "Content-Length: 5", "Expect: 100-continue", body=b"hello"),
        [200],
    ),
    (http_request("/healthz", last=False) + http_request("/api/reports"), [200, 200]),
]
STATUS_LINE = re.compile(rb"HTTP/1\.[01] (\d{3}) ")


@pytest.fixture(scope="module")
def address(real_index):
    """Where `shuangyu serve --workers 2` on the session's index listens."""
    env = {
        **os.environ,
        "SHUANGYU_INDEX_DIR": str(real_index),
        "SHUANGYU_CORPUS_DIR": str(CORPUS_DIR),
    }
    env.pop("WEB_CONCURRENCY", None)
    with serving_any_port(env, "--workers", "2") as served:
        assert served.server == "gunicorn: 2 worker processes of 8 threads each"
        split = urllib.parse.urlsplit(served.base)
        yield split.hostname, split.port


def exchange(address, request: bytes) -> tuple[list[int], float, bytes]:
    """``request`` sent on a new connection, whose last request closes it: the final statuses
    answered (none when the answer is not whole within ANSWER_SECONDS), the seconds taken and
    the answer."""
    started = time.monotonic()
    answer = b""
    try:
        with socket.create_connection(address, timeout=ANSWER_SECONDS) as connection:
            connection.sendall(request)
            while chunk := connection.recv(65536):
                answer += chunk
                if time.monotonic() - started > ANSWER_SECONDS:
                    return [], time.monotonic() - started, answer
    except OSError:
        return [], time.monotonic() - started, answer
    statuses = [int(status) for status in STATUS_LINE.findall(answer) if int(status) >= 200]
    return statuses, time.monotonic() - started, answer


def timed_requests(
    address, requests: list[tuple[bytes, list[int]]], seconds: float
) -> list[tuple[list[int], list[int], float]]:
    """``requests`` one after another, round and round, for ``seconds``: for each, the statuses
    expected, those answered and the seconds it took."""
    done = []
    ending = time.monotonic() + seconds
    while time.monotonic() < ending:
        request, expected = requests[len(done) % len(requests)]
        statuses, took, _ = exchange(address, request)
        done.append((expected, statuses, took))
        time.sleep(0.1)
    return done


class SlowClients:
    """SLOW_CLIENTS connections, each sending ``opening`` at once, then ``trickled`` a byte every
    ``interval`` seconds, in a thread of their own. One the server closes is opened again, so that
    they press on the server for as long as they run, whatever its deadline; ``linger`` keeps a
    closed one open that long first (a client that never closes)."""

    def __init__(
        self,
        address,
        *,
        opening: bytes = b"",
        trickled: bytes = b"",
        interval: float = TRICKLE_SECONDS,
        linger: float = 0,
    ):
        self.address, self.opening, self.trickled, self.interval, self.linger = (
            address,
            opening,
            trickled,
            interval,
            linger,
        )
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.opened = 0

    def __enter__(self) -> SlowClients:
        self.thread.start()
        time.sleep(1)  # every connection open and sending
        return self

    def __exit__(self, *exception) -> None:
        self.stopping.set()
        self.thread.join(timeout=10)

    def open(self) -> list:
        connection = socket.create_connection(self.address, timeout=5)
        connection.sendall(self.opening)
        connection.setblocking(False)
        self.opened += 1
        return [connection, 0]

    def run(self) -> None:
        clients = [self.open() for _ in range(SLOW_CLIENTS)]
        closed: list[tuple[float, socket.socket]] = []
        while not self.stopping.wait(self.interval):
            for client in clients:
                connection, sent = client
                try:
                    if select.select([connection], [], [], 0)[0] and not connection.recv(65536):
                        raise ConnectionAbortedError  # closed by the server (after an answer, if any)
                    if sent < len(self.trickled):
                        connection.send(self.trickled[sent : sent + 1])
                        client[1] += 1
                except OSError:
                    closed.append((time.monotonic() + self.linger, connection))
                    client[:] = self.open()
            while closed and closed[0][0] <= time.monotonic():
                closed.pop(0)[1].close()
        for connection, _ in clients:
            connection.close()
        for _, connection in closed:
            connection.close()


def assert_unhindered(baseline, pressed) -> None:
    """Every request answered as expected, and none slower under pressure than the baseline's
    worst by more than SLOWER_BY_SECONDS, nor than MOST_SECONDS."""
    unanswered = [
        (expected, statuses, round(took, 2))
        for expected, statuses, took in baseline + pressed
        if statuses != expected
    ]
    assert not unanswered, (
        f"{len(unanswered)} of {len(baseline + pressed)} not answered as expected: {unanswered[:5]}"
    )
    usual = max(took for _, _, took in baseline)
    worst = max(took for _, _, took in pressed)
    assert worst < min(usual + SLOWER_BY_SECONDS, MOST_SECONDS), (usual, worst, len(pressed))


def test_clients_sending_their_heads_a_byte_at_a_time_do_not_hold_up_the_others(address):
    baseline = timed_requests(address, [(SEARCH, [200])], BASELINE_SECONDS)
    head = http_request("/healthz", "X-Slow: " + "s" * 200, last=False)
    with SlowClients(address, trickled=head):
        pressed = timed_requests(address, [(SEARCH, [200])], PRESSED_SECONDS)
    assert_unhindered(baseline, pressed)


def test_clients_sending_their_bodies_a_byte_at_a_time_do_not_hold_up_the_others(address):
    baseline = timed_requests(address, WITH_BODIES, BASELINE_SECONDS)
    with SlowClients(
        address,
        opening=http_request("/api/reports", "Content-Length: 1000", last=False),
        trickled=b"x" * 1000,
    ):
        pressed = timed_requests(address, [(SEARCH, [200]), *WITH_BODIES], PRESSED_SECONDS)
    assert_unhindered(baseline, pressed)


def test_clients_that_never_close_after_their_answer_do_not_hold_up_the_others(address):
    baseline = timed_requests(address, [(SEARCH, [200])], BASELINE_SECONDS)
    # HTTP/1.0: answered, then closed by the server, which the client never answers by closing.
    with SlowClients(address, opening=b"GET /healthz HTTP/1.0\r\n\r\n", interval=1, linger=3):
        pressed = timed_requests(address, [(SEARCH, [200])], PRESSED_SECONDS)
    assert_unhindered(baseline, pressed)


def test_a_request_not_whole_within_the_read_deadline_is_answered_408_and_closed(address):
    deadline = polling_worker.READ_DEADLINE_SECONDS
    answer = b""
    with socket.create_connection(address, timeout=1) as connection:
        started = time.monotonic()
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        while time.monotonic() - started < deadline + 5:
            try:
                chunk = connection.recv(65536)
            except TimeoutError:
                connection.sendall(b"X")  # a byte a second: never silent, only never done
                continue
            except ConnectionResetError:
                break
            if not chunk:
                break
            answer += chunk
        closed_after = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408 "), answer
    assert b"application/problem+json" in answer
    assert deadline - 0.5 < closed_after < deadline + 2.5


def test_the_longest_requests_of_the_api_are_answered_by_the_app(address):
    connection = http.client.HTTPConnection(*address, timeout=ANSWER_SECONDS)

    def problem(target: str) -> tuple[int, dict]:
        connection.request("GET", target)
        answer = connection.getresponse()
        assert answer.getheader("Content-Type") == "application/problem+json", (
            answer.status,
            answer.read()[:300],
        )
        return answer.status, json.loads(answer.read())

    # q at its documented limit, 500 characters, percent-encoded: past gunicorn's default limit.
    search = "/api/search?q=" + urllib.parse.quote("发展" * 250)
    assert len(search) > 4094
    connection.request("GET", search)
    answer = connection.getresponse()
    found = json.loads(answer.read())
    # Results, or too many words for a search (the app's own 400): the app's answer either way.
    assert (answer.status, answer.getheader("Content-Type")) in {
        (200, "application/json"),
        (400, "application/problem+json"),
    }
    assert "results" in found or "words" in found["detail"]
    # More passages than an export takes, past gunicorn's highest limit: the app says how many.
    export = "/api/export?format=ris&ids=" + ",".join(
        f"shapingba-2020-four-highs:p{number:03d}" for number in range(300)
    )
    assert len(export) > 8190
    status, said = problem(export)
    assert status == 400 and "at most 100" in said["detail"]
    # The longest valid request, an export of 100 passages of the longest report ids (none here).
    longest = "/api/export?format=ris&ids=" + urllib.parse.quote(
        ",".join(f"{'𠮷' * 80}:p{number:03d}" for number in range(100))
    )
    assert len(longest) > 90_000
    status, said = problem(longest)
    assert status == 400 and "no passage with id" in said["detail"]
    # Past the longest valid URL: the app's own 414.
    status, said = problem("/api/search?q=" + "a" * MAX_URL_BYTES)
    assert status == 414 and f"at most {MAX_URL_BYTES:,}" in said["detail"]
    connection.close()


def test_a_head_past_the_cap_is_refused_at_once(address):
    cap = request_framing.MAX_HEAD_BYTES
    long_line = f"GET /api/search?q={'a' * cap} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    many_fields = http_request(
        "/healthz", *(f"X-Field-{number}: {'f' * 8000}" for number in range(cap // 8000 + 1))
    )
    for request, status in [(long_line, 414), (many_fields, 431)]:
        statuses, took, answer = exchange(address, request)
        assert statuses == [status], answer[:300]
        assert b"Content-Type: application/problem+json" in answer and took < 2


CHUNKED_WITH_TRAILERS = http_request(
    "/api/reports",
    "Transfer-Encoding: gzip, chunked",
    body=b"a\r\n0123456789\r\n0\r\nX-Checked: yes\r\n\r\n",
)


@pytest.mark.parametrize(
    "request_bytes",
    [
        SEARCH,
        *(request for request, statuses in WITH_BODIES if len(statuses) == 1),
        CHUNKED_WITH_TRAILERS,
    ],
    ids=["search", "length", "chunked", "expect", "trailers"],
)
def test_a_request_arriving_a_byte_at_a_time_is_handed_over_at_its_last_byte(request_bytes):
    framing = request_framing.RequestFraming(body_limit=2**20)
    received = bytearray()
    for byte in request_bytes + b"GET /next HTTP/1.1\r\n":
        received.append(byte)
        if (length := framing.length(received)) is not None:
            break
    assert (length, len(received)) == (len(request_bytes), len(request_bytes))


@pytest.mark.parametrize(
    "head",
    [
        b"GET / HTTP/1.1\r\nContent-Length: 1001\r\n\r\n",
        b"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n",
        b"GET / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
        b"GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"GET / HTTP/1.1\nHost: x\n\n",
    ],
    ids=["body past the limit", "two lengths", "chunked not last", "chunked HTTP/1.0", "bare LF"],
)
def test_a_head_the_loop_cannot_frame_is_handed_over_at_once(head):
    # The parser answers it (400, or the app's 413) from what came, and never waits for more.
    framing = request_framing.RequestFraming(body_limit=1000)
    assert framing.length(bytearray(head + b"x")) == len(head) + 1
