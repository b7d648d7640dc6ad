"""English words no passage has in any form: a query with them matches nothing (as a Chinese
word no passage has), and the passages with its other words are offered apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from shuangyu.index.text.analysis import english_analyzer
from shuangyu.search.copies import copies_of, words_matched
from shuangyu.search.crosslingual import english_words
from shuangyu.search.fusion import WORDS
from shuangyu.search.meaning import RELATED_COUNT
from shuangyu.search.opened import OpenIndex, Reader
from shuangyu.search.query import parse, toneless
from shuangyu.search.ranking import Rankings
from shuangyu.search.records import Result
from shuangyu.search.results import result

# A query with this many English words that no passage has in any form matches nothing. One such
# word is often only missing from the dictionary ("fire hazards": no sense of 隐患 is "hazard"),
# and is named while the other words are searched; two seldom are: 25 of the 28 no-answer English
# queries of the evaluation have one, 10 have two or more, and 1 of 89 answerable questions has two.
UNKNOWN_WORDS_FOR_NOTHING = 2


def some_words(
    rankings: Rankings,
    reader: Reader,
    compiled,
    opened: OpenIndex,
    ranking_key: tuple,
    report: str | None,
    order: Mapping[str, int] | None,
) -> SomeWords:
    """For a query that nothing matches though passages have some of its words (a word no
    passage has, or too few of its English words together: ``LEAST_WORDS``): the best passages
    with some of its words (not matches: listed apart, each saying how many of the words it
    has), and how many."""
    loose = rankings.ranking(
        reader,
        compiled.some_words_query,
        (*ranking_key, "some words"),
        report,
        order,
        RELATED_COUNT,
    )
    shown = [(reader.engine.stored(key), score) for key, score in loose.top[:RELATED_COUNT]]
    matched = (
        words_matched(rankings, reader, compiled, [fields for fields, _ in shown])
        if compiled.counts_words
        else {}
    )
    copies = copies_of(
        rankings, reader, opened, compiled.some_words_query, [fields for fields, _ in shown]
    )
    return SomeWords(
        loose.total,
        [
            result(
                fields,
                score,
                compiled,
                opened,
                copies[fields["content_hash"]],
                WORDS,
                matched.get(fields["id"], 0),
            )
            for fields, score in shown
        ],
    )


@dataclass(frozen=True)
class SomeWords:
    """Passages that match some words of a query of several English words but not all."""

    total: int
    results: list[Result]


def unknown_words(reader: Reader, compiled, text: str, lang: str) -> list[str]:
    """The English (Latin) words of the query that no passage has in any form: not in its English,
    not as pinyin, not in its Chinese, and not translated to a word of it."""
    if lang == "zh":
        return []
    translated = {
        word.lower()
        for translation in compiled.translations
        for word in english_words(translation.english)
    }
    unknown = []
    for term in (term for group in parse(text).groups for term in group if not term.is_han):
        for word in english_words(term.text):
            stems = [token.text for token in english_analyzer()(word)]
            if word.lower() in translated or not stems:
                continue  # translated, or a word too common to search (the, of)
            if any(
                reader.engine.doc_frequency(field, stem)
                for stem in stems
                for field in ("text_en", "gloss_terms")
            ):
                continue
            if reader.engine.doc_frequency("pinyin", toneless(word)) or reader.engine.doc_frequency(
                "text", word.lower()
            ):
                continue
            unknown.append(word)
    return list(dict.fromkeys(unknown))
