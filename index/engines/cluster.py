"""Which OpenSearch cluster the ``opensearch`` engine (``index.engines.opensearch_engine``) uses.

Plain data, without the client library: the settings (``web.settings``) make a ``Cluster`` at
the edge and hand it here once per process (``use``), as the dictionary folder is handed to
``index.english.cedict``; the engine's writers and readers, opened deep in a build or a search,
read it with ``configured``. An index build records which OpenSearch index it wrote (in its
build folder), not where the cluster is: the same build answers through any of its nodes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Cluster:
    """How to reach an OpenSearch cluster: its nodes' URLs (any of them answers), the user and
    password of HTTP basic authentication ("" for none), the CA certificate file that signs its
    TLS certificates (``None``: the system's), and the shards and replicas of a new index."""

    urls: tuple[str, ...] = ()
    user: str = ""
    password: str = ""
    ca: Path | None = None
    shards: int = 1
    replicas: int = 1

    def __repr__(self) -> str:  # never the password in a log or a traceback
        return f"Cluster(urls={self.urls!r}, user={self.user!r}, shards={self.shards}, replicas={self.replicas})"


_configured = Cluster()


def use(cluster: Cluster) -> None:
    """Use ``cluster`` in this process from now on."""
    global _configured
    _configured = cluster


def configured() -> Cluster:
    return _configured
