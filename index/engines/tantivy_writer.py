"""The tantivy engine's writer: adds a build's analysed passages, marked with the numbers a search
reads without their stored JSON, and deletes a report's passages; all visible at once on commit."""

from __future__ import annotations

from pathlib import Path

import tantivy
from shuangyu.index.engines.schema import FIELDS
from shuangyu.index.engines.tantivy_index import (
    STORED,
    file_errors,
    report_hash,
    report_key,
    sample_level,
    score_weight,
)

# The writer's memory before it writes a segment (split between its threads).
WRITER_HEAP_BYTES = 256 * 2**20


class TantivyWriter:
    """Adds and deletes passages; ``commit`` makes them visible at once, ``cancel`` drops them."""

    def __init__(
        self,
        index: tantivy.Index,
        folder: Path,
        repeated: frozenset[str],
        existing: tantivy.Searcher | None = None,
    ):
        self._folder = folder
        self._schema = index.schema
        self._writer = index.writer(heap_size=WRITER_HEAP_BYTES)
        self._repeated = repeated
        self._existing = existing  # the index as it was, when updating it
        self._deleted: list[str] = []

    def delete_report(self, report_id: str) -> None:
        self._writer.delete_documents_by_term("report_id", report_id)
        self._deleted.append(report_id)

    def _is_repeated(self, content_hash: str) -> bool:
        """True when another passage has the text: one added with it, or one the index keeps."""
        if content_hash in self._repeated:
            return True
        if self._existing is None:
            return False
        kept = [
            (
                tantivy.Occur.Must,
                tantivy.Query.term_query(self._schema, "content_hash", content_hash),
            )
        ]
        kept += [
            (tantivy.Occur.MustNot, tantivy.Query.term_query(self._schema, "report_id", report_id))
            for report_id in self._deleted
        ]
        return (
            self._existing.search(tantivy.Query.boolean_query(kept), limit=1, count=True).count > 0
        )

    def add(self, analysed: tuple[dict, dict[str, list[tuple[str, int, int, int]]], bytes]) -> None:
        """Add a passage made by ``analyse``: its indexed fields, their tokens, its stored JSON."""
        document, tokens, stored = analysed
        doc = tantivy.Document()
        for field in FIELDS:
            value = document.get(field.name)
            if value is None:
                continue
            if field.kind == "id":
                doc.add_text(field.name, value)
            elif field.kind == "number":
                # A Python int given as a keyword to an unsigned field panics in tantivy: added one by one.
                doc.add_unsigned(field.name, int(value))
            elif field.kind == "text" and tokens.get(field.name):
                if isinstance(tokens[field.name], str):
                    doc.add_text(field.name, tokens[field.name])
                else:
                    made = [tantivy.Token(*token) for token in tokens[field.name]]
                    doc.add_pre_tokenized_text(field.name, tantivy.PreTokenizedString(value, made))
        content_key = int(document["content_hash"], 16)
        doc.add_unsigned("content_key", content_key)
        doc.add_unsigned("sample", sample_level(content_key))
        doc.add_unsigned("report_key", report_key(document["report_id"]))
        doc.add_unsigned("report_hash", report_hash(document["report_id"]))
        doc.add_unsigned("repeated", int(self._is_repeated(document["content_hash"])))
        doc.add_float("weight", score_weight(document["kind"]))
        doc.add_bytes(STORED, stored)
        with file_errors(self._folder):
            self._writer.add_document(doc)

    def commit(self, merge: bool = True) -> None:
        with file_errors(self._folder):
            self._writer.commit()
            if merge:
                self._writer.wait_merging_threads()

    def cancel(self) -> None:
        self._writer.rollback()
