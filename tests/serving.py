"""`shuangyu serve` as a user starts it, for tests that talk to it over loopback: started on a
free port (or on port 0, taking the port it says it serves on), waited for, and always stopped
(terminate, then kill), whatever the test's parent does with SIGINT."""

from __future__ import annotations

import contextlib
import queue
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

from tests.paths import REPOSITORY_ROOT

STOP_SECONDS = 20


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    """Return once ``url`` answers 200; raise when it has not within ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)


def stop(process: subprocess.Popen) -> None:
    """Stop ``process``: SIGTERM (the server finishes what it is answering), then SIGKILL
    when it has not ended within STOP_SECONDS."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def serving(env: dict, *options: str, seconds: float = 120, cwd=REPOSITORY_ROOT) -> Iterator[str]:
    """`shuangyu serve` in ``env`` (with ``options``) on a free loopback port: its base URL
    once it answers /healthz, the server stopped afterwards."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "shuangyu.web.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            *options,
        ],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/healthz", seconds=seconds)
        yield base
    finally:
        stop(process)


# The line `shuangyu serve` prints once it listens: its address and what serves.
SERVING_LINE = re.compile(r"serving on (http://127\.0\.0\.1:\d+)/ \((.+?)\)")


@dataclass
class Served:
    """A running `shuangyu serve`: its base URL, what its line says serves (``gunicorn: 2 worker
    processes of 8 threads each``), its process, and what it prints (stdout and stderr), line by
    line, read to the end by ``reader``."""

    base: str
    server: str
    process: subprocess.Popen
    output: list[str]
    reader: threading.Thread


@contextlib.contextmanager
def serving_any_port(
    env: dict, *options: str, seconds: float = 120, cwd=REPOSITORY_ROOT
) -> Iterator[Served]:
    """`shuangyu serve --port 0` in ``env`` (with ``options``): the address it says it serves
    on, once that answers /healthz; the server stopped afterwards."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "shuangyu.web.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            *options,
        ],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    announced: queue.Queue[re.Match | None] = queue.Queue()

    def read() -> None:
        # To the end, so that the server never blocks on a full pipe.
        for line in process.stdout:
            output.append(line)
            if match := SERVING_LINE.search(line):
                announced.put(match)
        announced.put(None)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        try:
            match = announced.get(timeout=seconds)
        except queue.Empty:
            raise TimeoutError(
                f"shuangyu serve said nothing of serving in {seconds} s: {''.join(output)!r}"
            ) from None
        if match is None:
            raise RuntimeError(f"shuangyu serve ended before serving: {''.join(output)!r}")
        wait_for(match.group(1) + "/healthz", seconds=seconds)
        yield Served(match.group(1), match.group(2), process, output, reader)
    finally:
        stop(process)
        # The pipe ends once no process holds it (a worker process holds it as long as it lives).
        reader.join(timeout=STOP_SECONDS)
        if not reader.is_alive():
            process.stdout.close()
