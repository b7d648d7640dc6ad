"""The Whoosh engine (``index.engines.seam``): pure Python, the engine the product was specified with.

The only module that imports Whoosh. It indexes the tokens of our analysers (through
``AnalysedTokenizer``, pickled into the index: its import path is part of the on-disk format),
scores with BM25F scaled by the kind of passage, and walks a query's matches once to rank,
count per report and drop repeated passages (``_collect``).
"""

from __future__ import annotations

import heapq
import threading
import time
import warnings
from collections.abc import Mapping
from pathlib import Path

from shuangyu.index.engines import seam as tree
from shuangyu.index.engines.schema import FIELDS, analyser, kind_weight
from shuangyu.index.engines.seam import Matches
from shuangyu.index.engines.store import IndexUnavailable
from shuangyu.index.text.language import Language
from shuangyu.index.workers import PARALLEL_FROM, WorkerGuard, can_fork_workers, interrupts_deferred
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.analysis import Token as WhooshToken
from whoosh.analysis import Tokenizer
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.fields import ID, NUMERIC, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.matching import DisjunctionMaxMatcher
from whoosh.scoring import BM25F, BM25FScorer
from whoosh.searching import Searcher as WhooshSearcher
from whoosh.util.numeric import byte_to_length

NAME = "whoosh"


# --- Writing -------------------------------------------------------------------------------


class AnalysedTokenizer(Tokenizer):
    """One of our analysers (``index.text.analysis``) in Whoosh's token protocol: the same tokens,
    positions and source offsets whatever the engine."""

    def __init__(self, analyse):
        self.analyse = analyse

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = WhooshToken(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for found in self.analyse(value, mode=mode):
            token.text = found.text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = value[found.start : found.end]
            if positions:
                token.pos = start_pos + found.position
            if chars:
                token.startchar = start_char + found.start
                token.endchar = start_char + found.end
            yield token


def _schema(language: Language) -> Schema:
    fields = {}
    for field in FIELDS:
        if field.kind == "id":
            fields[field.name] = ID(
                stored=field.stored, unique=field.name == "id", sortable=field.name != "id"
            )
        elif field.kind == "number":
            fields[field.name] = NUMERIC(stored=field.stored, sortable=True)
        elif field.kind == "text":
            fields[field.name] = TEXT(
                analyzer=AnalysedTokenizer(analyser(field.analyser, language)),
                stored=field.stored,
                phrase=field.positions,
            )
        else:
            fields[field.name] = STORED()
    return Schema(**fields)


def analyse(document: dict, language: Language) -> dict:
    """A passage document as the writer takes it: Whoosh analyses the text itself (in its
    own worker processes for a large build)."""
    return document


def create(
    build_dir: Path, language: Language, passages: int, repeated: frozenset[str] = frozenset()
) -> WhooshWriter:
    """A writer of a new index in ``build_dir`` for about ``passages`` passages. (``repeated``,
    the texts several of them have, is not needed: the reader finds repeats in its columns.)"""
    # Two processes with a segment each roughly halve a big build (Whoosh merges nothing then).
    parallel = passages >= PARALLEL_FROM and can_fork_workers()
    return WhooshWriter(whoosh_index.create_in(str(build_dir), _schema(language)), parallel)


def open_writer(
    build_dir: Path, language: Language, repeated: frozenset[str] = frozenset()
) -> WhooshWriter:
    """A writer that updates the index in ``build_dir`` (one process: an update is small)."""
    # Without mmap: see check_readable.
    return WhooshWriter(
        FileStorage(str(build_dir), supports_mmap=False).open_index(), parallel=False
    )


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


def check_readable(build_dir: Path) -> None:
    """Open the index and read every segment's table of contents, document count and the ends
    of its columns; ``IndexUnavailable`` when that fails (missing, truncated or garbled files)."""
    try:
        # Without mmap: whoosh 2.7 copies each memory-mapped file into memory (4 s for the
        # term table of a 100,000-passage index).
        ix = FileStorage(str(build_dir), supports_mmap=False).open_index()
        with ix.reader() as reader:
            reader.doc_count()
            # The first and last document of each segment's columns: reading them all took
            # 2 s at 100,000 passages, before every update.
            for segment, _ in reader.leaf_readers():
                for docnum in {0, segment.doc_count_all() - 1} - {-1}:
                    for name in ("kind", "report_id", "content_hash"):
                        segment.column_reader(name)[docnum]
    except Exception as error:  # Whoosh raises many kinds on damaged files; all mean "rebuild".
        raise IndexUnavailable(
            f"index in {build_dir} is damaged ({type(error).__name__}): run `shuangyu build`"
        ) from None


# --- Reading -------------------------------------------------------------------------------


class PassageWeighting(BM25F):
    """BM25F, scaled by the kind of passage. The scale of every document is read once, when
    the searcher is opened, and so are the field lengths BM25F needs for every scored
    document: read from the index file one at a time they took a fifth of a query's time."""

    use_final = True

    def __init__(self, reader):
        super().__init__()
        self.scales = [kind_weight(kind) for kind in reader.column_reader("kind")]
        self._lengths: dict[tuple[int, str], list[int]] = {}
        self._lock = threading.Lock()

    def final(self, searcher, docnum, score):
        return score * self.scales[docnum]

    def scorer(self, searcher, fieldname, text, qf=1):
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        if isinstance(scorer, BM25FScorer):
            scorer.dfl = self._field_lengths(searcher.reader(), fieldname).__getitem__
        return scorer

    def _field_lengths(self, reader, fieldname: str) -> list[int]:
        """The length of ``fieldname`` in every document of the segment ``reader``."""
        key = (id(reader), fieldname)
        with self._lock:
            lengths = self._lengths.get(key)
            if lengths is None:
                lengths = self._lengths[key] = _segment_field_lengths(reader, fieldname)
        return lengths


# Whoosh stores a field's lengths as one byte per document; this table decodes them.
_BYTE_LENGTHS = [byte_to_length(code) or 1 for code in range(256)]


def _segment_field_lengths(reader, fieldname: str) -> list[int]:
    """The length of ``fieldname`` in every document of a segment. Read as one block from
    whoosh 2.7's column file (0.1 ms for 50,000 documents); through the public per-document
    call it took 0.1 s, paid again by the first queries after every index update."""
    count = reader.doc_count_all()
    try:
        column = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        codes = column._dbfile.get(column._basepos, column._count) if column is not None else b""
    except AttributeError:  # another codec: the public, slower way
        return [reader.doc_field_length(docnum, fieldname, 1) or 1 for docnum in range(count)]
    lengths = [_BYTE_LENGTHS[code] for code in codes]
    return lengths + [1] * (count - len(lengths))


class _CurrentDocumentDisMaxMatcher(DisjunctionMaxMatcher):
    """Whoosh's DisjunctionMaxMatcher scores the better of its two sides even when one of them
    stands on a later document: a passage took the score of another, and which one depended on
    where a build cut the index into segments (two builds of one corpus ranked differently).
    This one scores only the sides on the current document."""

    def score(self):
        a, b = self.a, self.b
        if not a.is_active():
            return b.score()
        if not b.is_active():
            return a.score()
        current = self.id()
        return max(side.score() for side in (a, b) if side.id() == current)


class _DisjunctionMax(wq.DisjunctionMax):
    """Whoosh's DisjunctionMax (the best-scoring alternative counts), scored per document."""

    def _matcher(self, subs, searcher, context):
        reader = searcher.reader()
        return self._tree_matcher(
            subs,
            _CurrentDocumentDisMaxMatcher,
            searcher,
            context,
            lambda query: query.estimate_size(reader),
            tiebreak=self.tiebreak,
        )


def compile_tree(node) -> wq.Query:
    """The Whoosh query of a query tree (``index.engines.seam``)."""
    if isinstance(node, tree.Term):
        compiled = wq.Term(node.field, node.text)
    elif isinstance(node, tree.Phrase):
        # Whoosh counts a phrase's slop from 1 (adjacent).
        compiled = wq.Phrase(node.field, list(node.words), slop=node.slop + 1)
    elif isinstance(node, tree.All):
        compiled = wq.And([compile_tree(part) for part in node.parts])
    elif isinstance(node, tree.Any):
        compiled = wq.Or([compile_tree(part) for part in node.parts])
    elif isinstance(node, tree.Best):
        compiled = _DisjunctionMax([compile_tree(part) for part in node.parts])
    elif isinstance(node, tree.WithOptional):
        compiled = wq.AndMaybe(compile_tree(node.required), compile_tree(node.optional))
    elif isinstance(node, tree.Without):
        compiled = wq.AndNot(compile_tree(node.positive), compile_tree(node.negative))
    elif isinstance(node, tree.Filter):
        compiled = wq.Require(compile_tree(node.query), compile_tree(node.condition))
    else:
        raise TypeError(f"not a query tree node: {node!r}")
    if node.boost != 1.0:
        compiled.boost = node.boost
    return compiled


class _DocumentColumns:
    """Per-document report, place in it and text identity, read once per opened index, for
    counting and for ranking ties."""

    def __init__(self, reader):
        report_column = list(reader.column_reader("report_id"))
        self.report_ids = sorted(set(report_column))
        self.report_index = {report_id: index for index, report_id in enumerate(self.report_ids)}
        self.report_of = [self.report_index[value] for value in report_column]
        hashes: dict[str, int] = {}
        self.content_of = [
            hashes.setdefault(value, len(hashes)) for value in reader.column_reader("content_hash")
        ]
        self.ordinal_of = list(reader.column_reader("ordinal"))
        self._reader = reader
        self._has_deletions = reader.has_deletions()

    def deleted(self, docnum: int) -> bool:
        return self._has_deletions and self._reader.is_deleted(docnum)


def open_reader(build_dir: Path, language: Language) -> WhooshReader:
    """A reader of the index in ``build_dir``; ``IndexUnavailable`` when it cannot be opened."""
    # Whoosh leaves the file of a segment it fails to open unreferenced but open; it is freed
    # with the exception, and its ResourceWarning says nothing the error does not.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        reader = None
        try:
            # Without mmap, an open index costs a few MB instead of its size in RSS, for
            # queries about 1.2x slower (measured with bench/perf.py): the serving process stays small.
            reader = FileStorage(str(build_dir), supports_mmap=False).open_index().reader()
            return WhooshReader(WhooshSearcher(reader, weighting=PassageWeighting(reader)))
        except (
            Exception
        ) as error:  # Whoosh raises many kinds on a damaged index: all mean "rebuild".
            if reader is not None:
                reader.close()
            failure = str(error) or type(error).__name__
    raise IndexUnavailable(
        f"index in {build_dir} cannot be opened ({failure}): run `shuangyu build`"
    )


class WhooshReader:
    """``index.engines.seam.Reader`` over one Whoosh searcher. Whoosh's readers keep file positions
    and caches that threads must not share at the same time (eight threads searching at once
    read garbled blocks, with or without mmap): one thread uses it at a time."""

    concurrent = False

    def __init__(self, searcher):
        self._searcher = searcher
        self._reader = searcher.reader()
        # Per reader: an update in place may commit a newer generation between two readers'
        # openings, and each must count the documents it sees.
        self._columns = _DocumentColumns(self._reader)

    def search(
        self,
        query,
        depth: int,
        report: str | None = None,
        deadline: float | None = None,
        order: Mapping[str, int] | None = None,
    ) -> Matches:
        columns = self._columns
        wanted_report = columns.report_index.get(report, -1) if report else None
        ranks = None
        if order is not None:
            unranked = len(order)
            ranks = [order.get(report_id, unranked) for report_id in columns.report_ids]
        top, total, counts, complete = _collect(
            self._searcher, compile_tree(query), columns, depth, wanted_report, deadline, ranks
        )
        by_report = {
            report_id: counts[index]
            for index, report_id in enumerate(columns.report_ids)
            if counts[index]
        }
        return Matches(top, by_report, complete, total)

    def stored(self, key) -> dict:
        return self._searcher.stored_fields(key)

    def document(self, passage_id: str) -> dict | None:
        return self._searcher.document(id=passage_id)

    def report_passages(self, report_id: str, first: int, last: int | None) -> list[dict]:
        query = wq.And([wq.Term("report_id", report_id), wq.NumericRange("ordinal", first, last)])
        limit = None if last is None else max(0, last - first + 1)
        return [
            hit.fields() for hit in self._searcher.search(query, limit=limit, sortedby="ordinal")
        ]

    def doc_frequency(self, field: str, word: str) -> int:
        return self._reader.doc_frequency(field, word)

    def words(self, field: str, prefix: str = "") -> list[str]:
        found = self._reader.expand_prefix(field, prefix) if prefix else self._reader.lexicon(field)
        return [word.decode() if isinstance(word, bytes) else word for word in found]

    def most_frequent(self, field: str, count: int) -> list[tuple[str, int]]:
        return [
            (word.decode() if isinstance(word, bytes) else word, int(frequency))
            for frequency, word in self._reader.most_frequent_terms(field, count)
        ]

    def doc_count(self) -> int:
        return self._reader.doc_count()

    def segment_count(self) -> int:
        return len(self._reader.leaf_readers())

    def close(self) -> None:
        self._searcher.close()


# How many matches between two attempts to simplify the matcher (Whoosh's collectors use 10):
# a union whose one side is exhausted becomes the other side.
REPLACE_EVERY = 10
# How many matches between two looks at the clock.
CLOCK_EVERY = 32


def _collect(
    searcher,
    query,
    columns: _DocumentColumns,
    wanted: int,
    report: int | None = None,
    deadline: float | None = None,
    ranks: list[int] | None = None,
) -> tuple[list[tuple[int, float]], int, list[int], bool]:
    """One pass over a query's matches: the ``wanted`` best (docnum, score), how many texts
    are listed (of ``report`` alone when given), the count of matching texts per report index
    of ``columns``, and whether every match was seen (see ``index.engines.seam.Reader.search``).
    With ``ranks`` (a rank per report index), the best are those of the lowest-ranked
    reports first, then by score.

    Whoosh's collectors cannot skip documents once a weighting rescales scores (ours does, by
    kind of passage), so its top-k search scores every match anyway; counting in a second walk
    over the same matches doubled the time of every query. Here one walk scores, counts and
    ranks."""
    report_of, content_of, ordinal_of = columns.report_of, columns.content_of, columns.ordinal_of
    final = searcher.weighting.final if searcher.weighting.use_final else None
    reports = len(columns.report_ids)
    # Each (text, report) pair once, as ``content * reports + report``: a report counts the
    # texts a search within it lists, whatever other reports repeat them.
    counted: set[int] = set()
    # content -> (-rank, score, -report, -ordinal, docnum) of its best passage
    best: dict[int, tuple[int, float, int, int, int]] = {}
    context = searcher.context()
    seen = 0
    for subsearcher, offset in searcher.leaf_searchers():
        matcher = query.matcher(subsearcher, context)
        countdown = 0
        while matcher.is_active():
            seen += 1
            if deadline is not None and seen % CLOCK_EVERY == 0 and time.perf_counter() > deadline:
                return _best(best, wanted), len(best), _counts(counted, reports), False
            if countdown == 0:
                matcher = matcher.replace(0)
                if not matcher.is_active():
                    break
                countdown = REPLACE_EVERY
            countdown -= 1
            docnum = offset + matcher.id()
            if not columns.deleted(docnum):
                content = content_of[docnum]
                in_report = report_of[docnum]
                counted.add(content * reports + in_report)
                if report is None or in_report == report:
                    score = matcher.score()
                    if final is not None:
                        score = final(searcher, docnum, score)
                    key = (
                        -ranks[in_report] if ranks else 0,
                        score,
                        -in_report,
                        -ordinal_of[docnum],
                        docnum,
                    )
                    if key > best.get(content, _NOTHING):
                        best[content] = key
            matcher.next()
    return _best(best, wanted), len(best), _counts(counted, reports), True


def _counts(counted: set[int], reports: int) -> list[int]:
    counts = [0] * reports
    for pair in counted:
        counts[pair % reports] += 1
    return counts


_NOTHING = (float("-inf"), float("-inf"), 0, 0, 0)


def _best(
    best: dict[int, tuple[int, float, int, int, int]], wanted: int
) -> list[tuple[int, float]]:
    top = heapq.nlargest(wanted, best.values())
    return [(docnum, score) for _, score, _, _, docnum in top]
