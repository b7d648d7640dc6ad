"""The Whoosh engine's writer: adds passages (in two worker processes for a large build) and
deletes a report's passages; all visible at once on commit."""

from __future__ import annotations

from shuangyu.index.workers import WorkerGuard, interrupts_deferred


class WhooshWriter:
    """Adds and deletes passages; ``commit`` makes them visible at once, ``cancel`` drops them."""

    def __init__(self, ix, parallel: bool):
        self._ix = ix
        self._parallel = parallel
        # Whoosh's worker processes die with the build while the writer lives.
        self._guard = WorkerGuard()
        self._writer = ix.writer(limitmb=256, procs=2 if parallel else 1, multisegment=parallel)

    def delete_report(self, report_id: str) -> None:
        self._writer.delete_by_term("report_id", report_id)

    def add(self, analysed: dict) -> None:
        if len(getattr(self._writer, "tasks", ())) < getattr(self._writer, "procs", 0):
            # Whoosh's multiprocess writer forks its processes in the first adds.
            with interrupts_deferred():
                self._writer.add_document(**analysed)
        else:
            self._writer.add_document(**analysed)

    def commit(self, merge: bool = True) -> None:
        """Commit; a small update (``merge=False``) adds a segment without merging, so it is quick."""
        try:
            self._writer.commit(merge=merge)
        finally:
            self._close()

    def cancel(self) -> None:
        """End the writer's worker processes (Whoosh's own ``cancel`` leaves them waiting for
        work forever) and drop what was not committed (the index stays at its last generation)."""
        writer = self._writer
        for task in getattr(writer, "tasks", ()):
            task.terminate()
            task.join()
        if hasattr(writer, "jobqueue"):
            # Nobody will read what is left in the queue: exit without waiting to flush it.
            writer.jobqueue.cancel_join_thread()
        if not writer.is_closed:
            writer.cancel()
        self._close()

    def _close(self) -> None:
        self._ix.close()
        self._guard = None
