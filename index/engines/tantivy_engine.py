"""The tantivy engine (``index.engines.seam``): Rust, Lucene-class, for large collections.

The engine's entry, which ``index.engines.seam`` imports by its name; the tantivy_* modules beside
it (its index on disk, writer, reader and query compiler) are the only ones that import tantivy.
It indexes the tokens of our analysers as pre-tokenized
text (the same words, positions and sub-words as the Whoosh engine), scores with BM25 scaled
by the kind of passage (a per-passage weight that tantivy multiplies in), counts per report
with an aggregation, and drops repeated passages after the search (``TantivyReader.search``).
Every stored field of a passage is kept as one JSON document, made with its analysis.
"""

from __future__ import annotations

import json
from pathlib import Path

import tantivy
from shuangyu.index.engines.cluster import NO_CLUSTER, Cluster
from shuangyu.index.engines.schema import FIELDS, analyser
from shuangyu.index.engines.store import IndexUnavailable
from shuangyu.index.engines.tantivy_index import (
    INDEXED_FIELDS,
    JOINED_ANALYSERS,
    STORED,
    STORED_FIELDS,
    file_errors,
    open_index,
    schema,
)
from shuangyu.index.engines.tantivy_reader import TantivyReader
from shuangyu.index.engines.tantivy_writer import TantivyWriter
from shuangyu.index.text.analysis import BigramAnalyzer, ChineseAnalyzer
from shuangyu.index.text.language import Language

NAME = "tantivy"


def analyse(
    document: dict, language: Language
) -> tuple[dict, dict[str, str | list[tuple[str, int, int, int]]], bytes]:
    """The fields of a passage document that the writer indexes, the analysed words of its text
    fields, and the JSON of its stored fields (``STORED``): plain data, made in a build's worker
    processes and sent to the one writer, whose process also runs tantivy's own threads. A
    field of ``JOINED_ANALYSERS`` has its words joined by spaces; another, its tokens ``(word,
    position, start, end)``. A field only stored travels in the JSON alone."""
    tokens = {}
    for field in FIELDS:
        if field.kind == "text" and document.get(field.name):
            analysing = analyser(field.analyser, language)
            if field.analyser in JOINED_ANALYSERS:
                tokens[field.name] = " ".join(analysing.words(document[field.name]))
            elif isinstance(analysing, ChineseAnalyzer):  # tuples made without a Token each
                # The year the text speaks in: what its words such as 去年 name.
                year = document.get("_year_spoken_in") if field.name == "text" else None
                tokens[field.name] = analysing.index_tokens(document[field.name], year)
            else:
                assert isinstance(analysing, BigramAnalyzer)
                tokens[field.name] = analysing.index_tokens(document[field.name])
    stored = {name: document.get(name) for name in STORED_FIELDS}
    indexed = {name: document[name] for name in INDEXED_FIELDS if name in document}
    return indexed, tokens, json.dumps(stored, ensure_ascii=False).encode()


def create(
    build_dir: Path,
    language: Language,
    passages: int,
    repeated: frozenset[str] = frozenset(),
    cluster: Cluster = NO_CLUSTER,
) -> TantivyWriter:
    """A writer of a new index in ``build_dir``; ``repeated``: the content hashes that more than
    one of the passages to be added has."""
    with file_errors(build_dir):
        return TantivyWriter(
            tantivy.Index(schema(), path=str(build_dir), reuse=False), build_dir, repeated
        )


def open_writer(
    build_dir: Path,
    language: Language,
    repeated: frozenset[str] = frozenset(),
    cluster: Cluster = NO_CLUSTER,
) -> TantivyWriter:
    """A writer that updates the index in ``build_dir`` (``repeated`` as for ``create``; a
    passage whose text the index has already is marked repeated too)."""
    index = open_index(build_dir)
    with file_errors(build_dir):
        return TantivyWriter(index, build_dir, repeated, index.searcher())


def check_readable(build_dir: Path, cluster: Cluster = NO_CLUSTER) -> None:
    """Open the index and read its first stored passage; ``IndexUnavailable`` when that fails."""
    searcher = open_index(build_dir).searcher()
    try:
        hits = searcher.search(tantivy.Query.all_query(), limit=1).hits
        for _, address in hits:
            json.loads(searcher.doc(address)[STORED][0])
    except BaseException as error:
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            raise
        raise IndexUnavailable(
            f"index in {build_dir} is damaged ({type(error).__name__}): run `shuangyu build`"
        ) from None


def open_reader(
    build_dir: Path, language: Language, cluster: Cluster = NO_CLUSTER
) -> TantivyReader:
    """A reader of the index in ``build_dir``; ``IndexUnavailable`` when it cannot be opened."""
    index = open_index(build_dir)
    try:
        return TantivyReader(index)
    except ValueError as error:
        raise IndexUnavailable(
            f"index in {build_dir} cannot be opened ({error}): run `shuangyu build`"
        ) from None
