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

import ctypes
import gc
import math
import sys
from collections.abc import Callable
from typing import NoReturn

from gunicorn.app.base import BaseApplication
from shuangyu.web.polling_worker import PollingThreadWorker
from werkzeug.middleware.proxy_fix import ProxyFix

# How long a stopping worker may finish the requests it holds (a search is bounded by its time
# budget, 2 s by default) before the master kills it.
GRACEFUL_STOP_SECONDS = 10


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
        # The master's objects (the modules, pypinyin's and the dictionary's tables) out of the
        # collector's reach: a worker's collections would otherwise write to every one of them
        # and copy the pages it shares with the master into its own memory.
        gc.freeze()
        fewer_malloc_arenas()

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


# glibc's malloc makes up to 8 arenas a core, one for each thread that finds the others busy,
# and keeps their freed memory: a worker of 8 threads held about 27 MB more than with 2
# (bench/perf.py, 100,000 passages). Python's small objects come from its own allocator.
MALLOC_ARENAS = 2
_M_ARENA_MAX = -8  # glibc's malloc.h


def fewer_malloc_arenas() -> None:
    """Limit glibc's malloc to ``MALLOC_ARENAS`` arenas in this process and those it forks after
    (as MALLOC_ARENA_MAX would, read only at a process's start); nothing where the C library is
    not glibc."""
    try:
        ctypes.CDLL(None).mallopt(_M_ARENA_MAX, MALLOC_ARENAS)
    except (OSError, AttributeError):
        pass  # not glibc (musl, macOS): its allocator is left as it is


def trusting_proxy(app, proxy: str):
    """``app`` behind a reverse proxy at the address ``proxy`` ('*': any), as waitress's
    ``trusted_proxy`` does: from that address the client address is the last of
    X-Forwarded-For and the scheme X-Forwarded-Proto (one hop); from any other address both
    headers are dropped."""
    believing = ProxyFix(app, x_for=1, x_proto=1, x_host=0, x_port=0, x_prefix=0)

    def serve(environ, start_response):
        if proxy == "*" or environ.get("REMOTE_ADDR") == proxy:
            return believing(environ, start_response)
        environ.pop("HTTP_X_FORWARDED_FOR", None)
        environ.pop("HTTP_X_FORWARDED_PROTO", None)
        return app(environ, start_response)

    return serve
