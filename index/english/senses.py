"""Which senses of a word's dictionary entries to give: every main one (for searching) or the
one a reader is shown, chosen from the entries alone; ``index.english.dictionary`` looks the
entries up and keeps what is chosen.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from pypinyin import Style, pinyin
from shuangyu.index.english.cedict import Entry, clean_sense
from shuangyu.index.text.analysis import english_key


def main_senses(word: str, found: tuple[Entry, ...], limit: int = 2) -> tuple[str, ...]:
    """Up to ``limit`` main English senses of a simplified word, from its entries ``found``;
    empty when it has none.

    Common-noun entries come before names (楊 is "poplar" before "Yang"); then the entry read
    as pypinyin reads the word in context-free use, the common reading (重点 is zhong4 dian3
    "key point", not chong2 dian3 "to recount"); then the entry whose traditional form is the
    simplified one (年 "year" before 秊 "grain"). References such as "variant of 巖|岩" are
    skipped.
    """
    if len(found) > 1:
        # Only several entries need the common reading to choose between them: pypinyin was
        # most of the time of a search's highlighting (an English query looks up each word).
        reading = " ".join(
            syllable[0] for syllable in pinyin(word, style=Style.TONE3, neutral_tone_with_five=True)
        )

        def preference(entry: Entry) -> tuple:
            entry_reading = entry.pinyin.lower().replace("u:", "v")
            return (
                entry.is_name,
                entry_reading != reading,
                entry.traditional != entry.simplified,
                -entry.sense_line.count("/"),
            )

        found = tuple(sorted(found, key=preference))
    for entry in found:
        senses: list[str] = []
        seen_words: set[str] = set()
        for sense in entry.senses:
            text = clean_sense(sense, entry.is_name)
            # A second sense that repeats a word of the first ("pass on/passed on") adds nothing.
            if text and not seen_words & set(text.lower().split()):
                senses.append(text)
                seen_words |= set(text.lower().split())
            if len(senses) == limit:
                break
        if senses:
            return tuple(senses)
    return ()


# Senses that a reader should not be shown first: marked as archaic, literary, regional, slang
# or grammar, or describing a character rather than meaning something.
_MARKED = re.compile(
    r"\((?:[^)]*\b)?(?:archaic|old|literary|lit\.|classical|dialect|Taiwan|Cantonese|slang|Internet|coll\.|"
    r"bound form|obsolete|euphemism|derog|onom|Buddhism|Daoism|polite|honorific|abbr|fig\.|math\.|chemistry|"
    r"medicine|TCM|physics|botany|zoology|music|computing|sports|finance|law)\b|radical|classifier|particle|"
    r"^(?:prefix|suffix)|\babbr\.",
    re.IGNORECASE,
)


def reading_sense(
    word: str, found: tuple[Entry, ...], weights: Callable[[tuple[str, ...]], dict[str, float]]
) -> str:
    """The one English sense of a simplified word (its entries ``found``) to show a reader; ""
    when it has none. ``weights`` gives the weight of analysed senses (``_sense_weights`` of
    ``index.english.dictionary_file``).

    CC-CEDICT lists senses in no reliable order (月 is "moon" before "month", 后 "empress"
    before "after"), so each sense of every entry is scored: how common it is as the meaning of
    Chinese words (the everyday sense is shared by many frequent words), less
    a penalty for a sense marked archaic, literary, regional, slang or grammatical, for a long
    descriptive sense (past three words), for an entry read otherwise than pypinyin reads the word,
    for a name where a common noun exists, and, slightly, for coming later in its entry."""
    if not found:
        return ""
    reading = " ".join(
        syllable[0] for syllable in pinyin(word, style=Style.TONE3, neutral_tone_with_five=True)
    )
    has_common = any(not entry.is_name for entry in found)
    candidates: list[tuple[str, str, float]] = []
    for entry in found:
        entry_penalty = (3.0 if entry.pinyin.lower().replace("u:", "v") != reading else 0.0) + (
            6.0 if entry.is_name and has_common else 0.0
        )
        for position, sense in enumerate(entry.senses):
            text = clean_sense(sense, entry.is_name)
            # "abbr. to 人大", "same as ...": a pointer to another word, not a meaning.
            if not text or re.match(r"abbr\.|(?:same as|also|see)\b", sense, re.IGNORECASE):
                continue
            # A compound's first sense is its meaning unless marked; a character's senses are in no order.
            penalty = (
                entry_penalty
                + (0.2 if len(word) == 1 else 3.0) * position
                + 0.8 * max(0, len(text.split()) - 3)
            )
            if _MARKED.search(sense):
                penalty += 4.0
            # "face sth", "inform sb": the placeholder is for a learner, not a reader.
            text = re.sub(r"\s+(?:sth|sb)\b", "", text).strip()
            if text:
                candidates.append((text, english_key(text), penalty))
    if not candidates:
        return ""
    weights_of = weights(tuple(dict.fromkeys(stems for _, stems, _ in candidates)))
    best = max(
        candidates,
        key=lambda candidate: math.log1p(weights_of.get(candidate[1], 0.0)) - candidate[2],
    )
    return best[0]
