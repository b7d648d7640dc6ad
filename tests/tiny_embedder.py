"""Build a tiny but real sentence-embedding model folder offline, for tests: the layout of a
sentence-transformers model exported to ONNX (``tokenizer.json``, ``onnx/model.onnx``,
``modules.json``, ``1_Pooling/config.json``, ``config_sentence_transformers.json``).

Its weights are chosen, not trained: each token's vector is a column of ``CONCEPTS``, so that an
English word and the Chinese characters of the same meaning share a direction. An English query
for ``freight`` then lands next to passages about 物流 by meaning alone, which the tests can
recognise; everything else (the tokenizer, the graph, onnxruntime, the pooling) is real.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

# Each concept is one dimension: the tokens on a line share it.
CONCEPTS = (
    ("物", "流", "freight"),
    ("铁", "路", "railway"),
    ("开", "放", "opening"),
)
PROMPTS = {"query": "query: ", "passage": "passage: "}
SPECIAL = ("[PAD]", "[UNK]", "query", "passage", ":")
# An unknown token's small weight on a dimension of its own: texts differ by their concepts.
UNKNOWN_WEIGHT = 0.1


def vocabulary() -> dict[str, int]:
    """Token → id: the special tokens, then each concept's tokens."""
    tokens = list(SPECIAL) + [token for concept in CONCEPTS for token in concept]
    return {token: number for number, token in enumerate(tokens)}


def embedding_table() -> np.ndarray:
    """The vector of each token id (rows), ``len(CONCEPTS) + 3`` dimensions: the concepts, then
    unknown tokens, then the two prompts' words."""
    words = vocabulary()
    unknown, query, passage = len(CONCEPTS), len(CONCEPTS) + 1, len(CONCEPTS) + 2
    table = np.zeros((len(words), len(CONCEPTS) + 3), dtype=np.float32)
    table[words["[UNK]"], unknown] = UNKNOWN_WEIGHT
    table[words["query"], query] = 1.0
    table[words["passage"], passage] = 1.0
    for dimension, concept in enumerate(CONCEPTS):
        for token in concept:
            table[words[token], dimension] = 1.0
    return table


def build_model_folder(
    folder: Path, pooling: str = "mean", prompts: bool = True, weights_apart: bool = False
) -> Path:
    """Write the model folder at ``folder`` and return it; ``pooling``: a sentence-transformers
    pooling mode (mean, cls, max, mean_sqrt_len_tokens, weightedmean...); ``weights_apart``: the
    weights in ``model.onnx.data`` beside the graph, as torch's exporter writes a large model."""
    (folder / "onnx").mkdir(parents=True, exist_ok=True)
    (folder / "1_Pooling").mkdir(exist_ok=True)
    _tokenizer(folder / "tokenizer.json")
    _graph(folder / "onnx" / "model.onnx", weights_apart)
    modules = [("", "Transformer"), ("1_Pooling", "Pooling"), ("2_Normalize", "Normalize")]
    (folder / "modules.json").write_text(
        json.dumps(
            [
                {"idx": number, "path": path, "type": f"sentence_transformers.models.{kind}"}
                for number, (path, kind) in enumerate(modules)
            ]
        ),
        encoding="utf-8",
    )
    (folder / "1_Pooling" / "config.json").write_text(
        json.dumps(
            {
                "word_embedding_dimension": len(CONCEPTS) + 3,
                "pooling_mode_cls_token": pooling == "cls",
                "pooling_mode_mean_tokens": pooling == "mean",
                "pooling_mode_max_tokens": pooling == "max",
                **({} if pooling in ("cls", "mean", "max") else {f"pooling_mode_{pooling}": True}),
            }
        ),
        encoding="utf-8",
    )
    (folder / "config_sentence_transformers.json").write_text(
        json.dumps({"prompts": PROMPTS if prompts else {}}), encoding="utf-8"
    )
    (folder / "sentence_bert_config.json").write_text(
        json.dumps({"max_seq_length": 128}), encoding="utf-8"
    )
    return folder


def _tokenizer(path: Path) -> None:
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

    tokenizer = Tokenizer(models.WordLevel(vocabulary(), unk_token="[UNK]"))
    # As BERT's: lower case, and a space around every CJK character, so each is a token.
    tokenizer.normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=False, lowercase=True
    )
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.save(str(path))


def _graph(path: Path, weights_apart: bool) -> None:
    """last_hidden_state = the table's rows of input_ids, times the attention mask."""
    import onnx
    from onnx import TensorProto, external_data_helper, helper, numpy_helper

    nodes = [
        helper.make_node("Gather", ["table", "input_ids"], ["vectors"], axis=0),
        helper.make_node("Cast", ["attention_mask"], ["mask"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["mask", "last_axis"], ["mask3"]),
        helper.make_node("Mul", ["vectors", "mask3"], ["last_hidden_state"]),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny-sentence-embedder",
        # No token_type_ids, as XLM-R models (bge-m3, multilingual-e5) take none.
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "tokens"]),
        ],
        [
            helper.make_tensor_value_info(
                "last_hidden_state", TensorProto.FLOAT, ["batch", "tokens", len(CONCEPTS) + 3]
            )
        ],
        initializer=[
            numpy_helper.from_array(embedding_table(), "table"),
            numpy_helper.from_array(np.array([-1], dtype=np.int64), "last_axis"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8  # what every onnxruntime since 1.10 reads
    onnx.checker.check_model(model)
    if weights_apart:
        # The table alone (the Unsqueeze axes stay in the graph, where shape inference reads them).
        external_data_helper.convert_model_to_external_data(
            model, location=path.name + ".data", size_threshold=64
        )
    onnx.save(model, str(path))
