"""Run queries against the current index and shape the results (each result a search.records.Result).

One ``Searcher`` per process: opening an index is costly, so it is opened once and
reopened only when ``shuangyu build`` has switched in a new index (``search.opened``). A search
is answered by ``search.answer``, from rankings cached by ``search.ranking``; whole responses
are cached by ``search.response_cache``.

Its parameters are validated where they enter (``web.params``, the command line's options):
a Searcher trusts the limit, offset, sort and mode it is given.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, get_args

from shuangyu.index.engines.cluster import NO_CLUSTER, Cluster
from shuangyu.index.engines.manifest import Manifest, ReportEntry
from shuangyu.index.engines.schema import StoredPassage
from shuangyu.index.engines.store import IndexUnavailable
from shuangyu.index.english.dictionary import Dictionary
from shuangyu.index.english.gloss import pinyin_stems
from shuangyu.index.semantic.embedding import Embedder
from shuangyu.search.answer import Services, answer
from shuangyu.search.corrected import answer_spelt_right
from shuangyu.search.fusion import RRF_K, SEMANTIC_WEIGHT
from shuangyu.search.hybrid import Fusion
from shuangyu.search.meaning import SEMANTIC_CANDIDATES, QueryVectors
from shuangyu.search.opened import OpenIndex, OpenIndexes
from shuangyu.search.query import WEIGHTS
from shuangyu.search.ranking import Rankings
from shuangyu.search.response_cache import ResponseCache

# Builds a Searcher keeps open: the current one, and the previous one until the searches that
# started on it end. Each has its own Language (segmenter and caches), closed with it.
OPEN_BUILDS = 2
MAX_LIMIT = 100
MAX_OFFSET = 10_000
# How results are ordered: by relevance, or by their report's date (newest first; then by relevance).
Sort = Literal["relevance", "date", "oldest"]
SORTS: tuple[Sort, ...] = get_args(Sort)
# How results are found: by their words and their meaning (hybrid: the default, where the index
# has vectors), by their words alone (lexical), or by their meaning alone (semantic).
Mode = Literal["hybrid", "lexical", "semantic"]
MODES: tuple[Mode, ...] = get_args(Mode)
# How long one search may walk its matches before it answers with what it has (``partial``).
TIME_BUDGET_SECONDS = 2.0
# Matches counted exactly by default; past them an engine may answer "at least" (Elasticsearch's
# `track_total_hits` default).
EXACT_UP_TO = 10_000
# A search still running this many budgets (plus a grace for a slow machine) after it started
# is stuck: its walk would have stopped long before.
STUCK_AFTER_BUDGETS = 5
STUCK_GRACE_SECONDS = 5.0
# Searches that run at once, each with its own reader of the index.
MAX_READERS = 4
# Responses average about 80 KB (ten results with both texts): 256 of them hold about 20 MB.
RESULT_CACHE_SIZE = 256


class Searcher:
    """Searches the current index of ``index_dir``; safe to share between threads. Its words
    are looked up in ``dictionary`` (the instance folder's, ``index.english.dictionary``).

    ``time_budget`` (seconds) bounds the walk over one query's matches: past it the search
    answers what it has ranked so far, marked ``partial``. ``max_readers`` is how many searches
    run at once (each on its own reader of the index; more wait for one to be free). A search
    running longer than ``stuck_after`` seconds is reported stuck by ``health()``. An index
    built by the opensearch engine is read in ``cluster``. A search of more than
    ``exact_up_to`` matches (``None``: never) may answer "at least" that many, with estimated
    counts per report, where the engine would otherwise walk every match to count it.
    """

    def __init__(
        self,
        index_dir: Path,
        dictionary: Dictionary,
        cache_size: int = RESULT_CACHE_SIZE,
        time_budget: float = TIME_BUDGET_SECONDS,
        max_readers: int = MAX_READERS,
        stuck_after: float | None = None,
        weights: Mapping[str, float] = WEIGHTS,
        embedder: Embedder | None = None,
        fusion_k: float = RRF_K,
        semantic_weight: float = SEMANTIC_WEIGHT,
        semantic_candidates: int = SEMANTIC_CANDIDATES,
        cluster: Cluster = NO_CLUSTER,
        exact_up_to: int | None = EXACT_UP_TO,
    ):
        self.index_dir = Path(index_dir)
        # The dictionary of the instance folder, which each open build's Language looks words up in.
        self.dictionary = dictionary
        self.time_budget = time_budget
        self.stuck_after = (
            time_budget * STUCK_AFTER_BUDGETS + STUCK_GRACE_SECONDS
            if stuck_after is None
            else stuck_after
        )
        self.max_readers = max_readers
        self._indexes = OpenIndexes(self.index_dir, dictionary, max_readers, OPEN_BUILDS, cluster)
        # What embeds the queries for the semantic side (None: words alone), how the two
        # rankings are fused (``search.fusion``) and the field weights of its queries
        # (``search.query``): a Searcher's caches hold rankings made with its own.
        self._services = Services(
            rankings=Rankings(cache_size, time_budget, exact_up_to),
            meaning=QueryVectors(embedder),
            weights=dict(weights),
            fusion=Fusion(fusion_k, semantic_weight, semantic_candidates),
        )
        self._responses = ResponseCache(cache_size)
        self._lock = threading.Lock()
        self._running: dict[int, float] = {}  # searches under way: thread id -> start

    def _current(self) -> OpenIndex:
        """The open index (``IndexUnavailable`` when there is none)."""
        return self._indexes.current()

    def close(self) -> None:
        """Close the open index files."""
        self._indexes.close()

    @property
    def manifest(self) -> Manifest:
        """The manifest of the current build (``IndexUnavailable`` when there is none)."""
        return self._current().manifest

    def health(self) -> dict[str, Any]:
        """Searches under way and how long the oldest has run; ``stuck`` when one has run far
        past its time budget (the walk stops at the budget: what is left is not the walk)."""
        now = time.perf_counter()
        with self._lock:
            started = list(self._running.values())
        longest = max((now - start for start in started), default=0.0)
        return {
            "searches_running": len(started),
            "longest_search_ms": round(longest * 1000, 1),
            "stuck": longest > self.stuck_after,
        }

    def search(
        self,
        text: str,
        limit: int = 10,
        offset: int = 0,
        lang: str = "auto",
        report: str | None = None,
        sort: Sort = "relevance",
        mode: Mode = "hybrid",
        reports: int | None = None,
    ) -> dict[str, Any]:
        """Search; return the response object of the JSON contract. ``limit`` (1 to
        ``MAX_LIMIT``) results from ``offset`` (0 to ``MAX_OFFSET``). ``sort`` (``SORTS``) orders
        the same results by relevance, or by their report's date (``newest_first``), each
        report's by relevance. ``mode`` (``MODES``) says what finds them: ``hybrid`` adds the
        passages nearest in meaning to a query with English words (and offers them as
        ``related`` when a Chinese query matches nothing), where the index has vectors and the
        order is by relevance; ``lexical`` the words alone; ``semantic`` the meaning alone.
        ``reports`` is how many reports to list, those with the most results (``None``: every
        report with results; ``reports_more`` says how many are left out).

        Raises ``QueryError`` for a query the user must change, and ``IndexUnavailable`` when
        there is no usable index.
        """
        started = time.perf_counter()
        opened = self._current()
        meaning = self._services.meaning
        vectors = opened.vectors(meaning.model)
        # What the search is asked, past its text, in the order ``answer`` takes it.
        asked = (limit, offset, lang, report, sort, mode)
        key = (opened.generation, opened.vectors_key, text, *asked, reports)
        cached = self._responses.get(key, opened)
        if cached is not None:
            return {
                **cached,
                "semantic": meaning.status(opened),
                "took_ms": round((time.perf_counter() - started) * 1000, 2),
            }
        thread = threading.get_ident()
        with self._lock:
            self._running[thread] = started
        try:
            with opened.reading() as reader:

                def answering(typed: str) -> dict[str, Any]:
                    return answer(
                        self._services, opened, reader, vectors, typed, *asked, started, reports
                    )

                response = answer_spelt_right(answering, reader.suggester, text, lang)
        finally:
            with self._lock:
                self._running.pop(thread, None)
        if not response["partial"]:
            self._responses.keep(key, response, opened)
        return response

    def semantic_status(self) -> dict[str, Any]:
        """What the semantic side of the current index can do now (``search.semantic.status``)."""
        return self._services.meaning.status(self._current())

    def has_index(self) -> bool:
        """True when there is an index to search (``manifest`` would not raise)."""
        try:
            self._current()
        except IndexUnavailable:
            return False
        return True

    def warm(self) -> None:
        """Open the index, load its segmenter, make the dictionary file and build the suggestion
        word lists now, not on a user's request."""
        opened = self._current()
        self.dictionary.ensure()
        opened.language.warm()
        pinyin_stems()
        with opened.reading() as reader:
            reader.suggester.warm()

    def complete(self, prefix: str) -> list[dict[str, str]]:
        """Autocomplete: corpus words and names starting with ``prefix`` (see ``search.suggest``)."""
        with self._current().reading() as reader:
            return reader.suggester.complete(prefix)

    def passage(self, passage_id: str) -> dict[str, Any] | None:
        """A passage's stored fields with the ids of its neighbours, or ``None`` when unknown."""
        with self._current().reading() as reader:
            fields = reader.engine.document(passage_id)
            if fields is None:
                return None
            ordinal = fields["ordinal"]
            around = reader.engine.report_passages(fields["report_id"], ordinal - 1, ordinal + 1)
        neighbours = {passage["ordinal"]: passage["id"] for passage in around}
        return {
            **fields,
            "previous_id": neighbours.get(ordinal - 1),
            "next_id": neighbours.get(ordinal + 1),
        }

    def report_passages(
        self, report_id: str, first: int = 1, count: int | None = None
    ) -> list[StoredPassage]:
        """The passages of a report in reading order, from ordinal ``first``, at most ``count``
        of them (all with ``None``); empty when the report is unknown."""
        last = None if count is None else first + count - 1
        with self._current().reading() as reader:
            return reader.engine.report_passages(report_id, first, last)

    def report(self, report_id: str) -> ReportEntry | None:
        """A report's metadata from the manifest, or ``None`` when unknown."""
        return self.manifest.report(report_id)
