"""The tantivy engine's index on disk: its schema (made from ``index.engines.schema.FIELDS``), the
numbers each passage carries beside its fields (its weight, its report and text as numbers),
and opening it, with tantivy's errors as ours."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import tantivy
from shuangyu.index.engines.schema import FIELDS, KIND_WEIGHTS, kind_weight
from shuangyu.index.engines.store import IndexUnavailable

# tantivy multiplies a score by log2(2 + weight): a passage's weight is chosen so that the
# factor is its kind's weight over the smallest kind weight (never below 1), and the score is
# scaled back by the smallest weight.
SMALLEST_WEIGHT = min(KIND_WEIGHTS.values())
STORED = "stored"  # the field holding the JSON of every stored field
STORED_FIELDS = [field.name for field in FIELDS if field.stored]
# The fields the writer reads beside the stored JSON (those only stored are in the JSON alone).
INDEXED_FIELDS = [field.name for field in FIELDS if field.kind != "stored"]
# Our analysers whose words take consecutive positions, one word at each: their words reach
# tantivy joined by spaces, which its whitespace tokenizer (no filters) splits again into the
# same words at the same positions, instead of as one Python token object each (a third of a
# build's time in the writer and in passing tokens between processes went to those). Words
# with gaps or sub-words at one position (Chinese words, bigrams) go as tokens.
JOINED_ANALYSERS = ("english", "pinyin")


def score_weight(kind: str) -> float:
    return 2 ** (kind_weight(kind) / SMALLEST_WEIGHT) - 2


def report_key(report_id: str) -> int:
    """The first eight bytes of a report id as a number: ids compare as their keys do, but
    for ids that begin with the same eight bytes."""
    return int.from_bytes(report_id.encode()[:8].ljust(8, b"\0"), "big")


def report_hash(report_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(report_id.encode(), digest_size=8).digest(), "big")


def sample_level(content_key: int) -> int:
    """How many of the low bits of a text's hash are 0: a passage is at level ``k`` or above
    with a chance of 1 in ``2 ** k``, and every passage of one text at the same level."""
    return min((content_key & -content_key).bit_length() - 1, 63) if content_key else 63


def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for field in FIELDS:
        if field.kind == "id":
            builder.add_text_field(
                field.name, fast=True, tokenizer_name="raw", index_option="basic"
            )
        elif field.kind == "number":
            builder.add_unsigned_field(field.name, indexed=True, fast=True)
        elif field.kind == "text":
            builder.add_text_field(
                field.name,
                index_option="position" if field.positions else "freq",
                tokenizer_name="whitespace" if field.analyser in JOINED_ANALYSERS else "default",
            )
    builder.add_unsigned_field("content_key", fast=True)
    # A passage's report as numbers a search reads without its stored JSON, to put tied scores
    # in reading order: the id's first eight bytes (its order) and a hash of the whole id (to
    # tell apart two reports whose ids begin alike).
    builder.add_unsigned_field("report_key", fast=True)
    builder.add_unsigned_field("report_hash", fast=True)
    # 1 for a passage whose text another passage has too, as known when it was written: a search
    # counts repeats among these alone (TantivyReader._repeat_filter).
    builder.add_unsigned_field("repeated", indexed=True)
    # The sample level of a passage's text (``sample_level``): a search of very many matches
    # estimates its counts per report from the passages of a level and above.
    builder.add_unsigned_field("sample", indexed=True)
    builder.add_float_field("weight", fast=True)
    builder.add_bytes_field(STORED, stored=True)
    return builder.build()


@contextmanager
def file_errors(folder: Path) -> Iterator[None]:
    """tantivy's file system errors (a ValueError naming the OS error) as the ``OSError`` they
    are, so that a full disk or a read-only folder stops a build like any other file error."""
    try:
        yield
    except ValueError as error:
        code = re.search(r"os error (\d+)", str(error))
        if code is None:
            raise
        raise OSError(int(code.group(1)), os.strerror(int(code.group(1))), str(folder)) from None


def open_index(build_dir: Path) -> tantivy.Index:
    try:
        return tantivy.Index.open(str(build_dir))
    except BaseException as error:  # a damaged index may panic inside tantivy (a BaseException)
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            raise
        if "Read-only file system" in str(error):
            # tantivy takes a lock file beside meta.json even to read it.
            raise IndexUnavailable(
                f"index in {build_dir} cannot be opened: tantivy must write its lock file there, and "
                f"the file system is read-only (build with --engine whoosh to serve a read-only index)"
            ) from None
        raise IndexUnavailable(
            f"index in {build_dir} cannot be opened ({type(error).__name__}): run `shuangyu build`"
        ) from None
