"""Suggestions from the corpus's own words: "did you mean" and autocomplete, in both languages.

Chinese words come from the index's word field, pinyin from its pinyin field, English from the
dictionary senses of words that occur in the index and from ``corpus/names.tsv``. Spelling
correction uses Whoosh's edit-distance correctors over those word lists.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from functools import cached_property

from pypinyin import lazy_pinyin
from whoosh.spelling import ListCorrector

from index.analysis import has_han, is_latin_word, names, normalise
from index.cedict import all_entries, clean_sense

# "Did you mean" is offered when a query finds fewer passages than this.
SUGGEST_BELOW = 3
MAX_COMPLETIONS = 8
_ENGLISH_WORD = re.compile(r"^[a-z][a-z-]{2,}$")
# CC-CEDICT's shorthand for "something", "somebody": not words a user types.
_DICTIONARY_SHORTHAND = re.compile(r"\b(?:sth|sb|etc)\b")


class Suggester:
    """Suggestions for one open index (``reader`` is its Whoosh reader; ``known`` says whether
    a word occurs in its Chinese text)."""

    def __init__(self, reader, known: Callable[[str], bool] | None):
        self.reader = reader
        self.known = known

    @cached_property
    def _english(self) -> dict[str, str]:
        """English words and phrases whose Chinese occurs in the index → that Chinese word."""
        found: dict[str, str] = {}
        for name in names().values():
            pinyin = "".join(lazy_pinyin(name.word)) if name.is_proper else ""
            for english in (name.english.lower(), pinyin):
                if english:
                    found.setdefault(english, name.word)
        for headword, listed in all_entries(self.known):
            for entry in listed:
                for sense in entry.senses[:3]:
                    english = clean_sense(sense, entry.is_name).lower()
                    if english and len(english) <= 40 and not _DICTIONARY_SHORTHAND.search(english):
                        found.setdefault(english, headword)
        # Needed only here; letting it go frees the index's word set (15 MB at 100k passages).
        self.known = None
        return found

    @cached_property
    def _sorted_english(self) -> list[str]:
        return sorted(self._english)

    @cached_property
    def _latin_corrector(self) -> ListCorrector:
        words = {word for phrase in self._english for word in phrase.split() if _ENGLISH_WORD.match(word)}
        words.update(term.decode() if isinstance(term, bytes) else term for term in self.reader.lexicon("pinyin"))
        return ListCorrector(sorted(words))

    def warm(self) -> None:
        """Build the word lists (about half a second) ahead of the first request."""
        self._sorted_english  # noqa: B018 - cached_property, evaluated for its side effect
        self._latin_corrector  # noqa: B018

    def did_you_mean(self, text: str, total: int) -> str | None:
        """A corrected query when ``text`` found fewer than ``SUGGEST_BELOW`` passages:
        traditional characters made simplified, and a word the index lacks replaced by the
        closest one it has (one character off in Chinese, two letters in pinyin or English)."""
        if total >= SUGGEST_BELOW:
            return None
        corrected = [self._correct(word) for word in text.split()]
        suggestion = " ".join(corrected)
        return suggestion if suggestion.lower() != " ".join(text.split()).lower() else None

    def _correct(self, word: str) -> str:
        if word in ("OR", "NOT") or word.startswith(("-", '"', "report:")):
            return word
        if has_han(word):
            simplified = normalise(word).text
            if self.reader.doc_frequency("text", simplified):
                return simplified
            corrector = self.reader.corrector("text")
            suggestions = corrector.suggest(simplified, limit=1, maxdist=1)
            return suggestions[0] if suggestions else simplified
        if is_latin_word(word):
            lowered = word.lower()
            if lowered in self._english or self.reader.doc_frequency("pinyin", lowered) or self._latin_corrector.suggest(lowered, limit=1, maxdist=0):
                return word
            suggestions = self._latin_corrector.suggest(lowered, limit=1, maxdist=2)
            return suggestions[0] if suggestions else word
        return word

    def complete(self, prefix: str, limit: int = MAX_COMPLETIONS) -> list[dict]:
        """Words of the corpus that start with ``prefix``, most frequent first: Chinese words
        for a Chinese prefix; English words and pinyin names, with their Chinese, otherwise."""
        prefix = prefix.strip()
        if not prefix:
            return []
        if has_han(prefix):
            simplified = normalise(prefix).text
            terms = [term for term in self.reader.expand_prefix("text", simplified) if len(term) > 1 or term == simplified]
            terms = [term.decode() if isinstance(term, bytes) else term for term in terms]
            ranked = sorted(terms, key=lambda term: (-self.reader.doc_frequency("text", term), len(term), term))
            return [{"text": term, "zh": term} for term in ranked[:limit]]
        lowered = prefix.lower()
        start = bisect.bisect_left(self._sorted_english, lowered)
        completions = []
        for english in self._sorted_english[start:]:
            if not english.startswith(lowered) or len(completions) >= limit * 4:
                break
            completions.append(english)
        ranked = sorted(completions, key=lambda english: (-self.reader.doc_frequency("text", self._english[english]), len(english)))
        return [{"text": english, "zh": self._english[english]} for english in ranked[:limit]]
