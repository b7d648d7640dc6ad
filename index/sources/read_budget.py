"""Read one received file within a budget of time, memory and text, whatever the file holds.

A PDF, Word or web page reader runs library code on bytes from anywhere: pdfminer follows a
reference loop for ever, one drawn string or nested form costs gigabytes, a small DOCX unpacks
to hundreds of megabytes of XML. None of that can be stopped from inside the library, so each
such file is read in a forked process of its own, with its address space capped
(``RLIMIT_AS``) and killed when its time is up: a file past its budget is skipped with a
message naming the budget, and the build goes on and ends.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import signal
from collections.abc import Callable
from dataclasses import dataclass

from shuangyu.index.sources.formats import Extracted, UnreadableFile
from shuangyu.index.workers import can_fork_workers, die_with_parent


@dataclass(frozen=True)
class ReadBudget:
    """What reading one file may cost. ``seconds``: wall-clock time for its reader, and as much
    again for each MB of the file (``seconds_for``: a 3 MB, 300-page report reads in about 20 s
    on a busy core, a 249-byte file that loops is stopped after ``seconds``); ``memory_bytes``:
    memory its reader may take beyond what the build already holds; ``max_chars``: characters
    of text one report may have (a thousand-page book has about a million; a longer text is a
    fault, not a report)."""

    seconds: float = 10.0
    memory_bytes: int = 512 * 2**20
    max_chars: int = 5_000_000

    def seconds_for(self, size: int) -> float:
        """The time budget of a file of ``size`` bytes."""
        return self.seconds * (1 + size / 2**20)


DEFAULT_BUDGET = ReadBudget()


def read_within(reader: Callable[[bytes], Extracted], raw: bytes, budget: ReadBudget) -> Extracted:
    """``reader(raw)`` run in a child process within ``budget``; raise ``UnreadableFile`` (the
    reader's own, or one naming the budget the file went past) instead of hanging or taking
    the machine's memory. Where processes cannot be forked (``can_fork_workers``), the reader
    runs here, with only the text budget."""
    if not can_fork_workers():
        return _within_text_budget(reader(raw), budget)
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(
        target=_read_in_child, args=(reader, raw, budget, sending, os.getpid()), daemon=True
    )
    child.start()
    sending.close()
    seconds = budget.seconds_for(len(raw))
    try:
        if not receiving.poll(seconds):
            raise UnreadableFile(
                f"reading it took longer than its budget of {seconds:.0f} s (a PDF that loops, or far more "
                "work than a report needs); skipped"
            )
        try:
            kind, value = receiving.recv()
        except EOFError:
            child.join(5)
            raise UnreadableFile(_death(child.exitcode, budget)) from None
    finally:
        receiving.close()
        if child.is_alive():
            child.kill()
        child.join()
    if kind == "unreadable":
        raise UnreadableFile(value)
    return value


def _read_in_child(
    reader: Callable[[bytes], Extracted], raw: bytes, budget: ReadBudget, sending, parent: int
) -> None:
    """The child's side: cap the address space at what the build holds plus the budget, read,
    send the text back or the reason it could not be read."""
    die_with_parent(parent)
    # What a library prints as it runs out of memory ("Fatal Python error: ...") is no news to
    # the operator: the parent names the file and the budget.
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 2)
    limit = _address_space() + budget.memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (limit, resource.RLIM_INFINITY))
    out_of_memory = (
        "unreadable",
        f"reading it needed more memory than its budget of {budget.memory_bytes // 2**20} MB "
        "(a drawing or archive that unpacks to far more than a report); skipped",
    )
    try:
        message = ("text", _within_text_budget(reader(raw), budget))
    except UnreadableFile as error:
        # A library that meets the limit may say anything (lxml: a syntax error; pdfminer wrapped
        # as a corrupt file): a reader that came within a few MB of it ran out of memory.
        message = (
            out_of_memory if _peak_address_space() > limit - _MARGIN else ("unreadable", str(error))
        )
    except MemoryError:
        message = out_of_memory
    except RecursionError:
        message = ("unreadable", "its structure nests too deeply to read; skipped")
    try:
        sending.send(message)
    except MemoryError:
        os._exit(1)
    sending.close()
    os._exit(0)  # no atexit handlers: they belong to the parent


def _within_text_budget(extracted: Extracted, budget: ReadBudget) -> Extracted:
    if len(extracted.text) > budget.max_chars:
        raise UnreadableFile(
            f"a text of {len(extracted.text):,} characters, more than the {budget.max_chars:,} a report may have; skipped"
        )
    return extracted


def _address_space() -> int:
    """This process's virtual memory size in bytes (what ``RLIMIT_AS`` counts)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


# How near the limit a failed reader's peak must come to count as out of memory.
_MARGIN = 32 * 2**20


def _peak_address_space() -> int:
    """The most virtual memory this process has had, in bytes (``VmPeak``)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmPeak:"):
                return int(line.split()[1]) * 1024
    return 0


def _death(exitcode: int | None, budget: ReadBudget) -> str:
    """Why a reader ended without an answer."""
    if exitcode is not None and exitcode < 0:
        name = signal.Signals(-exitcode).name
        return f"its reader was ended by {name}, most likely past its memory budget of {budget.memory_bytes // 2**20} MB; skipped"
    return f"its reader ran out of its memory budget of {budget.memory_bytes // 2**20} MB; skipped"
