"""The worker of ``web.server``: gunicorn's threaded worker, except that its threads never wait on
a client.

Its loop receives each request whole (head and body, as ``web.request_framing`` frames it) before
a thread parses it, answers a request that has not arrived within ``READ_DEADLINE_SECONDS``
itself, and closes connections without waiting for the client either.
"""

from __future__ import annotations

import errno
import json
import selectors
import socket
import time
from collections import deque
from functools import partial

from gunicorn import http, util
from gunicorn.http.errors import NoMoreData
from gunicorn.http.unreader import Unreader
from gunicorn.workers.gthread import STOP_KEEPALIVE_LINGER, TConn, ThreadWorker
from shuangyu.web.request_framing import HeadTooLarge, RequestFraming

# How long a request may take to arrive whole, from its first byte: the API's requests are a
# line and a few headers, sent in one go by any client. One that has not arrived by then is
# answered 408 and closed: the loop holds it cheaply, but a client may as well learn why.
READ_DEADLINE_SECONDS = 10


# The most one read from a client takes.
RECEIVE_BYTES = 64 * 1024
# A closed connection is read until the client closes it too, as RFC 9112 section 9.6 asks (the
# last answer could otherwise be lost to a reset), for this long and this much at most, as
# gunicorn's ``util.close_graceful`` does; in the worker's loop, not blocking it.
LINGER_SECONDS = 2
LINGER_BYTES = 64 * 1024


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
        data = _received(sock)
        if data is None:
            return
        if not data:  # closed or reset by the client: no request will come whole
            self._drop(conn)
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
        data = _received(sock)
        if data is None:
            return
        conn.lingered += len(data)
        if not data or conn.lingered >= LINGER_BYTES:
            self._drop(conn)

    def _drop(self, conn: ReceivingConn) -> None:
        """Close a connection that waits in the poller: out of the poller and its collection."""
        self.poller.unregister(conn.sock)
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
            self._drop(self.lingering_conns[0])


def _received(sock) -> bytes | None:
    """What ``sock`` has to read now: b"" when the client closed or reset it, None when there is
    nothing after all (the poller woke for nothing, or a signal interrupted the read)."""
    try:
        return sock.recv(RECEIVE_BYTES)
    except (BlockingIOError, InterruptedError):
        return None
    except OSError:
        return b""
