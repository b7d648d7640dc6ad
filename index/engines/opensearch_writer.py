"""Writing an index of the opensearch engine: bulk requests retried when the cluster rejects
them, a new index switched in behind the folder's alias when it commits, an update sent whole at
commit.
"""

from __future__ import annotations

import random
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from opensearchpy import OpenSearch
from opensearchpy import exceptions as os_errors
from opensearchpy.helpers import scan
from shuangyu.index.engines.cluster import Cluster
from shuangyu.index.engines.opensearch_index import (
    GREEN_TIMEOUT,
    GREEN_TIMEOUT_SECONDS,
    STORED,
    STORED_FIELDS,
    TEXT_FIELDS,
    alias_of,
    index_dir_of,
    read_cluster_file,
    writing,
)
from shuangyu.index.engines.opensearch_lexicon import Lexicon
from shuangyu.index.engines.schema import FIELDS, kind_weight
from shuangyu.index.engines.store import CURRENT, IndexUnavailable

# Bulk requests: passages per request, requests under way at once, and how a rejected one
# (HTTP 429: the nodes' write queues are full) is retried.
BULK_PASSAGES = 500
BULK_IN_FLIGHT = 2
BULK_RETRIES = 10
BULK_FIRST_BACKOFF = 0.5
BULK_MAX_BACKOFF = 15.0

# --- Writing -------------------------------------------------------------------------------


def indexed_document(document: dict, values: dict[str, list[str]]) -> dict:
    indexed = {
        f.name: document[f.name]
        for f in FIELDS
        if f.kind in ("id", "number") and document.get(f.name) is not None
    }
    indexed.update(values)
    indexed["weight"] = kind_weight(document["kind"])
    indexed[STORED] = {name: document.get(name) for name in STORED_FIELDS}
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


class OpenSearchWriter:
    """Adds and deletes passages; ``commit`` makes them visible at once, ``cancel`` drops them.
    A new index is sent as it is written, in parallel bulk requests; an update, at commit."""

    def __init__(
        self,
        es: OpenSearch,
        cluster: Cluster,
        index: str,
        build_dir: Path,
        lexicon: Lexicon,
        new: bool,
    ):
        self._es = es
        self._cluster = cluster
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
        indexed = indexed_document(document, values)
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
        # A new build's lexicon whole, before the alias moves to its index (a build whose
        # lexicon cannot be written never serves); an update's changes alone, in one
        # transaction, after the cluster took them.
        try:
            with writing(self._cluster):
                if self._new:
                    if self._batch:
                        self._send()
                    for sending in self._sending:
                        sending.result()
                    self._pool.shutdown()
                    self._lexicon.write(self._build_dir)
                    self._finish_new(merge)
                else:
                    self._apply_update()
            if not self._new:
                self._lexicon.write(self._build_dir)
        finally:
            self._lexicon.close()

    def _apply_update(self) -> None:
        es, index = self._es, self._index
        # The distribution's core has no _delete_by_query (a module): the report's passages
        # are read (their words leave the lexicon) and deleted by id in bulk.
        text_fields = {f.name for f in TEXT_FIELDS}
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
        es, index, cluster = self._es, self._index, self._cluster
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
        previous = alias_targets(es, alias)
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
        self._lexicon.close()


def alias_targets(es: OpenSearch, alias: str) -> list[str]:
    found = es.indices.get_alias(name=alias, ignore=[404])
    return sorted(name for name, entry in found.items() if isinstance(entry, dict))


def _served(build_dir: Path) -> set[str]:
    """The OpenSearch index of the build the index folder serves now (``current``)."""
    link = index_dir_of(build_dir) / CURRENT
    try:
        return {read_cluster_file(link.resolve())["index"]}
    except IndexUnavailable:
        return set()


def _remove_old_indices(es: OpenSearch, alias: str, keep: set[str]) -> None:
    """Remove this folder's indices but ``keep``: those of older builds, and those killed
    builds left behind."""
    found = es.indices.get(index=f"{alias}-*", expand_wildcards="all", ignore_unavailable=True)
    for name in sorted(set(found) - keep):
        es.indices.delete(index=name, ignore_unavailable=True)
