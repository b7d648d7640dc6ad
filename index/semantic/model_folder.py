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

import threading
from pathlib import Path
from typing import Any

import numpy as np
from shuangyu.index.semantic.embedding import EmbedderError, normalised
from shuangyu.index.semantic.folder_model import FolderModel, describe, identity

# Characters kept of a text per token the model reads (its tokenizer truncates the rest).
CHARS_A_TOKEN = 8
# Texts run through the graph together: sorted by length first, so that little is padding.
RUN_BATCH = 16


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
        self.name = f"onnx:{folder.name}:{identity(self.model) if self.model else 'unreadable'}"

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
                # Kept only once a text has gone through: a model that fails its first text
                # fails the next one the same way, never with vectors of no length.
                self._session, self._tokenizer = _load(self.model, self.threads)
                try:
                    self._dimensions = int(self._run(["dimensions"]).shape[1])
                except EmbedderError:
                    self._session = self._tokenizer = None
                    raise
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


def _pad_id(tokenizer: Any) -> int:
    for token in ("[PAD]", "<pad>"):
        found = tokenizer.token_to_id(token)
        if found is not None:
            return int(found)
    return 0


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else type(error).__name__
