"""Which OpenSearch cluster the ``opensearch`` engine (``index.engines.opensearch_engine``) uses.

Plain data, without the client library: the settings (``web.settings``) make a ``Cluster`` at
the edge (the CLI, the app factory), and it is passed down to what opens an engine's writer or
reader (``index.engines.seam``); Whoosh and tantivy, whose indexes live in the build's folder,
take it and have no use for it. An index build records which OpenSearch index it wrote (in its
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


# No cluster: what the Whoosh and tantivy engines are given, and the opensearch engine refuses.
NO_CLUSTER = Cluster()
