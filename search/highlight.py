"""Safe HTML snippets: everything escaped except ``<mark>`` around the matched words.

Marks are computed on the stored text with the same normalisation as the index (so a
traditional-character query marks the simplified text), merged so that overlapping matches
(a word and the words inside it) never give nested or doubled marks, and the snippet shows the
fragment of the passage with the most marks (the whole passage when it is short).
"""

from __future__ import annotations

from functools import lru_cache
from html import escape

from shuangyu.index.analysis import english_analyzer, english_spans_of, has_han, normalise, words
from shuangyu.index.gloss import gloss_word, pinyin_of
from shuangyu.index.vocabulary import Vocabulary

Span = tuple[int, int]

CHINESE_FRAGMENT_CHARS = 120
ENGLISH_FRAGMENT_CHARS = 320
ELLIPSIS = "…"
_CHINESE_BREAKS = "。！？；，、,;!?：: "


def merge(spans: list[Span]) -> list[Span]:
    """Sorted, non-overlapping spans covering the same characters."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def chinese_marks(text: str, vocabulary: Vocabulary, chinese_terms: set[str], english_terms: set[str],
                  pinyin_terms: set[str] = frozenset()) -> list[Span]:
    """Spans of ``text`` (cut into words with the index's ``vocabulary``) to mark: each occurrence of a normalised query word, each figure whose
    canonical token was searched (``5000000`` marks ``500万``), each word whose dictionary
    English is one of the English query terms (an English query marks the Chinese it found),
    and each word spelt by the pinyin typed."""
    normalised = normalise(text)
    spans: list[Span] = []
    for term in chinese_terms:
        if not term:
            continue
        start = normalised.text.find(term)
        while start != -1:
            spans.append(normalised.source_span(start, start + len(term)))
            start = normalised.text.find(term, start + 1)
    if not (english_terms or pinyin_terms or any(term and not has_han(term) for term in chinese_terms)):
        return merge(spans)  # nothing left that needs the words: segmenting was most of the time
    for word in words(normalised.text, vocabulary, subwords=True):
        if word.stopped:
            continue
        if word.subword and not word.is_han:
            if word.text in chinese_terms:
                spans.append(normalised.source_span(word.start, word.end))
        elif word.is_han and (english_terms and not word.subword and _english_terms_of(word.text, vocabulary) & english_terms
                              or pinyin_terms and pinyin_of(word.text) in pinyin_terms):
            spans.append(normalised.source_span(word.start, word.end))
    return merge(spans)


# Why a result matched (``matched_in``), from the most to the least visible.
MATCHED_IN = ("text", "heading", "english")


def matched_in(marks: list[Span], section: str, chinese_terms: set[str], english_marks: list[Span]) -> str:
    """Why a result matched, for the reader: ``text`` when its Chinese shows a mark, else
    ``heading`` when its section heading holds a query word, else ``english`` (its English
    matched, or a looser match of its words that nothing marks)."""
    if marks:
        return "text"
    section_text = normalise(section).text
    if any(term and term in section_text for term in chinese_terms):
        return "heading"
    return "english"


@lru_cache(maxsize=10_000)
def _english_terms_of(word: str, vocabulary: Vocabulary) -> frozenset[str]:
    return frozenset(token.text for token in english_analyzer()(gloss_word(word, vocabulary)))


def english_marks(text_en: str, english_terms: set[str]) -> list[Span]:
    """Spans of the English text whose analysed (stemmed) word is a query term.

    The words are those of the English analyser (``analysis.english_spans_of``): running the
    analyser itself on every result's text was most of a query's highlighting time."""
    return merge(english_spans_of(text_en, frozenset(english_terms)))


def snippet(text: str, spans: list[Span], max_chars: int, breaks: str) -> str:
    """HTML of the best fragment of ``text``: escaped, with ``<mark>`` around ``spans``."""
    start, end = best_fragment(text, spans, max_chars, breaks)
    pieces = [ELLIPSIS] if start > 0 else []
    position = start
    for span_start, span_end in spans:
        span_start, span_end = max(span_start, start), min(span_end, end)
        if span_start >= span_end:
            continue
        pieces.append(escape(text[position:span_start], quote=False))
        pieces.append(f"<mark>{escape(text[span_start:span_end], quote=False)}</mark>")
        position = span_end
    pieces.append(escape(text[position:end], quote=False))
    if end < len(text):
        pieces.append(ELLIPSIS)
    return "".join(pieces)


def chinese_snippet(text: str, spans: list[Span]) -> str:
    return snippet(text, spans, CHINESE_FRAGMENT_CHARS, _CHINESE_BREAKS)


def english_snippet(text_en: str, spans: list[Span]) -> str:
    return snippet(text_en, spans, ENGLISH_FRAGMENT_CHARS, " ")


def best_fragment(text: str, spans: list[Span], max_chars: int, breaks: str) -> Span:
    """The window of at most ``max_chars`` with the most marks, starting just after a break
    (a clause end in Chinese, a space in English) shortly before its first mark."""
    if len(text) <= max_chars:
        return 0, len(text)
    best_start, best_count = 0, -1
    for anchor, _ in spans or [(0, 0)]:
        start = anchor
        limit = max(0, anchor - max_chars // 4)
        while start > limit and text[start - 1] not in breaks:
            start -= 1
        if start == limit and limit > 0:
            start = max(0, anchor - max_chars // 8)
        count = sum(1 for s, e in spans if s >= start and e <= start + max_chars)
        if count > best_count:
            best_start, best_count = start, count
    end = min(len(text), best_start + max_chars)
    if end < len(text) and " " in breaks:
        cut = text.rfind(" ", best_start, end)
        end = cut if cut > best_start else end
    return best_start, end
