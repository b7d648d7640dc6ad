"""The builds of an index a process has open: the current one, reopened when ``shuangyu build``
switches in a new build or updates it in place, and the previous one while requests that started
before the switch still read it. Each open build (``OpenIndex``) holds its manifest, its
language (vocabulary, segmenter and caches: ``index.text.language``) and a pool of engine readers.
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from shuangyu.index.engines import seam as tree
from shuangyu.index.engines.cluster import NO_CLUSTER, Cluster
from shuangyu.index.engines.manifest import Manifest
from shuangyu.index.engines.seam import Reader as EngineReader
from shuangyu.index.engines.seam import open_reader
from shuangyu.index.engines.store import CURRENT, MANIFEST, current_build, read_manifest
from shuangyu.index.english.dictionary import Dictionary
from shuangyu.index.sources.metadata import year_spoken_in
from shuangyu.index.text.language import Language
from shuangyu.index.text.vocabulary import Vocabulary
from shuangyu.search.build_vectors import BuildVectors
from shuangyu.search.crosslingual import ReverseDictionary
from shuangyu.search.report_dates import iso_date, newest_first, oldest_first
from shuangyu.search.semantic import VectorIndex
from shuangyu.search.suggest import Suggester

# The budget of the search that tells whether a passage has a dictionary word's parts in a row.
HOLDS_SECONDS = 0.1


def manifest_identity(path: Path) -> tuple[int, int, int] | None:
    """Which manifest file ``path`` is (device, inode) and when it was written; ``None`` when
    it cannot be read. A build switched in, or updated in place, has another."""
    try:
        seen = os.stat(path)
    except OSError:
        return None
    return seen.st_dev, seen.st_ino, seen.st_mtime_ns


@dataclass(frozen=True)
class Reader:
    """One engine reader of an index (``index.engines.seam.Reader``) and the helpers that read
    through it. One thread uses a Reader at a time, and an index has several, so that one long
    search does not hold up the others."""

    engine: EngineReader
    suggester: Suggester
    dictionary: ReverseDictionary


def _reader(
    manifest: Manifest,
    build: Path,
    language: Language,
    cluster: Cluster,
    sharing: Suggester | None = None,
) -> Reader:
    engine_reader = open_reader(manifest, build, language, cluster)

    def known(word: str) -> bool:
        return engine_reader.doc_frequency("text", word) > 0

    # Whether a passage has these words in a row, asked once per reader (the answer holds for
    # its build); a search its budget cut short with nothing found says no, and is asked again.
    in_a_row: dict[tuple[str, ...], bool] = {}

    def holds(words: tuple[str, ...]) -> bool:
        if words not in in_a_row:
            found = engine_reader.search(
                tree.Phrase("text", list(words)),
                1,
                deadline=time.perf_counter() + HOLDS_SECONDS,
                counted=False,
            )
            if not found.top and not found.complete:
                return False
            in_a_row[words] = bool(found.top)
        return in_a_row[words]

    suggester = Suggester(engine_reader, known, language, sharing)
    return Reader(
        engine_reader,
        suggester,
        ReverseDictionary(known, language, suggester.respelling, holds),
    )


class OpenIndex:
    """One build of the index, open: its manifest, its vocabulary (names and glossary, which
    its queries are cut into words with) and a pool of up to ``max_readers`` Readers, opened as
    concurrent requests need them."""

    def __init__(
        self,
        generation: tuple,
        manifest: Manifest,
        build: Path,
        max_readers: int,
        dictionary: Dictionary,
        cluster: Cluster,
    ):
        self.generation = generation
        self.cluster = cluster
        self.manifest = manifest
        self.build = build
        self.max_readers = max_readers
        self.vocabulary = Vocabulary.read(build)
        # The segmenter and the caches of this build's words: closed with it.
        self.language = Language(self.vocabulary, dictionary)
        self.report_dates = {
            entry["id"]: iso_date(entry.get("date", "")) for entry in manifest.reports
        }
        # Each dated report's year, read once: a response sums every matching report's count
        # by year (0.4 ms a search at 1,000 reports when parsed from the dates each time).
        self.report_years = {
            report_id: int(date[:4])
            for report_id, date in self.report_dates.items()
            if date[:4].isdigit()
        }
        # The year each report's words such as 去年 count from, as the build indexed them.
        self.years_spoken_in = {
            entry["id"]: year_spoken_in(entry["date"], entry["date_basis"], entry["file"])
            for entry in manifest.reports
        }
        # Each report's (title, English title), read once, not per search.
        self.titles = {
            entry["id"]: (entry["title"], entry.get("title_en", "")) for entry in manifest.reports
        }
        # Each report's place in the manifest: the order a response lists reports in, and which of
        # reports with as many results is listed.
        self.report_ids = list(self.titles)
        self.report_position = {report_id: place for place, report_id in enumerate(self.report_ids)}
        self.date_orders = {
            "date": newest_first(manifest.reports),
            "oldest": oldest_first(manifest.reports),
        }
        first = _reader(manifest, build, self.language, cluster)
        self._sharing = first.suggester
        # An engine whose reader serves many threads at once needs no pool.
        self._shared = first if first.engine.concurrent else None
        self._users = 0  # requests reading the shared Reader
        self._all = [first]
        self._idle = [first]
        self._opening = 0
        self._closed = False
        self._available = threading.Condition()
        # The build's vectors, opened when they appear (search.build_vectors).
        self._vectors = BuildVectors(build, manifest.corpus_fingerprint)

    def vectors(self, model: str | None) -> VectorIndex | None:
        """The build's vectors when it has usable ones made by ``model`` (``BuildVectors.get``)."""
        return self._vectors.get(model)

    @property
    def vectors_key(self) -> tuple | None:
        """Which vectors ``vectors`` last opened (None: none): a key of the caches."""
        return self._vectors.key

    def semantic_status(self, model: str | None) -> dict:
        """What the semantic side of this build can do now (``search.semantic.status``)."""
        return self._vectors.status(model)

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
                reader = _reader(
                    self.manifest, self.build, self.language, self.cluster, sharing=self._sharing
                )
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


class OpenIndexes:
    """The open builds of the index in ``index_dir``: the current one and the ``keep_open - 1``
    before it (an older one is closed), each with a pool of up to ``max_readers`` Readers and its
    own ``Language`` looking words up in ``dictionary``; safe to share between threads."""

    def __init__(
        self,
        index_dir: Path,
        dictionary: Dictionary,
        max_readers: int,
        keep_open: int,
        cluster: Cluster = NO_CLUSTER,
    ):
        self.index_dir = index_dir
        self.dictionary = dictionary
        self.cluster = cluster  # where an opensearch build's index is
        self.max_readers = max_readers
        self.keep_open = keep_open
        self._lock = threading.Lock()
        self._open: OpenIndex | None = None
        self._opened: list[OpenIndex] = []
        # Files are closed when this goes away, even if nobody calls close().
        weakref.finalize(self, _close_all, self._opened)

    def current(self) -> OpenIndex:
        """The open index, reopened when a build has switched in a new one or updated it in
        place (the manifest is rewritten after every change); ``IndexUnavailable`` when there
        is none."""
        opened = self._open
        # One stat through the link first: the manifest's identity says whether the open build
        # is still current, without resolving the link (several system calls a request, each
        # letting another thread take the GIL first: 15% of a serving process's time under load).
        identity = manifest_identity(self.index_dir / CURRENT / MANIFEST)
        if opened is not None and identity is not None and opened.generation[1] == identity:
            return opened
        build = current_build(self.index_dir)
        generation = (build, manifest_identity(build / MANIFEST))
        if opened is not None and opened.generation == generation:
            return opened
        retired: list[OpenIndex] = []
        with self._lock:
            if self._open is None or self._open.generation != generation:
                self._open = OpenIndex(
                    generation,
                    read_manifest(build),
                    build,
                    self.max_readers,
                    self.dictionary,
                    self.cluster,
                )
                self._opened.append(self._open)
                while len(self._opened) > self.keep_open:
                    retired.append(self._opened.pop(0))
            current = self._open
        for old in retired:
            # Closing waits for its requests to finish: not here, where it would hold this one.
            threading.Thread(target=old.close, name="close-retired-index", daemon=True).start()
        return current

    def close(self) -> None:
        """Close the open index files."""
        _close_all(self._opened)


def _close_all(opened: list[OpenIndex]) -> None:
    while opened:
        opened.pop().close()
