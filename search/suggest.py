"""Suggestions from the corpus's own words: "did you mean" and autocomplete, in both languages.

Chinese words come from the index's word field, pinyin from its pinyin field, English from the
dictionary senses of words that occur in the index and from the index's names (its ``Language``).
Spelling correction finds the closest words of those lists (``search.spelling``). The dictionary's
English is read from its SQLite file (``index.english.dictionary``) and checked against the index
when asked, so that opening an index builds nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection

from pypinyin import lazy_pinyin
from shuangyu.index.text.analysis import english_key, has_han, is_han_only, normalise
from shuangyu.index.text.language import Language, per_language
from shuangyu.search.query_syntax import each_word
from shuangyu.search.spelling import (
    LatinWords,
    WordList,
    american_spellings,
    base_forms,
    closest,
    edits,
)

# "Did you mean" is offered when a query finds fewer passages than this.
SUGGEST_BELOW = 3
MAX_COMPLETIONS = 8
_ENGLISH_WORD = re.compile(r"^[a-z][a-z-]{2,}$")
# CC-CEDICT's shorthand for "something", "somebody": not words a user types.
_DICTIONARY_SHORTHAND = re.compile(r"\b(?:sth|sb|etc)\b")


# English senses offered as completions: the first few of an entry, short, without shorthand.
FIRST_SENSES = 3
MAX_ENGLISH_CHARS = 40


def _offered(english: str) -> bool:
    return (
        bool(english)
        and len(english) <= MAX_ENGLISH_CHARS
        and not _DICTIONARY_SHORTHAND.search(english)
    )


@per_language(maxsize=1)
def _name_english(language: Language) -> dict[str, str]:
    """English and pinyin of the index's names → the name."""
    found: dict[str, str] = {}
    for name in language.vocabulary.names.values():
        pinyin = "".join(lazy_pinyin(name.word)) if name.is_proper else ""
        for english in (name.english.lower(), pinyin):
            if english:
                found.setdefault(english, name.word)
    return found


@per_language(maxsize=1)
def _english_words(language: Language) -> frozenset[str]:
    """Single English words a user may mean: from the names and the dictionary's senses."""
    words = {
        word for phrase in _name_english(language) for word in phrase.split()
    } | language.dictionary.sense_words(FIRST_SENSES)
    return frozenset(
        word
        for word in words
        if _ENGLISH_WORD.match(word) and not _DICTIONARY_SHORTHAND.search(word)
    )


class Suggester:
    """Suggestions for one open index (``reader`` is its engine reader, ``seam.Reader``, used by
    one thread at a time; ``known`` says whether a word occurs in its Chinese text; ``language``
    has its names and the dictionary). ``sharing`` is a Suggester of another reader of the same
    index, whose word lists this one uses too."""

    def __init__(
        self,
        reader,
        known: Callable[[str], bool],
        language: Language,
        sharing: Suggester | None = None,
    ):
        self.reader = reader
        self._known = known
        self._language = language
        self._words = sharing._words if sharing is not None else LatinWords()

    def _chinese_for(self, english: str) -> str | None:
        """The Chinese word of the index that an English word or phrase names, if any."""
        name = _name_english(self._language).get(english)
        if name is not None and self._known(name):
            return name
        for found, headword in self._language.dictionary.senses_from(english, FIRST_SENSES):
            if found != english:  # the exact English comes first among those it starts
                break
            if self._known(headword):
                return headword
        return None

    def _english_from(self, prefix: str, wanted: int) -> dict[str, str]:
        """Up to ``wanted`` English words and phrases starting with ``prefix`` whose Chinese
        occurs in the index, in English order → that Chinese word."""
        found = {
            english: word
            for english, word in _name_english(self._language).items()
            if english.startswith(prefix) and self._known(word)
        }
        dictionary = 0
        for english, headword in self._language.dictionary.senses_from(prefix, FIRST_SENSES):
            if dictionary >= wanted:
                break
            if english not in found and _offered(english) and self._known(headword):
                found[english] = headword
                dictionary += 1
        return {english: found[english] for english in sorted(found)[:wanted]}

    def _latin_words(self) -> set[str]:
        """The English words a user may mean and the pinyin words of the index."""
        return {*_english_words(self._language), *self.reader.words("pinyin")}

    @property
    def _latin_corrector(self) -> WordList:
        return self._words.corrector(self._latin_words)

    def warm(self) -> None:
        """Build the word list of spelling correction ahead of the first request."""
        self._words.corrector(self._latin_words)

    def did_you_mean(self, text: str, total: int, unknown: Collection[str] = ()) -> str | None:
        """A corrected query when ``text`` found fewer than ``SUGGEST_BELOW`` passages, or has
        a misspelt word among its ``unknown`` words (English or pinyin that no passage has in
        any form, close to a word some have: ``correction``): those words corrected,
        traditional characters made simplified, and a Chinese word the index lacks replaced by
        the closest one it has (one character off)."""
        corrections = self.corrections(unknown)
        if total >= SUGGEST_BELOW and not corrections:
            return None
        words = " ".join(text.split())
        suggestion = each_word(
            words,
            lambda word: (
                corrections.get(word.lower()) or (self._correct(word) if has_han(word) else word)
            ),
        )
        return suggestion if suggestion.lower() != words.lower() else None

    def corrected_latin(self, text: str, unknown: Collection[str]) -> str | None:
        """``text`` with its misspelt ``unknown`` words spelt as ``correction`` gives them;
        ``None`` when none of them is misspelt."""
        corrections = self.corrections(unknown)
        if not corrections:
            return None
        return each_word(text, lambda word: corrections.get(word.lower(), word))

    def corrections(self, unknown: Collection[str]) -> dict[str, str]:
        """The ``correction`` of each of the ``unknown`` words (lower case) that has one."""
        found = {}
        for word in unknown:
            lowered = word.lower()
            if lowered not in self._words.corrections:
                self._words.remember(lowered, self.correction(word))
            if corrected := self._words.corrections.get(lowered):
                found[lowered] = corrected
        return found

    def _correct(self, word: str) -> str:
        if word in ("OR", "NOT") or word.startswith("report:"):
            return word
        if has_han(word):
            simplified = normalise(word).text
            # Only a term that may be one misspelt word: Han characters, no longer than a word.
            if self.reader.doc_frequency("text", simplified) or not (
                is_han_only(simplified) and 2 <= len(simplified) <= 6
            ):
                return simplified
            # Words that share the first character: a scan of a few hundred words of the index,
            # not of all of them (a second on a large collection).
            candidates = self.reader.words("text", simplified[0])
            suggestions = closest(
                simplified,
                candidates,
                limit=1,
                maxdist=1,
                frequency=lambda word: self.reader.doc_frequency("text", word),
            )
            return suggestions[0] if suggestions else simplified
        return word

    def _is_known_latin(self, lowered: str) -> bool:
        """True when a lower-case Latin word needs no correction: a dictionary sense or name of
        the index's words, a pinyin word of the index, a word of the correction list, or one of
        its English words with a regular ending (surfers, which no passage has, is no "suffers")."""
        return bool(
            self._chinese_for(lowered)
            or self.reader.doc_frequency("pinyin", lowered)
            or lowered in self._latin_corrector
            or any(form in _english_words(self._language) for form in base_forms(lowered)[1:])
        )

    def correction(self, word: str) -> str | None:
        """The word a misspelt Latin ``word`` most likely means: the closest English or pinyin
        word of the index (one edit off, two in a word of eight letters or more; a letter
        added, left out, changed, or two swapped), the one with the same first letter and then
        the most passages first. ``None`` for a word the index has in some form (``_in_some_form``,
        or in another spelling: ``respelling``), an irregular English form, an acronym, or a word
        with no close one."""
        lowered = word.lower()
        # An acronym (GDP, CPI) is typed as meant: no dictionary word is its correction.
        if word.isupper() and len(word) > 1:
            return None
        if not _ENGLISH_WORD.match(lowered) or self._in_some_form(lowered) or self.respelling(word):
            return None
        # An irregular form of an English word (fought, which no passage has) is no "ought".
        if self._language.dictionary.base_words(lowered):
            return None
        # Two letters off only in a long word: a short one that far off is as likely pinyin.
        suggestions = self._latin_corrector.suggest(
            lowered, limit=20, maxdist=2 if len(lowered) >= 8 else 1
        )
        # The closest first; among equally close words, one with the same first letter (typos
        # rarely start a word), then the one more passages have (``foood`` is food, not
        # flood), then the longer (a letter left out: ``educaton`` is education, not educator,
        # which the English field stems alike), then the corrector's order.
        order = {suggestion: rank for rank, suggestion in enumerate(suggestions)}
        suggestions.sort(
            key=lambda suggestion: (
                edits(lowered, suggestion),
                suggestion[:1] != lowered[:1],
                -self._passages_with(suggestion),
                -len(suggestion),
                order[suggestion],
            )
        )
        return suggestions[0] if suggestions else None

    def respelling(self, word: str) -> str | None:
        """The same ``word`` as the index has it: in American spelling (defence, centre) when the
        index has it in no form as typed ("four" is not "for"); the base of an irregular form
        that names no word of the index and no passage has (fought → fight; ``base_words``)."""
        lowered = word.lower()
        if not _ENGLISH_WORD.match(lowered):
            return None
        spellings = american_spellings(lowered)
        if spellings and not self._in_some_form(lowered):
            if american := next((spelt for spelt in spellings if self._in_some_form(spelt)), None):
                return american
        bases = self._language.dictionary.base_words(lowered)
        if not bases or self._searchable(lowered):
            return None
        return next((base for base in bases if self._searchable(base)), None)

    def _searchable(self, lowered: str) -> bool:
        """True when an English word names a word of the index or is in its passages."""
        return bool(self._chinese_for(lowered) or self._passages_with(lowered))

    def _in_some_form(self, lowered: str) -> bool:
        """True when the index has a lower-case Latin word in some form: a dictionary sense or
        name of its words, a pinyin word, a word of the correction list, or a word of its
        passages' English (as the English fields analyse it: "subsidies")."""
        return self._is_known_latin(lowered) or self._passages_with(lowered) > 0

    def _passages_with(self, word: str) -> int:
        """How many passages have ``word`` in their English, gloss or pinyin (the most of these)."""
        key = english_key(word)
        return max(
            self.reader.doc_frequency("text_en", key) if key else 0,
            self.reader.doc_frequency("gloss_terms", key) if key else 0,
            self.reader.doc_frequency("pinyin", word),
        )

    def complete(self, prefix: str, limit: int = MAX_COMPLETIONS) -> list[dict]:
        """Words of the corpus that start with ``prefix``, most frequent first: Chinese words
        for a Chinese prefix; English words and pinyin names, with their Chinese, otherwise."""
        prefix = prefix.strip()
        if not prefix:
            return []
        if has_han(prefix):
            simplified = normalise(prefix).text
            terms = [
                term
                for term in self.reader.words("text", simplified)
                if len(term) > 1 or term == simplified
            ]
            ranked = sorted(
                terms, key=lambda term: (-self.reader.doc_frequency("text", term), len(term), term)
            )
            return [{"text": term, "zh": term} for term in ranked[:limit]]
        completions = self._english_from(prefix.lower(), limit * 4)
        ranked = sorted(
            completions,
            key=lambda english: (
                -self.reader.doc_frequency("text", completions[english]),
                len(english),
            ),
        )
        return [{"text": english, "zh": completions[english]} for english in ranked[:limit]]
