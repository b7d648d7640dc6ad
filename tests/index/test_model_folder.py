"""A user's own embedding model: the folder of a sentence-embedding model exported to ONNX
(tests/tiny_embedder.py writes a tiny real one), named by the embedder setting, builds the
vectors and answers searches by meaning through the CLI and the API; another model embeds
again; a damaged or missing one is told in one line and the words still answer."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from click.testing import CliRunner
from shuangyu.index.engines.store import current_build
from shuangyu.index.semantic.embedding import EmbedderError, load_embedder
from shuangyu.index.semantic.model_folder import ModelFolder
from shuangyu.index.semantic.vectors import FOLDER, MATRIX, read_meta
from shuangyu.web.app import create_app
from shuangyu.web.cli import main

from tests.paths import CORPUS_DIR, instance_with_dictionary
from tests.tiny_embedder import CONCEPTS, build_model_folder, embedding_table, vocabulary

FREIGHT = CONCEPTS[0]  # 物, 流, freight


def arguments(folder, embedder) -> list[str]:
    return [
        "--corpus-dir",
        str(CORPUS_DIR),
        "--index-dir",
        str(folder / "index"),
        "--instance-dir",
        str(folder / "instance"),
        "--embedder",
        str(embedder),
    ]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The seed corpus built by `shuangyu build` with a model folder: (folder, model, output)."""
    folder = tmp_path_factory.mktemp("model-folder")
    instance_with_dictionary(folder / "instance")
    model = build_model_folder(folder / "tiny-model")
    result = CliRunner().invoke(main, [*arguments(folder, model), "build", "--quiet"])
    assert result.exit_code == 0, result.output
    return folder, model, result.output


def test_a_model_folder_pools_and_prompts_as_its_configuration_says(tmp_path):
    table, words = embedding_table(), vocabulary()

    def expected(tokens: list[str], pooling: str) -> np.ndarray:
        rows = table[[words.get(token, words["[UNK]"]) for token in tokens]]
        vector = {"mean": rows.mean(axis=0), "max": rows.max(axis=0), "cls": rows[0]}[pooling]
        return vector / np.linalg.norm(vector)

    mean = load_embedder(str(build_model_folder(tmp_path / "mean")), threads=1)
    assert isinstance(mean, ModelFolder) and mean.dimensions == len(CONCEPTS) + 3
    # The folder's prompts are read: a query and a passage of the same text differ by them.
    both = mean.queries(["物流 and", "freight"])  # one padded batch: padding must not count
    assert np.allclose(both[0], expected(["query", ":", "物", "流", "and"], "mean"), atol=1e-6)
    assert np.allclose(both[1], expected(["query", ":", "freight"], "mean"), atol=1e-6)
    assert np.allclose(
        mean.passages(["物流"])[0], expected(["passage", ":", "物", "流"], "mean"), atol=1e-6
    )
    for pooling in ("max", "cls"):
        other = load_embedder(str(build_model_folder(tmp_path / pooling, pooling=pooling)))
        assert np.allclose(
            other.passages(["铁路 x"])[0],
            expected(["passage", ":", "铁", "路", "x"], pooling),
            atol=1e-6,
        )
        assert other.name != mean.name  # what made the vectors changed: they are made again
    # The square root of the length, as sentence-transformers' mean_sqrt_len_tokens.
    root = load_embedder(str(build_model_folder(tmp_path / "root", pooling="mean_sqrt_len_tokens")))
    assert np.allclose(root.passages(["物流"])[0], expected(["passage", ":", "物", "流"], "mean"))
    assert root.name != mean.name
    # A pooling it does not compute is refused, not replaced by another.
    weighted = load_embedder(str(build_model_folder(tmp_path / "w", pooling="weightedmean_tokens")))
    with pytest.raises(EmbedderError, match="pooling_mode_weightedmean_tokens"):
        weighted.queries(["x"])
    # A long text is cut by the tokenizer at the model's longest input (128 tokens here), not
    # at a number of characters before it: a passage of 300 characters keeps its end.
    long = "铁" * 150 + "物" * 150
    cut = expected(["passage", ":"] + ["铁"] * 126, "mean")
    assert np.allclose(mean.passages([long])[0], cut, atol=1e-6)
    # An e5 folder that does not write its prompts down gets the ones e5 was trained with.
    e5 = build_model_folder(tmp_path / "multilingual-e5-base", prompts=False)
    assert load_embedder(str(e5)).model.query_prompt == "query: "
    assert (
        load_embedder(str(build_model_folder(tmp_path / "bge", prompts=False))).model.query_prompt
        == ""
    )


def test_the_model_name_changes_with_the_weights_kept_beside_the_graph(tmp_path):
    folder = build_model_folder(tmp_path / "apart", weights_apart=True)
    weights = folder / "onnx" / "model.onnx.data"
    first = load_embedder(str(folder))
    before = first.passages(["物流"])[0]
    data = bytearray(weights.read_bytes())
    data[-4:] = np.float32(0.5).tobytes()  # the last weight of the table
    weights.write_bytes(bytes(data))
    second = load_embedder(str(folder))
    assert second.name != first.name
    assert np.allclose(second.passages(["物流"])[0], before)  # that row is not one of 物流's


def test_the_build_embeds_with_the_folder_model_and_search_finds_by_its_meaning(built):
    folder, model, output = built
    build = current_build(folder / "index")
    meta = read_meta(build)
    assert meta["model"] == ModelFolder(model).name and meta["model"].startswith("onnx:tiny-model:")
    assert f"Embedded {meta['rows']} passages" in output
    assert np.load(build / FOLDER / MATRIX).shape == (meta["rows"], len(CONCEPTS) + 3)
    client = create_app(
        {
            "TESTING": True,
            "INDEX_DIR": folder / "index",
            "INSTANCE_DIR": folder / "instance",
            "EMBEDDER": str(model),
        }
    ).test_client()
    answer = client.get("/api/search?q=freight&mode=semantic").get_json()
    assert answer["semantic"]["state"] == "ready" and answer["semantic"]["model"] == meta["model"]
    assert answer["results"], answer
    # The tiny model knows freight only as 物 and 流: every passage it finds by meaning has one
    # of them, most of them 物流.
    assert {result["found_by"] for result in answer["results"]} == {"meaning"}
    texts = [result["text"] for result in answer["results"]]
    assert all(any(character in text for character in FREIGHT[:2]) for text in texts), texts
    assert sum("物流" in text for text in texts) >= 5, texts
    # The CLI searches by the same model.
    printed = CliRunner().invoke(
        main, [*arguments(folder, model), "search", "--mode", "semantic", "--json", "freight"]
    )
    assert printed.exit_code == 0, printed.output
    assert [r["id"] for r in json.loads(printed.output)["results"]] == [
        r["id"] for r in answer["results"]
    ]


def test_another_model_embeds_again_and_the_first_comes_back_from_the_cache(built, tmp_path):
    folder, model, first = built
    distinct = re.search(r"\((\d+) new", first).group(1)  # every distinct text was new then
    other = build_model_folder(tmp_path / "tiny-model", pooling="max")
    changed = CliRunner().invoke(main, [*arguments(folder, other), "embed", "--quiet"])
    assert changed.exit_code == 0, changed.output
    assert f"({distinct} new" in changed.output
    assert read_meta(current_build(folder / "index"))["model"] == ModelFolder(other).name
    back = CliRunner().invoke(main, [*arguments(folder, model), "embed", "--quiet"])
    assert back.exit_code == 0 and "(0 new" in back.output, back.output


@pytest.mark.parametrize("damage", ["graph", "tokenizer", "no graph"])
def test_a_damaged_model_folder_is_told_in_one_line_and_the_words_still_answer(
    built, tmp_path, damage
):
    folder, _, _ = built
    broken = build_model_folder(tmp_path / "broken")
    if damage == "graph":
        graph = broken / "onnx" / "model.onnx"
        graph.write_bytes(graph.read_bytes()[:100])
        told = "cannot be loaded"
    elif damage == "tokenizer":
        (broken / "tokenizer.json").write_text("{not json", encoding="utf-8")
        told = "tokenizer"
    else:
        (broken / "onnx" / "model.onnx").unlink()
        told = "has no ONNX model"
    with pytest.raises(EmbedderError, match=told):
        load_embedder(str(broken)).queries(["x"])
    # The build says so in one line and keeps the index it made by words.
    result = CliRunner().invoke(
        main, [*arguments(tmp_path, broken), "build", "--quiet"], catch_exceptions=False
    )
    assert told in result.output and "Traceback" not in result.output
    client = create_app(
        {
            "TESTING": True,
            "INDEX_DIR": folder / "index",
            "INSTANCE_DIR": folder / "instance",
            "EMBEDDER": str(broken),
        }
    ).test_client()
    # A server given the damaged model over vectors of the sound one: the words answer, and the
    # page and the API say the search by meaning is off until a build embeds again (which then
    # says what is wrong with the model, as above).
    answer = client.get("/api/search?q=物流").get_json()
    assert answer["total"] > 0 and answer["mode"] == "lexical"
    assert answer["semantic"]["state"] == "unavailable"
    assert "run `shuangyu build`" in answer["semantic"]["note"]
    assert client.get("/api/search?q=freight&mode=semantic").status_code == 400


def test_an_embedder_that_is_neither_a_model_nor_a_folder_is_refused_at_once(tmp_path):
    result = CliRunner().invoke(
        main, [*arguments(tmp_path, tmp_path / "no-such-model"), "build", "--quiet"]
    )
    assert result.exit_code != 0
    assert "is not a folder" in result.output and "Traceback" not in result.output


def test_a_model_that_fails_its_first_text_fails_the_next_the_same_way(tmp_path, monkeypatch):
    folder = ModelFolder(build_model_folder(tmp_path / "flaky"))
    real_run, calls = ModelFolder._run, []

    def failing_once(self, texts):
        calls.append(texts)
        if len(calls) == 1:
            raise EmbedderError("the model failed (a first time)")
        return real_run(self, texts)

    monkeypatch.setattr(ModelFolder, "_run", failing_once)
    with pytest.raises(EmbedderError, match="a first time"):
        folder.passages(["物流"])
    # Loaded again, not left half-loaded with vectors of no length.
    assert folder.passages(["物流"]).shape == (1, len(CONCEPTS) + 3)
