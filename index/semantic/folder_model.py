"""What a model folder says about its model (``index.semantic.model_folder`` runs it): where
its ONNX graph and its tokenizer are, its pooling, its prompts, its longest input, and a digest
that changes when the model does. Read from a few small files, as sentence-transformers reads
them; nothing is loaded.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shuangyu.index.semantic.embedding import EmbedderError

# A longer input costs quadratically and e5, bge and MiniLM were trained on at most 512 tokens.
MOST_TOKENS = 512
E5_PROMPTS = {"query": "query: ", "passage": "passage: "}

# Where a folder keeps its graph, in the order they are looked for: the sentence-transformers
# ONNX export writes model.onnx at the top or in onnx/; the hub adds quantised variants beside it.
GRAPH_NAMES = ("model.onnx", "onnx/model.onnx")
TOKENIZER = "tokenizer.json"
# How much of each end of the graph file the model's name is made from (see ``identity``).
IDENTITY_BYTES = 1 << 20
# sentence-transformers' pooling modes that a folder may set (one at a time).
POOLING_FLAGS = {
    "pooling_mode_mean_tokens": "mean",
    "pooling_mode_cls_token": "cls",
    "pooling_mode_max_tokens": "max",
    "pooling_mode_lasttoken": "lasttoken",
    "pooling_mode_mean_sqrt_len_tokens": "mean_sqrt_len",
}


@dataclass(frozen=True)
class FolderModel:
    """What a model folder says about its model."""

    graph: Path
    tokenizer: Path
    pooling: str
    query_prompt: str
    passage_prompt: str
    most_tokens: int


def describe(folder: Path) -> FolderModel:
    """What ``folder`` holds (``EmbedderError`` when it is not a readable model folder)."""
    if not folder.is_dir():
        raise EmbedderError(f"the model folder {folder} does not exist; the semantic side is off")
    graph = next((folder / name for name in GRAPH_NAMES if (folder / name).is_file()), None)
    if graph is None:
        others = sorted(folder.glob("*.onnx")) + sorted(folder.glob("onnx/*.onnx"))
        graph = others[0] if others else None
    if graph is None:
        raise EmbedderError(
            f"the model folder {folder} has no ONNX model (model.onnx or onnx/model.onnx): export "
            "one with `optimum-cli export onnx --model FOLDER OUT`; the semantic side is off"
        )
    tokenizer = folder / TOKENIZER
    if not tokenizer.is_file():
        raise EmbedderError(
            f"the model folder {folder} has no {TOKENIZER} (the Hugging Face tokenizer); "
            "the semantic side is off"
        )
    modules = _json(folder / "modules.json") or []
    pooling_path = next(
        (
            module.get("path", "")
            for module in modules
            if isinstance(module, dict) and str(module.get("type", "")).endswith(".Pooling")
        ),
        "1_Pooling",
    )
    pooling = _pooling(_json(folder / pooling_path / "config.json") or {}, folder)
    prompts = (_json(folder / "config_sentence_transformers.json") or {}).get("prompts") or {}
    if not isinstance(prompts, dict):
        prompts = {}
    if not prompts and _is_e5(folder):
        prompts = E5_PROMPTS
    longest = (_json(folder / "sentence_bert_config.json") or {}).get("max_seq_length")
    most_tokens = longest if isinstance(longest, int) and 0 < longest < MOST_TOKENS else MOST_TOKENS
    return FolderModel(
        graph=graph,
        tokenizer=tokenizer,
        pooling=pooling,
        query_prompt=str(prompts.get("query", "")),
        passage_prompt=str(prompts.get("passage", prompts.get("document", ""))),
        most_tokens=most_tokens,
    )


def _pooling(config: dict, folder: Path) -> str:
    """The pooling mode of a sentence-transformers Pooling ``config`` (mean when it sets none);
    ``EmbedderError`` for one this module does not compute, rather than another in its place."""
    chosen = [flag for flag, value in config.items() if flag.startswith("pooling_mode_") and value]
    unknown = [flag for flag in chosen if flag not in POOLING_FLAGS]
    if unknown or len(chosen) > 1:
        raise EmbedderError(
            f"the model folder {folder} pools by {', '.join(chosen)}: only one of "
            f"{', '.join(POOLING_FLAGS)} is supported; the semantic side is off"
        )
    return POOLING_FLAGS[chosen[0]] if chosen else "mean"


def _is_e5(folder: Path) -> bool:
    named = str((_json(folder / "config.json") or {}).get("_name_or_path", "")) + " " + folder.name
    return re.search(r"(?<![a-z0-9])e5(?![a-z0-9])", named.lower()) is not None


def identity(model: FolderModel) -> str:
    """12 hex digits that change when the model does: its tokenizer, its settings, and the
    graph's size and both ends. Not the whole graph: a 2 GB model would cost seconds at every
    start, and new weights change the graph's first initialisers."""
    digest = hashlib.sha256()
    digest.update(
        repr((model.pooling, model.query_prompt, model.passage_prompt, model.most_tokens)).encode()
    )
    try:
        digest.update(model.tokenizer.read_bytes())
        # The graph and its weights beside it: model.onnx_data (optimum), model.onnx.data (torch).
        files = sorted(model.graph.parent.glob(model.graph.name + "*"))
        for path in files:
            size = path.stat().st_size
            digest.update(f"{path.name}:{size}".encode())
            with path.open("rb") as graph:
                digest.update(graph.read(IDENTITY_BYTES))
                graph.seek(max(0, size - IDENTITY_BYTES))
                digest.update(graph.read(IDENTITY_BYTES))
    except OSError:
        return "unreadable"
    return digest.hexdigest()[:12]


def _json(path: Path) -> Any:
    """The JSON of ``path``; ``None`` when it is missing or not JSON (the defaults then hold)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
