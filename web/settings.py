"""The service's settings, read once at the edge and passed down: ``load_settings`` takes each
setting declared in ``settings_declared.SETTINGS`` from a command-line option, else the
environment, else its default, and checks it (``settings_checks``); ``Settings`` holds the values
and what is made from them. Only this layer reads the environment; ``index/`` and ``search/`` are
handed the values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from shuangyu.index.engines.cluster import Cluster
from shuangyu.index.instance import InstanceFolder
from shuangyu.index.sources.read_budget import ReadBudget
from shuangyu.web.settings_declared import SETTINGS


class SettingError(Exception):
    """A setting holds a value that cannot be used; the message names it and says what it takes."""


@dataclass(frozen=True)
class Settings:
    """Every setting's value, checked (see ``settings_declared.SETTINGS``)."""

    corpus_dir: Path
    index_dir: Path
    instance_dir: Path
    engine: str
    opensearch_url: tuple[str, ...]
    opensearch_user: str
    opensearch_password: str
    opensearch_ca: Path | None
    opensearch_shards: int
    opensearch_replicas: int
    embedder: str
    model_max_bytes: int
    read_seconds: float
    read_memory_mb: int
    base_url: str
    allowed_hosts: tuple[str, ...]
    rate_limit: str
    exact_counts: int
    search_time_budget: float

    @property
    def instance(self) -> InstanceFolder:
        return InstanceFolder(self.instance_dir)

    @property
    def cluster(self) -> Cluster:
        """The OpenSearch cluster of the opensearch engine (``index.engines.cluster``)."""
        return Cluster(
            self.opensearch_url,
            self.opensearch_user,
            self.opensearch_password,
            self.opensearch_ca,
            self.opensearch_shards,
            self.opensearch_replicas,
        )

    @property
    def read_budget(self) -> ReadBudget:
        """What reading one received file may cost."""
        return ReadBudget(seconds=self.read_seconds, memory_bytes=self.read_memory_mb * 2**20)


def load_settings(
    environ: Mapping[str, str], given: Mapping[str, object] | None = None
) -> Settings:
    """The settings: each from ``given`` (by name, e.g. a command-line option) when there and
    not ``None``, else from its environment variable when set and not blank, else its default.
    ``SettingError`` names the first one that cannot be used."""
    given = given or {}
    values = {}
    for setting in SETTINGS:
        raw = given.get(setting.name)
        if raw is None:
            raw = environ.get(setting.env, "").strip() or setting.default
        try:
            values[setting.name] = setting.convert(raw)
        except ValueError as error:
            raise SettingError(
                f"{setting.env} ({setting.option}) must be {error}, not {str(raw)[:80]!r}"
            ) from None
    if values["index_dir"] is None:
        values["index_dir"] = values["instance_dir"] / "index"
    return Settings(**values)
