"""Serving in several processes: gunicorn's pre-fork master and its threaded workers.

Whoosh is pure Python, so the threads of one process answer one search at a time (the GIL); a
second process answers a second. Each worker makes the app itself, after the fork, so each opens
its own index files: Whoosh readers and file handles shared across a fork would move each
other's file positions and read garbage. Linux only (``shuangyu serve`` uses waitress elsewhere).
"""

from __future__ import annotations

import errno
import math
import selectors
import sys
import time
from collections.abc import Callable
from functools import partial
from typing import NoReturn

from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import TConn, ThreadWorker

# How long a stopping worker may finish the requests it holds (a search is bounded by its time
# budget, 2 s by default) before the master kills it.
GRACEFUL_STOP_SECONDS = 10


class PollingThreadWorker(ThreadWorker):
    """gunicorn's gthread worker, except that a new connection waits for its first request in
    the worker's poller, as a kept-alive connection does, not in a thread. gthread gives a new
    connection a thread for up to 5 s before it moves it to the poller: a hundred connections
    that send nothing held a real request up for a minute. A connection that sends nothing is
    closed after ``keepalive`` seconds, as gthread closes the ones it moved."""

    def accept(self, listener) -> None:
        try:
            client, address = listener.accept()
        except OSError as error:
            if error.errno in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                return
            raise
        self.nr_conns += 1
        connection = TConn(self.cfg, client, address, listener.getsockname())  # non-blocking until a thread takes it
        connection.timeout = time.monotonic() + self.cfg.keepalive
        self.pending_conns.append(connection)
        self.poller.register(connection.sock, selectors.EVENT_READ, partial(self.on_pending_socket_readable, connection))


def serve_prefork(make_app: Callable[[], object], *, workers: int, host: str, port: int, threads: int,
                  connection_limit: int, channel_timeout: int, trusted_proxy: str | None,
                  announce: Callable[[int, str], None], on_stop: Callable[[], None]) -> NoReturn:
    """Serve with a gunicorn master and ``workers`` worker processes of ``threads`` threads, each
    worker calling ``make_app()`` once forked. Once listening, the master calls
    ``announce(port, what serves)`` with the port it has (the system's choice for port 0).
    Never returns: the process exits when the master stops (SIGINT or SIGTERM), after
    ``on_stop()``; the workers stop with it, and a worker whose master died stops by itself.
    ``trusted_proxy`` is believed as ``trusting_proxy`` says."""
    shown_host = f"[{host}]" if ":" in host else host

    def when_ready(arbiter) -> None:
        announce(arbiter.LISTENERS[0].sock.getsockname()[1], f"gunicorn: {workers} worker processes of {threads} threads each")
        # Flushed before the workers fork, so that none inherits the line and prints it again.
        sys.stdout.flush()

    settings = {
        "bind": [f"{shown_host}:{port}"],
        "workers": workers,
        "worker_class": PollingThreadWorker,
        "threads": threads,
        # The limit is the server's: each worker takes its share, and a worker at its share stops
        # accepting, so the others take the next connections.
        "worker_connections": math.ceil(connection_limit / workers),
        "keepalive": channel_timeout,
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
