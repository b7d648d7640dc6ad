"""The opensearch engine's index in the cluster (``index.engines.opensearch_engine``): the client
of a cluster, its failures as ours, the names of a folder's indices and alias, the
record a build keeps of its index, and the mapping (each text field our words, joined by spaces,
for the core ``whitespace`` analyzer).
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from opensearchpy import OpenSearch
from opensearchpy import exceptions as os_errors
from shuangyu.index.engines.cluster import Cluster
from shuangyu.index.engines.schema import FIELDS
from shuangyu.index.engines.store import TEMPORARY_PREFIX, IndexUnavailable

CLUSTER_FILE = "opensearch.json"  # in a build's folder: which OpenSearch index it wrote

STORED = "stored"  # the object of every stored field (kept in _source, not indexed)
STORED_FIELDS = [f.name for f in FIELDS if f.stored]
TEXT_FIELDS = [f for f in FIELDS if f.kind == "text"]

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


def client(cluster: Cluster) -> OpenSearch:
    """The client of ``cluster``: one per process, thread-safe. ``IndexUnavailable`` when no
    cluster is set."""
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


def _unreachable(error: Exception, cluster: Cluster) -> str:
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
def answering(index: str, cluster: Cluster) -> Iterator[None]:
    """The failures of ``cluster`` while reading ``index`` as ``IndexUnavailable`` (a 503 from
    the API, one line from the command line)."""
    try:
        yield
    except os_errors.NotFoundError:
        raise IndexUnavailable(
            f"the OpenSearch index {index} is gone from the cluster at {_where(cluster)}: "
            "run `shuangyu build --force`"
        ) from None
    except (os_errors.ConnectionError, os_errors.TransportError) as error:
        raise IndexUnavailable(
            _unreachable(error, cluster) + "; try again when it answers"
        ) from None


@contextmanager
def writing(cluster: Cluster) -> Iterator[None]:
    """The failures of ``cluster`` while building as ``ClusterUnavailable``."""
    try:
        yield
    except (os_errors.ConnectionError, os_errors.TransportError) as error:
        raise ClusterUnavailable(errno.EIO, _unreachable(error, cluster)) from None


# --- Names ---------------------------------------------------------------------------------


def index_dir_of(build_dir: Path) -> Path:
    return Path(build_dir).absolute().parent.parent


def alias_of(build_dir: Path) -> str:
    """The alias of an index folder's builds: the same for every build in the folder, another
    for another folder (or machine) sharing the cluster."""
    place = f"{socket.gethostname()}:{index_dir_of(build_dir).resolve()}"
    return "shuangyu-" + hashlib.blake2b(place.encode(), digest_size=6).hexdigest()


def index_name(build_dir: Path) -> str:
    build = Path(build_dir).name.removeprefix(TEMPORARY_PREFIX).lower()
    return f"{alias_of(build_dir)}-{build}"


def read_cluster_file(build_dir: Path) -> dict:
    try:
        recorded = json.loads((Path(build_dir) / CLUSTER_FILE).read_text(encoding="utf-8"))
        if not isinstance(recorded.get("index"), str):
            raise ValueError(f"{CLUSTER_FILE} names no index")
        return recorded
    except (OSError, ValueError, AttributeError) as error:
        raise IndexUnavailable(
            f"index in {build_dir} is damaged ({error}): run `shuangyu build`"
        ) from None


def write_json(path: Path, data) -> None:
    staging = path.with_name(path.name + ".tmp")
    staging.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(staging, path)


# --- Mapping -------------------------------------------------------------------------------


def mapping(build_dir: Path) -> dict:
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
    meta = {"index_dir": str(index_dir_of(build_dir)), "host": socket.gethostname()}
    return {"dynamic": "strict", "_meta": meta, "properties": properties}


def index_settings(cluster: Cluster) -> dict:
    return {
        "number_of_shards": cluster.shards,
        # Replicas are added when the build commits: copying passages as they are written
        # would double the build's work.
        "number_of_replicas": 0,
        # Changes are seen when a writer commits (it refreshes), not between.
        "refresh_interval": "-1",
        "max_result_window": MAX_RESULT_WINDOW,
    }


def remove_indices_of(folder: Path, cluster: Cluster) -> list[str]:
    """Remove every index of ``cluster`` that an index folder inside ``folder`` wrote on this
    machine (the tests' temporary folders); their names."""
    es = client(cluster)
    with writing(cluster):
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


def index_of(build_dir: Path) -> str:
    """The OpenSearch index a build wrote."""
    return read_cluster_file(build_dir)["index"]
