"""The index clauses of one term of a query (``search.query``): a Chinese term in the Chinese
fields (or through its English), a Latin one in the English, pinyin and Chinese fields, and the
proximity boost; each noting, in a ``Compiling``, the words a highlighter should mark.
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
from shuangyu.search.crosslingual import Translation, english_words
from shuangyu.search.query_syntax import Term

PROXIMITY_SLOP = 2
# Past this many English words, results do not say how many they have (a search each).
MAX_COUNTED_WORDS = 8
# How many of a query's English words a passage must have to match (all of them when the
# query has fewer): one word of several matches a passage about anything else. On the real
# collection every answer found in the top 10 to its questions, terms and figures has at least
# two; the best passages of its English queries with no answer have one.
LEAST_WORDS = 2


@dataclass
class Compiling:
    """What compiling one query reads (the index's language, the field weights) and
    collects (the words to mark in the Chinese and in the English)."""

    language: Language
    weights: Mapping[str, float]
    chinese_terms: set[str] = field(default_factory=set)
    english_terms: set[str] = field(default_factory=set)
    heading_terms: set[str] = field(default_factory=set)
    # Words of the query (lower case) and the spelling the English fields hold them in.
    spellings: dict[str, str] = field(default_factory=dict)

    def boosted(self, query, weight_name: str):
        query.boost = self.weights[weight_name]
        return query


def proximity_boost(groups: list[list[Term]], lang: str, compiling: Compiling):
    """A boost for passages where the query's words stand close together, in order."""
    terms = [term for group in groups if len(group) == 1 for term in group if not term.phrase]
    chinese = [
        word for term in terms if term.is_han for word in query_words(term.text, compiling.language)
    ]
    english = [word for term in terms if not term.is_han for word in analysed_english(term.text)]
    if lang != "en" and len(chinese) > 1:
        return compiling.boosted(tree.Phrase("text", chinese, slop=PROXIMITY_SLOP), "proximity")
    if lang != "zh" and len(english) > 1 and not chinese:
        return compiling.boosted(tree.Phrase("text_en", english, slop=PROXIMITY_SLOP), "proximity")
    return None


def term_query(term: Term, lang: str, compiling: Compiling):
    """The clause of one term (``None`` when it has nothing to search for)."""
    if term.is_han:
        return _han_query(term, lang, compiling)
    if is_latin_word(term.text):
        return _latin_query(term, lang, compiling)
    return None


def analysed_english(text: str) -> list[str]:
    """The words of ``text`` as the English fields index them."""
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


def translated_clause(translation: Translation):
    """The clause of a translated English word: the best of its Chinese candidates (it counts
    once, however many it has), each its index word or the phrase the index holds it as."""
    return tree.Best(
        [_all_or_phrase("text", list(held), phrase=True) for held in translation.held_as()]
    )


def _han_query(term: Term, lang: str, compiling: Compiling):
    language = compiling.language
    words = query_words(term.text, language)
    if not words:
        return None
    # A single character that jieba split off a longer query word is not worth marking alone.
    compiling.chinese_terms.update(word for word in words if len(word) > 1 or len(words) == 1)
    glossed = [
        english
        for word in words
        for english in analysed_english(gloss_word(word, language) if has_han(word) else word)
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


def _latin_query(term: Term, lang: str, compiling: Compiling):
    english = analysed_english(
        " ".join(compiling.spellings.get(word.lower(), word) for word in term.text.split())
    )
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


def coverage_of(
    latin_groups: list[tuple[list[Term], object]],
    translated: list[tuple[Translation, object]],
    joined_pinyin,
) -> list[tuple[str, object]]:
    """What matching each English group of the query means: its own clause, or the clause of a
    translation of a phrase that holds one of its words (``food security`` → 粮食安全 stands
    for both words), or the pinyin of syllables typed apart (``Nan Shui Bei Diao``)."""
    coverage = []
    for group, clause in latin_groups:
        if not any(analysed_english(term.text) for term in group):
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
