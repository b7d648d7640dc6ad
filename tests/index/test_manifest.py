"""The manifest of a build (index/engines/manifest.py): written and read back the same, its
counts made from its reports, and a manifest of another schema version refused."""

from __future__ import annotations

import json
import typing

import pytest
from shuangyu.index.engines import manifest as manifest_file
from shuangyu.index.engines.manifest import (
    LastUpdate,
    Manifest,
    ManifestError,
    ReportEntry,
    TranslationFigures,
    Translator,
)
from shuangyu.index.engines.schema import FIELDS, SCHEMA_VERSION, StoredPassage


def entry(report_id: str, passages: dict[str, int]) -> ReportEntry:
    return {
        "id": report_id,
        "file": f"{report_id}.txt",
        "format": "text",
        "encoding": "utf-8",
        "fingerprint": "f" * 16,
        "title": "重庆物流",
        "subtitle": "",
        "title_en": "Chongqing logistics",
        "title_en_engine": "gloss",
        "subtitle_en": "",
        "authors": [],
        "photo_credit": "",
        "publisher": "",
        "date": "2024-05",
        "date_basis": "",
        "inferred": [],
        "language": "zh",
        "passages": sum(passages.values()),
        "passages_by_kind": {"body": sum(passages.values())},
        "translators": passages,
    }


def a_manifest() -> Manifest:
    return Manifest(
        engine="whoosh",
        built_at="2026-12-06T19:00:00+00:00",
        corpus_fingerprint="c" * 16,
        vocabulary_fingerprint="v" * 16,
        translator=Translator("gloss", "cc-cedict", "gloss:cc-cedict"),
        translation=TranslationFigures(0, 0, 0.0, 0.0),
        reports=[entry("a", {"gloss": 3}), entry("b", {"gloss": 1, "argos": 2})],
        last_update=LastUpdate("full", 1.5),
        build_seconds=2.0,
        index_bytes=1234,
    )


def test_a_manifest_is_read_back_as_it_was_written(tmp_path):
    written = a_manifest()
    manifest_file.write(tmp_path, written)
    assert manifest_file.read(tmp_path) == written
    manifest_file.write(tmp_path, written.replace(index_bytes=99), replacing=True)
    assert manifest_file.read(tmp_path).index_bytes == 99
    assert [path.name for path in tmp_path.iterdir()] == [manifest_file.FILE]


def test_the_counts_are_made_from_the_reports_and_stored_for_other_readers(tmp_path):
    manifest = a_manifest()
    assert manifest.passages == 6 and manifest.translators == {"gloss": 4, "argos": 2}
    assert manifest.replace(reports=manifest.reports[:1]).passages == 3
    manifest_file.write(tmp_path, manifest)
    stored = json.loads((tmp_path / manifest_file.FILE).read_text(encoding="utf-8"))
    assert stored["passages"] == 6 and stored["engine"] == "whoosh"
    assert stored["schema_version"] == SCHEMA_VERSION
    assert manifest.report("b") is manifest.reports[1] and manifest.report("z") is None


@pytest.mark.parametrize(
    "text, says",
    [
        ("{", "is damaged"),
        (json.dumps({"schema_version": SCHEMA_VERSION - 1}), "incompatible version"),
        (json.dumps({"schema_version": SCHEMA_VERSION, "engine": "whoosh"}), "is damaged"),
    ],
)
def test_a_damaged_or_older_manifest_is_refused_with_what_to_run(tmp_path, text, says):
    (tmp_path / manifest_file.FILE).write_text(text, encoding="utf-8")
    with pytest.raises(ManifestError, match=says) as raised:
        manifest_file.read(tmp_path)
    assert "run `shuangyu build" in str(raised.value)


def test_the_stored_passage_type_names_every_stored_field():
    stored = {field.name for field in FIELDS if field.stored}
    assert set(typing.get_type_hints(StoredPassage)) == stored
