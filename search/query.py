"""Turn what a user typed into an index query, and into the terms to highlight.

Syntax: words; ``"quoted phrases"`` (in Chinese too); ``OR`` between two terms; ``-word`` or
``NOT word`` to exclude; ``report:<id>`` to search one report. Anything else is text: the
syntax never fails, an unbalanced quote runs to the end of the query.

Language is decided per term (``lang="auto"``): a term with Han characters searches the Chinese
fields and every such term must match; a Latin term searches the English, pinyin and Chinese
fields (where ``5G`` or ``ix5`` are written as such) and results rank by how many Latin terms
match, because a translation rarely carries every word of a query. ``lang="zh"`` searches the
Chinese fields only; ``lang="en"`` the English fields only, a Chinese term through its
dictionary gloss.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from shuangyu.index.engines import seam as tree
from shuangyu.index.english.gloss import gloss_word
from shuangyu.index.text.analysis import (
    bigram_analyzer,
    chinese_analyzer,
    english_analyzer,
    has_han,
    is_latin_word,
    query_words,
)
from shuangyu.index.text.language import Language
from shuangyu.search.crosslingual import ReverseDictionary, Translation, english_words

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
}
PROXIMITY_SLOP = 2

_TOKEN = re.compile(r'(?P<neg>-)?(?:"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+))')
_REPORT = re.compile(r"^report:(?P<id>\S+)$", re.IGNORECASE)


class QueryError(ValueError):
    """The query cannot be searched; the message says why, for the user."""


@dataclass(frozen=True)
class Term:
    """One word or phrase of the query."""

    text: str
    phrase: bool = False

    @property
    def is_han(self) -> bool:
        return has_han(self.text)


@dataclass
class ParsedQuery:
    """The query's terms: ``groups`` are alternatives joined by OR (most hold one term)."""

    groups: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)
    report: str | None = None


@dataclass
class CompiledQuery:
    """An index query and the terms a highlighter should mark."""

    query: object  # an index.engines.seam query tree
    chinese_terms: set[str]  # normalised Chinese words to mark in the Chinese text
    english_terms: set[str]  # analysed English words to mark in the English text
    typed_english_terms: set[
        str
    ]  # analysed English words the user typed: their Chinese is marked too
    report: str | None
    translations: list[Translation] = field(
        default_factory=list
    )  # English words searched in Chinese
    pinyin_terms: set[str] = field(
        default_factory=set
    )  # toneless pinyin typed: the Chinese it spells is marked
    heading_terms: set[str] = field(
        default_factory=set
    )  # normalised Chinese words searched in the section headings
    # For the English (Latin) words of a query: what matching each of them means (the word
    # itself, or a translation of a phrase it is part of), by the words as typed; a result says
    # how many it has (``counts_words``).
    coverage: list[tuple[str, object]] = field(default_factory=list)
    excluded: object | None = (
        None  # the words excluded (``-word``), as a query tree; None when none
    )

    @property
    def counts_words(self) -> bool:
        """Whether each result says how many of the query's English words it has: a query of
        two to ``MAX_COUNTED_WORDS`` of them."""
        return 2 <= len(self.coverage) <= MAX_COUNTED_WORDS


# Past this many English words, results do not say how many they have (a search each).
MAX_COUNTED_WORDS = 8


def parse(text: str) -> ParsedQuery:
    """Split the query into terms, exclusions and a report filter. Never raises."""
    parsed = ParsedQuery()
    negate_next = join_next = False
    for match in _TOKEN.finditer(text):
        phrase = match.group("phrase")
        word = match.group("word")
        if word in ("OR", "|") and parsed.groups:
            join_next = True
            continue
        if word in ("NOT",):
            negate_next = True
            continue
        if word == "AND":
            continue
        report = _REPORT.match(word or "")
        if report and not match.group("neg"):
            parsed.report = report.group("id")
            continue
        term = Term(phrase if phrase is not None else word, phrase=phrase is not None)
        if not term.text.strip():
            continue
        if match.group("neg") or negate_next:
            parsed.excluded.append(term)
        elif join_next:
            parsed.groups[-1].append(term)
        else:
            parsed.groups.append([term])
        negate_next = join_next = False
    return parsed


@dataclass
class _Compiling:
    """What compiling one query reads (the index's language, the field weights) and
    collects (the words to mark in the Chinese and in the English)."""

    language: Language
    weights: Mapping[str, float]
    chinese_terms: set[str] = field(default_factory=set)
    english_terms: set[str] = field(default_factory=set)
    heading_terms: set[str] = field(default_factory=set)

    def boosted(self, query, weight_name: str):
        query.boost = self.weights[weight_name]
        return query


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
    compiling = _Compiling(language, weights)
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
        alternatives = [q for q in (_term_query(term, lang, compiling) for term in group) if q]
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
        candidates = [tree.Term("text", word) for word in translation.chinese]
        # One translated word counts once, however many Chinese words it may be. A figure
        # that the index holds (its value, in any writing) is what the user asks for: required.
        if translation.is_figure:
            required.append(compiling.boosted(tree.Best(candidates), "figure"))
        else:
            optional.append(compiling.boosted(tree.Best(candidates), "translated"))
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
    proximity = _proximity(groups, lang, compiling)
    if proximity is not None:
        query = tree.WithOptional(query, proximity)
    # The excluded words are not marked: they compile on their own.
    excluded = [
        q
        for q in (
            _term_query(term, lang, _Compiling(language, weights)) for term in parsed.excluded
        )
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
        for word in _english_words(term.text)
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
        _coverage(latin_groups, translated, joined_pinyin),
        excluded_node,
    )


def _coverage(
    latin_groups: list[tuple[list[Term], object]],
    translated: list[tuple[Translation, object]],
    joined_pinyin,
) -> list[tuple[str, object]]:
    """What matching each English group of the query means: its own clause, or the clause of a
    translation of a phrase that holds one of its words (``food security`` → 粮食安全 stands
    for both words), or the pinyin of syllables typed apart (``Nan Shui Bei Diao``)."""
    coverage = []
    for group, clause in latin_groups:
        if not any(_english_words(term.text) for term in group):
            continue  # a function word (the, is, of): a passage need not have it
        typed = {word.lower() for term in group for word in english_words(term.text)}
        covering = [clause] + [
            node
            for translation, node in translated
            if typed & {word.lower() for word in english_words(translation.english.split("→")[0])}
        ]
        if joined_pinyin is not None and all(
            len(term.text) <= 6 and term.text.isalpha() for term in group
        ):
            covering.append(joined_pinyin)
        coverage.append(
            (
                " ".join(term.text for term in group),
                covering[0] if len(covering) == 1 else tree.Any(covering),
            )
        )
    return coverage


def _proximity(groups: list[list[Term]], lang: str, compiling: _Compiling):
    """A boost for passages where the query's words stand close together, in order."""
    terms = [term for group in groups if len(group) == 1 for term in group if not term.phrase]
    chinese = [
        word for term in terms if term.is_han for word in query_words(term.text, compiling.language)
    ]
    english = [word for term in terms if not term.is_han for word in _english_words(term.text)]
    if lang != "en" and len(chinese) > 1:
        return compiling.boosted(tree.Phrase("text", chinese, slop=PROXIMITY_SLOP), "proximity")
    if lang != "zh" and len(english) > 1 and not chinese:
        return compiling.boosted(tree.Phrase("text_en", english, slop=PROXIMITY_SLOP), "proximity")
    return None


def _term_query(term: Term, lang: str, compiling: _Compiling):
    if term.is_han:
        return _han_query(term, lang, compiling)
    if is_latin_word(term.text):
        return _latin_query(term, lang, compiling)
    return None


def _english_words(text: str) -> list[str]:
    return [token.text for token in english_analyzer()(text)]


def _all(queries: list):
    return queries[0] if len(queries) == 1 else tree.All(queries)


# Punctuation inside a quoted phrase ("抓革命，促生产") takes a position in the index, as in the
# query: a phrase with punctuation allows that gap.
_INNER_PUNCTUATION = re.compile(r"\w[^\w\s]+\w")


def _all_or_phrase(fieldname: str, words: list[str], phrase: bool, text: str = ""):
    if len(words) == 1:
        return tree.Term(fieldname, words[0])
    if phrase:
        return tree.Phrase(fieldname, words, slop=1 if _INNER_PUNCTUATION.search(text) else 0)
    return tree.All([tree.Term(fieldname, word) for word in words])


def _han_query(term: Term, lang: str, compiling: _Compiling):
    language = compiling.language
    words = query_words(term.text, language)
    if not words:
        return None
    # A single character that jieba split off a longer query word is not worth marking alone.
    compiling.chinese_terms.update(word for word in words if len(word) > 1 or len(words) == 1)
    glossed = [
        english
        for word in words
        for english in _english_words(gloss_word(word, language) if has_han(word) else word)
    ]
    compiling.english_terms.update(glossed)
    if lang == "en":
        # Every word's English must match, as every Chinese word must in the Chinese text:
        # any one of them alone matches unrelated passages.
        if not glossed:
            return None
        return _all(
            [
                tree.Any([tree.Term(name, word) for name in ("text_en", "gloss_terms")])
                for word in dict.fromkeys(glossed)
            ]
        )
    grams = [token.text for token in bigram_analyzer()(term.text)]
    compiling.chinese_terms.add(
        "".join(
            token.text
            for token in chinese_analyzer(language)(term.text, mode="query", removestops=False)
        )
    )
    alternatives = [
        compiling.boosted(_all_or_phrase("text", words, term.phrase, term.text), "text"),
        # Bigrams in sequence: part of a word (坪坝) or a word jieba cut differently.
        compiling.boosted(_all_or_phrase("text_bigrams", grams, phrase=True), "text_bigrams"),
    ]
    if not term.phrase:
        # Headings have no positions (a phrase cannot be checked there); they help single words.
        compiling.heading_terms.update(words)
        alternatives.append(
            compiling.boosted(_all_or_phrase("section", words, phrase=False), "section")
        )
    return tree.Any(alternatives)


def _latin_query(term: Term, lang: str, compiling: _Compiling):
    english = _english_words(term.text)
    in_text = query_words(term.text, compiling.language)
    pinyin = toneless(term.text)
    compiling.english_terms.update(english)
    compiling.chinese_terms.update(in_text)
    alternatives: list = []
    if lang != "zh":
        if english:
            alternatives.append(
                compiling.boosted(_all_or_phrase("text_en", english, term.phrase), "text_en")
            )
            alternatives.append(
                compiling.boosted(
                    _all_or_phrase("gloss_terms", english, phrase=False), "gloss_terms"
                )
            )
        if pinyin:
            alternatives.append(compiling.boosted(tree.Term("pinyin", pinyin), "pinyin"))
    if lang != "en" and in_text:
        alternatives.append(
            compiling.boosted(_all_or_phrase("text", in_text, term.phrase), "latin_in_text")
        )
    if not alternatives:
        return None
    return alternatives[0] if len(alternatives) == 1 else tree.Any(alternatives)


def toneless(text: str) -> str:
    """Pinyin as the pinyin field indexes it: ``Sānxiá`` → ``sanxia``, ``Nan Shui`` → ``nanshui``."""
    decomposed = unicodedata.normalize("NFKD", text.lower()).replace("ü", "v")
    return re.sub(r"[^a-z0-9]", "", decomposed)
