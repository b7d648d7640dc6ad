"""The English and pinyin of every distinct word of a build's passages, worked out once, on every
core, before the workers that make the documents are forked (``index.documents``).

Each document worker would otherwise work out the gloss, the searched senses, the pinyin and
the sub-words of nearly every word of the collection again, for the words of its passages are
mostly those of the others' (0.4 ms a passage of 20,000 synthetic ones, done once per worker).
Here the distinct words are found first (a cut with jieba alone, without positions), then
shared out, each worked out by one worker, and the answers kept in the build's ``Language``
(``CacheOwner.preset``), which the document workers inherit when they are forked. A word found
later all the same (a piece of a word cut by a figure, a figure's own token) is worked out
where it is met, as before: the answers are those of the same functions, whoever works them out.
"""

from __future__ import annotations

from collections.abc import Sequence

from shuangyu.index.english.gloss import reading_word, word_pinyin
from shuangyu.index.english.search_gloss import gloss_word
from shuangyu.index.text.language import Language
from shuangyu.index.text.normalising import normalise
from shuangyu.index.text.segmenting import STOPWORDS, han_words, subwords_of
from shuangyu.index.workers import forked_pool
from tqdm import tqdm

# Pieces of work per worker, so that one slower than the others does not keep them waiting.
PIECES_PER_WORKER = 8

# What the workers read: set before they are forked, inherited by them.
_job: tuple[Sequence[str], Language] | None = None


def prepare_words(texts: Sequence[str], language: Language, workers: int, progress: bool) -> None:
    """Work out the English (``reading_word``, ``gloss_word``), pinyin (``word_pinyin``) and
    sub-words (``subwords_of``) of every word of ``texts`` with ``workers`` processes, and keep
    them in ``language``. The segmenter must be loaded (``Language.warm``)."""
    global _job
    pieces = workers * PIECES_PER_WORKER
    _job = (texts, language)
    try:
        with forked_pool(workers) as pool:
            size = -(-len(texts) // pieces)
            found: set[str] = set()
            for words in pool.imap_unordered(
                _words_of, [(start, start + size) for start in range(0, len(texts), size)]
            ):
                found |= words
            distinct = sorted(found)
            shares = [distinct[piece::pieces] for piece in range(pieces)]
            worked = list(
                tqdm(
                    pool.imap(_worked_out, shares),
                    total=pieces,
                    desc="Glossing words",
                    unit="share",
                    disable=not progress,
                )
            )
    finally:
        _job = None
    readings: dict[str, str] = {}
    glosses: dict[str, str] = {}
    spellings: dict[str, str] = {}
    subwords: dict[str, tuple[tuple[str, int, int], ...]] = {}
    for share, (reading, glossing, spelt, parts) in zip(shares, worked, strict=True):
        readings.update(zip(share, reading))
        glosses.update(zip(share, glossing))
        spellings.update(spelt)
        subwords.update(parts)
    reading_word.preset(language, readings)  # type: ignore[attr-defined]
    gloss_word.preset(language, glosses)  # type: ignore[attr-defined]
    word_pinyin.preset(language, spellings)  # type: ignore[attr-defined]
    subwords_of.preset(language, subwords)  # type: ignore[attr-defined]


def _words_of(bounds: tuple[int, int]) -> set[str]:
    """The distinct words of the texts ``bounds`` (in a worker)."""
    texts, language = _job  # type: ignore[misc]
    found: set[str] = set()
    for text in texts[bounds[0] : bounds[1]]:
        found.update(han_words(normalise(text).text, language))
    return found


def _worked_out(
    words: list[str],
) -> tuple[list[str], list[str], dict[str, str], dict[str, tuple[tuple[str, int, int], ...]]]:
    """For ``words`` (in a worker): the English each is shown and searched by, and the pinyin
    and sub-words of those the index holds (a stopword has none), with the pinyin of the
    sub-words."""
    _, language = _job  # type: ignore[misc]
    reading = reading_word.of(language)  # type: ignore[attr-defined]
    glossing = gloss_word.of(language)  # type: ignore[attr-defined]
    spell = word_pinyin.of(language)  # type: ignore[attr-defined]
    parts_of = subwords_of.of(language)  # type: ignore[attr-defined]
    readings: list[str] = []
    glosses: list[str] = []
    spelt: dict[str, str] = {}
    parts: dict[str, tuple[tuple[str, int, int], ...]] = {}
    for word in words:
        # Both English of a word one after the other: the dictionary keeps the entries it looked
        # up for a few thousand words only, and each English needs the word's.
        readings.append(reading(word))
        glosses.append(glossing(word))
        if word in STOPWORDS:
            continue
        spelt[word] = spell(word)
        if len(word) > 2:
            parts[word] = parts_of(word)
            for part, _, _ in parts[word]:
                spelt[part] = spell(part)
    return readings, glosses, spelt, parts
