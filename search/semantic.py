"""The semantic side of search: the passages nearest in meaning to a query, from a build's vectors.

The vectors (``index.semantic.vectors``) are memory-mapped, so the serving processes share one copy in
the page cache, and searched exactly (a matrix product: about 2 ms at 16,000 passages, 15 ms
at 100,000). A passage printed in several reports has one vector per copy; the nearest are
listed once per text, as the lexical side lists them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from shuangyu.index.semantic.vectors import (
    FOLDER,
    MATRIX,
    META,
    ROWS,
    embedding_alive,
    read_progress,
)


class VectorsUnavailable(Exception):
    """The build's vectors cannot be used; the message says why."""


@dataclass(frozen=True)
class Neighbour:
    """A passage near the query: its id, its report, its text's hash and the cosine of the two."""

    passage_id: str
    report_id: str
    content: str  # the hash of its text (``content_hash``)
    cosine: float


class VectorIndex:
    """The vectors of one build, open (``VectorsUnavailable`` when missing or damaged)."""

    def __init__(self, build: Path):
        folder = (build / FOLDER).resolve()
        try:
            self.meta = json.loads((folder / META).read_text(encoding="utf-8"))
            rows = json.loads((folder / ROWS).read_text(encoding="utf-8"))
            self.matrix = np.load(folder / MATRIX, mmap_mode="r")
        except (OSError, ValueError) as error:
            raise VectorsUnavailable(
                f"the vectors of {build} cannot be read ({error}); run `shuangyu build` "
                "to make them again (the search by words still answers)"
            ) from None
        damaged = VectorsUnavailable(
            f"the vectors of {build} are damaged (their files disagree); run `shuangyu build` "
            "to make them again (the search by words still answers)"
        )
        if (
            not isinstance(self.meta, dict)
            or not isinstance(rows, list)
            or self.matrix.dtype != np.float32
            or self.matrix.ndim != 2
            or self.matrix.shape[0] != len(rows)
            or self.matrix.shape[1] != self.meta.get("dimensions")
            or not all(
                isinstance(row, list)
                and len(row) == 3
                and all(isinstance(part, str) for part in row)
                for row in rows
            )
        ):
            raise damaged
        self.model = self.meta.get("model", "")
        self.ids = [row[0] for row in rows]
        self.reports = [row[1] for row in rows]
        self.contents = [row[2] for row in rows]
        self._rows_of_report: dict[str, np.ndarray] = {}
        for number, report_id in enumerate(self.reports):
            self._rows_of_report.setdefault(report_id, []).append(number)
        self._rows_of_report = {
            report_id: np.asarray(numbers) for report_id, numbers in self._rows_of_report.items()
        }

    def __len__(self) -> int:
        return len(self.ids)

    def nearest(self, query: np.ndarray, count: int, report: str | None = None) -> list[Neighbour]:
        """The ``count`` passages nearest ``query`` (one L2-normalised vector), best first, each
        text once; of ``report`` alone when given."""
        rows = (
            self._rows_of_report.get(report, np.zeros(0, dtype=int)) if report is not None else None
        )
        scores = np.asarray(self.matrix @ query if rows is None else self.matrix[rows] @ query)
        # More than ``count`` are taken: a repeated text takes several of the best rows.
        taken = min(len(scores), count * 2 + 8)
        if taken == 0:
            return []
        best = np.argpartition(-scores, taken - 1)[:taken]
        best = best[np.argsort(-scores[best], kind="stable")]
        found: list[Neighbour] = []
        seen: set[str] = set()
        for position in best:
            row = int(position if rows is None else rows[position])
            if self.contents[row] in seen:
                continue
            seen.add(self.contents[row])
            found.append(
                Neighbour(
                    self.ids[row], self.reports[row], self.contents[row], float(scores[position])
                )
            )
            if len(found) == count:
                break
        return found


def status(build: Path, vectors: VectorIndex | None, problem: str, model: str | None) -> dict:
    """What the semantic side of a build can do now, for the API and the page: ``state`` is
    ``ready``, ``embedding`` (with ``done`` and ``total``), ``missing`` (the build has no
    vectors), ``unavailable`` (with ``note``) or ``off`` (no embedder)."""
    if model is None:
        return {"state": "off", "model": None}
    if vectors is not None:
        return {"state": "ready", "model": vectors.model, "passages": len(vectors)}
    progress = read_progress(build)
    if progress is not None and embedding_alive(progress):
        return {
            "state": "embedding",
            "model": model,
            "done": progress.get("done", 0),
            "total": progress.get("total", 0),
        }
    if problem:
        return {"state": "unavailable", "model": model, "note": problem}
    return {"state": "missing", "model": model}
