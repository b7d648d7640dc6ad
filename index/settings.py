"""Settings that come from the environment, declared once.

Each setting is a row of ``SETTINGS``: its environment variable, its default and its help.
The CLI's ``--help``, the README and the code all read this table.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: Path
    help: str

    def value(self) -> Path:
        """The setting's path: the environment variable when set and non-empty, else the default."""
        raw = os.environ.get(self.env, "").strip()
        return Path(raw).expanduser() if raw else self.default


INSTANCE_DIR = Setting(
    "instance_dir",
    "SHUANGYU_INSTANCE_DIR",
    REPOSITORY_ROOT / "instance",
    "Folder for what the service makes and keeps outside git: translation models and memory, the dictionary file.",
)
CORPUS_DIR = Setting(
    "corpus_dir",
    "SHUANGYU_CORPUS_DIR",
    REPOSITORY_ROOT / "corpus",
    "Folder of reports (*.txt, each optionally with a .toml metadata file beside it).",
)
INDEX_DIR = Setting(
    "index_dir",
    "SHUANGYU_INDEX_DIR",
    REPOSITORY_ROOT / "instance" / "index",
    "Folder holding the search index (built by `shuangyu build`; never in git).",
)


class SettingError(Exception):
    """A setting's environment variable holds a value that cannot be used; the message names it."""


@dataclass(frozen=True)
class Limit:
    """A setting that is a positive whole number (a size cap)."""

    name: str
    env: str
    default: int
    help: str

    def value(self) -> int:
        """The environment variable's number when set and non-empty, else the default;
        ``SettingError`` when it is not a positive whole number."""
        raw = os.environ.get(self.env, "").strip().replace("_", "")
        if not raw:
            return self.default
        if not raw.isdigit() or int(raw) == 0:
            raise SettingError(f"{self.env} must be a positive whole number, not {raw!r}")
        return int(raw)


MODEL_MAX_BYTES = Limit(
    "model_max_bytes",
    "SHUANGYU_MODEL_MAX_BYTES",
    2_000_000_000,
    "Largest unpacked size, in bytes, of a model archive that `shuangyu models install` accepts.",
)

SETTINGS = (CORPUS_DIR, INDEX_DIR, INSTANCE_DIR, MODEL_MAX_BYTES)


def models_dir() -> Path:
    """Where translation model packages are installed: ``<instance>/models``."""
    return INSTANCE_DIR.value() / "models"


def translation_memory_path() -> Path:
    """The translation memory: ``<instance>/translations.sqlite``."""
    return INSTANCE_DIR.value() / "translations.sqlite"
