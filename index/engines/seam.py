"""The one seam between Shuangyu and a search engine library.

Everything that is ours (reading and splitting reports, analysis, translation, query parsing,
ranking rules, highlighting, citations) is written once above this seam; an engine only stores
passages and finds them. An engine module (``index.engines.whoosh_engine``, ``index.engines.tantivy_engine``)
is the only place its library is imported, and offers:

- ``analyse(document, language)``: a passage document (``index.engines.schema.FIELDS``) as its
  writer takes it, made in a build's worker processes (``index.documents``): plain data;
- ``create(build_dir, language, passages, repeated, cluster)`` / ``open_writer(build_dir,
  language, repeated, cluster)``: a ``Writer`` that adds analysed documents, deletes a
  report's passages, and commits them at once or cancels;
- ``open_reader(build_dir, language, cluster)``: a ``Reader`` that runs a query tree (the
  classes below) for its best passages and its counts per report, and reads stored passages
  and the words of a field;
- ``check_readable(build_dir, cluster)``: ``IndexUnavailable`` when the files are damaged.

``cluster`` (``index.engines.cluster.Cluster``) is where the opensearch engine keeps its
indexes, from the settings, passed down from the edge; Whoosh and tantivy keep theirs in the
build's folder and are given ``NO_CLUSTER``, or whatever the settings say, which they ignore.

The engine of a build is chosen when it is built and recorded in its manifest; searching
follows the manifest.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Protocol
from typing import Any as AnyType

from shuangyu.index.engines.cluster import NO_CLUSTER, Cluster

if TYPE_CHECKING:
    from shuangyu.index.engines.manifest import Manifest
    from shuangyu.index.engines.schema import StoredPassage
    from shuangyu.index.text.language import Language

ENGINES = ("whoosh", "tantivy", "opensearch")
DEFAULT_ENGINE = "whoosh"


# --- The query tree ----------------------------------------------------------------------
# What search/ compiles a user's query into. Scores add up as in BM25 over several fields: an
# ``All`` or ``Any`` scores the sum of its matching parts, ``Best`` the best one of them;
# ``boost`` multiplies a node's score.


@dataclass(eq=False)
class Term:
    """Passages whose ``field`` holds the analysed word ``text``."""

    field: str
    text: str
    boost: float = 1.0


@dataclass(eq=False)
class Phrase:
    """Passages whose ``field`` holds ``words`` in order, with at most ``slop`` positions
    between two of them beyond being adjacent (0: adjacent)."""

    field: str
    words: list[str]
    slop: int = 0
    boost: float = 1.0


@dataclass(eq=False)
class All:
    """Passages that match every part."""

    parts: list
    boost: float = 1.0


@dataclass(eq=False)
class Any:
    """Passages that match at least ``at_least`` parts (one by default); more matching parts
    score more."""

    parts: list
    boost: float = 1.0
    at_least: int = 1


@dataclass(eq=False)
class Best:
    """Passages that match at least one part, scored by the best-scoring part alone (one
    word translated several ways counts once)."""

    parts: list
    boost: float = 1.0


@dataclass(eq=False)
class WithOptional:
    """Passages that match ``required``, scored higher where they also match ``optional``."""

    required: object
    optional: object
    boost: float = 1.0


@dataclass(eq=False)
class Without:
    """Passages that match ``positive`` and not ``negative``."""

    positive: object
    negative: object
    boost: float = 1.0


@dataclass(eq=False)
class Filter:
    """Passages that match ``query`` and ``condition``, scored by ``query`` alone."""

    query: object
    condition: object
    boost: float = 1.0


# Any node of a query tree.
Node = Term | Phrase | All | Any | Best | WithOptional | Without | Filter


# --- What a search returns -----------------------------------------------------------------


@dataclass(frozen=True)
class Matches:
    """The best passages of a query, ``(key, score)`` best first (a key reads the passage with
    ``Reader.stored``), the number of matching passages per report id (reports without one
    left out), whether every match
    was seen (a time budget may cut the walk short), and ``total``: how many passages the
    search lists, ``top`` being the best of them (so that paging through them all gives
    exactly ``total``). Where counting every match would cost too much (``exact_up_to``):
    ``total_exact`` False says the total is a lower bound (the search lists at least that
    many), ``counts_exact`` False that the counts per report are estimates."""

    top: list[tuple[object, float]]
    counts: dict[str, int]
    complete: bool = True
    total: int = 0
    total_exact: bool = True
    counts_exact: bool = True


class Writer(Protocol):
    def delete_report(self, report_id: str) -> None: ...

    def add(self, analysed: AnyType) -> None:
        """Add a passage made by the engine's ``analyse``."""

    def commit(self, merge: bool = True) -> None: ...

    def cancel(self) -> None: ...


class Reader(Protocol):
    """One open index. Used by one thread at a time (a pool holds several), unless
    ``concurrent``: then one reader serves every thread."""

    concurrent: bool

    def search(
        self,
        query: Node,
        depth: int,
        report: str | None = None,
        deadline: float | None = None,
        order: Mapping[str, int] | None = None,
        counted: bool = True,
        exact_up_to: int | None = None,
    ) -> Matches:
        """The ``depth`` best passages of ``query`` (of ``report`` alone when given: every
        report is still counted), how many passages it lists in all, and the counts per report,
        over the whole index. A passage repeated word for word is listed once, by its best
        score; ties go to the passage that comes first (report, then place in the report). A
        report's count is what a search of that report alone lists (a text it repeats counts
        once); a text in several reports counts in each, so the counts may add up to more than
        the total of a search of every report. At ``deadline`` (a ``time.perf_counter()``
        value) an engine that walks matches in Python stops and answers what it has, marked
        incomplete. With ``order`` (a rank per report id, lowest first; reports it leaves out
        last), passages are listed report by report in that order, each report's by score, and
        a text several reports print is listed in the first of them. With ``counted`` False
        the caller wants the passages alone (the copies of a text, the words a result has):
        an engine may leave the counts empty and the total 0, and spare counting them. With
        ``exact_up_to``, a search of more matches than that (and no ``order``) may answer a
        total of at least ``exact_up_to`` and estimated counts per report (``Matches``); a
        report searched alone is still counted exactly."""

    def stored(self, key: AnyType) -> StoredPassage: ...

    def document(self, passage_id: str) -> StoredPassage | None: ...

    def report_passages(self, report_id: str, first: int, last: int | None) -> list[StoredPassage]:
        """The stored passages of a report with ordinals ``first`` to ``last`` (inclusive; to
        the end with ``None``), in reading order."""

    def doc_frequency(self, field: str, word: str) -> int: ...

    def words(self, field: str, prefix: str = "") -> Iterable[str]:
        """The indexed words of ``field`` that start with ``prefix``."""

    def most_frequent(self, field: str, count: int) -> list[tuple[str, int]]:
        """The ``count`` words of ``field`` in most passages, with their numbers of passages."""

    def doc_count(self) -> int:
        """The number of passages (deleted ones not counted)."""

    def segment_count(self) -> int:
        """The number of parts the index is written in (an update in place adds one)."""

    def close(self) -> None: ...


def engine_module(name: str) -> ModuleType:
    """The module of engine ``name`` (imported on first use: a Whoosh index never loads tantivy)."""
    if name not in ENGINES:
        raise ValueError(f"unknown engine {name!r}; one of {', '.join(ENGINES)}")
    return importlib.import_module(f"shuangyu.index.engines.{name}_engine")


def open_reader(
    manifest: Manifest, build_dir: Path, language: Language, cluster: Cluster = NO_CLUSTER
) -> Reader:
    """A reader of the build in ``build_dir`` by the engine that wrote it (an OpenSearch
    index through ``cluster``)."""
    reader: Reader = engine_module(manifest.engine).open_reader(
        Path(build_dir), language, cluster=cluster
    )
    return reader
