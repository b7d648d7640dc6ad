"""A parallel build works out each word once, before its workers fork, and makes the same documents
as a build in one process."""

from __future__ import annotations

import pytest
from shuangyu.index import documents
from shuangyu.index.documents import Source, analysed_documents
from shuangyu.index.engines import tantivy_engine, whoosh_engine
from shuangyu.index.sources.corpus import read_corpus
from shuangyu.index.sources.passages import split_report
from shuangyu.index.text.caches import CacheOwner, cached_in
from shuangyu.index.workers import can_fork_workers

from tests.paths import CORPUS_DIR, language


def test_answers_preset_in_an_owner_are_given_and_others_worked_out_once():
    asked = []

    @cached_in(maxsize=10)
    def doubled(number: int, owner: CacheOwner) -> int:
        asked.append(number)
        return 2 * number

    owner = CacheOwner()
    doubled.preset(owner, {1: 20})  # type: ignore[attr-defined]
    assert [doubled(1, owner), doubled(2, owner), doubled(2, owner)] == [20, 4, 4]
    assert doubled.of(owner)(3) == 6  # type: ignore[attr-defined]
    assert asked == [2, 3]


@pytest.mark.skipif(
    not can_fork_workers(), reason="workers are forked only where fork is the default"
)
@pytest.mark.parametrize("engine", [tantivy_engine, whoosh_engine], ids=["tantivy", "whoosh"])
def test_documents_made_by_workers_are_those_made_in_one_process(monkeypatch, engine):
    corpus = read_corpus(CORPUS_DIR)
    sources = [
        Source(report, passage, None, "gloss")
        for report in corpus.reports
        for passage in split_report(report.id, report.text, report.layout)
    ]
    monkeypatch.setattr(documents, "PARALLEL_FROM", 1)  # the seed corpus is small
    # A language each: the workers' words are worked out afresh, not found in the other's caches.
    alone = list(analysed_documents(sources, language(corpus.vocabulary), engine.analyse, 1))
    shared = list(analysed_documents(sources, language(corpus.vocabulary), engine.analyse, 2))
    assert shared == alone
