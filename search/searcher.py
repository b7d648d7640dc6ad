"""Run queries against the current index and shape the results (the JSON contract of DESIGN.md).

One ``Searcher`` per process: opening a Whoosh searcher is costly, so it is opened once and
reopened only when ``shuangyu build`` has switched in a new index.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.scoring import BM25F

from index.store import IndexUnavailable, current_build, read_manifest
from search.highlight import chinese_marks, chinese_snippet, english_marks, english_snippet
from search.crosslingual import ReverseDictionary
from search.query import QueryError, compile_query
from search.suggest import Suggester

MAX_LIMIT = 100
MAX_OFFSET = 10_000

# Captions and credits rank below body text for the same match; headings slightly below.
KIND_WEIGHTS = {"body": 1.0, "heading": 0.9, "caption": 0.6, "credit": 0.4}


class PassageWeighting(BM25F):
    """BM25F, scaled by the kind of passage."""

    use_final = True

    def final(self, searcher, docnum, score):
        kind = searcher.reader().column_reader("kind")[docnum]
        return score * KIND_WEIGHTS.get(kind, 1.0)


@dataclass(frozen=True)
class OpenIndex:
    build: Path
    manifest: dict
    searcher: object
    suggester: Suggester
    dictionary: ReverseDictionary


class Searcher:
    """Searches the current index of ``index_dir``; safe to share between threads."""

    def __init__(self, index_dir: Path):
        self.index_dir = Path(index_dir)
        self._lock = threading.Lock()
        self._open: OpenIndex | None = None

    def _current(self) -> OpenIndex:
        """The open index, reopened when the current build has changed."""
        build = current_build(self.index_dir)
        opened = self._open
        if opened is not None and opened.build == build:
            return opened
        with self._lock:
            if self._open is None or self._open.build != build:
                manifest = read_manifest(build)
                try:
                    searcher = whoosh_index.open_dir(str(build)).searcher(weighting=PassageWeighting())
                except Exception as error:  # Whoosh raises many kinds on a damaged index.
                    raise IndexUnavailable(f"index in {build} cannot be opened ({error}): run `shuangyu build --force`") from None
                reader = searcher.reader()
                dictionary = ReverseDictionary(lambda word: reader.doc_frequency("text", word) > 0)
                self._open = OpenIndex(build, manifest, searcher, Suggester(reader), dictionary)
            return self._open

    @property
    def manifest(self) -> dict:
        """The manifest of the current build (``IndexUnavailable`` when there is none)."""
        return self._current().manifest

    def search(self, text: str, limit: int = 10, offset: int = 0, lang: str = "auto", report: str | None = None) -> dict:
        """Search; return the response object of the JSON contract.

        Raises ``QueryError`` for a query or parameter the user must change, and
        ``IndexUnavailable`` when there is no usable index.
        """
        started = time.perf_counter()
        if not 1 <= limit <= MAX_LIMIT:
            raise QueryError(f"limit must be between 1 and {MAX_LIMIT}")
        if not 0 <= offset <= MAX_OFFSET:
            raise QueryError(f"offset must be between 0 and {MAX_OFFSET}")
        opened = self._current()
        compiled = compile_query(text, lang, opened.dictionary)
        report = report or compiled.report
        titles = {entry["id"]: entry["title"] for entry in opened.manifest["reports"]}
        if report is not None and report not in titles:
            raise QueryError(f"unknown report {report!r}; see /api/reports for the report ids")
        results, counts = self._run(opened.searcher, compiled, report, offset + limit)
        fallback = None
        if not len(results) and lang == "auto" and compiled.chinese_terms and not compiled.typed_english_terms and '"' not in text:
            # Nothing in the Chinese text: try the words' dictionary English in the English fields.
            english = compile_query(text, "en")
            results, counts = self._run(opened.searcher, english, report, offset + limit)
            compiled, fallback = english, "en" if len(results) else None
        hits = list(results)[offset : offset + limit]
        return {
            "query": text,
            "lang": lang,
            "report": report,
            "total": len(results),
            "offset": offset,
            "limit": limit,
            "took_ms": round((time.perf_counter() - started) * 1000, 2),
            "results": [self._result(hit.fields(), hit.score, compiled) for hit in hits],
            "reports": [
                {"id": report_id, "title": titles[report_id], "count": counts[report_id]}
                for report_id in titles if counts.get(report_id)
            ],
            "query_translations": [{"en": t.english, "zh": list(t.chinese)} for t in compiled.translations],
            "searched_as": fallback,
            "did_you_mean": opened.suggester.did_you_mean(text, len(results)),
        }

    @staticmethod
    def _run(searcher, compiled, report: str | None, limit: int):
        """Results (a passage repeated word for word is listed once) and counts per report over
        the whole query, so the user can switch reports."""
        everywhere = searcher.search(compiled.query, limit=None if report else limit, groupedby="report_id",
                                     collapse="content_hash", collapse_limit=1)
        results = (
            searcher.search(compiled.query, limit=limit, filter=wq.Term("report_id", report),
                            collapse="content_hash", collapse_limit=1)
            if report
            else everywhere
        )
        counts = {report_id: len(docs) for report_id, docs in everywhere.groups("report_id").items()}
        return results, counts

    def warm(self) -> None:
        """Open the index and build the suggestion word lists now, not on a user's request."""
        self._current().suggester.warm()

    def complete(self, prefix: str) -> list[dict]:
        """Autocomplete: corpus words and names starting with ``prefix`` (see ``search.suggest``)."""
        return self._current().suggester.complete(prefix)

    def passage(self, passage_id: str) -> dict | None:
        """A passage's stored fields with the ids of its neighbours, or ``None`` when unknown."""
        searcher = self._current().searcher
        fields = searcher.document(id=passage_id)
        if fields is None:
            return None
        neighbours = {
            hit["ordinal"]: hit["id"]
            for hit in searcher.search(
                wq.And([wq.Term("report_id", fields["report_id"]),
                        wq.NumericRange("ordinal", fields["ordinal"] - 1, fields["ordinal"] + 1)]),
                limit=3,
            )
        }
        return {
            **fields,
            "previous_id": neighbours.get(fields["ordinal"] - 1),
            "next_id": neighbours.get(fields["ordinal"] + 1),
        }

    def report_passages(self, report_id: str) -> list[dict]:
        """Every passage of a report in reading order (empty when the report is unknown)."""
        hits = self._current().searcher.search(wq.Term("report_id", report_id), limit=None, sortedby="ordinal")
        return [hit.fields() for hit in hits]

    def report(self, report_id: str) -> dict | None:
        """A report's metadata from the manifest, or ``None`` when unknown."""
        return next((entry for entry in self.manifest["reports"] if entry["id"] == report_id), None)

    def _result(self, fields: dict, score: float, compiled) -> dict:
        text, text_en = fields["text"], fields["text_en"]
        return {
            "id": fields["id"],
            "report_id": fields["report_id"],
            "report_title": fields["report_title"],
            "section": fields["section"],
            "kind": fields["kind"],
            "text": text,
            "text_en": text_en,
            "snippet": chinese_snippet(text, chinese_marks(text, compiled.chinese_terms, compiled.typed_english_terms)),
            "snippet_en": english_snippet(text_en, english_marks(text_en, compiled.english_terms)),
            "score": round(score, 4),
            "url": f"/p/{fields['id']}",
            "translation_engine": fields["translation_engine"],
            "gloss_en": fields.get("gloss_en", ""),
        }
