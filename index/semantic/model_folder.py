"""An embedder from a model folder on disk: a sentence-embedding model exported to ONNX, with
its Hugging Face tokenizer, as sentence-transformers and the Hugging Face hub lay them out
(``multilingual-e5-base``, ``bge-m3``, ``paraphrase-multilingual-*``...).

The folder holds ``tokenizer.json`` and an ONNX graph (``model.onnx``, or ``onnx/model.onnx``
as the hub keeps it; ``model.onnx_data`` beside it for large models). Read from it as
sentence-transformers reads it:

- the pooling of ``1_Pooling/config.json`` (or the module ``modules.json`` names): mean of the
  tokens by default, or the first token (bge-m3), the largest value, the last token, or the sum
  over the square root of the length; a graph that answers a ``sentence_embedding`` is used as
  pooled; another mode (weighted mean, several at once) is refused, not replaced;
- the prompts of ``config_sentence_transformers.json`` (``query`` and ``passage`` or
  ``document``); an e5 model without them gets e5's ``query: `` and ``passage: ``, which it
  was trained with (its hub folder does not write them down);
- the longest input of ``sentence_bert_config.json`` (``max_seq_length``), at most 512 tokens.

It runs on onnxruntime, offline: nothing is downloaded, ever. onnxruntime and tokenizers are
the ``models`` extra (``pip install 'shuangyu[models]'``); without them, or with a folder that
cannot be read, the embedder says so in one line at its first text and search goes on by words.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from shuangyu.index.semantic.embedding import EmbedderError, normalised

# Where a folder keeps its graph, in the order they are looked for: the sentence-transformers
# ONNX export writes model.onnx at the top or in onnx/; the hub adds quantised variants beside it.
GRAPH_NAMES = ("model.onnx", "onnx/model.onnx")
TOKENIZER = "tokenizer.json"
# A longer input costs quadratically and e5, bge and MiniLM were trained on at most 512 tokens.
MOST_TOKENS = 512
# Characters kept of a text per token the model reads (its tokenizer truncates the rest).
CHARS_A_TOKEN = 8
# Texts run through the graph together: sorted by length first, so that little is padding.
RUN_BATCH = 16
# How much of each end of the graph file the model's name is made from (see ``_identity``).
IDENTITY_BYTES = 1 << 20
# sentence-transformers' pooling modes that a folder may set (one at a time).
POOLING_FLAGS = {
    "pooling_mode_mean_tokens": "mean",
    "pooling_mode_cls_token": "cls",
    "pooling_mode_max_tokens": "max",
    "pooling_mode_lasttoken": "lasttoken",
    "pooling_mode_mean_sqrt_len_tokens": "mean_sqrt_len",
}
E5_PROMPTS = {"query": "query: ", "passage": "passage: "}


@dataclass(frozen=True)
class FolderModel:
    """What a model folder says about its model."""

    graph: Path
    tokenizer: Path
    pooling: str
    query_prompt: str
    passage_prompt: str
    most_tokens: int


class ModelFolder:
    """The sentence-embedding model of ``folder`` (ONNX, with its tokenizer), on ``threads``
    threads. Reading the folder's description costs a few small files; the graph loads at the
    first text to embed, and ``EmbedderError`` then says in one line what is wrong with the
    folder (missing, unreadable, not a sentence-embedding model, the extra not installed)."""

    def __init__(self, folder: Path, threads: int | None = None):
        self.folder = folder
        self.threads = threads
        self._lock = threading.Lock()
        self._session: Any = None
        self._tokenizer: Any = None
        self._dimensions = 0
        try:
            self.model: FolderModel | None = describe(folder)
            self.problem = ""
        except EmbedderError as error:
            self.model, self.problem = None, str(error)
        # What made the vectors, recorded with them: another model, or this one changed,
        # embeds again.
        self.name = f"onnx:{folder.name}:{_identity(self.model) if self.model else 'unreadable'}"

    @property
    def dimensions(self) -> int:
        """The length of the model's vectors (``EmbedderError`` when it cannot be loaded)."""
        self._loaded()
        return self._dimensions

    def passages(self, texts: list[str]) -> np.ndarray:
        model = self._loaded()
        return self._embedded([model.passage_prompt + text for text in texts])

    def queries(self, texts: list[str]) -> np.ndarray:
        model = self._loaded()
        return self._embedded([model.query_prompt + text for text in texts])

    def _loaded(self) -> FolderModel:
        if self.model is None:
            raise EmbedderError(self.problem)
        with self._lock:
            if self._session is None:
                self._session, self._tokenizer = _load(self.model, self.threads)
                self._dimensions = int(self._run(["dimensions"]).shape[1])
        return self.model

    def _embedded(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dimensions), dtype=np.float32)
        # The tokenizer cuts at the model's longest input; this only spares it megabytes of a
        # damaged report (an English token is about four characters, a Chinese one one).
        cut = [text[: self.model.most_tokens * CHARS_A_TOKEN] for text in texts]
        order = sorted(range(len(cut)), key=lambda row: len(cut[row]))
        vectors = np.empty((len(cut), self._dimensions), dtype=np.float32)
        for start in range(0, len(order), RUN_BATCH):
            rows = order[start : start + RUN_BATCH]
            vectors[rows] = self._run([cut[row] for row in rows])
        return vectors

    def _run(self, texts: list[str]) -> np.ndarray:
        """The pooled, L2-normalised vectors of ``texts`` (their prompts added)."""
        assert self.model is not None and self._session is not None
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([encoding.ids for encoding in encodings], dtype=np.int64)
        mask = np.array([encoding.attention_mask for encoding in encodings], dtype=np.int64)
        given = {
            "input_ids": ids,
            "attention_mask": mask,
            "token_type_ids": np.zeros_like(ids),
        }
        feed = {}
        for wanted in self._session.get_inputs():
            if wanted.name not in given:
                raise EmbedderError(
                    f"the model {self.model.graph} asks for an input {wanted.name!r}, which a "
                    "sentence-embedding model does not; the semantic side is off"
                )
            feed[wanted.name] = given[wanted.name]
        names = [output.name for output in self._session.get_outputs()]
        wanted_output = "sentence_embedding" if "sentence_embedding" in names else names[0]
        try:
            (output,) = self._session.run([wanted_output], feed)
        except _runtime_errors() as error:
            raise EmbedderError(
                f"the model {self.model.graph} failed ({_first_line(error)}); the semantic side is off"
            ) from None
        output = np.asarray(output, dtype=np.float32)
        if output.ndim == 3:
            output = _pooled(output, mask, self.model.pooling)
        if output.ndim != 2 or output.shape[0] != len(texts):
            raise EmbedderError(
                f"the model {self.model.graph} does not answer one vector a text "
                f"(it answers {output.shape}); the semantic side is off"
            )
        return normalised(output)


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


def _load(model: FolderModel, threads: int | None) -> tuple[Any, Any]:
    """The onnxruntime session and the tokenizer of ``model``, or ``EmbedderError``."""
    try:
        import onnxruntime
        from tokenizers import Tokenizer
    except ImportError:
        raise EmbedderError(
            "a model folder needs onnxruntime and tokenizers (pip install 'shuangyu[models]'); "
            "the semantic side is off"
        ) from None
    try:
        tokenizer = Tokenizer.from_file(str(model.tokenizer))
    except Exception as error:  # tokenizers raises a bare Exception for a file it cannot parse
        raise EmbedderError(
            f"the tokenizer {model.tokenizer} cannot be read ({_first_line(error)}); "
            "the semantic side is off"
        ) from None
    tokenizer.enable_truncation(max_length=model.most_tokens)
    padding = tokenizer.padding or {}
    tokenizer.enable_padding(
        pad_id=padding.get("pad_id", _pad_id(tokenizer)),
        pad_token=padding.get("pad_token", "[PAD]"),
    )
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads or 0
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # warnings about unused initialisers are not the user's
    try:
        session = onnxruntime.InferenceSession(
            str(model.graph), options, providers=["CPUExecutionProvider"]
        )
    except _runtime_errors() as error:
        raise EmbedderError(
            f"the model {model.graph} cannot be loaded ({_first_line(error)}); "
            "the semantic side is off"
        ) from None
    return session, tokenizer


def _runtime_errors() -> tuple[type[BaseException], ...]:
    """What onnxruntime raises for a model it cannot load or run: its own errors derive from
    Exception alone, so they are named."""
    from onnxruntime.capi import onnxruntime_pybind11_state as state

    own = (value for value in vars(state).values() if isinstance(value, type))
    return (
        *(kind for kind in own if issubclass(kind, Exception)),
        RuntimeError,
        ValueError,
        OSError,
    )


def _pooled(tokens: np.ndarray, mask: np.ndarray, pooling: str) -> np.ndarray:
    """One vector a text from its tokens' vectors, as sentence-transformers' Pooling does."""
    if pooling == "cls":
        return tokens[:, 0]
    if pooling == "lasttoken":
        last = np.maximum(mask.sum(axis=1) - 1, 0)
        return tokens[np.arange(len(tokens)), last]
    weights = mask[:, :, None].astype(np.float32)
    if pooling == "max":
        return np.where(weights > 0, tokens, -np.inf).max(axis=1)
    summed, counted = (tokens * weights).sum(axis=1), np.maximum(weights.sum(axis=1), 1e-9)
    return summed / (np.sqrt(counted) if pooling == "mean_sqrt_len" else counted)


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


def _pad_id(tokenizer: Any) -> int:
    for token in ("[PAD]", "<pad>"):
        found = tokenizer.token_to_id(token)
        if found is not None:
            return int(found)
    return 0


def _identity(model: FolderModel) -> str:
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


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else type(error).__name__
