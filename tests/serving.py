"""`shuangyu serve` as a user starts it, for tests that talk to it over loopback: started on a
free port, waited for, and always stopped (terminate, then kill), whatever the test's parent
does with SIGINT."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

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
    process = subprocess.Popen([sys.executable, "-m", "shuangyu.web.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                                *options], cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/healthz", seconds=seconds)
        yield base
    finally:
        stop(process)
