"""Where a word of a result is marked through the English words a query typed or the pinyin it
searched (``search.marks``): the whole word when its English is a typed word, else the
dictionary words inside it whose English is; a word spelt by the pinyin."""

from __future__ import annotations

from typing import NamedTuple

from shuangyu.index.english.gloss import could_gloss_as, gloss_stems, may_spell, pinyin_of
from shuangyu.index.text.analysis import STOPWORDS, has_han
from shuangyu.index.text.language import Language, per_language


class WordMark(NamedTuple):
    """A stretch of a word to mark (``start``, ``end`` within the word), ``how`` it matched
    (``english`` or ``pinyin``) and whether it is a ``subword``: a dictionary word inside it."""

    start: int
    end: int
    how: str
    subword: bool


@per_language(maxsize=20_000)
def word_marks(
    word: str, english: frozenset[str], pinyin: frozenset[str], language: Language
) -> tuple[WordMark, ...]:
    """Where an indexed word of a passage is marked through the analysed English words
    ``english`` or the pinyin ``pinyin``, relative to the word: the whole word, else the
    dictionary words of two or three characters inside it that are. Kept in the index's
    language: the queries a server answers share their English words and their results' words."""
    if word in STOPWORDS or not has_han(word[0]):
        return ()
    # A word that cannot gloss as a query word holds no part that can (``could_gloss_as``
    # looks at every stretch of it): its parts are looked at for the pinyin alone.
    glossable = bool(english) and could_gloss_as(word, english, language)
    marks = [
        WordMark(0, len(word), how, False)
        for how in _how(word, english, pinyin, language, glossable)
    ]
    if len(word) > 2 and (glossable or pinyin):
        has_word = language.segmenter.has_word
        for size in (2, 3):
            for offset in range(len(word) - size + 1):
                part = word[offset : offset + size]
                if part == word or not has_word(part):
                    continue
                part_glossable = glossable and could_gloss_as(part, english, language)
                marks.extend(
                    WordMark(offset, offset + size, how, True)
                    for how in _how(part, english, pinyin, language, part_glossable)
                )
    return tuple(marks)


def _how(
    word: str, english: frozenset[str], pinyin: frozenset[str], language: Language, glossable: bool
) -> tuple[str, ...]:
    """``("english",)`` when ``word``'s English is one of ``english``, else ``("pinyin",)`` when
    it is spelt by one of ``pinyin``, else nothing."""
    if glossable and gloss_stems(word, language) & english:
        return ("english",)
    if pinyin and may_spell(word, pinyin) and pinyin_of(word) in pinyin:
        return ("pinyin",)
    return ()
