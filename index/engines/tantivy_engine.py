"""The tantivy engine (``index.engines.seam``): Rust, Lucene-class, for large collections.

The only module that imports tantivy. It indexes the tokens of our analysers as pre-tokenized
text (the same words, positions and sub-words as the Whoosh engine), scores with BM25 scaled
by the kind of passage (a per-passage weight that tantivy multiplies in), counts per report
with an aggregation, and drops repeated passages after the search (``TantivyReader.search``).
Every stored field of a passage is kept as one JSON document.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from itertools import groupby
from pathlib import Path

import tantivy
from shuangyu.index.engines import seam as tree
from shuangyu.index.engines.schema import FIELDS, KIND_WEIGHTS, analyser, kind_weight
from shuangyu.index.engines.seam import Matches
from shuangyu.index.engines.store import IndexUnavailable
from shuangyu.index.text.language import Language

NAME = "tantivy"
# The writer's memory before it writes a segment (split between its threads).
WRITER_HEAP_BYTES = 256 * 2**20
# tantivy multiplies a score by log2(2 + weight): a passage's weight is chosen so that the
# factor is its kind's weight over the smallest kind weight (never below 1), and the score is
# scaled back by the smallest weight.
_SMALLEST_WEIGHT = min(KIND_WEIGHTS.values())
STORED = "stored"  # the field holding the JSON of every stored field
# Report ids of passages kept by a reader for ordering tied scores (about 100 bytes each).
_REPORT_IDS_KEPT = 100_000
_STORED_FIELDS = [field.name for field in FIELDS if field.stored]
# Our analysers whose words take consecutive positions, one word at each: their words reach
# tantivy joined by spaces, which its whitespace tokenizer (no filters) splits again into the
# same words at the same positions, instead of as one Python token object each (a third of a
# build's time in the writer and in passing tokens between processes went to those). Words
# with gaps or sub-words at one position (Chinese words, bigrams) go as tokens.
_JOINED_ANALYSERS = ("english", "pinyin")


def _score_weight(kind: str) -> float:
    return 2 ** (kind_weight(kind) / _SMALLEST_WEIGHT) - 2


def _report_key(report_id: str) -> int:
    """The first eight bytes of a report id as a number: ids compare as their keys do, but
    for ids that begin with the same eight bytes."""
    return int.from_bytes(report_id.encode()[:8].ljust(8, b"\0"), "big")


def _report_hash(report_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(report_id.encode(), digest_size=8).digest(), "big")


def _schema() -> tantivy.Schema:
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
                tokenizer_name="whitespace" if field.analyser in _JOINED_ANALYSERS else "default",
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
    builder.add_float_field("weight", fast=True)
    builder.add_bytes_field(STORED, stored=True)
    return builder.build()


# --- Writing -------------------------------------------------------------------------------


@contextmanager
def _file_errors(folder: Path) -> Iterator[None]:
    """tantivy's file system errors (a ValueError naming the OS error) as the ``OSError`` they
    are, so that a full disk or a read-only folder stops a build like any other file error."""
    try:
        yield
    except ValueError as error:
        code = re.search(r"os error (\d+)", str(error))
        if code is None:
            raise
        raise OSError(int(code.group(1)), os.strerror(int(code.group(1))), str(folder)) from None


def analyse(
    document: dict, language: Language
) -> tuple[dict, dict[str, str | list[tuple[str, int, int, int]]]]:
    """A passage document and the analysed words of its text fields: plain data, made in a
    build's worker processes and sent to the one writer. A field of ``_JOINED_ANALYSERS`` has
    its words joined by spaces; another, its tokens ``(word, position, start, end)``."""
    tokens = {}
    for field in FIELDS:
        if field.kind == "text" and document.get(field.name):
            analysing = analyser(field.analyser, language)
            if field.analyser in _JOINED_ANALYSERS:
                tokens[field.name] = " ".join(analysing.words(document[field.name]))
            else:
                tokens[field.name] = [
                    (token.text, token.position, token.start, token.end)
                    for token in analysing(document[field.name], mode="index")
                ]
    return document, tokens


def create(
    build_dir: Path, language: Language, passages: int, repeated: frozenset[str] = frozenset()
) -> TantivyWriter:
    """A writer of a new index in ``build_dir``; ``repeated``: the content hashes that more than
    one of the passages to be added has."""
    with _file_errors(build_dir):
        return TantivyWriter(
            tantivy.Index(_schema(), path=str(build_dir), reuse=False), build_dir, repeated
        )


def open_writer(
    build_dir: Path, language: Language, repeated: frozenset[str] = frozenset()
) -> TantivyWriter:
    """A writer that updates the index in ``build_dir`` (``repeated`` as for ``create``; a
    passage whose text the index has already is marked repeated too)."""
    index = _open(build_dir)
    with _file_errors(build_dir):
        return TantivyWriter(index, build_dir, repeated, index.searcher())


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

    def add(self, analysed: tuple[dict, dict[str, list[tuple[str, int, int, int]]]]) -> None:
        """Add a passage made by ``analyse``."""
        document, tokens = analysed
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
        doc.add_unsigned("content_key", int(document["content_hash"], 16))
        doc.add_unsigned("report_key", _report_key(document["report_id"]))
        doc.add_unsigned("report_hash", _report_hash(document["report_id"]))
        doc.add_unsigned("repeated", int(self._is_repeated(document["content_hash"])))
        doc.add_float("weight", _score_weight(document["kind"]))
        stored = {name: document.get(name) for name in _STORED_FIELDS}
        doc.add_bytes(STORED, json.dumps(stored, ensure_ascii=False).encode())
        with _file_errors(self._folder):
            self._writer.add_document(doc)

    def commit(self, merge: bool = True) -> None:
        with _file_errors(self._folder):
            self._writer.commit()
            if merge:
                self._writer.wait_merging_threads()

    def cancel(self) -> None:
        self._writer.rollback()


def _open(build_dir: Path) -> tantivy.Index:
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


def check_readable(build_dir: Path) -> None:
    """Open the index and read its first stored passage; ``IndexUnavailable`` when that fails."""
    searcher = _open(build_dir).searcher()
    try:
        hits = searcher.search(tantivy.Query.all_query(), limit=1).hits
        for _, address in hits:
            json.loads(searcher.doc(address)[STORED][0])
    except BaseException as error:
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            raise
        raise IndexUnavailable(
            f"index in {build_dir} is damaged ({type(error).__name__}): run `shuangyu build`"
        ) from None


# --- Reading -------------------------------------------------------------------------------


def open_reader(build_dir: Path, language: Language) -> TantivyReader:
    """A reader of the index in ``build_dir``; ``IndexUnavailable`` when it cannot be opened."""
    index = _open(build_dir)
    try:
        return TantivyReader(index)
    except ValueError as error:
        raise IndexUnavailable(
            f"index in {build_dir} cannot be opened ({error}): run `shuangyu build`"
        ) from None


class TantivyReader:
    """``index.engines.seam.Reader`` over one tantivy searcher (a snapshot of the index as opened),
    which serves every thread at once: tantivy's searcher is thread-safe and runs a search
    without the GIL."""

    concurrent = True

    def __init__(self, index: tantivy.Index):
        self._index = index
        self._schema = index.schema
        self._searcher = index.searcher()
        self._idf = IdfScale(self._searcher)
        self._report_ids: dict[tuple[int, int], str] = {}  # see _report_id
        everything = self._searcher.aggregate(
            tantivy.Query.all_query(),
            {
                "reports": {"terms": {"field": "report_id", "size": 1_000_000}},
                "repeated": {
                    "terms": {"field": "content_hash", "size": 1_000_000, "min_doc_count": 2}
                },
            },
        )
        report_ids = [bucket["key"] for bucket in everything["reports"]["buckets"]]
        self._report_count = len(report_ids)
        # Counts per report are made on the hash of the report id: a number, which tantivy
        # counts and answers about six times faster than the id itself at 1,000 reports; the id
        # where two reports' hashes are the same.
        self._report_of_hash = {_report_hash(report_id): report_id for report_id in report_ids}
        self._report_field = (
            "report_hash" if len(self._report_of_hash) == len(report_ids) else "report_id"
        )
        # Texts that more than one passage has: only matches among these can repeat.
        self._repeated = [bucket["key"] for bucket in everything["repeated"]["buckets"]]
        self._repeat_filter = self._repeats_query()

    def search(
        self,
        query,
        depth: int,
        report: str | None = None,
        deadline: float | None = None,
        order: Mapping[str, int] | None = None,
    ) -> Matches:
        compiled = compile_tree(query, self._schema, self._idf)
        counts, distinct, surplus = self._counts(compiled)
        total = distinct if report is None else counts.get(report, 0)
        if order is not None and report is None:
            return Matches(
                self._in_report_order(compiled, counts, order, depth, surplus), counts, total=total
            )
        # Enough hits that ``depth`` remain once repeats are dropped.
        hits = self._searcher.search(
            self._within(compiled, report),
            limit=depth + surplus,
            count=False,
            weight_by_field="weight",
        ).hits
        return Matches(self._ranked(hits, depth), counts, total=total)

    def _within(self, compiled, report: str | None):
        if report is None:
            return compiled
        # The report filter scores nothing: a passage scores the same within its report as in
        # the whole index (a scored term would add to every score before the kind's weight
        # multiplies it, and could reorder a report's passages).
        return tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Must, compiled),
                (
                    tantivy.Occur.Must,
                    tantivy.Query.const_score_query(
                        tantivy.Query.term_query(self._schema, "report_id", report), 0.0
                    ),
                ),
            ]
        )

    def _in_report_order(
        self, compiled, counts: dict[str, int], order: Mapping[str, int], depth: int, surplus: int
    ) -> list[tuple[object, float]]:
        """The first ``depth`` passages when the reports are taken in ``order`` (by rank) and
        each report's best first; a text several reports print, in the first of them. The
        reports are searched one at a time, only as many as ``depth`` needs."""
        listed: set[int] = set()
        top: list[tuple[object, float]] = []
        for report in sorted(
            counts, key=lambda report_id: (order.get(report_id, len(order)), report_id)
        ):
            hits = self._searcher.search(
                self._within(compiled, report),
                limit=counts[report] + surplus,
                count=False,
                weight_by_field="weight",
            ).hits
            ranked = self._ranked(hits, counts[report])
            contents = self._searcher.fast_field_values(
                "content_key", [address for address, _ in ranked]
            )
            for (address, score), content in zip(ranked, contents):
                if content not in listed:
                    listed.add(content)
                    top.append((address, score))
            if len(top) >= depth:
                break
        return top[:depth]

    def _repeats_query(self):
        """A query that matches at least every passage whose text another passage has: the
        passages marked repeated when written, when the marks are exactly those passages (an
        update may have made a text repeated, or single again, since), else the repeated texts'
        own terms (about four times slower on 100,000 passages)."""
        if not self._repeated:
            return None
        marked = tantivy.Query.term_query(self._schema, "repeated", 1)
        texts = tantivy.Query.term_set_query(self._schema, "content_hash", self._repeated)

        def count(query) -> int:
            return self._searcher.search(query, limit=1, count=True).count

        both = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, marked), (tantivy.Occur.Must, texts)]
        )
        return marked if count(marked) == count(texts) == count(both) else texts

    def _counts(self, compiled) -> tuple[dict[str, int], int, int]:
        """Matching texts per report (a text a report repeats counted once in it), matching
        texts in all (a text in several reports once), and how many matches are repeats."""
        per_report = {"terms": {"field": self._report_field, "size": self._report_count + 1}}
        found = self._searcher.aggregate(compiled, {"reports": per_report})
        counts = {bucket["key"]: bucket["doc_count"] for bucket in found["reports"]["buckets"]}
        matches = sum(counts.values())
        surplus = 0
        if self._repeated:
            among = tantivy.Query.boolean_query(
                [
                    (tantivy.Occur.Must, compiled),
                    (tantivy.Occur.Must, self._repeat_filter),
                ]
            )
            repeats = self._searcher.aggregate(
                among,
                {
                    "texts": {
                        "terms": {
                            "field": "content_key",
                            "size": len(self._repeated),
                            "min_doc_count": 2,
                        },
                        "aggs": {"reports": per_report},
                    }
                },
            )
            for text in repeats["texts"]["buckets"]:
                surplus += text["doc_count"] - 1
                for bucket in text["reports"]["buckets"]:
                    counts[bucket["key"]] -= bucket["doc_count"] - 1
        by_hash = self._report_field == "report_hash"
        counts = {
            self._report_of_hash[key] if by_hash else key: count
            for key, count in counts.items()
            if count
        }
        return counts, matches - surplus, surplus

    def _ranked(self, hits: list, depth: int) -> list[tuple[object, float]]:
        """The best ``depth`` hits, each text once, ties in reading order (report, place)."""
        addresses = [address for _, address in hits]
        fast = [
            self._searcher.fast_field_values(name, addresses)
            for name in ("content_key", "ordinal", "report_key", "report_hash")
        ]
        scored = [
            (score * _SMALLEST_WEIGHT, address, *values)
            for (score, address), *values in zip(hits, *fast)
        ]
        listed: set[int] = set()
        top: list[tuple[object, float]] = []
        # Score by score, best first, until ``depth`` texts are listed: the hits past them are
        # neither ordered nor read.
        for _, tied in groupby(scored, key=lambda hit: _rounded(hit[0])):
            tied = list(tied)
            if len(tied) > 1:
                tied.sort(key=self._reading_order(tied))
            for score, address, content, *_ in tied:
                if content not in listed:
                    listed.add(content)
                    top.append((address, score))
                    if len(top) == depth:
                        return top
        return top

    def _reading_order(self, tied: list[tuple]):
        """The sort key that puts tied hits ``(score, address, content, ordinal, report_key,
        report_hash)`` in reading order: by report id, then place. The report key orders the
        reports; the stored id is read only where two reports of the tie share a key."""
        hashes: dict[int, set[int]] = {}
        for *_, report_key, report_hash in tied:
            hashes.setdefault(report_key, set()).add(report_hash)

        def key(hit: tuple) -> tuple:
            _, address, _, ordinal, report_key, _ = hit
            shared = len(hashes[report_key]) > 1
            return report_key, self._report_id(address) if shared else "", ordinal

        return key

    def _report_id(self, address) -> str:
        """The report id of a passage, read from its stored JSON once per reader (bounded)."""
        place = (address.segment_ord, address.doc)
        report_id = self._report_ids.get(place)
        if report_id is None:
            if len(self._report_ids) >= _REPORT_IDS_KEPT:
                self._report_ids.clear()
            report_id = self._report_ids[place] = self.stored(address)["report_id"]
        return report_id

    def stored(self, key) -> dict:
        return json.loads(self._searcher.doc(key)[STORED][0])

    def _first(self, query) -> dict | None:
        hits = self._searcher.search(query, limit=1, count=False).hits
        return self.stored(hits[0][1]) if hits else None

    def document(self, passage_id: str) -> dict | None:
        return self._first(tantivy.Query.term_query(self._schema, "id", passage_id))

    def report_passages(self, report_id: str, first: int, last: int | None) -> list[dict]:
        if last is not None and last < first:
            return []
        query = tantivy.Query.boolean_query(
            [
                (
                    tantivy.Occur.Must,
                    tantivy.Query.term_query(self._schema, "report_id", report_id),
                ),
                (
                    tantivy.Occur.Must,
                    tantivy.Query.range_query(
                        self._schema, "ordinal", tantivy.FieldType.Unsigned, max(first, 0), last
                    ),
                ),
            ]
        )
        limit = self._searcher.num_docs if last is None else last - max(first, 0) + 1
        hits = self._searcher.search(
            query,
            limit=max(limit, 1),
            count=False,
            order_by_field="ordinal",
            order=tantivy.Order.Asc,
        ).hits
        return [self.stored(address) for _, address in hits]

    def doc_frequency(self, field: str, word: str) -> int:
        return self._searcher.doc_freq(field, word)

    def words(self, field: str, prefix: str = "") -> list[str]:
        return [word for word, _ in self._searcher.terms_with_prefix(field, prefix)]

    def most_frequent(self, field: str, count: int) -> list[tuple[str, int]]:
        return list(self._searcher.terms_with_prefix(field, "", limit=count))

    def doc_count(self) -> int:
        return self._searcher.num_docs

    def segment_count(self) -> int:
        return self._searcher.num_segments

    def close(self) -> None:
        self._searcher = None


def _rounded(score: float) -> float:
    # Scores equal but for float noise are ties.
    return round(score, 6) if math.isfinite(score) else score


def _phrase_slop(node: tree.Phrase) -> int:
    """tantivy's slop for a phrase whose each two words may be ``node.slop`` positions apart.

    tantivy's slop is the phrase's in all (Lucene's), and its sloppy matching needs more than
    the sum of the gaps once a phrase has four words or more (measured: 调整、巩固、充实、提高,
    a gap of one between each two words, matches from slop 4, not 3): one more per word past
    the second."""
    if node.slop == 0:
        return 0
    return node.slop * (len(node.words) - 1) + len(node.words) - 2


class IdfScale:
    """The factor that turns tantivy's idf of a word into Whoosh's, so that both engines weigh
    a word alike: tantivy's, ln(1 + (N - df + 0.5) / (df + 0.5)), all but ignores a word in a
    fifth of the passages, where Whoosh's, ln(N / (df + 1)) + 1, keeps it at about half a rare
    word's weight; on the real collection the rare but wrong word then outranked the right
    passages (socialist market economy: 日本社会党 first, from its gloss "Socialist Party").
    Document frequencies are read once per word and reader."""

    def __init__(self, searcher: tantivy.Searcher):
        self._searcher = searcher
        self._passages = max(searcher.num_docs, 1)
        self._frequencies: dict[tuple[str, str], int] = {}

    def _idfs(self, field: str, word: str) -> tuple[float, float]:
        key = (field, word)
        frequency = self._frequencies.get(key)
        if frequency is None:
            frequency = self._frequencies[key] = self._searcher.doc_freq(field, word)
        whoosh = math.log(self._passages / (frequency + 1)) + 1
        tantivy_idf = math.log(1 + (self._passages - frequency + 0.5) / (frequency + 0.5))
        return whoosh, tantivy_idf

    def of(self, field: str, words: list[str]) -> float:
        """The factor for a word, or a phrase (whose idf both engines sum over its words)."""
        whoosh, tantivy_idf = (
            sum(pair) for pair in zip(*(self._idfs(field, word) for word in words))
        )
        return whoosh / tantivy_idf if tantivy_idf > 0 else 1.0


def compile_tree(node, schema: tantivy.Schema, idf: IdfScale | None = None) -> tantivy.Query:
    """The tantivy query of a query tree (``index.engines.seam``), each word weighed with Whoosh's
    idf when ``idf`` is given."""
    query = tantivy.Query
    scale = 1.0

    def compiled_part(part):
        return compile_tree(part, schema, idf)

    if isinstance(node, tree.Term):
        # Frequencies, not positions: a word needs no positions, and some fields have none.
        compiled = query.term_query(schema, node.field, node.text, index_option="freq")
        scale = idf.of(node.field, [node.text]) if idf else 1.0
    elif isinstance(node, tree.Phrase):
        compiled = query.phrase_query(schema, node.field, list(node.words), slop=_phrase_slop(node))
        scale = idf.of(node.field, list(node.words)) if idf else 1.0
    elif isinstance(node, (tree.All, tree.Any)):
        occur = tantivy.Occur.Must if isinstance(node, tree.All) else tantivy.Occur.Should
        compiled = query.boolean_query([(occur, compiled_part(part)) for part in node.parts])
    elif isinstance(node, tree.Best):
        compiled = query.disjunction_max_query([compiled_part(part) for part in node.parts])
    elif isinstance(node, tree.WithOptional):
        compiled = query.boolean_query(
            [
                (tantivy.Occur.Must, compiled_part(node.required)),
                (tantivy.Occur.Should, compiled_part(node.optional)),
            ]
        )
    elif isinstance(node, tree.Without):
        compiled = query.boolean_query(
            [
                (tantivy.Occur.Must, compiled_part(node.positive)),
                (tantivy.Occur.MustNot, compiled_part(node.negative)),
            ]
        )
    elif isinstance(node, tree.Filter):
        compiled = query.boolean_query(
            [
                (tantivy.Occur.Must, compiled_part(node.query)),
                (tantivy.Occur.Must, query.const_score_query(compiled_part(node.condition), 0.0)),
            ]
        )
    else:
        raise TypeError(f"not a query tree node: {node!r}")
    boost = node.boost * scale
    return query.boost_query(compiled, boost) if boost != 1.0 else compiled
