"""The OpenSearch engine (``index.engines.seam``): a cluster, for collections past one machine.

The engine's entry, which ``index.engines.seam`` imports by its name; the opensearch_* modules
beside it (its index in the cluster, lexicon, writer, reader and query compiler) are the only
ones that import ``opensearch-py``. Which cluster: ``index.engines.cluster``.

Analysis stays ours. OpenSearch's Chinese plugins misplace offsets, and its core has no
tokenizer to take tokens with positions, so each text field reaches it as our words joined by
spaces, split again by its ``whitespace`` analyzer: the same words at the same positions, where
our analysers leave a gap between two words (punctuation, a stopword) the text is cut into
another value of the field (``position_increment_gap`` 1 is that gap; a longer gap adds a
filler word no query asks for), and the sub-words an analyser puts at the position of a longer
word (``沙坪坝`` inside ``沙坪坝区``) go in a last value of their own: they match a word and count
in the field's length as in the other engines, but a phrase does not run through them.

Scores are BM25 with each word's idf turned into Whoosh's (as ``tantivy_query.IdfScale``),
multiplied by the kind of passage (``function_score``), with global statistics
(``dfs_query_then_fetch``); a passage repeated word for word is listed once and counted once
per report, as in the other engines (``OpenSearchReader.search``); ties go in reading order.

Each build writes a new OpenSearch index, named after the index folder and the build, and
switches the folder's alias to it in one ``_aliases`` request when it commits; the index the
alias left is kept until the next switch, then removed. A build that fails, is cancelled or is
killed never moves the alias. The words of each field and their document frequencies (for
suggestions and completions, which read many of them a request) are kept beside the build in
``lexicon.sqlite``, updated with the index (only what changed).
"""

from __future__ import annotations

from pathlib import Path

from shuangyu.index.engines.cluster import NO_CLUSTER, Cluster
from shuangyu.index.engines.opensearch_index import (
    CLUSTER_FILE,
    TEXT_FIELDS,
    alias_of,
    answering,
    client,
    index_name,
    index_settings,
    mapping,
    read_cluster_file,
    write_json,
    writing,
)
from shuangyu.index.engines.opensearch_lexicon import Lexicon
from shuangyu.index.engines.opensearch_reader import OpenSearchReader
from shuangyu.index.engines.opensearch_values import field_values
from shuangyu.index.engines.opensearch_writer import OpenSearchWriter
from shuangyu.index.engines.schema import analyser
from shuangyu.index.text.language import Language

NAME = "opensearch"


def analyse(document: dict, language: Language) -> tuple[dict, dict[str, list[str]]]:
    """A passage document and the values of its text fields (``field_values``): plain data, made in
    a build's worker processes and sent to the one writer."""
    values = {}
    for f in TEXT_FIELDS:
        if document.get(f.name):
            analysing = analyser(f.analyser, language)
            # The year the text speaks in: what its words such as 去年 name.
            dated = {"year": document.get("_year_spoken_in")} if f.name == "text" else {}
            tokens = [
                (token.text, token.position)
                for token in analysing(document[f.name], mode="index", **dated)
            ]
            values[f.name] = field_values(tokens)
    return document, values


def create(
    build_dir: Path,
    language: Language,
    passages: int,
    repeated: frozenset[str] = frozenset(),
    cluster: Cluster = NO_CLUSTER,
) -> OpenSearchWriter:
    """A writer of a new OpenSearch index in ``cluster`` for the build in ``build_dir``; the
    alias moves to it when it commits."""
    es = client(cluster)
    index = index_name(build_dir)
    with writing(cluster):
        if es.indices.exists(index=index):  # left by a killed build of the same name
            es.indices.delete(index=index)
        es.indices.create(
            index=index,
            body={"settings": {"index": index_settings(cluster)}, "mappings": mapping(build_dir)},
        )
    write_json(Path(build_dir) / CLUSTER_FILE, {"index": index, "alias": alias_of(build_dir)})
    return OpenSearchWriter(es, cluster, index, Path(build_dir), Lexicon(), new=True)


def open_writer(
    build_dir: Path,
    language: Language,
    repeated: frozenset[str] = frozenset(),
    cluster: Cluster = NO_CLUSTER,
) -> OpenSearchWriter:
    """A writer that updates the index of the build in ``build_dir``: what it is given is sent
    when it commits (deletions first), so that a cancelled update changes nothing."""
    index = read_cluster_file(build_dir)["index"]
    return OpenSearchWriter(
        client(cluster), cluster, index, Path(build_dir), Lexicon.read(build_dir), new=False
    )


def check_readable(build_dir: Path, cluster: Cluster = NO_CLUSTER) -> None:
    """The build's index answers a count and its lexicon reads; ``IndexUnavailable`` else."""
    index = read_cluster_file(build_dir)["index"]
    Lexicon.read(build_dir).close()
    with answering(index, cluster):
        client(cluster).count(index=index)


def cluster_health(cluster: Cluster) -> dict:
    """The cluster's health (for the tests and the benchmarks)."""
    with answering("(any)", cluster):
        return client(cluster).cluster.health()


def open_reader(
    build_dir: Path, language: Language, cluster: Cluster = NO_CLUSTER
) -> OpenSearchReader:
    """A reader of the build in ``build_dir``; ``IndexUnavailable`` when its index cannot be
    read (the cluster down, the index gone)."""
    index = read_cluster_file(build_dir)["index"]
    lexicon = Lexicon.read(build_dir)
    es = client(cluster)
    with answering(index, cluster):
        es.indices.get_settings(index=index)
    return OpenSearchReader(es, cluster, index, lexicon)
