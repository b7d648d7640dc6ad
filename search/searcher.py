"""Run queries against the current index and shape the results (each result a search.records.Result).

One ``Searcher`` per process: opening an index is costly, so it is opened once and
reopened only when ``shuangyu build`` has switched in a new index.
"""

from __future__ import annotations

import os
import re
import threading
import time
import weakref
from collections import Counter, OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from shuangyu.index.engines import seam as tree
from shuangyu.index.engines.seam import open_reader
from shuangyu.index.engines.store import (
    CURRENT,
    MANIFEST,
    IndexUnavailable,
    current_build,
    read_manifest,
)
from shuangyu.index.english.cedict import ensure_dictionary
from shuangyu.index.english.gloss import pinyin_of, pinyin_stems
from shuangyu.index.english.translate import GlossEngine
from shuangyu.index.semantic.embedding import Embedder, EmbedderError
from shuangyu.index.semantic.vectors import FOLDER as VECTORS_FOLDER
from shuangyu.index.sources.corpus import parse_date
from shuangyu.index.text.analysis import chinese_analyzer, english_analyzer, normalise, segmenter
from shuangyu.index.text.vocabulary import Vocabulary
from shuangyu.search.crosslingual import ReverseDictionary, english_words
from shuangyu.search.fusion import FUSED_DEPTH, MEANING, RRF_K, SEMANTIC_WEIGHT, WORDS, Fused, fuse
from shuangyu.search.highlight import english_marks_for, heading_html, paired_snippets
from shuangyu.search.marks import (
    chinese_marks,
    chinese_terms,
    english_marks,
    heading_marks,
    matched_in,
)
from shuangyu.search.query import WEIGHTS, QueryError, compile_query, parse, toneless
from shuangyu.search.records import Copy, Result, passage_fields
from shuangyu.search.semantic import Neighbour, VectorIndex, VectorsUnavailable, status
from shuangyu.search.suggest import Suggester

MAX_LIMIT = 100
# How results are ordered: by relevance, or by their report's date (newest first; then by relevance).
SORTS = ("relevance", "date", "oldest")
# How results are found: by their words and their meaning (hybrid: the default, where the index
# has vectors), by their words alone (lexical), or by their meaning alone (semantic).
MODES = ("hybrid", "lexical", "semantic")
# The passages nearest in meaning that a query may gain: no more, so that a loose meaning never
# floods the matches of its words (5, 10 and 20 measured: bench/calibrate.py --fusion).
SEMANTIC_CANDIDATES = 10
# The nearest passages shown as related in meaning when a Chinese query matches nothing.
RELATED_COUNT = 5
# A Chinese query that matches nothing is offered the passages nearest in meaning only from this
# cosine up: every no-answer Chinese query of the evaluation has its nearest passage below it (at
# most 0.873), answered ones mostly above (median 0.91); bench/calibrate.py. No cosine (nor how far
# one stands above the rest) tells an English query's answer from nothing, so an English query
# gains passages by meaning only where its words found some.
RELATED_MIN_COSINE = 0.88
# A query with this many English words that no passage has in any form matches nothing. One such
# word is often only missing from the dictionary ("fire hazards": no sense of 隐患 is "hazard"),
# and is named while the other words are searched; two seldom are: 25 of the 28 no-answer English
# queries of the evaluation have one, 10 have two or more, and 1 of 89 answerable questions has two.
UNKNOWN_WORDS_FOR_NOTHING = 2
# Query vectors kept (a query is embedded once, 6-10 ms).
QUERY_VECTOR_CACHE_SIZE = 1024
MAX_OFFSET = 10_000
# How long one search may walk its matches before it answers with what it has (``partial``).
TIME_BUDGET_SECONDS = 2.0
# A search still running this many budgets (plus a grace for a slow machine) after it started
# is stuck: its walk would have stopped long before.
STUCK_AFTER_BUDGETS = 5
STUCK_GRACE_SECONDS = 5.0
# Searches that run at once, each with its own reader of the index.
MAX_READERS = 4
# Rankings are computed and cached this many results deep at a time.
RANKING_DEPTH = 50
# Responses average about 80 KB (ten results with both texts): 256 of them hold about 20 MB.
RESULT_CACHE_SIZE = 256


def newest_first(reports: list[dict]) -> dict[str, int]:
    """A rank per report id: the newest report first (a more precise date before a bare year
    of the same year), reports without a valid date last, ties by id."""

    def key(entry: dict) -> tuple:
        parts = parse_date(entry.get("date", "")) or ()
        # Missing month and day sort after every real one of the same year (0 > -1).
        return (not parts, (*(-part for part in parts), *(0,) * (3 - len(parts))), entry["id"])

    return {entry["id"]: rank for rank, entry in enumerate(sorted(reports, key=key))}


def oldest_first(reports: list[dict]) -> dict[str, int]:
    """A rank per report id: the oldest report first (a bare year before the dates within it),
    reports without a valid date last, ties by id."""

    def key(entry: dict) -> tuple:
        parts = parse_date(entry.get("date", "")) or ()
        return (not parts, (*parts, *(0,) * (3 - len(parts))), entry["id"])

    return {entry["id"]: rank for rank, entry in enumerate(sorted(reports, key=key))}


def _iso_date(text: str) -> str:
    """``text`` when it is a valid ISO date (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``), else empty."""
    parts = parse_date(text)
    return "-".join(f"{part:02d}" for part in parts) if parts else ""


def _manifest_identity(path: Path) -> tuple[int, int, int] | None:
    """Which manifest file ``path`` is (device, inode) and when it was written; ``None`` when
    it cannot be read. A build switched in, or updated in place, has another."""
    try:
        seen = os.stat(path)
    except OSError:
        return None
    return seen.st_dev, seen.st_ino, seen.st_mtime_ns


def _close_all(opened: list) -> None:
    while opened:
        opened.pop().close()


@dataclass(frozen=True)
class Reader:
    """One engine reader of an index (``index.engines.seam.Reader``) and the helpers that read
    through it. One thread uses a Reader at a time, and an index has several, so that one long
    search does not hold up the others."""

    engine: object
    suggester: Suggester
    dictionary: ReverseDictionary


def _reader(
    manifest: dict, build: Path, vocabulary: Vocabulary, sharing: Suggester | None = None
) -> Reader:
    engine_reader = open_reader(manifest, build, vocabulary)

    def known(word: str) -> bool:
        return engine_reader.doc_frequency("text", word) > 0

    suggester = Suggester(engine_reader, known, vocabulary, sharing)
    return Reader(
        engine_reader, suggester, ReverseDictionary(known, vocabulary, suggester.correction)
    )


class OpenIndex:
    """One build of the index, open: its manifest, its vocabulary (names and glossary, which
    its queries are cut into words with) and a pool of up to ``max_readers`` Readers, opened as
    concurrent requests need them."""

    def __init__(self, generation: tuple, manifest: dict, build: Path, max_readers: int):
        self.generation = generation
        self.manifest = manifest
        self.build = build
        self.max_readers = max_readers
        self.vocabulary = Vocabulary.read(build)
        self.report_dates = {
            entry["id"]: _iso_date(entry.get("date", "")) for entry in manifest["reports"]
        }
        # Each report's (title, English title), read once, not per search.
        self.titles = {
            entry["id"]: (entry["title"], entry.get("title_en", ""))
            for entry in manifest["reports"]
        }
        # (id, title, English title) of each report in the manifest's order: how a response lists them.
        self.report_entries = [(report_id, *titles) for report_id, titles in self.titles.items()]
        self.date_orders = {
            "date": newest_first(manifest["reports"]),
            "oldest": oldest_first(manifest["reports"]),
        }
        first = _reader(manifest, build, self.vocabulary)
        self._sharing = first.suggester
        # An engine whose reader serves many threads at once needs no pool.
        self._shared = first if first.engine.concurrent else None
        self._users = 0  # requests reading the shared Reader
        self._all = [first]
        self._idle = [first]
        self._opening = 0
        self._closed = False
        self._available = threading.Condition()
        # The build's vectors, opened when they appear (they are made after the words are
        # indexed) and again when they are made anew; what went wrong when they cannot be used.
        self._vectors_lock = threading.Lock()
        self._vectors: VectorIndex | None = None
        self._vectors_identity: tuple | None = None
        self._vectors_problem = ""

    def vectors(self, model: str | None) -> VectorIndex | None:
        """The build's vectors when it has usable ones made by ``model`` (``None`` when no
        model embeds the queries); opened once, and again when they are made anew."""
        if model is None:
            return None
        try:
            seen = os.stat(self.build / VECTORS_FOLDER)
            identity = (seen.st_ino, seen.st_mtime_ns)
        except OSError:
            identity = None
        if identity == self._vectors_identity:
            return self._vectors
        with self._vectors_lock:
            if identity != self._vectors_identity:
                vectors, problem = None, ""
                if identity is not None:
                    try:
                        vectors = VectorIndex(self.build)
                    except VectorsUnavailable as error:
                        problem = str(error)
                    if vectors is not None and vectors.model != model:
                        problem = (
                            f"the passages' vectors were made by {vectors.model} and queries are embedded by "
                            f"{model}: run `shuangyu build` to embed the passages again (the search by words "
                            "still answers)"
                        )
                        vectors = None
                    elif vectors is not None and vectors.meta.get(
                        "corpus_fingerprint"
                    ) != self.manifest.get("corpus_fingerprint"):
                        # An update in place changed the reports; their vectors are being made
                        # again (the build does it next): until then, words alone.
                        vectors = None
                self._vectors, self._vectors_problem, self._vectors_identity = (
                    vectors,
                    problem,
                    identity,
                )
            return self._vectors

    @property
    def vectors_key(self) -> tuple | None:
        """Which vectors ``vectors`` last opened (None: none): a key of the caches, so that an
        answer made before the vectors came (or before they were made again) is not reused."""
        return self._vectors_identity if self._vectors is not None else None

    def semantic_status(self, model: str | None) -> dict:
        """What the semantic side of this build can do now (``search.semantic.status``)."""
        vectors = self.vectors(model)
        return status(self.build, vectors, self._vectors_problem, model)

    @contextmanager
    def reading(self) -> Iterator[Reader]:
        """A Reader for this thread alone: an idle one, a new one while the pool has room, else
        the first to come back. (A request that still holds a closed index gets a Reader of its
        own, closed after it.)"""
        with self._available:
            shared = self._shared if not self._closed else None
            self._users += shared is not None
        if shared is not None:
            try:
                yield shared
            finally:
                with self._available:
                    self._users -= 1
                    self._available.notify_all()
            return
        with self._available:
            while (
                not self._closed
                and not self._idle
                and len(self._all) + self._opening >= self.max_readers
            ):
                self._available.wait()
            pooled = not self._closed
            reader = self._idle.pop() if pooled and self._idle else None
            if reader is None and pooled:
                self._opening += 1
        if reader is None:
            # Opened outside the lock: others take and return Readers meanwhile.
            try:
                reader = _reader(self.manifest, self.build, self.vocabulary, sharing=self._sharing)
            finally:
                if pooled:
                    with self._available:
                        self._opening -= 1
                        if reader is not None:
                            self._all.append(reader)
                        self._available.notify_all()
        try:
            yield reader
        finally:
            if pooled:
                with self._available:
                    self._idle.append(reader)
                    self._available.notify_all()
            else:
                reader.engine.close()

    def close(self) -> None:
        """Close every Reader, once the requests still reading this index have finished."""
        with self._available:
            self._closed = True
            while len(self._idle) < len(self._all) or self._opening or self._users:
                self._available.wait()
            for reader in self._all:
                reader.engine.close()
            self._all, self._idle = [], []


@dataclass(frozen=True)
class Ranked:
    """A query's ranking, before highlighting: the best ``depth`` (docnum, score), the total, the
    counts per report and whether the time budget cut the walk short."""

    top: list[tuple[int, float]]
    depth: int
    total: int
    counts: dict[str, int]
    partial: bool


@dataclass(frozen=True)
class Head:
    """The fused head of a hybrid ranking (``search.fusion``), the texts it lists (by content
    hash: the lexical tail below it skips them, whichever report's copy it would name) and, per
    report, how many of its texts found by meaning alone the report prints (they count in the
    report's count as the words' matches do)."""

    fused: Fused
    contents: frozenset[str]
    meaning_counts: dict[str, int]


# A cached response keeps its per-report counts as a tuple in the manifest's order of reports:
# as the contract's list of objects they were most of its memory (140 KB of 230 KB at 1,000
# reports), and the cache held 60 MB of them.
def _compacted(response: dict, manifest: dict) -> dict:
    counts = {entry["id"]: entry["count"] for entry in response["reports"]}
    return {
        **response,
        "reports": tuple(counts.get(entry["id"], 0) for entry in manifest["reports"]),
    }


def _expanded(cached: dict, manifest: dict) -> dict:
    return {
        **cached,
        "reports": [
            {
                "id": entry["id"],
                "title": entry["title"],
                "title_en": entry.get("title_en", ""),
                "count": count,
            }
            for entry, count in zip(manifest["reports"], cached["reports"])
            if count
        ],
    }


class Searcher:
    """Searches the current index of ``index_dir``; safe to share between threads.

    ``time_budget`` (seconds) bounds the walk over one query's matches: past it the search
    answers what it has ranked so far, marked ``partial``. ``max_readers`` is how many searches
    run at once (each on its own reader of the index; more wait for one to be free). A search
    running longer than ``stuck_after`` seconds is reported stuck by ``health()``.
    """

    def __init__(
        self,
        index_dir: Path,
        cache_size: int = RESULT_CACHE_SIZE,
        time_budget: float = TIME_BUDGET_SECONDS,
        max_readers: int = MAX_READERS,
        stuck_after: float | None = None,
        weights: Mapping[str, float] = WEIGHTS,
        embedder: Embedder | None = None,
        fusion_k: float = RRF_K,
        semantic_weight: float = SEMANTIC_WEIGHT,
    ):
        self.index_dir = Path(index_dir)
        # What embeds the queries for the semantic side (None: words alone), and how the two
        # rankings are fused (``search.fusion``).
        self.embedder = embedder
        self.fusion = {"k": fusion_k, "weight": semantic_weight}
        self._query_vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        # Why the embedder cannot be used, once it failed: the search goes on by words alone.
        self._embedder_problem = ""
        # The field weights of its queries (``search.query``): a Searcher's caches hold rankings
        # made with its own weights.
        self.weights = dict(weights)
        self.time_budget = time_budget
        self.stuck_after = (
            time_budget * STUCK_AFTER_BUDGETS + STUCK_GRACE_SECONDS
            if stuck_after is None
            else stuck_after
        )
        self.max_readers = max_readers
        self._lock = threading.Lock()
        self._open: OpenIndex | None = None
        # Recent responses by index generation and request: a new generation misses them all.
        self._cache: OrderedDict[tuple, dict] = OrderedDict()
        # Recent rankings by generation and query, whatever the page asked for: another limit
        # or offset of the same query costs a page of highlighting, not a new search.
        self._ranked: OrderedDict[tuple, Ranked | Head] = OrderedDict()
        self._cache_size = cache_size
        self._opened: list[OpenIndex] = []
        self._running: dict[int, float] = {}  # searches under way: thread id -> start
        # Files are closed when the Searcher goes away, even if nobody calls close().
        weakref.finalize(self, _close_all, self._opened)

    def _current(self) -> OpenIndex:
        """The open index, reopened when a build has switched in a new one or updated it in
        place (the manifest is rewritten after every change)."""
        opened = self._open
        # One stat through the link first: the manifest's identity says whether the open build
        # is still current, without resolving the link (several system calls a request, each
        # letting another thread take the GIL first: 15% of a serving process's time under load).
        identity = _manifest_identity(self.index_dir / CURRENT / MANIFEST)
        if opened is not None and identity is not None and opened.generation[1] == identity:
            return opened
        build = current_build(self.index_dir)
        generation = (build, _manifest_identity(build / MANIFEST))
        if opened is not None and opened.generation == generation:
            return opened
        retired: list[OpenIndex] = []
        with self._lock:
            if self._open is None or self._open.generation != generation:
                self._open = OpenIndex(generation, read_manifest(build), build, self.max_readers)
                self._opened.append(self._open)
                # The index two generations old is closed; the previous one may still be
                # serving a request that started before the switch.
                while len(self._opened) > 2:
                    retired.append(self._opened.pop(0))
            current = self._open
        for old in retired:
            # Closing waits for its requests to finish: not here, where it would hold this one.
            threading.Thread(target=old.close, name="close-retired-index", daemon=True).start()
        return current

    def close(self) -> None:
        """Close the open index files."""
        _close_all(self._opened)

    @property
    def manifest(self) -> dict:
        """The manifest of the current build (``IndexUnavailable`` when there is none)."""
        return self._current().manifest

    def health(self) -> dict:
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
        sort: str = "relevance",
        mode: str = "hybrid",
    ) -> dict:
        """Search; return the response object of the JSON contract. ``sort`` (``SORTS``) orders
        the same results by relevance, or by their report's date (``newest_first``), each
        report's by relevance. ``mode`` (``MODES``) says what finds them: ``hybrid`` adds the
        passages nearest in meaning to a query with English words (and offers them as
        ``related`` when a Chinese query matches nothing), where the index has vectors and the
        order is by relevance; ``lexical`` the words alone; ``semantic`` the meaning alone.

        Raises ``QueryError`` for a query or parameter the user must change, and
        ``IndexUnavailable`` when there is no usable index.
        """
        started = time.perf_counter()
        if not 1 <= limit <= MAX_LIMIT:
            raise QueryError(f"limit must be between 1 and {MAX_LIMIT}")
        if not 0 <= offset <= MAX_OFFSET:
            raise QueryError(f"offset must be between 0 and {MAX_OFFSET}")
        if sort not in SORTS:
            raise QueryError(f"sort must be one of {', '.join(SORTS)}")
        if mode not in MODES:
            raise QueryError(f"mode must be one of {', '.join(MODES)}")
        opened = self._current()
        vectors = opened.vectors(self._model)
        key = (opened.generation, opened.vectors_key, text, limit, offset, lang, report, sort, mode)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
        if cached is not None:
            return {
                **_expanded(cached, opened.manifest),
                "semantic": self._semantic_status(opened),
                "took_ms": round((time.perf_counter() - started) * 1000, 2),
            }
        thread = threading.get_ident()
        with self._lock:
            self._running[thread] = started
        try:
            with opened.reading() as reader:
                response = self._search(
                    opened, reader, vectors, text, limit, offset, lang, report, sort, mode, started
                )
        finally:
            with self._lock:
                self._running.pop(thread, None)
        if self._cache_size and not response["partial"]:
            compact = _compacted(response, opened.manifest)
            with self._lock:
                self._cache[key] = compact
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return response

    @property
    def _model(self) -> str | None:
        return (
            self.embedder.name if self.embedder is not None and not self._embedder_problem else None
        )

    def semantic_status(self) -> dict:
        """What the semantic side of the current index can do now (``search.semantic.status``)."""
        return self._semantic_status(self._current())

    def _semantic_status(self, opened: OpenIndex) -> dict:
        if self._embedder_problem:
            return {
                "state": "unavailable",
                "model": self.embedder.name,
                "note": self._embedder_problem,
            }
        return opened.semantic_status(self._model)

    def _search(
        self,
        opened: OpenIndex,
        reader: Reader,
        vectors: VectorIndex | None,
        text: str,
        limit: int,
        offset: int,
        lang: str,
        report: str | None,
        sort: str,
        mode: str,
        started: float,
    ) -> dict:
        compiled = compile_query(text, lang, opened.vocabulary, reader.dictionary, self.weights)
        # Pinyin that no passage has (most English words) spells no word of a result: checking
        # each word of each result for it was a third of an English query's highlighting.
        compiled.pinyin_terms = {
            term for term in compiled.pinyin_terms if reader.engine.doc_frequency("pinyin", term)
        }
        report = report or compiled.report
        if report is not None and report not in opened.titles:
            raise QueryError(f"unknown report {report!r}; see /api/reports for the report ids")
        if mode == "semantic" and vectors is None:
            raise QueryError(
                f"mode=semantic needs the passages' vectors: {_semantic_state(self._semantic_status(opened))}"
            )
        if mode == "semantic" and sort != "relevance":
            raise QueryError("mode=semantic orders results by meaning: sort must be relevance")
        has_latin = lang != "zh" and any(
            not term.is_han for group in parse(text).groups for term in group
        )
        effective = mode if vectors is not None and sort == "relevance" else "lexical"
        if effective == "hybrid" and not has_latin:
            effective = "lexical"  # Chinese keeps its precision: every word must match
        unknown = _unknown_words(reader, compiled, text, lang)
        nowhere = len(unknown) >= UNKNOWN_WORDS_FOR_NOTHING and mode != "semantic"
        if effective != "lexical" and not nowhere and not self._embeds(text):
            if mode == "semantic":
                raise QueryError(f"mode=semantic cannot run: {self._embedder_problem}")
            effective, vectors = "lexical", None
        order = opened.date_orders.get(sort)
        ranking_key = (opened.generation, text, lang, report, sort)
        related: list[Result] = []
        some_words: SomeWords | None = None
        if nowhere:
            # Words that no passage has in any form: the collection does not speak of it, so
            # nothing matches (as for a Chinese word no passage has), and the passages with the
            # query's other words are offered apart.
            effective, total, meaning_total, partial, counts, page = "lexical", 0, 0, False, {}, []
            some_words = self._some_words(reader, compiled, opened, ranking_key, report, order)
        elif effective == "lexical":
            ranked = self._ranking(
                reader, compiled.query, ranking_key, report, order, offset + limit
            )
            page = [
                (reader.engine.stored(key), score, WORDS)
                for key, score in ranked.top[offset : offset + limit]
            ]
            total, meaning_total, partial, counts = ranked.total, 0, ranked.partial, ranked.counts
            if (
                ranked.total == 0
                and mode == "hybrid"
                and vectors is not None
                and not has_latin
                and self._embeds(text)
            ):
                nearest = [
                    neighbour
                    for neighbour in self._neighbours(vectors, text, report, RELATED_COUNT)
                    if neighbour.cosine >= RELATED_MIN_COSINE
                ]
                shown = [
                    (fields, neighbour.cosine)
                    for neighbour in self._allowed(reader, compiled, nearest)
                    if (fields := reader.engine.document(neighbour.passage_id))
                ]
                copies = self._copies(reader, opened, None, [fields for fields, _ in shown])
                related = [
                    self._result(
                        fields, cosine, compiled, opened, copies[fields["content_hash"]], MEANING
                    )
                    for fields, cosine in shown
                ]
        elif effective == "semantic":
            # The nearest texts of the whole collection, each counted in every report that prints
            # it; a report filter keeps those it prints, as its own passages: a report's count is
            # what a search of it lists.
            nearest = self._allowed(
                reader, compiled, self._neighbours(vectors, text, None, SEMANTIC_CANDIDATES)
            )
            contents = [neighbour.content for neighbour in nearest]
            printed, counts = (
                self._texts(reader, _with_content(contents), len(contents), report)
                if contents
                else ({}, {})
            )
            # Unfiltered, each text is the passage nearest in meaning.
            listed = [
                (neighbour, printed[neighbour.content])
                for neighbour in nearest
                if neighbour.content in printed
            ]
            page = [
                (
                    fields if report else reader.engine.document(neighbour.passage_id) or fields,
                    neighbour.cosine,
                    MEANING,
                )
                for neighbour, fields in listed[offset : offset + limit]
            ]
            total, meaning_total, partial = len(listed), len(listed), False
        else:
            head, ranked = self._hybrid(
                reader, vectors, compiled, ranking_key, text, report, opened.vectors_key
            )
            page, tail_partial = self._hybrid_page(
                reader, compiled, ranking_key, report, head, offset, limit
            )
            total, meaning_total = ranked.total + head.fused.meaning_only, head.fused.meaning_only
            partial = ranked.partial or tail_partial
            counts = dict(Counter(ranked.counts) + Counter(head.meaning_counts))
        # A result of a query of several English words says how many of them it has.
        matched = (
            self._words_matched(reader, compiled, [fields for fields, _, _ in page])
            if compiled.counts_words
            else {}
        )
        copies = {
            **self._copies(
                reader,
                opened,
                compiled.query,
                [fields for fields, _, found_by in page if found_by != MEANING],
            ),
            **self._copies(
                reader,
                opened,
                None,
                [fields for fields, _, found_by in page if found_by == MEANING],
            ),
        }
        results = [
            self._result(
                fields,
                score,
                compiled,
                opened,
                copies[fields["content_hash"]],
                found_by,
                matched.get(fields["id"], 0),
            )
            for fields, score, found_by in page
        ]
        return {
            "query": text,
            "lang": lang,
            "report": report,
            "sort": sort,
            "mode": effective,
            "total": total,
            "total_by": {
                "words": total - meaning_total,
                "meaning": meaning_total,
                "some_words": some_words.total if some_words else 0,
            },
            "partial": partial,
            "offset": offset,
            "limit": limit,
            "took_ms": round((time.perf_counter() - started) * 1000, 2),
            "results": results,
            "related": related,
            "some_words": some_words.results if some_words else [],
            "semantic": self._semantic_status(opened),
            "reports": [
                {"id": report_id, "title": title, "title_en": title_en, "count": count}
                for report_id, title, title_en in opened.report_entries
                if (count := counts.get(report_id))
            ],
            "query_translations": [
                {"en": t.english, "zh": list(t.display)} for t in compiled.translations
            ],
            "query_conversions": conversions(text, compiled, results),
            "did_you_mean": reader.suggester.did_you_mean(text, total - meaning_total),
            "unknown_words": unknown,
        }

    def _embeds(self, text: str) -> bool:
        """Whether query ``text`` has its vector: False once the embedder has failed (told by
        ``semantic_status`` from then on; the search goes on by words)."""
        try:
            self._query_vector(text)
        except EmbedderError as error:
            self._embedder_problem = str(error)
            return False
        return True

    def _some_words(
        self,
        reader: Reader,
        compiled,
        opened: OpenIndex,
        ranking_key: tuple,
        report: str | None,
        order: Mapping[str, int] | None,
    ) -> SomeWords:
        """For a query with a word that no passage has: the best passages that have its other
        words (not matches: listed apart, each saying how many of the words it has), and how many."""
        loose = self._ranking(reader, compiled.query, ranking_key, report, order, RELATED_COUNT)
        shown = [(reader.engine.stored(key), score) for key, score in loose.top[:RELATED_COUNT]]
        matched = (
            self._words_matched(reader, compiled, [fields for fields, _ in shown])
            if compiled.counts_words
            else {}
        )
        copies = self._copies(reader, opened, compiled.query, [fields for fields, _ in shown])
        return SomeWords(
            loose.total,
            [
                self._result(
                    fields,
                    score,
                    compiled,
                    opened,
                    copies[fields["content_hash"]],
                    WORDS,
                    matched.get(fields["id"], 0),
                )
                for fields, score in shown
            ],
        )

    def _texts(
        self, reader: Reader, node, count: int, report: str | None
    ) -> tuple[dict[str, dict], dict[str, int]]:
        """The passages that query tree ``node`` lists (at most ``count``; of ``report`` alone when
        given), by content hash, and how many texts it matches in each report."""
        found = reader.engine.search(node, count, report, time.perf_counter() + self.time_budget)
        passages = {}
        for key, _ in found.top:
            fields = reader.engine.stored(key)
            passages[fields["content_hash"]] = fields
        return passages, found.counts

    def _copies(
        self, reader: Reader, opened: OpenIndex, query, passages: list[dict]
    ) -> dict[str, list[Copy]]:
        """Every report's copy of the texts of ``passages`` (stored fields of results, each text
        once), by content hash, the oldest report first: the report's passage of that text that
        ``query`` (a query tree; any passage with ``None``) matches, as a search of that report
        alone lists it.

        Most texts are in one passage (its number of passages is read from the index, no search).
        For the others, a search of their hashes says which reports print them, and one per
        report that prints more of them than ``passages`` name there finds its copies. Copies of
        a text differ at most in their heading and kind, which decide no match unless the heading
        holds a word the query searches in headings: the query itself (a costly matcher for a
        long query) is searched only where a copy's heading has other such words than its
        result's, or where a report prints a text twice (the query then picks which passage a
        search of the report lists)."""
        results = {fields["content_hash"]: fields for fields in passages}
        copies = {content: {fields["report_id"]: fields} for content, fields in results.items()}
        passages_of = {
            content: reader.engine.doc_frequency("content_hash", content) for content in results
        }
        repeated = sorted(content for content, count in passages_of.items() if count > 1)
        if repeated:
            printed = _with_content(repeated)
            named = Counter(results[content]["report_id"] for content in repeated)
            printed_in = reader.engine.search(
                printed, 1, None, time.perf_counter() + self.time_budget
            ).counts
            found = {
                report_id: self._texts(reader, printed, count, report_id)[0]
                for report_id, count in printed_in.items()
                if count > named[report_id]
            }
            if query is not None and found:
                twice = sum(passages_of[content] for content in repeated) > sum(printed_in.values())
                searched = _field_words(query, "section")
                heading = chinese_analyzer(opened.vocabulary)

                def hits(fields: dict) -> set[str]:
                    return (
                        searched
                        & {token.text for token in heading(fields["section"], mode="index")}
                        if searched
                        else set()
                    )

                unlike = [
                    report_id
                    for report_id, in_report in found.items()
                    if twice
                    or any(
                        hits(fields) != hits(results[content])
                        for content, fields in in_report.items()
                    )
                ]
                if unlike:
                    matching = tree.Filter(query, printed)
                    matching_in = reader.engine.search(
                        matching, 1, None, time.perf_counter() + self.time_budget
                    ).counts
                    for report_id in unlike:
                        count = matching_in.get(report_id, 0)
                        found[report_id] = (
                            self._texts(reader, matching, count, report_id)[0]
                            if count > named[report_id]
                            else {}
                        )
            for report_id, in_report in found.items():
                for content, fields in in_report.items():
                    copies[content].setdefault(report_id, fields)
        order = opened.date_orders["oldest"]
        return {
            content: [
                _copy(by_report[report_id], opened)
                for report_id in sorted(
                    by_report, key=lambda report_id: order.get(report_id, len(order))
                )
            ]
            for content, by_report in copies.items()
        }

    def _words_matched(self, reader: Reader, compiled, passages: list[dict]) -> dict[str, int]:
        """How many of the query's English words (``CompiledQuery.coverage``) each of
        ``passages`` (stored fields) has, by passage id: a search of each word among their
        texts (a text several reports print is listed once, under any of its ids)."""
        contents = {fields["content_hash"] for fields in passages}
        by_content = dict.fromkeys(contents, 0)
        for _, node in compiled.coverage if contents else ():
            found = reader.engine.search(
                tree.All([node, _with_content(sorted(contents))]),
                len(contents),
                None,
                time.perf_counter() + self.time_budget,
            )
            for key, _ in found.top:
                by_content[reader.engine.stored(key)["content_hash"]] += 1
        return {fields["id"]: by_content[fields["content_hash"]] for fields in passages}

    def _query_vector(self, text: str) -> np.ndarray:
        """The embedding of the words of query ``text`` (its syntax left out), cached."""
        parsed = parse(text)
        words = " ".join(term.text for group in parsed.groups for term in group)
        with self._lock:
            vector = self._query_vectors.get(words)
            if vector is not None:
                self._query_vectors.move_to_end(words)
                return vector
        vector = self.embedder.queries([words])[0]
        with self._lock:
            self._query_vectors[words] = vector
            while len(self._query_vectors) > QUERY_VECTOR_CACHE_SIZE:
                self._query_vectors.popitem(last=False)
        return vector

    def _neighbours(
        self, vectors: VectorIndex, text: str, report: str | None, count: int
    ) -> list[Neighbour]:
        """The ``count`` passages nearest in meaning to ``text`` (of ``report`` alone when given)."""
        return vectors.nearest(self._query_vector(text), count, report)

    def _hybrid(
        self,
        reader: Reader,
        vectors: VectorIndex,
        compiled,
        ranking_key: tuple,
        text: str,
        report: str | None,
        vectors_key: tuple,
    ) -> tuple[Head, Ranked]:
        """The fused head of a hybrid ranking (cached as rankings are, by the vectors it was made
        with too) and the lexical ranking under it, at least ``FUSED_DEPTH`` deep.

        The passages nearest in meaning are those of the whole collection, with or without a
        report filter: a text found by meaning alone counts in every report that prints it, and
        a search of one report lists those of them it prints (its own copies), so that a
        report's count is what a search of it lists."""
        key = ("hybrid", vectors_key, *ranking_key)
        with self._lock:
            head = self._ranked.get(key)
        ranked = self._ranking(reader, compiled.query, ranking_key, report, None, FUSED_DEPTH)
        if head is not None:
            return head, ranked
        lexical = [reader.engine.stored(doc) for doc, _ in ranked.top[:FUSED_DEPTH]]
        # Nothing has the words in any report: the collection does not speak of it. e5 cannot
        # tell "nothing here" (its nearest passage to "dinosaur" stands further above the rest
        # than a right answer does: bench/calibrate.py), so meaning only adds to what the words found.
        neighbours = (
            self._allowed(
                reader, compiled, self._neighbours(vectors, text, None, SEMANTIC_CANDIDATES)
            )
            if any(ranked.counts.values())
            else []
        )
        contents = [neighbour.content for neighbour in neighbours]
        # A text is one passage, named as the lexical side names it (the report's own copy).
        named = {fields["content_hash"]: fields["id"] for fields in lexical}
        below = [content for content in contents if content not in named]
        matching: dict[str, dict] = {}  # the texts below the head that match the words here
        meaning_only = below  # when the head holds every match
        if below and (report is not None or len(lexical) == FUSED_DEPTH):
            # Which of them match the words in some report: matches, not found by meaning alone.
            words = tree.Filter(compiled.query, _with_content(below))
            matching, _ = self._texts(reader, words, len(below), None)
            meaning_only = [content for content in below if content not in matching]
            if report is not None:
                # A full head of the report may leave some of its matches below it.
                full = len(lexical) == FUSED_DEPTH
                matching = (
                    self._texts(reader, words, len(matching), report)[0]
                    if matching and full
                    else {}
                )
        meaning, meaning_counts = (
            self._texts(reader, _with_content(meaning_only), len(meaning_only), report)
            if meaning_only
            else ({}, {})
        )
        lexical_matches = {fields["id"] for fields in matching.values()}
        for content, fields in matching.items():
            named[content] = fields["id"]
        # Found by meaning alone: the passage nearest in meaning, or the report's own copy.
        nearest_passage = {neighbour.content: neighbour.passage_id for neighbour in neighbours}
        for content, fields in meaning.items():
            named[content] = fields["id"] if report else nearest_passage[content]
        nearest = [named[content] for content in contents if content in named]
        fused = fuse([fields["id"] for fields in lexical], nearest, lexical_matches, **self.fusion)
        head = Head(fused, frozenset(named), meaning_counts)
        if self._cache_size and not ranked.partial:
            with self._lock:
                self._ranked[key] = head
                while len(self._ranked) > self._cache_size:
                    self._ranked.popitem(last=False)
        return head, ranked

    def _allowed(self, reader: Reader, compiled, neighbours: list[Neighbour]) -> list[Neighbour]:
        """``neighbours`` less those that hold a word the query excludes (``-word``)."""
        if compiled.excluded is None or not neighbours:
            return neighbours
        found = reader.engine.search(
            tree.All([compiled.excluded, _with_content([n.content for n in neighbours])]),
            len(neighbours),
            None,
            time.perf_counter() + self.time_budget,
        )
        excluded = {reader.engine.stored(doc)["content_hash"] for doc, _ in found.top}
        return [neighbour for neighbour in neighbours if neighbour.content not in excluded]

    def _hybrid_page(
        self,
        reader: Reader,
        compiled,
        ranking_key: tuple,
        report: str | None,
        head: Head,
        offset: int,
        limit: int,
    ) -> tuple[list[tuple[dict, float, str]], bool]:
        """The results ``offset`` to ``offset + limit`` of a hybrid ranking, each with its score
        and what found it: the fused head, then the lexical matches whose texts it does not
        list, in lexical order; and whether the time budget cut the lexical ranking short."""
        fused = head.fused
        page: list[tuple[dict, float, str]] = []
        for passage_id in fused.ids[offset : offset + limit]:
            fields = reader.engine.document(passage_id)
            if fields is not None:
                page.append((fields, fused.scores[passage_id], fused.found_by[passage_id]))
        wanted = offset + limit - len(fused.ids)
        if wanted <= 0:
            return page, False
        # The tail is every match whose text the head does not list, taken by text (not by place:
        # a deeper ranking may order tied scores at the head's edge otherwise).
        ranked = self._ranking(
            reader, compiled.query, ranking_key, report, None, len(fused.ids) + wanted
        )
        skip = max(0, offset - len(fused.ids))
        position = 0
        for rank, (doc, _) in enumerate(ranked.top, start=1):
            fields = reader.engine.stored(doc)
            if fields["content_hash"] in head.contents:
                continue
            if position >= skip:
                page.append((fields, 1.0 / (self.fusion["k"] + rank), WORDS))
                if len(page) == limit:
                    break
            position += 1
        return page, ranked.partial

    def _ranking(
        self,
        reader: Reader,
        query,
        key: tuple,
        report: str | None,
        order: Mapping[str, int] | None,
        wanted: int,
    ) -> Ranked:
        """The ranking of ``query`` (a query tree; ``key`` names it in the cache) at least ``wanted`` deep: from the cache, else computed to the
        next multiple of ``RANKING_DEPTH`` (and cached unless the time budget cut it short)."""
        with self._lock:
            ranked = self._ranked.get(key)
            if ranked is not None:
                self._ranked.move_to_end(key)
        if ranked is not None and (ranked.depth >= wanted or len(ranked.top) < ranked.depth):
            return ranked
        depth = -(-wanted // RANKING_DEPTH) * RANKING_DEPTH
        # The budget starts once this search has its reader, not while it waited for one.
        ranked = self._run(
            reader, query, report, order, depth, time.perf_counter() + self.time_budget
        )
        if self._cache_size and not ranked.partial:
            with self._lock:
                self._ranked[key] = ranked
                while len(self._ranked) > self._cache_size:
                    self._ranked.popitem(last=False)
        return ranked

    @staticmethod
    def _run(
        reader: Reader,
        query,
        report: str | None,
        order: Mapping[str, int] | None,
        depth: int,
        deadline: float,
    ) -> Ranked:
        """The best ``depth`` results, the total and the counts per report over the whole query
        (so the user can switch reports). The total is the engine's count of the passages it
        lists, never a sum of the counts per report: a text printed in two reports is listed
        once in a search of both, and once in a search of either."""
        matches = reader.engine.search(query, depth, report, deadline, order)
        return Ranked(
            matches.top, depth, matches.total, matches.counts, partial=not matches.complete
        )

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
        ensure_dictionary()
        segmenter(opened.vocabulary)
        pinyin_stems()
        with opened.reading() as reader:
            reader.suggester.warm()

    def complete(self, prefix: str) -> list[dict]:
        """Autocomplete: corpus words and names starting with ``prefix`` (see ``search.suggest``)."""
        with self._current().reading() as reader:
            return reader.suggester.complete(prefix)

    def passage(self, passage_id: str) -> dict | None:
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
    ) -> list[dict]:
        """The passages of a report in reading order, from ordinal ``first``, at most ``count``
        of them (all with ``None``); empty when the report is unknown."""
        last = None if count is None else first + count - 1
        with self._current().reading() as reader:
            return reader.engine.report_passages(report_id, first, last)

    def report(self, report_id: str) -> dict | None:
        """A report's metadata from the manifest, or ``None`` when unknown."""
        return next((entry for entry in self.manifest["reports"] if entry["id"] == report_id), None)

    def _result(
        self,
        fields: dict,
        score: float,
        compiled,
        opened: OpenIndex,
        copies: list[Copy],
        found_by: str = WORDS,
        matched_words: int = 0,
    ) -> Result:
        vocabulary = opened.vocabulary
        text, text_en = fields["text"], fields["text_en"]
        terms = chinese_terms(compiled, vocabulary)
        marks = chinese_marks(text, fields["text_words"], vocabulary, terms)
        # The stored word alignment is the gloss's: it maps text_en only when text_en is the gloss.
        alignment = (
            fields.get("gloss_alignment")
            if fields["translation_engine"] == GlossEngine.name
            else None
        )
        all_marks_en, typed_marks_en = english_marks(
            text_en, compiled.english_terms, compiled.typed_english_terms
        )
        marks_en = english_marks_for(marks, all_marks_en, typed_marks_en, alignment)
        snippets = paired_snippets(text, text_en, marks, marks_en, alignment)
        heading = heading_marks(fields["section"], compiled.chinese_terms | compiled.heading_terms)
        return Result(
            **passage_fields(fields),
            report_date=opened.report_dates.get(fields["report_id"], ""),
            snippet=snippets.chinese,
            snippet_en=snippets.english,
            section_html=heading_html(fields["section"], heading),
            matched_in="meaning" if found_by == MEANING else matched_in(marks, heading),
            found_by=found_by,
            query_words=len(compiled.coverage) if compiled.counts_words else 0,
            matched_words=matched_words,
            score=round(score, 4),
            url=f"/p/{fields['id']}",
            copies=copies,
        )


def _field_words(node, field: str) -> set[str]:
    """The words that query tree ``node`` searches in ``field`` (required, optional or excluded)."""
    if isinstance(node, tree.Term):
        return {node.text} if node.field == field else set()
    if isinstance(node, tree.Phrase):
        return set(node.words) if node.field == field else set()
    if isinstance(node, (tree.All, tree.Any, tree.Best)):
        parts = node.parts
    elif isinstance(node, tree.WithOptional):
        parts = [node.required, node.optional]
    elif isinstance(node, tree.Without):
        parts = [node.positive, node.negative]
    else:
        parts = [node.query, node.condition]
    return set().union(*(_field_words(part, field) for part in parts))


def _copy(fields: dict, opened: OpenIndex) -> Copy:
    """A report's copy of a result's text, from its passage's stored fields."""
    return Copy(
        id=fields["id"],
        report_id=fields["report_id"],
        report_title=fields["report_title"],
        report_date=opened.report_dates.get(fields["report_id"], ""),
        section=fields["section"],
        page=fields.get("page", ""),
        url=f"/p/{fields['id']}",
    )


@dataclass(frozen=True)
class SomeWords:
    """Passages that match some words of a query of several English words but not all."""

    total: int
    results: list[Result]


def _with_content(contents: list[str]):
    """The passages whose text is one of ``contents`` (content hashes)."""
    return tree.Any([tree.Term("content_hash", content) for content in contents])


def _unknown_words(reader: Reader, compiled, text: str, lang: str) -> list[str]:
    """The English (Latin) words of the query that no passage has in any form: not in its English,
    not as pinyin, not in its Chinese, and not translated to a word of it."""
    if lang == "zh":
        return []
    translated = {
        word.lower()
        for translation in compiled.translations
        for word in english_words(translation.english)
    }
    unknown = []
    for term in (term for group in parse(text).groups for term in group if not term.is_han):
        for word in english_words(term.text):
            stems = [token.text for token in english_analyzer()(word)]
            if word.lower() in translated or not stems:
                continue  # translated, or a word too common to search (the, of)
            if any(
                reader.engine.doc_frequency(field, stem)
                for stem in stems
                for field in ("text_en", "gloss_terms")
            ):
                continue
            if reader.engine.doc_frequency("pinyin", toneless(word)) or reader.engine.doc_frequency(
                "text", word.lower()
            ):
                continue
            unknown.append(word)
    return list(dict.fromkeys(unknown))


def _semantic_state(semantic: dict) -> str:
    """What a semantic status (``search.semantic.status``) says, in a line for the user."""
    state = semantic["state"]
    if state == "embedding":
        return f"they are being made ({semantic['done']} of {semantic['total']} passages); try again soon"
    if state == "off":
        return "the semantic side is off (no embedder)"
    if state == "missing":
        return "this index has none yet: run `shuangyu build`"
    return semantic.get("note", "they cannot be used")


def conversions(text: str, compiled, results: list[Result]) -> list[dict]:
    """What the query was converted to before it was searched, for the reader: each word typed
    in traditional characters (or full-width) as the simplified word searched (``script``), and
    each pinyin typed as the Chinese words it found in these results (``pinyin``; a pinyin
    word that the query translation already shows is not repeated)."""
    found: list[dict] = []
    for term in (term for group in parse(text).groups for term in group if term.is_han):
        searched = normalise(term.text).text
        if searched != term.text:
            found.append({"from": term.text, "to": [searched], "kind": "script"})
    if not compiled.pinyin_terms:
        return found  # no pinyin typed: nothing more was converted
    translated = {translation.english.lower() for translation in compiled.translations}
    spelt: dict[str, list[str]] = {}
    for result in results:
        for word in _MARKED.findall(result["snippet"]):
            pinyin = pinyin_of(normalise(word).text)
            if pinyin in compiled.pinyin_terms and word not in spelt.setdefault(pinyin, []):
                spelt[pinyin].append(word)
    for term in (term.text for group in parse(text).groups for term in group if not term.is_han):
        words = spelt.pop(toneless(term), None)
        if words and term.lower() not in translated:
            found.append({"from": term, "to": words, "kind": "pinyin"})
    for pinyin, words in spelt.items():  # pinyin typed syllable by syllable (Ci Qi Kou)
        found.append({"from": pinyin, "to": words, "kind": "pinyin"})
    return found


_MARKED = re.compile(r"<mark>([^<]+)</mark>")
