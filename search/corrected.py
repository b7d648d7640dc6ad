"""A query whose misspelt English matches nothing, searched as spelt right and said so."""

from __future__ import annotations

from typing import Any

from shuangyu.search.answer import Services, answer
from shuangyu.search.opened import OpenIndex, Reader
from shuangyu.search.semantic import VectorIndex


def answer_spelt_right(
    services: Services,
    opened: OpenIndex,
    reader: Reader,
    vectors: VectorIndex | None,
    text: str,
    limit: int,
    offset: int,
    lang: str,
    report: str | None,
    sort: str,
    mode: str,
    started: float,
    reports: int | None = None,
) -> dict[str, Any]:
    """``search.answer.answer`` of ``text`` (the other arguments as it takes them), unless
    nothing matches it and it has misspelt English or pinyin words (``Suggester.correction``):
    then the answer of the query spelt right, when that finds passages, with ``query`` the text
    as typed, ``searched_instead`` the query searched and ``unknown_words`` those of the text.
    Where the words as typed find passages, the right spelling is only offered
    (``did_you_mean``): a misspelt word is never searched as another word behind the user's
    back."""
    rest = (limit, offset, lang, report, sort, mode, started, reports)
    response = answer(services, opened, reader, vectors, text, *rest)
    if response["total"] or response["related"] or lang == "zh":
        return response
    instead = reader.suggester.corrected_latin(text)
    if instead is None:
        return response
    corrected = answer(services, opened, reader, vectors, instead, *rest)
    if not corrected["total"]:
        return response
    return {
        **corrected,
        "query": text,
        "searched_instead": instead,
        "did_you_mean": None,
        "unknown_words": response["unknown_words"],
    }
