"""Turn what a user typed into an index query, and into the terms to highlight.

Syntax: words; ``"quoted phrases"`` (in Chinese too); ``OR`` between two terms; ``-word`` or
``NOT word`` to exclude; ``report:<id>`` to search one report. Anything else is text: the
syntax never fails, an unbalanced quote runs to the end of the query.

Language is decided per term (``lang="auto"``): a term with Han characters searches the Chinese
fields and every such term must match; a Latin term searches the English, pinyin and Chinese
fields (where ``5G`` or ``ix5`` are written as such) and results rank by how many Latin terms
match, because a translation rarely carries every word of a query; with no Chinese word, a
passage must have two of them (``LEAST_WORDS``). ``lang="zh"`` searches the
Chinese fields only; ``lang="en"`` the English fields only, a Chinese term through its
dictionary gloss.

The syntax is parsed by ``search.query_syntax``; each term's clauses are made by
``search.query_terms``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace

from shuangyu.index.engines import seam as tree
from shuangyu.index.text.analysis import query_words
from shuangyu.index.text.language import Language
from shuangyu.search.crosslingual import ReverseDictionary, Translation, english_words
from shuangyu.search.query_syntax import Term, parse
from shuangyu.search.query_terms import (
    LEAST_WORDS,
    MAX_COUNTED_WORDS,
    Compiling,
    analysed_english,
    coverage_of,
    proximity_boost,
    term_query,
    toneless,
    translated_clause,
)

LANGUAGES = ("auto", "zh", "en")
MAX_QUERY_CHARS = 500
# Each word is a clause of the index query: a pasted sentence has a few dozen, and past this
# many a query costs seconds without finding anything a shorter one would not.
MAX_QUERY_WORDS = 64

# Field weights, tuned with `python bench/tune.py --real` (bench/results/tune.txt): a grid of
# 81 settings on the seed corpus's queries (MRR@10 from 0.969 to 0.976; 8 settings tie at the
# top), the ties broken on the real collection's (MRR@10 0.938 for all 8; nDCG@10 decides).
WEIGHTS = {
    "text": 1.0,
    "section": 0.2,
    "text_bigrams": 0.35,
    "text_en": 1.0,
    "gloss_terms": 0.5,
    "pinyin": 0.9,
    "latin_in_text": 1.0,
    "translated": 0.5,
    "proximity": 0.5,
    "figure": 2.0,
    # The clause of every English word of a query (issue 26, point 4): on the real collection,
    # 0.5 to 3.0 all give success@5 0.808 against 0.804 without it (English figures 0.957 to
    # 1.000, official terms 0.942 to 0.928, MRR@10 0.769 to 0.765); 3.0 puts the passages with
    # every word first for the queries of tests/search/test_every_word.py.
    "every_word": 3.0,
}


class QueryError(ValueError):
    """The query cannot be searched; the message says why, for the user."""


@dataclass
class CompiledQuery:
    """An index query and the terms a highlighter should mark."""

    query: object  # an index.engines.seam query tree
    chinese_terms: set[str]  # normalised Chinese words to mark in the Chinese text
    english_terms: set[str]  # analysed English words to mark in the English text
    # Analysed English words the user typed: their Chinese is marked too.
    typed_english_terms: set[str]
    report: str | None
    # English words searched in Chinese.
    translations: list[Translation] = field(default_factory=list)
    # Toneless pinyin typed: the Chinese it spells is marked.
    pinyin_terms: set[str] = field(default_factory=set)
    # Normalised Chinese words searched in the section headings.
    heading_terms: set[str] = field(default_factory=set)
    # For the English (Latin) words of a query: what matching each of them means (the word
    # itself, or a translation of a phrase it is part of), by the words as typed; a result says
    # how many it has (``counts_words``).
    coverage: list[tuple[str, object]] = field(default_factory=list)
    excluded: object | None = None  # the words excluded (``-word``) as a query tree, or None
    # Whether the query requires words of its own (Chinese words, a figure): its English words
    # then only rank the passages, as translations of the rest.
    precise: bool = False
    # The query without its English words' minimum (``requiring_words``): what some words match.
    loose: object | None = None

    @property
    def some_words_query(self) -> object:
        """The query of the passages with any of the query's words, matches or not."""
        return self.query if self.loose is None else self.loose

    @property
    def counts_words(self) -> bool:
        """Whether each result says how many of the query's English words it has: a query of
        two to ``MAX_COUNTED_WORDS`` of them."""
        return 2 <= len(self.coverage) <= MAX_COUNTED_WORDS

    def _covered(self, skipping: Collection[str]) -> list:
        """The clauses of ``coverage`` but those of the groups holding a word of ``skipping``."""
        skipped = {word.lower() for word in skipping}
        return [
            node
            for typed, node in self.coverage
            if not skipped & {word.lower() for word in english_words(typed)}
        ]

    def every_word(self, skipping: Collection[str] = ()) -> object | None:
        """The query tree of the passages that match the query and have every English word of
        it (each as ``coverage`` says) but the groups holding one of the words ``skipping``;
        ``None`` when no group is left."""
        nodes = self._covered(skipping)
        if not nodes:
            return None
        if self.precise:  # with its required words
            return tree.Filter(self.query, tree.All(nodes))
        # A passage with every word matches the query (each word is a clause of it).
        query = tree.All(nodes)
        return query if self.excluded is None else tree.Without(query, self.excluded)

    def requiring_words(self, skipping: Collection[str] = ()) -> CompiledQuery:
        """This query matching only the passages with ``LEAST_WORDS`` of its English words
        (every one when it has fewer), the words ``skipping`` (no passage has them) left out;
        itself when it counts no words (``counts_words``), fewer than two are left, or it is
        ``precise``. ``loose`` keeps the query without the minimum; the scores are unchanged."""
        nodes = self._covered(skipping)
        if not self.counts_words or len(nodes) < 2 or self.precise:
            return self
        # All of them is an intersection, which engines skip through faster.
        least = (
            tree.All(nodes) if len(nodes) <= LEAST_WORDS else tree.Any(nodes, at_least=LEAST_WORDS)
        )
        return replace(self, query=tree.Filter(self.query, least), loose=self.query)


def compile_query(
    text: str,
    lang: str,
    language: Language,
    dictionary: ReverseDictionary | None = None,
    weights: Mapping[str, float] = WEIGHTS,
) -> CompiledQuery:
    """The index query for ``text``, its Chinese cut into words with the index's
    ``language`` and its clauses weighted by ``weights``; ``QueryError`` when it has nothing
    to search for.

    Given the index's ``dictionary``, English words are also translated into Chinese and
    searched in the Chinese text (query translation). ``lang`` (``LANGUAGES``) was validated
    where it entered (``web.params``, the command line).
    """
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query is too long ({len(text)} characters; at most {MAX_QUERY_CHARS})")
    parsed = parse(text)
    words = sum(
        len(query_words(term.text, language)) if term.is_han else len(english_words(term.text))
        for group in parsed.groups
        for term in group
    ) + len(parsed.excluded)
    if words > MAX_QUERY_WORDS:
        raise QueryError(f"query has too many words ({words}; at most {MAX_QUERY_WORDS})")
    compiling = Compiling(language, weights)
    chinese_terms, english_terms = compiling.chinese_terms, compiling.english_terms
    required: list = []
    optional: list = []
    translations: list[Translation] = []
    if dictionary is not None and lang != "zh":
        latin_words = [
            word
            for group in parsed.groups
            for term in group
            if not term.is_han
            for word in english_words(term.text)
        ]
        translations = dictionary.translate(latin_words)
        # A respelt word (British, irregular) is searched in the English fields as respelt.
        for translation in translations:
            compiling.spellings.update(translation.respelt)
    # The words of a figure the index holds ("5 million") are searched as that figure only:
    # alone, "5" would match every 5 and "million" every 万 and 亿.
    figure_words = {
        word.lower()
        for translation in translations
        if translation.is_figure
        for word in english_words(translation.english)
    }

    def in_figure(term: Term) -> bool:
        words = english_words(term.text)
        return (
            not term.is_han and bool(words) and all(word.lower() in figure_words for word in words)
        )

    groups: list[list[Term]] = []
    seen: set[tuple] = set()
    for group in parsed.groups:
        key = tuple((term.text.lower(), term.phrase) for term in group)
        if key not in seen:  # a word typed twice is searched once: repeats add clauses, not meaning
            seen.add(key)
            groups.append([term for term in group if not in_figure(term)])
    latin_groups: list[tuple[list[Term], object]] = []
    for group in filter(None, groups):
        alternatives = [q for q in (term_query(term, lang, compiling) for term in group) if q]
        if not alternatives:
            continue
        group_query = alternatives[0] if len(alternatives) == 1 else tree.Any(alternatives)
        all_han = all(term.is_han for term in group)
        (required if all_han or lang == "zh" else optional).append(group_query)
        if not all_han and lang != "zh":
            latin_groups.append((group, group_query))
    translated: list[tuple[Translation, object]] = []
    for translation in translations:
        chinese_terms.update(translation.chinese)
        # One translated word counts once, however many Chinese words it may be. A figure
        # that the index holds (its value, in any writing) is what the user asks for: required.
        if translation.is_figure:
            required.append(compiling.boosted(translated_clause(translation), "figure"))
        else:
            optional.append(compiling.boosted(translated_clause(translation), "translated"))
            translated.append((translation, optional[-1]))
    pinyin_terms = {
        toneless(term.text) for group in groups for term in group if not term.is_han
    } - {""}
    # Syllables as typed, repeats included: Yi Dai Yi Lu is yidaiyilu.
    syllables = [
        term.text
        for group in parsed.groups
        if len(group) == 1
        for term in group
        if not term.phrase and not term.is_han and re.fullmatch(r"[^\W\d_]{1,6}", term.text)
    ]
    joined_pinyin = None
    if lang != "zh" and len(syllables) > 1:
        # Pinyin typed syllable by syllable (Nan Shui Bei Diao) is one word of the pinyin field.
        joined = toneless("".join(syllables))
        pinyin_terms.add(joined)
        # It stands for all of them: as many clauses as syllables.
        optional.append(compiling.boosted(tree.Term("pinyin", joined), "pinyin"))
        optional[-1].boost *= len(syllables)
        joined_pinyin = optional[-1]
    if required:
        query = tree.All(required) if len(required) > 1 else required[0]
        if optional:
            query = tree.WithOptional(query, tree.Any(optional))
    elif optional:
        query = tree.Any(optional) if len(optional) > 1 else optional[0]
    else:
        if parsed.excluded:
            raise QueryError("the query only excludes words: add a word to search for")
        raise QueryError("the query has no word to search for")
    proximity = proximity_boost(groups, lang, compiling)
    if proximity is not None:
        query = tree.WithOptional(query, proximity)
    coverage = coverage_of(latin_groups, translated, joined_pinyin)
    if 2 <= len(coverage) <= MAX_COUNTED_WORDS:
        # English words match alone; the passages with every one come first (and with fewer
        # than LEAST_WORDS of them they do not match: ``CompiledQuery.requiring_words``).
        every_word = tree.All([node for _, node in coverage])
        query = tree.WithOptional(query, compiling.boosted(every_word, "every_word"))
    # The excluded words are not marked: they compile on their own.
    excluded = [
        q
        for q in (term_query(term, lang, Compiling(language, weights)) for term in parsed.excluded)
        if q
    ]
    excluded_node = tree.Any(excluded) if excluded else None
    if excluded_node is not None:
        query = tree.Without(query, excluded_node)
    typed_english = {
        word
        for group in groups
        for term in group
        if not term.is_han
        for word in analysed_english(term.text)
    }
    return CompiledQuery(
        query,
        chinese_terms,
        english_terms,
        typed_english & english_terms,
        parsed.report,
        translations,
        pinyin_terms,
        compiling.heading_terms,
        coverage,
        excluded_node,
        precise=bool(required),
    )
