"""The Whoosh engine (``index.engines.seam``): pure Python, the engine the product was specified with.

The engine's entry, which ``index.engines.seam`` imports by its name; the whoosh_* modules beside
it are, with this one, the only ones that import Whoosh. It indexes the tokens of our analysers
(through ``AnalysedTokenizer``, pickled into the index: its import path is part of the on-disk
format, so it stays in this module), scores with BM25F scaled by the kind of passage
(``index.engines.whoosh_scoring``), and walks a query's matches once to rank, count per report
and drop repeated passages (``index.engines.whoosh_reader``).
"""

from __future__ import annotations

import warnings
from pathlib import Path

from shuangyu.index.engines.cluster import NO_CLUSTER, Cluster
from shuangyu.index.engines.schema import FIELDS, analyser
from shuangyu.index.engines.store import IndexUnavailable
from shuangyu.index.engines.whoosh_reader import WhooshReader
from shuangyu.index.engines.whoosh_scoring import PassageWeighting
from shuangyu.index.engines.whoosh_writer import WhooshWriter
from shuangyu.index.text.language import Language
from shuangyu.index.workers import PARALLEL_FROM, can_fork_workers
from whoosh import index as whoosh_index
from whoosh.analysis import Token as WhooshToken
from whoosh.analysis import Tokenizer
from whoosh.fields import ID, NUMERIC, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.searching import Searcher as WhooshSearcher

NAME = "whoosh"


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
        dated = {"year": value.year} if isinstance(value, DatedText) else {}
        for found in self.analyse(value, mode=mode, **dated):
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


class DatedText(str):
    """A passage's text with the year it speaks in, which the Chinese analyser needs (what 去年
    names) and Whoosh hands on unchanged: its ``add_document`` has no other way to pass it.
    Only indexed: the stored value is the plain text (``_stored_text``)."""

    year: int

    def __new__(cls, text: str, year: int) -> DatedText:
        dated = super().__new__(cls, text)
        dated.year = year
        return dated

    def __reduce__(self):  # Whoosh's worker processes are sent the documents pickled
        return DatedText, (str(self), self.year)


def analyse(document: dict, language: Language) -> dict:
    """A passage document as the writer takes it: Whoosh analyses the text itself (in its
    own worker processes for a large build), given with the year it speaks in when known.
    (Whoosh leaves out the keys that start with ``_``, such as ``_year_spoken_in``.)"""
    year = document.get("_year_spoken_in")
    if year is None or not document.get("text"):
        return document
    return {**document, "text": DatedText(document["text"], year), "_stored_text": document["text"]}


def create(
    build_dir: Path,
    language: Language,
    passages: int,
    repeated: frozenset[str] = frozenset(),
    cluster: Cluster = NO_CLUSTER,
) -> WhooshWriter:
    """A writer of a new index in ``build_dir`` for about ``passages`` passages. (``repeated``,
    the texts several of them have, is not needed: the reader finds repeats in its columns.)"""
    # Two processes with a segment each roughly halve a big build (Whoosh merges nothing then).
    parallel = passages >= PARALLEL_FROM and can_fork_workers()
    return WhooshWriter(whoosh_index.create_in(str(build_dir), _schema(language)), parallel)


def open_writer(
    build_dir: Path,
    language: Language,
    repeated: frozenset[str] = frozenset(),
    cluster: Cluster = NO_CLUSTER,
) -> WhooshWriter:
    """A writer that updates the index in ``build_dir`` (one process: an update is small),
    analysing with ``language``."""
    # Without mmap: see check_readable. With the schema of this run's language, not the one
    # pickled in the index: that one's Language would build a segmenter of its own and cut the
    # changed passages again, where this run's has cut them already (its caches hold them).
    storage = FileStorage(str(build_dir), supports_mmap=False)
    return WhooshWriter(storage.open_index(schema=_schema(language)), parallel=False)


def check_readable(build_dir: Path, cluster: Cluster = NO_CLUSTER) -> None:
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


def open_reader(build_dir: Path, language: Language, cluster: Cluster = NO_CLUSTER) -> WhooshReader:
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
