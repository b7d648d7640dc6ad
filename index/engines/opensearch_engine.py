"""The OpenSearch engine (``index.engines.seam``): a cluster, for collections past one machine.

The only module that imports ``opensearch-py``. Which cluster: ``index.engines.cluster``.

Analysis stays ours. OpenSearch's Chinese plugins misplace offsets, and its core has no
tokenizer to take tokens with positions, so each text field reaches it as our words joined by
spaces, split again by its ``whitespace`` analyzer: the same words at the same positions, where
our analysers leave a gap between two words (punctuation, a stopword) the text is cut into
another value of the field (``position_increment_gap`` 1 is that gap; a longer gap adds a
filler word no query asks for), and the sub-words an analyser puts at the position of a longer
word (``沙坪坝`` inside ``沙坪坝区``) go in a last value of their own: they match a word and count
in the field's length as in the other engines, but a phrase does not run through them.

Scores are BM25 with each word's idf turned into Whoosh's (as ``tantivy_engine.IdfScale``),
multiplied by the kind of passage (``function_score``), with global statistics
(``dfs_query_then_fetch``); a passage repeated word for word is listed once and counted once
per report, as in the other engines (``OpenSearchReader.search``); ties go in reading order.

Each build writes a new OpenSearch index, named after the index folder and the build, and
switches the folder's alias to it in one ``_aliases`` request when it commits; the index the
alias left is kept until the next switch, then removed. A build that fails, is cancelled or is
killed never moves the alias. The words of each field and their document frequencies (for
suggestions and completions, which read many of them a request) are kept beside the build in
``lexicon.json``, updated with the index.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import math
import os
import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path

from opensearchpy import OpenSearch
from opensearchpy import exceptions as os_errors
from opensearchpy.helpers import scan
from shuangyu.index.engines import seam as tree
from shuangyu.index.engines.cluster import Cluster, configured
from shuangyu.index.engines.schema import FIELDS, analyser, kind_weight
from shuangyu.index.engines.seam import Matches
from shuangyu.index.engines.store import CURRENT, TEMPORARY_PREFIX, IndexUnavailable
from shuangyu.index.text.vocabulary import Vocabulary

NAME = "opensearch"
CLUSTER_FILE = "opensearch.json"  # in a build's folder: which OpenSearch index it wrote
LEXICON_FILE = "lexicon.json"
FILLER = "_"  # a word no analyser makes: it holds a gap of more than one position
STORED = "stored"  # the object of every stored field (kept in _source, not indexed)
_STORED_FIELDS = [f.name for f in FIELDS if f.stored]
_TEXT_FIELDS = [f for f in FIELDS if f.kind == "text"]
# Bulk requests: passages per request, requests under way at once, and how a rejected one
# (HTTP 429: the nodes' write queues are full) is retried.
BULK_PASSAGES = 500
BULK_IN_FLIGHT = 2
BULK_RETRIES = 10
BULK_FIRST_BACKOFF = 0.5
BULK_MAX_BACKOFF = 15.0
# How long a build waits for a new index's replicas before it switches the alias to it.
GREEN_TIMEOUT_SECONDS = 60
GREEN_TIMEOUT = f"{GREEN_TIMEOUT_SECONDS}s"
# An index as large as the results asked of it (the default window is 10,000 hits).
MAX_RESULT_WINDOW = 10_000_000


class ClusterUnavailable(ConnectionError):
    """The cluster did not answer a build (an ``OSError``: the build stops as on a full disk,
    and the index in use goes on answering)."""


# --- The client ----------------------------------------------------------------------------

# The client logs each failed request as a warning: with no logging set up, Python would print
# them on stderr, besides the one line that says what failed.
logging.getLogger("opensearch").addHandler(logging.NullHandler())

_clients: dict[tuple, OpenSearch] = {}
_clients_lock = threading.Lock()


def client(cluster: Cluster | None = None) -> OpenSearch:
    """The client of ``cluster`` (the configured one by default): one per process, thread-safe."""
    cluster = cluster or configured()
    if not cluster.urls:
        raise IndexUnavailable(
            "the opensearch engine needs a cluster: set SHUANGYU_OPENSEARCH_URL (--opensearch-url)"
        )
    key = (cluster, os.getpid())  # a forked process opens its own connections
    with _clients_lock:
        found = _clients.get(key)
        if found is None:
            options = {}
            if cluster.user:
                options["http_auth"] = (cluster.user, cluster.password)
            if cluster.ca is not None:
                options.update(ca_certs=str(cluster.ca), verify_certs=True)
            found = _clients[key] = OpenSearch(
                list(cluster.urls),
                timeout=30,
                max_retries=3,
                retry_on_timeout=True,
                retry_on_status=(502, 503, 504),
                **options,
            )
    return found


def _where(cluster: Cluster) -> str:
    return ", ".join(cluster.urls) or "(no URL set)"


def _unreachable(error: Exception) -> str:
    cluster = configured()
    if isinstance(error, os_errors.ConnectionError):
        why = f"cannot be reached ({type(error).__name__}: {str(error.info)[:200]})"
    elif isinstance(error, os_errors.AuthenticationException):
        why = "refused the user and password (SHUANGYU_OPENSEARCH_USER / _PASSWORD)"
    else:
        why = f"answered {getattr(error, 'status_code', '')} {getattr(error, 'error', error)}"
        causes = (getattr(error, "info", None) or {}) if hasattr(error, "info") else {}
        if isinstance(causes, dict) and isinstance(causes.get("error"), dict):
            why += f": {causes['error'].get('reason', '')}"
    return f"the OpenSearch cluster at {_where(cluster)} {why}"


@contextmanager
def _answering(index: str) -> Iterator[None]:
    """The cluster's failures while reading as ``IndexUnavailable`` (a 503 from the API, one
    line from the command line)."""
    try:
        yield
    except os_errors.NotFoundError:
        raise IndexUnavailable(
            f"the OpenSearch index {index} is gone from the cluster at {_where(configured())}: "
            "run `shuangyu build --force`"
        ) from None
    except (os_errors.ConnectionError, os_errors.TransportError) as error:
        raise IndexUnavailable(_unreachable(error) + "; try again when it answers") from None


@contextmanager
def _writing() -> Iterator[None]:
    """The cluster's failures while building as ``ClusterUnavailable``."""
    try:
        yield
    except (os_errors.ConnectionError, os_errors.TransportError) as error:
        raise ClusterUnavailable(errno.EIO, _unreachable(error)) from None


# --- Names ---------------------------------------------------------------------------------


def _index_dir(build_dir: Path) -> Path:
    return Path(build_dir).absolute().parent.parent


def alias_of(build_dir: Path) -> str:
    """The alias of an index folder's builds: the same for every build in the folder, another
    for another folder (or machine) sharing the cluster."""
    place = f"{socket.gethostname()}:{_index_dir(build_dir).resolve()}"
    return "shuangyu-" + hashlib.blake2b(place.encode(), digest_size=6).hexdigest()


def _index_name(build_dir: Path) -> str:
    build = Path(build_dir).name.removeprefix(TEMPORARY_PREFIX).lower()
    return f"{alias_of(build_dir)}-{build}"


def _read_cluster_file(build_dir: Path) -> dict:
    try:
        recorded = json.loads((Path(build_dir) / CLUSTER_FILE).read_text(encoding="utf-8"))
        if not isinstance(recorded.get("index"), str):
            raise ValueError(f"{CLUSTER_FILE} names no index")
        return recorded
    except (OSError, ValueError, AttributeError) as error:
        raise IndexUnavailable(
            f"index in {build_dir} is damaged ({error}): run `shuangyu build`"
        ) from None


def _write_json(path: Path, data) -> None:
    staging = path.with_name(path.name + ".tmp")
    staging.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(staging, path)


# --- Mapping -------------------------------------------------------------------------------


def _mapping(build_dir: Path) -> dict:
    properties: dict[str, dict] = {}
    for f in FIELDS:
        if f.kind == "id":
            properties[f.name] = {"type": "keyword"}
        elif f.kind == "number":
            properties[f.name] = {"type": "long"}
        elif f.kind == "text":
            properties[f.name] = {"type": "text", "analyzer": "whitespace"}
            if f.positions:
                properties[f.name]["position_increment_gap"] = 1
            else:
                properties[f.name]["index_options"] = "freqs"
    properties["weight"] = {"type": "float"}
    properties[STORED] = {"type": "object", "enabled": False}
    # Which index folder wrote it (on which machine): for whoever tidies a shared cluster.
    meta = {"index_dir": str(_index_dir(build_dir)), "host": socket.gethostname()}
    return {"dynamic": "strict", "_meta": meta, "properties": properties}


def _index_settings(cluster: Cluster) -> dict:
    return {
        "number_of_shards": cluster.shards,
        # Replicas are added when the build commits: copying passages as they are written
        # would double the build's work.
        "number_of_replicas": 0,
        # Changes are seen when a writer commits (it refreshes), not between.
        "refresh_interval": "-1",
        "max_result_window": MAX_RESULT_WINDOW,
    }


# --- Analysis ------------------------------------------------------------------------------


def _values(tokens: list[tuple[str, int]]) -> list[str]:
    """Words with positions as the values of a field whose values the whitespace analyzer
    splits again (see the module docstring)."""
    values: list[list[str]] = [[]]
    stacked: list[str] = []
    last = None
    for word, position in tokens:
        if last is not None and position == last:
            stacked.append(word)
            continue
        if last is not None and position > last + 1:
            values.append([FILLER] * (position - last - 2))
        values[-1].append(word)
        last = position
    if stacked:
        values.append(stacked)
    return [" ".join(words) for words in values if words]


def analyse(document: dict, vocabulary: Vocabulary) -> tuple[dict, dict[str, list[str]]]:
    """A passage document and the values of its text fields (``_values``): plain data, made in
    a build's worker processes and sent to the one writer."""
    values = {}
    for f in _TEXT_FIELDS:
        if document.get(f.name):
            analysing = analyser(f.analyser, vocabulary)
            tokens = [
                (token.text, token.position) for token in analysing(document[f.name], mode="index")
            ]
            values[f.name] = _values(tokens)
    return document, values


def _words(values: list[str]) -> set[str]:
    return {word for value in values for word in value.split()} - {FILLER}


# --- The lexicon ---------------------------------------------------------------------------


@dataclass
class Lexicon:
    """The words of each text field with the number of passages that have them, how many
    passages have each field, the passages of each content hash and of each report: what a
    reader asks of many words at once, kept beside the build."""

    words: dict[str, Counter] = field(default_factory=dict)
    fields: Counter = field(default_factory=Counter)
    contents: Counter = field(default_factory=Counter)
    reports: Counter = field(default_factory=Counter)

    def count(self, document: dict, values: dict[str, list[str]], sign: int = 1) -> None:
        for name, field_values in values.items():
            words = _words(field_values)
            if words:
                self.fields[name] += sign
                counter = self.words.setdefault(name, Counter())
                for word in words:
                    counter[word] += sign
        self.contents[document["content_hash"]] += sign
        self.reports[document["report_id"]] += sign

    def passages(self) -> int:
        return sum(self.reports.values())

    def write(self, build_dir: Path) -> None:
        for counter in (*self.words.values(), self.fields, self.contents, self.reports):
            for key in [key for key, value in counter.items() if value <= 0]:
                del counter[key]
        _write_json(
            Path(build_dir) / LEXICON_FILE,
            {
                "words": {name: dict(counter) for name, counter in self.words.items()},
                "fields": dict(self.fields),
                "contents": dict(self.contents),
                "reports": dict(self.reports),
            },
        )

    @classmethod
    def read(cls, build_dir: Path) -> Lexicon:
        try:
            data = json.loads((Path(build_dir) / LEXICON_FILE).read_text(encoding="utf-8"))
            return cls(
                {name: Counter(words) for name, words in data["words"].items()},
                Counter(data["fields"]),
                Counter(data["contents"]),
                Counter(data["reports"]),
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise IndexUnavailable(
                f"index in {build_dir} is damaged ({type(error).__name__}: {error}): "
                "run `shuangyu build`"
            ) from None


# --- Writing -------------------------------------------------------------------------------


def _document(document: dict, values: dict[str, list[str]]) -> dict:
    indexed = {
        f.name: document[f.name]
        for f in FIELDS
        if f.kind in ("id", "number") and document.get(f.name) is not None
    }
    indexed.update(values)
    indexed["weight"] = kind_weight(document["kind"])
    indexed[STORED] = {name: document.get(name) for name in _STORED_FIELDS}
    return indexed


def send_bulk(es: OpenSearch, index: str, documents: list[dict]) -> None:
    """Index ``documents`` (each with its passage id), retrying the ones the cluster rejects
    for a full write queue (429) or a lost node (503) with exponential backoff and jitter,
    until every one is indexed; any other rejection is an error."""
    pending = documents
    for attempt in range(BULK_RETRIES + 1):
        body = []
        for document in pending:
            body.append({"index": {"_index": index, "_id": document["id"]}})
            body.append(document)
        try:
            answer = es.bulk(body=body)
            items = answer["items"]
        except os_errors.TransportError as error:
            if error.status_code not in (429, 502, 503, 504) or attempt == BULK_RETRIES:
                raise
            items = [{"index": {"status": error.status_code}}] * len(pending)
        retry = []
        for document, item in zip(pending, items):
            outcome = item["index"]
            if outcome.get("status", 500) in (429, 502, 503, 504):
                retry.append(document)
            elif outcome.get("status", 500) >= 300:
                raise os_errors.TransportError(
                    outcome.get("status"), "bulk rejected a passage", outcome.get("error")
                )
        if not retry:
            return
        pending = retry
        backoff = min(BULK_MAX_BACKOFF, BULK_FIRST_BACKOFF * 2**attempt)
        time.sleep(backoff * (0.5 + random.random() / 2))
    raise os_errors.TransportError(
        429, "bulk rejected", f"{len(pending)} passages still rejected after {BULK_RETRIES} tries"
    )


def create(
    build_dir: Path, vocabulary: Vocabulary, passages: int, repeated: frozenset[str] = frozenset()
) -> OpenSearchWriter:
    """A writer of a new OpenSearch index for the build in ``build_dir``; the alias moves to
    it when it commits."""
    cluster = configured()
    es = client(cluster)
    index = _index_name(build_dir)
    with _writing():
        if es.indices.exists(index=index):  # left by a killed build of the same name
            es.indices.delete(index=index)
        es.indices.create(
            index=index,
            body={"settings": {"index": _index_settings(cluster)}, "mappings": _mapping(build_dir)},
        )
    _write_json(Path(build_dir) / CLUSTER_FILE, {"index": index, "alias": alias_of(build_dir)})
    return OpenSearchWriter(es, index, Path(build_dir), Lexicon(), new=True)


def open_writer(
    build_dir: Path, vocabulary: Vocabulary, repeated: frozenset[str] = frozenset()
) -> OpenSearchWriter:
    """A writer that updates the index of the build in ``build_dir``: what it is given is sent
    when it commits (deletions first), so that a cancelled update changes nothing."""
    index = _read_cluster_file(build_dir)["index"]
    return OpenSearchWriter(client(), index, Path(build_dir), Lexicon.read(build_dir), new=False)


class OpenSearchWriter:
    """Adds and deletes passages; ``commit`` makes them visible at once, ``cancel`` drops them.
    A new index is sent as it is written, in parallel bulk requests; an update, at commit."""

    def __init__(self, es: OpenSearch, index: str, build_dir: Path, lexicon: Lexicon, new: bool):
        self._es = es
        self._index = index
        self._build_dir = build_dir
        self._lexicon = lexicon
        self._new = new
        self._deleted: list[str] = []
        self._batch: list[dict] = []
        self._held: list[dict] = []  # an update's passages, sent at commit
        self._pool = ThreadPoolExecutor(BULK_IN_FLIGHT) if new else None
        self._sending: list = []

    def delete_report(self, report_id: str) -> None:
        self._deleted.append(report_id)

    def add(self, analysed: tuple[dict, dict[str, list[str]]]) -> None:
        document, values = analysed
        self._lexicon.count(document, values)
        indexed = _document(document, values)
        if not self._new:
            self._held.append(indexed)
            return
        self._batch.append(indexed)
        if len(self._batch) >= BULK_PASSAGES:
            self._send()

    def _send(self) -> None:
        batch, self._batch = self._batch, []
        # At most a few requests waiting: the analysis does not run ahead of the cluster.
        while len(self._sending) >= BULK_IN_FLIGHT * 2:
            self._sending.pop(0).result()
        self._sending.append(self._pool.submit(send_bulk, self._es, self._index, batch))

    def commit(self, merge: bool = True) -> None:
        with _writing():
            if self._new:
                if self._batch:
                    self._send()
                for sending in self._sending:
                    sending.result()
                self._pool.shutdown()
                self._finish_new(merge)
            else:
                self._apply_update()
        self._lexicon.write(self._build_dir)

    def _apply_update(self) -> None:
        es, index = self._es, self._index
        # The distribution's core has no _delete_by_query (a module): the report's passages
        # are read (their words leave the lexicon) and deleted by id in bulk.
        text_fields = {f.name for f in _TEXT_FIELDS}
        gone = []
        for report_id in self._deleted:
            query = {"query": {"term": {"report_id": report_id}}}
            fields = [*text_fields, "content_hash", "report_id"]
            for hit in scan(es, index=index, query=query, _source=fields, size=1000):
                source = hit["_source"]
                values = {name: source[name] for name in source if name in text_fields}
                self._lexicon.count(source, values, sign=-1)
                gone.append(hit["_id"])
        for start in range(0, len(gone), BULK_PASSAGES):
            body = [
                {"delete": {"_index": index, "_id": i}} for i in gone[start : start + BULK_PASSAGES]
            ]
            es.bulk(body=body)
        for start in range(0, len(self._held), BULK_PASSAGES):
            send_bulk(es, index, self._held[start : start + BULK_PASSAGES])
        es.indices.refresh(index=index)

    def _finish_new(self, merge: bool) -> None:
        """Refresh the new index, give it its replicas, and switch the alias to it in one
        request; then remove the indices older than the one the alias leaves."""
        es, index, cluster = self._es, self._index, configured()
        es.indices.refresh(index=index)
        if merge:
            es.indices.forcemerge(index=index, max_num_segments=1)
        es.indices.put_settings(
            index=index, body={"index": {"number_of_replicas": cluster.replicas}}
        )
        health = es.cluster.health()
        if cluster.replicas and health["number_of_data_nodes"] > cluster.replicas:
            es.cluster.health(
                index=index,
                params={"wait_for_status": "green", "timeout": GREEN_TIMEOUT},
                request_timeout=GREEN_TIMEOUT_SECONDS + 30,
            )
        alias = alias_of(self._build_dir)
        previous = _alias_targets(es, alias)
        actions = [{"remove": {"index": name, "alias": alias}} for name in previous]
        actions.append({"add": {"index": index, "alias": alias}})
        es.indices.update_aliases(body={"actions": actions})
        _remove_old_indices(es, alias, keep={index, *previous} | _served(self._build_dir))

    def cancel(self) -> None:
        """Drop what was not committed: a new index is deleted (the alias never pointed at it),
        an update was never sent."""
        if self._pool is not None:
            for sending in self._sending:
                sending.cancel()
            self._pool.shutdown(wait=True, cancel_futures=True)
        if self._new:
            try:
                self._es.indices.delete(index=self._index, ignore_unavailable=True)
            except (os_errors.ConnectionError, os_errors.TransportError):
                pass  # the next build removes it (_remove_old_indices)
        self._held.clear()


def _alias_targets(es: OpenSearch, alias: str) -> list[str]:
    found = es.indices.get_alias(name=alias, ignore=[404])
    return sorted(name for name, entry in found.items() if isinstance(entry, dict))


def _served(build_dir: Path) -> set[str]:
    """The OpenSearch index of the build the index folder serves now (``current``)."""
    link = _index_dir(build_dir) / CURRENT
    try:
        return {_read_cluster_file(link.resolve())["index"]}
    except IndexUnavailable:
        return set()


def _remove_old_indices(es: OpenSearch, alias: str, keep: set[str]) -> None:
    """Remove this folder's indices but ``keep``: those of older builds, and those killed
    builds left behind."""
    found = es.indices.get(index=f"{alias}-*", expand_wildcards="all", ignore_unavailable=True)
    for name in sorted(set(found) - keep):
        es.indices.delete(index=name, ignore_unavailable=True)


def remove_indices_of(folder: Path) -> list[str]:
    """Remove every index of this machine written by an index folder inside ``folder`` (the
    tests' temporary folders); their names."""
    es = client()
    with _writing():
        found = es.indices.get_mapping(index="shuangyu-*", expand_wildcards="all")
        inside, host = str(Path(folder).absolute()), socket.gethostname()
        gone = [
            name
            for name, entry in found.items()
            if (meta := entry.get("mappings", {}).get("_meta", {})).get("host") == host
            and (meta.get("index_dir", "") + "/").startswith(inside.rstrip("/") + "/")
        ]
        for name in gone:
            es.indices.delete(index=name, ignore_unavailable=True)
    return gone


def check_readable(build_dir: Path) -> None:
    """The build's index answers a count and its lexicon reads; ``IndexUnavailable`` else."""
    index = _read_cluster_file(build_dir)["index"]
    Lexicon.read(build_dir)
    with _answering(index):
        client().count(index=index)


def cluster_health() -> dict:
    """The cluster's health (for the tests and the benchmarks)."""
    with _answering("(any)"):
        return client().cluster.health()


def index_of(build_dir: Path) -> str:
    """The OpenSearch index a build wrote."""
    return _read_cluster_file(build_dir)["index"]


# --- Reading -------------------------------------------------------------------------------


def open_reader(build_dir: Path, vocabulary: Vocabulary) -> OpenSearchReader:
    """A reader of the build in ``build_dir``; ``IndexUnavailable`` when its index cannot be
    read (the cluster down, the index gone)."""
    index = _read_cluster_file(build_dir)["index"]
    lexicon = Lexicon.read(build_dir)
    es = client()
    with _answering(index):
        es.indices.get_settings(index=index)
    return OpenSearchReader(es, index, lexicon)


@dataclass(frozen=True, eq=False)
class Passage:
    """A passage found by a search: its id and stored fields (a reader's key)."""

    id: str
    fields: dict

    def __eq__(self, other) -> bool:
        return isinstance(other, Passage) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)


class OpenSearchReader:
    """``index.engines.seam.Reader`` over one OpenSearch index, which serves every thread at
    once (the client is thread-safe)."""

    concurrent = True

    def __init__(self, es: OpenSearch, index: str, lexicon: Lexicon):
        self._es = es
        self._index = index
        self._lexicon = lexicon
        self._passages = max(lexicon.passages(), 1)
        self._repeated = sorted(text for text, count in lexicon.contents.items() if count > 1)
        self._report_count = len(lexicon.reports)

    # The searches.

    def _search(self, body: dict) -> dict:
        with _answering(self._index):
            return self._es.search(
                index=self._index,
                body=body,
                search_type="dfs_query_then_fetch",
                request_cache=False,
            )

    def _scored(self, query) -> dict:
        """The compiled tree scaled by the kind of passage."""
        return {
            "function_score": {
                "query": compile_tree(query, self._idf_scale),
                "functions": [{"field_value_factor": {"field": "weight", "missing": 1}}],
                "boost_mode": "multiply",
            }
        }

    def _hits(self, query, report: str | None, size: int, aggregations: dict | None = None):
        """The best ``size`` hits of ``query`` (of ``report`` alone when given: a filter of the
        hits after the aggregations, which count every report, and that scores nothing)."""
        body = {
            "query": self._scored(query),
            "size": size,
            "sort": ["_score", {"report_id": "asc"}, {"ordinal": "asc"}],
            "track_scores": True,
            "track_total_hits": False,
            "_source": [STORED],
        }
        if report is not None:
            body["post_filter"] = {"term": {"report_id": report}}
        if aggregations:
            body["aggs"] = aggregations
        return self._search(body)

    def _count_aggregations(self) -> dict:
        per_report = {
            "terms": {
                "field": "report_id",
                "size": self._report_count + 1,
                "shard_size": self._report_count + 1,
            }
        }
        aggregations = {"reports": per_report}
        if self._repeated:
            aggregations["repeats"] = {
                "filter": {"terms": {"content_hash": self._repeated}},
                "aggs": {
                    "texts": {
                        "terms": {
                            "field": "content_hash",
                            "size": len(self._repeated),
                            "shard_size": len(self._repeated),
                            "min_doc_count": 2,
                        },
                        "aggs": {"reports": per_report},
                    }
                },
            }
        return aggregations

    @staticmethod
    def _counts(aggregations: dict) -> tuple[dict[str, int], int, int]:
        """As ``tantivy_engine.TantivyReader._counts``: matching texts per report, matching
        texts in all, and how many matches are repeats."""
        counts = Counter({b["key"]: b["doc_count"] for b in aggregations["reports"]["buckets"]})
        matches = sum(counts.values())
        surplus = 0
        for text in aggregations.get("repeats", {}).get("texts", {}).get("buckets", []):
            surplus += text["doc_count"] - 1
            for bucket in text["reports"]["buckets"]:
                counts[bucket["key"]] -= bucket["doc_count"] - 1
        return {key: count for key, count in counts.items() if count}, matches - surplus, surplus

    def search(
        self,
        query,
        depth: int,
        report: str | None = None,
        deadline: float | None = None,
        order: Mapping[str, int] | None = None,
    ) -> Matches:
        # One request for the counts and, usually, the hits: enough of them that ``depth``
        # remain once repeats are dropped, unless a query repeats more than expected.
        guess = depth + depth // 4 + 10
        answer = self._hits(query, report, guess, self._count_aggregations())
        counts, distinct, surplus = self._counts(answer["aggregations"])
        total = distinct if report is None else counts.get(report, 0)
        if order is not None and report is None:
            return Matches(
                self._in_report_order(query, counts, order, depth, surplus), counts, total=total
            )
        hits = answer["hits"]["hits"]
        if depth + surplus > guess and len(hits) == guess:
            hits = self._hits(query, report, depth + surplus)["hits"]["hits"]
        return Matches(_ranked(hits, depth), counts, total=total)

    def _in_report_order(
        self, query, counts: dict[str, int], order: Mapping[str, int], depth: int, surplus: int
    ) -> list[tuple[object, float]]:
        """As ``tantivy_engine.TantivyReader._in_report_order``: reports in ``order``, each
        report's best first, a text in the first report that prints it."""
        listed: set[str] = set()
        top: list[tuple[object, float]] = []
        for report in sorted(
            counts, key=lambda report_id: (order.get(report_id, len(order)), report_id)
        ):
            hits = self._hits(query, report, counts[report] + surplus)["hits"]["hits"]
            for passage, score in _ranked(hits, counts[report]):
                if passage.fields["content_hash"] not in listed:
                    listed.add(passage.fields["content_hash"])
                    top.append((passage, score))
            if len(top) >= depth:
                break
        return top[:depth]

    def _idf_scale(self, field_name: str, words: list[str]) -> float:
        """As ``tantivy_engine.IdfScale.of``: Whoosh's idf over Lucene's, summed over the words
        (Lucene's counts the passages that have the field)."""
        having = max(self._lexicon.fields.get(field_name, 0), 1)
        frequencies = self._lexicon.words.get(field_name, {})
        whoosh = lucene = 0.0
        for word in words:
            frequency = frequencies.get(word, 0)
            whoosh += math.log(self._passages / (frequency + 1)) + 1
            lucene += math.log(1 + (having - frequency + 0.5) / (frequency + 0.5))
        return whoosh / lucene if lucene > 0 else 1.0

    # Stored passages.

    def stored(self, key) -> dict:
        return dict(key.fields)

    def document(self, passage_id: str) -> dict | None:
        with _answering(self._index):
            try:
                found = self._es.get(index=self._index, id=passage_id, _source=[STORED])
            except os_errors.NotFoundError:
                if not self._es.indices.exists(index=self._index):
                    raise
                return None
        return found["_source"][STORED]

    def report_passages(self, report_id: str, first: int, last: int | None) -> list[dict]:
        if last is not None and last < first:
            return []
        first = max(first, 0)
        size = self._lexicon.reports.get(report_id, 0) if last is None else last - first + 1
        if size <= 0:
            return []
        ordinal = {"gte": first} | ({"lte": last} if last is not None else {})
        body = {
            "query": {
                "bool": {
                    "filter": [{"term": {"report_id": report_id}}, {"range": {"ordinal": ordinal}}]
                }
            },
            "size": size,
            "sort": [{"ordinal": "asc"}],
            "_source": [STORED],
        }
        return [hit["_source"][STORED] for hit in self._search(body)["hits"]["hits"]]

    # Words.

    def doc_frequency(self, field_name: str, word: str) -> int:
        if field_name == "content_hash":
            return self._lexicon.contents.get(word, 0)
        if field_name == "report_id":
            return self._lexicon.reports.get(word, 0)
        return self._lexicon.words.get(field_name, {}).get(word, 0)

    def words(self, field_name: str, prefix: str = "") -> list[str]:
        return sorted(
            word for word in self._lexicon.words.get(field_name, {}) if word.startswith(prefix)
        )

    def most_frequent(self, field_name: str, count: int) -> list[tuple[str, int]]:
        return Counter(self._lexicon.words.get(field_name, {})).most_common(count)

    def doc_count(self) -> int:
        with _answering(self._index):
            return self._es.count(index=self._index)["count"]

    def segment_count(self) -> int:
        with _answering(self._index):
            stats = self._es.indices.stats(index=self._index, metric="segments")
        return stats["_all"]["primaries"]["segments"]["count"]

    def close(self) -> None:
        pass


def _rounded(score: float) -> float:
    # Scores equal but for float noise are ties.
    return round(score, 5) if math.isfinite(score) else score


def _ranked(hits: list[dict], depth: int) -> list[tuple[object, float]]:
    """The best ``depth`` hits, each text once, ties in reading order (report, place)."""
    listed: set[str] = set()
    top: list[tuple[object, float]] = []
    scored = [(hit["_score"], Passage(hit["_id"], hit["_source"][STORED])) for hit in hits]
    for _, tied in groupby(scored, key=lambda hit: _rounded(hit[0])):
        tied = sorted(tied, key=lambda hit: (hit[1].fields["report_id"], hit[1].fields["ordinal"]))
        for score, passage in tied:
            content = passage.fields["content_hash"]
            if content not in listed:
                listed.add(content)
                top.append((passage, score))
                if len(top) == depth:
                    return top
    return top


# --- Queries -------------------------------------------------------------------------------


def _phrase(node: tree.Phrase, boost: float) -> dict:
    """Words in order, each two at most ``node.slop`` positions apart beyond adjacent. Lucene's
    slop is the phrase's in all: per pair, a phrase of more than two words with a slop nests
    ordered spans, each pair's gap checked on its own."""
    words = list(node.words)
    if node.slop == 0 or len(words) <= 2:
        return {
            "match_phrase": {
                node.field: {
                    "query": " ".join(words),
                    "analyzer": "whitespace",
                    "slop": node.slop,
                    "boost": boost,
                }
            }
        }
    span: dict = {"span_term": {node.field: words[0]}}
    for word in words[1:]:
        span = {
            "span_near": {
                "clauses": [span, {"span_term": {node.field: word}}],
                "slop": node.slop,
                "in_order": True,
            }
        }
    span["span_near"]["boost"] = boost
    return span


def compile_tree(node, idf_scale=None) -> dict:
    """The OpenSearch query of a query tree (``index.engines.seam``), each word weighed with
    Whoosh's idf when ``idf_scale(field, words)`` is given."""

    def part(child):
        return compile_tree(child, idf_scale)

    boost = node.boost
    if isinstance(node, tree.Term):
        scale = idf_scale(node.field, [node.text]) if idf_scale else 1.0
        return {"term": {node.field: {"value": node.text, "boost": boost * scale}}}
    if isinstance(node, tree.Phrase):
        scale = idf_scale(node.field, list(node.words)) if idf_scale else 1.0
        return _phrase(node, boost * scale)
    if isinstance(node, tree.All):
        compiled = {"bool": {"must": [part(p) for p in node.parts]}}
    elif isinstance(node, tree.Any):
        compiled = {"bool": {"should": [part(p) for p in node.parts], "minimum_should_match": 1}}
    elif isinstance(node, tree.Best):
        compiled = {"dis_max": {"queries": [part(p) for p in node.parts], "tie_breaker": 0.0}}
    elif isinstance(node, tree.WithOptional):
        compiled = {"bool": {"must": [part(node.required)], "should": [part(node.optional)]}}
    elif isinstance(node, tree.Without):
        compiled = {"bool": {"must": [part(node.positive)], "must_not": [part(node.negative)]}}
    elif isinstance(node, tree.Filter):
        compiled = {"bool": {"must": [part(node.query)], "filter": [part(node.condition)]}}
    else:
        raise TypeError(f"not a query tree node: {node!r}")
    if boost != 1.0:
        next(iter(compiled.values()))["boost"] = boost
    return compiled
