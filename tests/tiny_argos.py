"""Build a tiny but real Argos Translate zh→en package offline, for tests.

The package has every part a real one has: a SentencePiece model, a CTranslate2 Transformer
(one layer, built from numpy arrays), a MiniSBD sentence splitter as an ONNX graph, and
metadata.json. Its weights are chosen, not trained: whatever the input, each sentence
"translates" to ``TINY_OUTPUT``, so tests can recognise the model's output.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

TINY_OUTPUT = "tiny model says"
SENTENCE_ENDS = "。！？.!?"
PACKAGE_NAME = "translate-zh_en-tiny"


def build_tiny_package(folder: Path, version: str = "0.1") -> Path:
    """Write ``<folder>/<PACKAGE_NAME>.argosmodel`` and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    staging = folder / PACKAGE_NAME
    (staging / "model").mkdir(parents=True, exist_ok=True)
    (staging / "minisbd").mkdir(exist_ok=True)
    pieces = _sentencepiece(staging / "sentencepiece.model")
    _transformer(pieces, staging / "model")
    _splitter(staging / "minisbd" / "zh.onnx")
    (staging / "metadata.json").write_text(
        json.dumps(
            {
                "package_version": version,
                "argos_version": "1.11",
                "type": "translate",
                "from_code": "zh",
                "from_name": "Chinese",
                "to_code": "en",
                "to_name": "English",
                "name": "tiny test model",
            }
        ),
        encoding="utf-8",
    )
    archive = folder / f"{PACKAGE_NAME}.argosmodel"
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in sorted(staging.rglob("*")):
            bundle.write(path, path.relative_to(folder).as_posix())
    return archive


def _sentencepiece(path: Path) -> list[str]:
    import sentencepiece

    lines = [TINY_OUTPUT] * 20 + ["沙 坪 坝 物 流 枢 纽 重 庆", "高 质 量 发 展 。 ， 年"] * 5
    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=model,
        vocab_size=24,
        model_type="word",
        hard_vocab_limit=False,
        minloglevel=2,
    )
    path.write_bytes(model.getvalue())
    processor = sentencepiece.SentencePieceProcessor(model_file=str(path))
    return [processor.id_to_piece(index) for index in range(processor.get_piece_size())]


def _transformer(pieces: list[str], folder: Path) -> None:
    import numpy as np
    from ctranslate2.specs import transformer_spec

    depth, hidden, positions = 8, 16, 512
    spec = transformer_spec.TransformerSpec.from_config(num_layers=1, num_heads=2)
    vocabulary = len(pieces)

    def zeros(*shape):
        return np.zeros(shape, dtype=np.float32)

    def ones(*shape):
        return np.ones(shape, dtype=np.float32)

    for side in (spec.encoder, spec.decoder):
        side.layer_norm.gamma, side.layer_norm.beta = ones(depth), zeros(depth)
        layer = side.layer[0]
        for attention in [layer.self_attention] + (
            [layer.attention] if hasattr(layer, "attention") else []
        ):
            attention.layer_norm.gamma, attention.layer_norm.beta = ones(depth), zeros(depth)
        layer.ffn.layer_norm.gamma, layer.ffn.layer_norm.beta = ones(depth), zeros(depth)
        layer.self_attention.linear[0].weight = zeros(3 * depth, depth)
        layer.self_attention.linear[1].weight = zeros(depth, depth)
        layer.ffn.linear_0.weight = zeros(hidden, depth)
        layer.ffn.linear_1.weight = zeros(depth, hidden)
    spec.encoder.embeddings[0].weight = zeros(vocabulary, depth)
    cross = spec.decoder.layer[0].attention
    cross.linear[0].weight = zeros(depth, depth)
    cross.linear[1].weight = zeros(2 * depth, depth)
    cross.linear[2].weight = zeros(depth, depth)
    # Token embeddings are zero and every layer adds nothing, so the decoder's state at step k
    # is its position encoding: one-hot rows that the projection maps to the k-th output word,
    # then to the end of the sentence.
    spec.decoder.embeddings.weight = zeros(vocabulary, depth)
    words = ["▁" + word for word in TINY_OUTPUT.split()]
    encodings = zeros(positions, depth)
    for step in range(positions):
        encodings[step, min(step, len(words))] = 1.0
    spec.decoder.position_encodings.encodings = encodings
    spec.encoder.position_encodings.encodings = zeros(positions, depth)
    projection = zeros(vocabulary, depth)
    for step, word in enumerate(words):
        projection[pieces.index(word), step] = 10.0
    projection[pieces.index("</s>"), len(words)] = 10.0
    spec.decoder.projection.weight = projection
    spec.register_source_vocabulary(pieces)
    spec.register_target_vocabulary(pieces)
    spec.validate()
    spec.save(str(folder))


def _splitter(path: Path) -> None:
    """A MiniSBD model: a lookup table from character to the 5 token-boundary classes, where
    sentence-final punctuation is class 2 (end of sentence) and every other character class 1."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    units = ["<PAD>", "<UNK>", "<EMPTY>", "<ROOT>", *SENTENCE_ENDS]
    table = np.zeros((len(units), 5), dtype=np.float32)
    table[:, 1] = 1.0
    for index, unit in enumerate(units):
        if unit in SENTENCE_ENDS:
            table[index] = [0, 0, 1, 0, 0]
    graph = helper.make_graph(
        [helper.make_node("Gather", ["table", "units"], ["logits"], axis=0)],
        "tiny_sbd",
        [
            helper.make_tensor_value_info("units", TensorProto.INT64, ["batch", "length"]),
            helper.make_tensor_value_info(
                "features", TensorProto.FLOAT, ["batch", "length", "features"]
            ),
        ],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", "length", 5])],
        [numpy_helper.from_array(table, "table")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    vocab = {
        "lang": "zh",
        "idx": 0,
        "cutoff": 0,
        "lower": False,
        "_unit2id": {unit: index for index, unit in enumerate(units)},
        "_id2unit": units,
    }
    for key, value in (
        ("lang_code", "zh"),
        ("config", json.dumps({"feat_funcs": [], "max_seqlen": 300})),
        ("vocab", json.dumps(vocab)),
    ):
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.checker.check_model(model)
    path.write_bytes(model.SerializeToString())
