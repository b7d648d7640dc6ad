"""A search request to the opensearch engine's cluster within a time budget.

A search with a deadline (the searcher's time budget) asks the cluster to stop at it (the search
request's ``timeout``: each shard answers what it found by then, and the answer says
``timed_out``), and waits for the answer a little longer than that (``ANSWER_GRACE_SECONDS``):
a cluster that does not answer by then is out of reach for that search, which fails at once
rather than hold its request, and any later one.
"""

from __future__ import annotations

import math
import time

from opensearchpy import OpenSearch
from opensearchpy import exceptions as os_errors
from shuangyu.index.engines.cluster import Cluster
from shuangyu.index.engines.opensearch_index import answering
from shuangyu.index.engines.store import IndexUnavailable

# How much longer than its deadline a search waits for the cluster's answer: a shard stops at
# the deadline (when it looks at its clock, which is seldom), but the global statistics before
# and the fetching of the hits after are not bounded by it; on a loaded machine the answer to
# the costliest query a user may type came back after more than a second (6,000 passages, three
# nodes on two shared cores: tests/reliability/test_reliability_search.py).
ANSWER_GRACE_SECONDS = 5.0
# A search's parameters (global statistics: a passage scores the same on any shard).
SEARCH_PARAMS = {"search_type": "dfs_query_then_fetch", "request_cache": "false"}


def search(
    es: OpenSearch, cluster: Cluster, index: str, body: dict, deadline: float | None = None
) -> dict:
    """The answer of ``cluster`` to a search of ``index``; with a ``deadline`` (a
    ``time.perf_counter()`` value), one it stops at then (``timed_out`` in the answer says it
    did). Its failures as ``IndexUnavailable``."""
    with answering(index, cluster):
        if deadline is None:
            return es.search(index=index, body=body, params=SEARCH_PARAMS)
        return _search_by(es, index, body, deadline)


def _search_by(es: OpenSearch, index: str, body: dict, deadline: float) -> dict:
    """``search`` by ``deadline``: the time left sent as the search's ``timeout``, and
    the answer waited for ``ANSWER_GRACE_SECONDS`` longer at most. As the client would,
    a node that cannot be reached (or answers 502-504) is marked dead and another one asked,
    while time is left; but a node that does not answer in time is not asked again, nor
    another (the client's own retries would wait as long again for each)."""
    transport = es.transport
    left = max(deadline - time.perf_counter(), 0.001)
    body = {**body, "timeout": f"{math.ceil(left * 1000)}ms"}
    payload = transport.serializer.dumps(body).encode("utf-8")
    give_up = time.perf_counter() + left + ANSWER_GRACE_SECONDS
    for attempt in range(transport.max_retries + 1):
        connection = transport.get_connection()
        try:
            _, headers, data = connection.perform_request(
                "POST",
                f"/{index}/_search",
                SEARCH_PARAMS,
                payload,
                timeout=max(give_up - time.perf_counter(), 0.001),
            )
        except os_errors.ConnectionTimeout:
            raise IndexUnavailable(
                f"the OpenSearch cluster at {connection.host} did not answer a search within "
                f"{left + ANSWER_GRACE_SECONDS:.1f} s (what was left of its time budget, and "
                f"{ANSWER_GRACE_SECONDS:g} s more); try again when it answers"
            ) from None
        except os_errors.TransportError as error:
            unreachable = isinstance(error, os_errors.ConnectionError)
            if not unreachable and error.status_code not in transport.retry_on_status:
                raise
            if attempt == transport.max_retries or time.perf_counter() >= give_up:
                raise
            try:
                transport.mark_dead(connection)
            except os_errors.TransportError:
                pass  # sniffing the nodes again failed too: the next attempt says so
            continue
        transport.connection_pool.mark_live(connection)
        content_type = {key.lower(): value for key, value in headers.items()}.get("content-type")
        return transport.deserializer.loads(data, content_type)
    raise AssertionError("unreachable")  # the last attempt returns or raises
