"""What each setting takes: the functions that check a setting's raw value (from an option, the
environment or its default, as ``settings.load_settings`` finds it) and convert it, each raising
``ValueError`` with what it takes; ``load_settings`` turns that into a ``SettingError`` that
names the setting. Each row of ``settings_declared.SETTINGS`` names its function here.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from limits import parse_many
from shuangyu.index.engines.seam import ENGINES
from shuangyu.index.semantic.embedding import EMBEDDERS


def folder(raw: str | Path) -> Path:
    # Relative to the current folder: a regular install has no repository to be relative to.
    return Path(raw).expanduser().absolute()


def optional_folder(raw: str | Path | None) -> Path | None:
    return folder(raw) if raw and str(raw).strip() else None


def positive_whole(raw: str | int) -> int:
    text = str(raw).strip().replace("_", "")
    if not text.isdigit() or int(text) == 0:
        raise ValueError("a positive whole number")
    return int(text)


def base_url(raw: str) -> str:
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


def hosts(raw: str | tuple | list) -> tuple[str, ...]:
    # Lower case, IPv6 without brackets: as a Host header is compared.
    names = raw.split(",") if isinstance(raw, str) else raw
    return tuple(name.strip().lower().strip("[]") for name in names if name.strip())


def urls(raw: str | tuple | list) -> tuple[str, ...]:
    names = raw.split(",") if isinstance(raw, str) else raw
    checked = tuple(base_url(name) for name in names if name.strip())
    if any("/" in url.split("://", 1)[1] for url in checked):
        raise ValueError("comma-separated http(s) URLs of nodes, such as http://127.0.0.1:9200")
    return checked


def text(raw: str) -> str:
    return (raw or "").strip()


def optional_file(raw: str | Path | None) -> Path | None:
    if not raw or not str(raw).strip():
        return None
    path = folder(raw)
    if not path.is_file():
        raise ValueError("a file that exists")
    return path


def whole(raw: str | int) -> int:
    text = str(raw).strip().replace("_", "")
    if not text.isdigit():
        raise ValueError("a whole number")
    return int(text)


def rate(raw: str) -> str:
    raw = (raw or "").strip()
    if raw:
        try:
            parse_many(raw)
        except ValueError:
            raise ValueError("a rate such as '120 per minute'") from None
    return raw


def engine(raw: str) -> str:
    raw = (raw or "").strip().lower()
    if raw and raw not in ENGINES:
        raise ValueError(f"one of {', '.join(ENGINES)} (or empty)")
    return raw


def embedder(raw: str) -> str:
    raw = (raw or "").strip()
    if raw.lower() in EMBEDDERS:
        return raw.lower()
    if raw and Path(raw).expanduser().is_dir():
        # A model folder (index/semantic/model_folder.py); what is inside is checked when it
        # loads, so that a damaged model turns the semantic side off and not the server.
        return str(Path(raw).expanduser().absolute())
    raise ValueError(
        f"one of {', '.join(EMBEDDERS)}, or the folder of an ONNX sentence-embedding model"
        + (f" ({raw} is not a folder)" if raw else "")
    )


def seconds(raw: str | float) -> float:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        value = 0.0
    if not 0 < value < float("inf"):
        raise ValueError("a number of seconds above 0")
    return value
