"""The manifest of a build: what it holds and how it was made, read and written here alone.

``manifest.json`` sits in each build folder (``index.engines.store``), written last by a full
build and replaced after each update in place. Its report entries are what ``/api/reports``
serves, so they stay plain JSON objects (a ``TypedDict``); the rest is typed records.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypedDict

from shuangyu.index.engines.schema import SCHEMA_VERSION

FILE = "manifest.json"


class ReportEntry(TypedDict):
    """One report of a build, as ``/api/reports`` lists it (``web.openapi.REPORT``)."""

    id: str
    file: str
    format: str
    encoding: str
    fingerprint: str
    title: str
    subtitle: str
    # In English, by the passages' translator (a machine translation, else the gloss): which,
    # in title_en_engine.
    title_en: str
    title_en_engine: str
    subtitle_en: str
    authors: list[str]
    photo_credit: str
    publisher: str
    date: str
    date_basis: str
    # Which fields were read from the report's own text (it came without a metadata file).
    inferred: list[str]
    language: str
    passages: int
    passages_by_kind: dict[str, int]
    # Its passages by the translator that made their English.
    translators: dict[str, int]


@dataclass(frozen=True)
class Translator:
    """What made the English of a build: the translator's name, its model and its identity
    (which changes when its output would: another model, another translation memory)."""

    name: str
    model: str | None
    identity: str


@dataclass(frozen=True)
class TranslationFigures:
    """How the last build or update translated its passages."""

    memory_hits: int
    translated: int
    seconds: float
    passages_per_second: float


@dataclass(frozen=True)
class LastUpdate:
    """The last change to a build: a full build, or an update in place of some ``reports``."""

    mode: Literal["full", "incremental"]
    seconds: float
    at: str = ""
    reports: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class Manifest:
    """A build's manifest. ``translators`` and ``passages`` are counted from ``reports``."""

    schema_version: int = SCHEMA_VERSION
    # The search engine that wrote the build (``index.engines.seam.ENGINES``).
    engine: str
    built_at: str
    corpus_fingerprint: str
    vocabulary_fingerprint: str
    translator: Translator
    translation: TranslationFigures
    reports: list[ReportEntry]
    last_update: LastUpdate
    translators: dict[str, int] = field(init=False)
    passages: int = field(init=False)
    build_seconds: float = 0.0
    index_bytes: int = 0

    def __post_init__(self) -> None:
        counted: Counter[str] = Counter()
        for entry in self.reports:
            counted.update(entry["translators"])
        object.__setattr__(self, "translators", dict(counted))
        object.__setattr__(self, "passages", sum(entry["passages"] for entry in self.reports))

    def report(self, report_id: str) -> ReportEntry | None:
        """The entry of report ``report_id``, or ``None`` when the build has no such report."""
        return next((entry for entry in self.reports if entry["id"] == report_id), None)

    def replace(self, **changes: Any) -> Manifest:
        """A copy with ``changes`` (the counts follow the reports)."""
        return dataclasses.replace(self, **changes)


class ManifestError(Exception):
    """A manifest cannot be read; the message says why and what to run."""


def read(build_dir: Path) -> Manifest:
    """The manifest of the build in ``build_dir``; ``ManifestError`` when it is missing,
    unreadable or from an incompatible version of Shuangyu."""
    try:
        data = json.loads((build_dir / FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ManifestError(
            f"index in {build_dir} is damaged ({error}): run `shuangyu build`"
        ) from None
    if not isinstance(data, dict) or data.get("schema_version") != SCHEMA_VERSION:
        raise ManifestError(
            f"index in {build_dir} was built by an incompatible version of Shuangyu: run `shuangyu build --force`"
        )
    try:
        return _from_json(data)
    except (KeyError, TypeError) as error:
        raise ManifestError(
            f"index in {build_dir} is damaged (its manifest lacks {error}): run `shuangyu build`"
        ) from None


def write(build_dir: Path, manifest: Manifest, replacing: bool = False) -> None:
    """Write ``manifest`` into ``build_dir``; ``replacing`` an existing one, in one rename, so
    that a reader sees the old manifest or the new one."""
    text = json.dumps(dataclasses.asdict(manifest), ensure_ascii=False, indent=2)
    if not replacing:
        (build_dir / FILE).write_text(text, encoding="utf-8")
        return
    staging = build_dir / f"{FILE}.tmp"
    staging.write_text(text, encoding="utf-8")
    os.replace(staging, build_dir / FILE)


def _from_json(data: dict[str, Any]) -> Manifest:
    return Manifest(
        schema_version=data["schema_version"],
        engine=data["engine"],
        built_at=data["built_at"],
        corpus_fingerprint=data["corpus_fingerprint"],
        vocabulary_fingerprint=data["vocabulary_fingerprint"],
        translator=Translator(**data["translator"]),
        translation=TranslationFigures(**data["translation"]),
        reports=data["reports"],
        last_update=LastUpdate(**data["last_update"]),
        build_seconds=data["build_seconds"],
        index_bytes=data["index_bytes"],
    )
