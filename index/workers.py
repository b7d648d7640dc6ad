"""Worker processes that die with the build that forked them, however it ends."""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import multiprocessing.pool
import multiprocessing.util
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_PR_SET_PDEATHSIG = 1
# Passages from which a build works in several processes (fewer: starting them costs more than
# it saves).
PARALLEL_FROM = 2000


def can_fork_workers() -> bool:
    """True where worker processes are forked, the only way they are known to die with their
    parent (``die_with_parent``); elsewhere (Python 3.14's forkserver default) a build uses
    one process."""
    return multiprocessing.get_start_method() == "fork"


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, where the system has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def die_with_parent(parent: int) -> None:
    """Run in a forked worker: it gets SIGKILL when ``parent`` ends, however that ends (Linux
    ``PR_SET_PDEATHSIG``), and leaves Ctrl+C to the parent, which ends its workers itself
    (each would otherwise print a traceback)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)


class WorkerGuard:
    """While it is alive, every process that multiprocessing forks (Whoosh's writer workers
    too) dies with this one (``die_with_parent``)."""

    def __init__(self) -> None:
        self.parent = os.getpid()
        # The registry holds the guard weakly: the hook goes with the guard.
        multiprocessing.util.register_after_fork(self, WorkerGuard._arm)

    def _arm(self) -> None:
        die_with_parent(self.parent)


@contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Within the block, Ctrl+C and SIGTERM wait; at its end they act as they would have.

    For code that forks: Python runs at-fork hooks (logging's among them) in the parent, and a
    signal handler that raises there (Ctrl+C's ``KeyboardInterrupt``) has its exception printed
    and dropped, so the build would go on as if never asked to stop."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread runs signal handlers
        return
    received: list[int] = []
    watched = (signal.SIGINT, signal.SIGTERM)
    previous = {
        number: signal.signal(number, lambda number, frame: received.append(number))
        for number in watched
    }
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if received:
            handler = previous[received[0]]
            if callable(handler):
                handler(received[0], None)
            elif handler == signal.SIG_DFL:
                signal.raise_signal(received[0])


@contextmanager
def forked_pool(workers: int) -> Iterator[multiprocessing.pool.Pool]:
    """A pool of ``workers`` forked processes that die with this one (``die_with_parent``),
    terminated when the block ends: at its end, on an error, on Ctrl+C (also one held back
    while the pool forked them, acted on as the fork ends)."""
    with contextlib.ExitStack() as stack:
        with interrupts_deferred():  # the pool forks its workers as it starts
            pool = stack.enter_context(
                multiprocessing.get_context("fork").Pool(
                    workers, initializer=die_with_parent, initargs=(os.getpid(),)
                )
            )
        yield pool
