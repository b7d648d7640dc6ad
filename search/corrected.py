"""A query whose misspelt English matches nothing, searched as spelt right and said so."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shuangyu.search.query import QueryError
from shuangyu.search.suggest import Suggester


def answer_spelt_right(
    answer: Callable[[str], dict[str, Any]], suggester: Suggester, text: str, lang: str
) -> dict[str, Any]:
    """``answer(text)`` (the response to a search of ``text``), unless nothing matches it and
    it has misspelt English or pinyin words (``Suggester.correction``): then the answer of the
    query spelt right, when that finds passages, with ``query`` the text as typed,
    ``searched_instead`` the query searched and ``unknown_words`` those of the text. Where the
    words as typed find passages, the right spelling is only offered (``did_you_mean``): a
    misspelt word is never searched as another word behind the user's back."""
    response = answer(text)
    if response["total"] or response["related"] or lang == "zh":
        return response
    instead = suggester.corrected_latin(text, response["unknown_words"])
    if instead is None:
        return response
    try:
        corrected = answer(instead)
    except QueryError:
        return response  # spelt right, the query is longer than a query may be
    if not corrected["total"]:
        return response
    return {
        **corrected,
        "query": text,
        "searched_instead": instead,
        "did_you_mean": None,
        "unknown_words": response["unknown_words"],
    }
