"""The query side of search by meaning: the query's vector (embedded once, cached), the passages
nearest to it, and what the semantic side can do now.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import numpy as np
from shuangyu.index.engines import seam as tree
from shuangyu.index.semantic.embedding import Embedder, EmbedderError
from shuangyu.search.opened import OpenIndex, Reader
from shuangyu.search.query import parse
from shuangyu.search.ranking import Rankings, with_content
from shuangyu.search.semantic import Neighbour, VectorIndex

# The passages nearest in meaning that a query may gain: no more, so that a loose meaning never
# floods the matches of its words (5, 10 and 20 measured: bench/calibrate.py --fusion).
SEMANTIC_CANDIDATES = 10
# The passages offered apart from the results: the nearest in meaning when a Chinese query
# matches nothing, or those with some words of a query with a word no passage has.
RELATED_COUNT = 5
# Query vectors kept (a query is embedded once, 6-10 ms).
QUERY_VECTOR_CACHE_SIZE = 1024


class QueryVectors:
    """The vectors of queries by ``embedder`` (``None``: words alone), cached; once the
    embedder fails, ``problem`` says why and the search goes on by words alone. Safe to share
    between threads."""

    def __init__(self, embedder: Embedder | None):
        self.embedder = embedder
        self.problem = ""
        self._lock = threading.Lock()
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()

    @property
    def model(self) -> str | None:
        """The model that embeds the queries, while it can (``None``: none)."""
        return self.embedder.name if self.embedder is not None and not self.problem else None

    def status(self, opened: OpenIndex) -> dict[str, Any]:
        """What the semantic side of ``opened`` can do now (``search.semantic.status``)."""
        if self.problem and self.embedder is not None:
            return {"state": "unavailable", "model": self.embedder.name, "note": self.problem}
        return opened.semantic_status(self.model)

    def embeds(self, text: str) -> bool:
        """Whether query ``text`` has its vector: False once the embedder has failed (told by
        ``status`` from then on; the search goes on by words)."""
        try:
            self.vector(text)
        except EmbedderError as error:
            self.problem = str(error)
            return False
        return True

    def vector(self, text: str) -> np.ndarray:
        """The embedding of the words of query ``text`` (its syntax left out), cached."""
        assert self.embedder is not None, "no embedder: check ``model`` first"
        parsed = parse(text)
        words = " ".join(term.text for group in parsed.groups for term in group)
        with self._lock:
            vector = self._vectors.get(words)
            if vector is not None:
                self._vectors.move_to_end(words)
                return vector
        vector = self.embedder.queries([words])[0]
        with self._lock:
            self._vectors[words] = vector
            while len(self._vectors) > QUERY_VECTOR_CACHE_SIZE:
                self._vectors.popitem(last=False)
        return vector

    def neighbours(
        self, vectors: VectorIndex, text: str, report: str | None, count: int
    ) -> list[Neighbour]:
        """The ``count`` passages nearest in meaning to ``text`` (of ``report`` alone when given)."""
        return vectors.nearest(self.vector(text), count, report)


def allowed(
    rankings: Rankings, reader: Reader, compiled, neighbours: list[Neighbour]
) -> list[Neighbour]:
    """``neighbours`` less those that hold a word the query excludes (``-word``)."""
    if compiled.excluded is None or not neighbours:
        return neighbours
    found = rankings.search(
        reader,
        tree.All([compiled.excluded, with_content([n.content for n in neighbours])]),
        len(neighbours),
        None,
        counted=False,
    )
    excluded = {reader.engine.stored(doc)["content_hash"] for doc, _ in found.top}
    return [neighbour for neighbour in neighbours if neighbour.content not in excluded]


def semantic_state(semantic: dict[str, Any]) -> str:
    """What a semantic status (``search.semantic.status``) says, in a line for the user."""
    state = semantic["state"]
    if state == "embedding":
        return f"they are being made ({semantic['done']} of {semantic['total']} passages); try again soon"
    if state == "off":
        return "the semantic side is off (no embedder)"
    if state == "missing":
        return "this index has none yet: run `shuangyu build`"
    return semantic.get("note", "they cannot be used")
