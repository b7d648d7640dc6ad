"""Serving in several processes: gunicorn's pre-fork master and its threaded workers.

Whoosh is pure Python, so the threads of one process answer one search at a time (the GIL); a
second process answers a second. Each worker makes the app itself, after the fork, so each opens
its own index files: Whoosh readers and file handles shared across a fork would move each
other's file positions and read garbage. Linux only (``shuangyu serve`` uses waitress elsewhere).

A worker's threads never wait on a client: its loop receives each request whole (head and body)
before a thread parses it, answers a request that has not arrived within
``READ_DEADLINE_SECONDS`` itself, and closes connections without waiting for the client either.
"""

from __future__ import annotations

import errno
import json
import math
import selectors
import socket
import sys
import time
from collections import deque
from collections.abc import Callable
from functools import partial
from typing import NoReturn

from gunicorn import http, util
from gunicorn.app.base import BaseApplication
from gunicorn.http.errors import NoMoreData
from gunicorn.http.unreader import Unreader
from gunicorn.workers.gthread import STOP_KEEPALIVE_LINGER, TConn, ThreadWorker

# How long a stopping worker may finish the requests it holds (a search is bounded by its time
# budget, 2 s by default) before the master kills it.
GRACEFUL_STOP_SECONDS = 10
# How long a request may take to arrive whole, from its first byte: the API's requests are a
# line and a few headers, sent in one go by any client. One that has not arrived by then is
# answered 408 and closed: the loop holds it cheaply, but a client may as well learn why.
READ_DEADLINE_SECONDS = 10
# The largest request head (request line and header fields) a worker receives, waitress's own
# limit: the app answers every URL up to its MAX_URL_BYTES (128 KiB; the longest valid request,
# an export of 100 passages of the longest report ids, is up to 98 KB), and its 414 past it. A
# larger head is answered here, unread: 414 when its request line alone is larger, else 431.
MAX_HEAD_BYTES = 256 * 1024
# The most one read from a client takes.
RECEIVE_BYTES = 64 * 1024
# A closed connection is read until the client closes it too, as RFC 9112 section 9.6 asks (the
# last answer could otherwise be lost to a reset), for this long and this much at most, as
# gunicorn's ``util.close_graceful`` does; in the worker's loop, not blocking it.
LINGER_SECONDS = 2
LINGER_BYTES = 64 * 1024


class HeadTooLarge(Exception):
    """A request head past MAX_HEAD_BYTES: the answer's status and reason say which part."""

    def __init__(self, status: int, reason: str, detail: str):
        super().__init__(detail)
        self.status, self.reason, self.detail = status, reason, detail


class RequestFraming:
    """Where the request at the start of a connection's received bytes ends, found as they
    arrive, as gunicorn's parser frames it: the head up to its empty line, then Content-Length
    bytes of body, or a chunked body up to its last chunk and trailers. A head it cannot frame
    (malformed, or with a body past ``body_limit``) is the parser's to answer at once: the
    parser reads nothing but what was received, so a misjudged request is closed, never waited
    for."""

    def __init__(self, body_limit: int):
        self.body_limit = body_limit
        self.searched = 0  # where the search for the head's end resumes
        self.body_start: int | None = None
        self.end: int | None = None  # past the whole request, once the head says where
        self.next_chunk: int | None = None  # the next chunk-size line of a chunked body
        self.chunked_bytes = 0
        self.expects_continue = False

    def length(self, data: bytearray) -> int | None:
        """How many bytes of ``data`` to give the parser now: the request, or all of ``data``
        when the parser must answer at once; None while more must arrive. Raises HeadTooLarge."""
        if self.body_start is None:
            end = data.find(b"\r\n\r\n", self.searched)
            bare_end = data.find(b"\n\n", self.searched)
            if bare_end >= 0 and (end < 0 or bare_end < end):
                return len(data)  # lines ended by a bare LF, which the parser refuses
            if end < 0 and len(data) <= MAX_HEAD_BYTES:
                self.searched = max(len(data) - 3, 0)
                return None
            if end < 0 or end + 4 > MAX_HEAD_BYTES:
                if data.find(b"\r\n", 2, MAX_HEAD_BYTES) < 0:
                    raise HeadTooLarge(
                        414,
                        "URI Too Long",
                        f"The request line is longer than {MAX_HEAD_BYTES:,} bytes.",
                    )
                raise HeadTooLarge(
                    431,
                    "Request Header Fields Too Large",
                    f"The request head is larger than {MAX_HEAD_BYTES:,} bytes.",
                )
            self.body_start = end + 4
            if not self._frame(bytes(data[:end])):
                return len(data)
        if self.end is None:  # a chunked body, whose end is known once its last chunk is in
            self.end = self._chunked_end(data)
        if self.end is not None:
            return self.end if len(data) >= self.end else None
        # Chunk-size lines and trailers count too, so that no body is received without bound.
        return len(data) if len(data) > self.body_start + self.body_limit + MAX_HEAD_BYTES else None

    def _frame(self, head: bytes) -> bool:
        """Take the body's framing from ``head``; False when the parser is to judge it now."""
        lines = head.removeprefix(b"\r\n").split(b"\r\n")  # the parser allows one empty line first
        http_1_1 = lines[0].endswith(b" HTTP/1.1")
        fields: dict[bytes, list[bytes]] = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            fields.setdefault(name.lower(), []).append(value.strip(b" \t"))
        lengths, codings = (
            fields.get(b"content-length", []),
            [
                coding.strip(b" \t").lower()
                for value in fields.get(b"transfer-encoding", [])
                for coding in value.split(b",")
            ],
        )
        if codings:
            if (
                lengths
                or not http_1_1
                or codings[-1] != b"chunked"
                or codings.count(b"chunked") > 1
            ):
                return False
            self.next_chunk = self.body_start
        elif not lengths:
            self.end = self.body_start
            return True
        elif len(lengths) > 1 or not lengths[0].isdigit() or int(lengths[0]) > self.body_limit:
            return False  # refused by the parser, or by the app's 413 before the body comes
        else:
            self.end = self.body_start + int(lengths[0])
        self.expects_continue = http_1_1 and [
            value.lower() for value in fields.get(b"expect", [])
        ] == [b"100-continue"]
        return True

    def _chunked_end(self, data: bytearray) -> int | None:
        """Past the last chunk and trailers of a chunked body, once received; past ``data``
        when a chunk-size line is malformed or the body is past the limit (the parser's to
        refuse); None while more must arrive."""
        while True:
            line_end = data.find(b"\r\n", self.next_chunk)
            if line_end < 0:
                return None
            digits = bytes(data[self.next_chunk : line_end]).partition(b";")[0].rstrip(b" \t")
            if not digits or digits.strip(b"0123456789abcdefABCDEF"):
                return len(data)
            size = int(digits, 16)
            if size == 0:
                trailers_end = data.find(b"\r\n\r\n", line_end)
                return trailers_end + 4 if trailers_end >= 0 else None
            self.chunked_bytes += size
            if self.chunked_bytes > self.body_limit:
                return len(data)
            self.next_chunk = line_end + 2 + size + 2


class ReceivedBytes(Unreader):
    """What the worker's loop received of a connection, for gunicorn's parser in a thread: the
    parser never reads the socket, so a thread never waits on a client. Wanting more than was
    received (a body the app refused, or one the loop misjudged) ends the connection."""

    def chunk(self, size_hint=None) -> bytes:
        raise NoMoreData(b"")


class ReceivingConn(TConn):
    """A connection with what its request has brought so far (``received``), the deadline of
    that request (from its first byte), and the collection it waits in, if any."""

    def __init__(self, cfg, sock, client, server, body_limit: int):
        super().__init__(cfg, sock, client, server)  # non-blocking
        self.received = bytearray()
        self.framing = RequestFraming(body_limit)
        self.deadline: float | None = None
        self.waiting_in: deque | None = None
        self.lingered = 0


def problem_answer(status: int, reason: str, detail: str) -> bytes:
    """A whole HTTP/1.1 answer that closes the connection, its body an RFC 9457 problem as the
    app's own errors are."""
    body = json.dumps(
        {"type": "about:blank", "title": reason, "status": status, "detail": detail}
    ).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/problem+json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


class PollingThreadWorker(ThreadWorker):
    """gunicorn's gthread worker, except that a thread never waits on a client. gthread parses a
    request in a thread, reading the socket as the request comes: forty connections sending
    their headers a byte a second held every thread, and real requests timed out. Here the
    worker's loop receives a request whole (head, then body) before a thread parses it; a new
    connection and a kept-alive one wait for it in the worker's poller. A request not whole
    ``READ_DEADLINE_SECONDS`` after its first byte is answered 408; a head past
    ``MAX_HEAD_BYTES`` 414 or 431; a body past ``body_limit`` (the app's) is not received: the
    app answers 413 to what came. A connection that sends nothing is closed after
    ``keepalive`` seconds. Plain HTTP/1.1 only (no TLS, HTTP/2 or PROXY protocol): the loop
    reads the bytes those would have to interpret first."""

    body_limit = 0  # the app's largest request body; serve_prefork sets it

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Both oldest first, so sorted by deadline: the first one is the first to expire.
        self.receiving_conns: deque[ReceivingConn] = deque()
        self.lingering_conns: deque[ReceivingConn] = deque()

    @classmethod
    def check_config(cls, cfg, log) -> None:
        super().check_config(cfg, log)
        if (
            cfg.is_ssl
            or cfg.http2_cleartext != "off"
            or cfg.protocol != "http"
            or cfg.proxy_protocol != "off"
        ):
            raise RuntimeError("PollingThreadWorker serves plain HTTP/1.1 only")

    def accept(self, listener) -> None:
        try:
            client, address = listener.accept()
        except OSError as error:
            if error.errno in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                return
            raise
        self.nr_conns += 1
        conn = ReceivingConn(self.cfg, client, address, listener.getsockname(), self.body_limit)
        conn.timeout = time.monotonic() + self.cfg.keepalive
        self._wait_in(self.pending_conns, conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self.on_readable, conn))

    def _wait_in(self, waiting: deque, conn: ReceivingConn) -> None:
        waiting.append(conn)
        conn.waiting_in = waiting

    def _stop_waiting(self, conn: ReceivingConn) -> None:
        conn.waiting_in.remove(conn)
        conn.waiting_in = None

    def on_readable(self, conn: ReceivingConn, sock) -> None:
        """Receive what a waiting connection has sent; once its request is whole, a thread
        answers it."""
        try:
            data = sock.recv(RECEIVE_BYTES)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:  # closed or reset by the client: no request will come whole
            self.poller.unregister(sock)
            self._stop_waiting(conn)
            self._close(conn)
            return
        conn.received += data
        self._receive(conn)

    def _receive(self, conn: ReceivingConn) -> None:
        """Hand the request ``conn`` has received to a thread when it is whole, answer it here
        when its head is too large, or leave it waiting for more."""
        if conn.deadline is None:  # the request's first bytes
            self._stop_waiting(conn)
            conn.deadline = time.monotonic() + READ_DEADLINE_SECONDS
            self._wait_in(self.receiving_conns, conn)
        try:
            length = conn.framing.length(conn.received)
        except HeadTooLarge as error:
            self._refuse(conn, error.status, error.reason, error.detail)
            return
        if length is None:
            if conn.framing.expects_continue:
                # Said once, before the body: gunicorn says it again when a thread takes the
                # request, which the client reads past as HTTP asks (RFC 9110 section 15.2).
                conn.framing.expects_continue = False
                self._send(conn, b"HTTP/1.1 100 Continue\r\n\r\n")
            return
        self.poller.unregister(conn.sock)
        self._stop_waiting(conn)
        request, conn.received = bytes(conn.received[:length]), conn.received[length:]
        conn.deadline, conn.framing = None, RequestFraming(self.body_limit)
        if conn.parser is None:
            # What TConn.init does for plain HTTP/1.1 (check_config refuses the rest), with
            # the parser reading only what this loop received.
            conn.parser = http.get_parser(self.cfg, conn.sock, conn.client)
            conn.parser.unreader = ReceivedBytes()
            conn.initialized = True
        conn.parser.unreader.unread(request)
        self.enqueue_req(conn)

    def _send(self, conn: ReceivingConn, data: bytes) -> None:
        """Send ``data`` (a few hundred bytes) without waiting: the socket's send buffer takes
        it whole unless the client has long stopped reading, and then it is lost with the
        connection."""
        try:
            conn.sock.send(data)
        except OSError:
            pass  # the client is gone: its next read, if any, says so

    def _refuse(self, conn: ReceivingConn, status: int, reason: str, detail: str) -> None:
        """Answer ``conn``'s request here, with ``status``, and close the connection."""
        self.poller.unregister(conn.sock)
        self._stop_waiting(conn)
        self._send(conn, problem_answer(status, reason, detail))
        self._linger(conn)

    def finish_request(self, conn: ReceivingConn, fs) -> None:
        """After a thread answered: wait for the connection's next request, or close it."""
        try:
            keep_alive = not fs.cancelled() and fs.result()
        except Exception:  # handle() answers the errors it knows; any other ends the connection
            keep_alive = False
        if not keep_alive:
            self._linger(conn)
            return
        # Bytes sent behind the request (pipelined) are the next request's start.
        conn.received[:0] = conn.parser.unreader.take_buffered()
        conn.sock.setblocking(False)
        conn.set_timeout()
        if not self.alive:
            # A stopping worker keeps the connection briefly (see ThreadWorker.run), and
            # answers a request that comes meanwhile with "Connection: close".
            conn.timeout = min(conn.timeout, time.monotonic() + STOP_KEEPALIVE_LINGER)
        self._wait_in(self.keepalived_conns, conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self.on_readable, conn))
        if conn.received:
            self._receive(conn)

    def _linger(self, conn: ReceivingConn) -> None:
        """Close ``conn`` for writing, then read and drop what the client still sends until it
        closes too (at most LINGER_BYTES for LINGER_SECONDS), in the poller."""
        try:
            conn.sock.shutdown(socket.SHUT_WR)
        except OSError:  # not connected any more, or closed already by the thread
            self._close(conn)
            return
        conn.sock.setblocking(False)
        conn.timeout = time.monotonic() + LINGER_SECONDS
        self._wait_in(self.lingering_conns, conn)
        self.poller.register(
            conn.sock, selectors.EVENT_READ, partial(self.on_lingering_readable, conn)
        )

    def on_lingering_readable(self, conn: ReceivingConn, sock) -> None:
        try:
            data = sock.recv(RECEIVE_BYTES)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        conn.lingered += len(data)
        if not data or conn.lingered >= LINGER_BYTES:
            self.poller.unregister(sock)
            self._stop_waiting(conn)
            self._close(conn)

    def _close(self, conn: ReceivingConn) -> None:
        self.nr_conns -= 1
        util.close(conn.sock)

    def murder_pending(self) -> None:
        """Close, as gthread does, new connections silent for ``keepalive`` seconds; answer 408
        to requests past their deadline; close lingering connections past theirs."""
        super().murder_pending()
        now = time.monotonic()
        while self.receiving_conns and self.receiving_conns[0].deadline <= now:
            self._refuse(
                self.receiving_conns[0],
                408,
                "Request Timeout",
                f"The request did not arrive whole within {READ_DEADLINE_SECONDS} seconds.",
            )
        while self.lingering_conns and self.lingering_conns[0].timeout <= now:
            conn = self.lingering_conns[0]
            self.poller.unregister(conn.sock)
            self._stop_waiting(conn)
            self._close(conn)


def serve_prefork(
    make_app: Callable[[], object],
    *,
    workers: int,
    host: str,
    port: int,
    threads: int,
    connection_limit: int,
    channel_timeout: int,
    max_request_body: int,
    trusted_proxy: str | None,
    announce: Callable[[int, str], None],
    on_stop: Callable[[], None],
) -> NoReturn:
    """Serve with a gunicorn master and ``workers`` worker processes of ``threads`` threads, each
    worker calling ``make_app()`` once forked. Once listening, the master calls
    ``announce(port, what serves)`` with the port it has (the system's choice for port 0).
    Never returns: the process exits when the master stops (SIGINT or SIGTERM), after
    ``on_stop()``; the workers stop with it, and a worker whose master died stops by itself.
    ``trusted_proxy`` is believed as ``trusting_proxy`` says; a request body past
    ``max_request_body`` bytes is not received (the app answers 413 first)."""
    shown_host = f"[{host}]" if ":" in host else host

    def when_ready(arbiter) -> None:
        announce(
            arbiter.LISTENERS[0].sock.getsockname()[1],
            f"gunicorn: {workers} worker processes of {threads} threads each",
        )
        # Flushed before the workers fork, so that none inherits the line and prints it again.
        sys.stdout.flush()

    settings = {
        "bind": [f"{shown_host}:{port}"],
        "workers": workers,
        "worker_class": type(
            "PollingThreadWorker", (PollingThreadWorker,), {"body_limit": max_request_body}
        ),
        "threads": threads,
        # The limit is the server's: each worker takes its share, and a worker at its share stops
        # accepting, so the others take the next connections.
        "worker_connections": math.ceil(connection_limit / workers),
        "keepalive": channel_timeout,
        # The API's valid requests (a 500-character Chinese q, percent-encoded, is 4.5 KB; an
        # export of 100 ids up to 98 KB) pass gunicorn's 4,094 bytes and its highest limit, 8,190:
        # no limit of its own (0); the worker's MAX_HEAD_BYTES bounds the whole head.
        "limit_request_line": 0,
        "graceful_timeout": GRACEFUL_STOP_SECONDS,
        # Never make the app in the master: each worker opens its own index after the fork.
        "preload_app": False,
        # Forwarded headers are believed in one place, ``trusting_proxy``; gunicorn itself trusts
        # no one (by default it takes X-Forwarded-Proto, SCRIPT_NAME and PATH_INFO from loopback).
        "forwarded_allow_ips": "",
        "forwarder_headers": "",
        # As quiet as waitress: warnings and errors on stderr, no access log.
        "loglevel": "warning",
        "accesslog": None,
        # Nothing written under $HOME, where gunicorn would open its control socket.
        "control_socket_disable": True,
        "when_ready": when_ready,
        "on_exit": lambda arbiter: on_stop(),
    }

    class Prefork(BaseApplication):
        def load_config(self) -> None:
            for name, value in settings.items():
                self.cfg.set(name, value)

        def load(self):
            app = make_app()
            return trusting_proxy(app, trusted_proxy) if trusted_proxy else app

    # gunicorn ends the master, and each worker, with sys.exit: nothing after this runs in either.
    Prefork().run()


def trusting_proxy(app, proxy: str):
    """``app`` behind a reverse proxy at the address ``proxy`` ('*': any), as waitress's
    ``trusted_proxy`` does: from that address the client address is the last of
    X-Forwarded-For and the scheme X-Forwarded-Proto (one hop); from any other address both
    headers are dropped."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    believing = ProxyFix(app, x_for=1, x_proto=1, x_host=0, x_port=0, x_prefix=0)

    def serve(environ, start_response):
        if proxy == "*" or environ.get("REMOTE_ADDR") == proxy:
            return believing(environ, start_response)
        environ.pop("HTTP_X_FORWARDED_FOR", None)
        environ.pop("HTTP_X_FORWARDED_PROTO", None)
        return app(environ, start_response)

    return serve
