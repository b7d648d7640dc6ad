"""One search result from a passage's stored fields: its highlighted snippets in both languages,
its heading, what matched and the reports that print its text (``search.records.Result``); and
what the query was converted to, as the results show it.
"""

from __future__ import annotations

import re

from shuangyu.index.engines.schema import StoredPassage
from shuangyu.index.english.gloss import pinyin_of
from shuangyu.index.english.translate import GlossEngine
from shuangyu.index.text.analysis import normalise
from shuangyu.search.fusion import MEANING, WORDS
from shuangyu.search.highlight import english_marks_for, heading_html, paired_snippets
from shuangyu.search.marks import (
    chinese_marks,
    chinese_terms,
    english_marks,
    heading_marks,
    matched_in,
)
from shuangyu.search.opened import OpenIndex
from shuangyu.search.query import parse, toneless
from shuangyu.search.records import Copy, Result, passage_fields


def result(
    fields: StoredPassage,
    score: float,
    compiled,
    opened: OpenIndex,
    copies: list[Copy],
    found_by: str = WORDS,
    matched_words: int = 0,
) -> Result:
    text, text_en = fields["text"], fields["text_en"]
    terms = chinese_terms(compiled, opened.language)
    spoken_in = opened.years_spoken_in.get(fields["report_id"])
    marks = chinese_marks(text, fields["text_words"], opened.language, terms, spoken_in)
    # The stored word alignment is the gloss's: it maps text_en only when text_en is the gloss.
    alignment = (
        fields.get("gloss_alignment") if fields["translation_engine"] == GlossEngine.name else None
    )
    all_marks_en, typed_marks_en = english_marks(
        text_en, compiled.english_terms, compiled.typed_english_terms
    )
    marks_en = english_marks_for(marks, all_marks_en, typed_marks_en, alignment)
    snippets = paired_snippets(text, text_en, marks, marks_en, alignment)
    heading = heading_marks(fields["section"], compiled.chinese_terms | compiled.heading_terms)
    return Result(
        **passage_fields(fields),
        report_date=opened.report_dates.get(fields["report_id"], ""),
        snippet=snippets.chinese,
        snippet_en=snippets.english,
        section_html=heading_html(fields["section"], heading),
        matched_in="meaning" if found_by == MEANING else matched_in(marks, heading),
        found_by=found_by,
        query_words=len(compiled.coverage) if compiled.counts_words else 0,
        matched_words=matched_words,
        score=round(score, 4),
        url=f"/p/{fields['id']}",
        copies=copies,
    )


def conversions(text: str, compiled, results: list[Result]) -> list[dict]:
    """What the query was converted to before it was searched, for the reader: each word typed
    in traditional characters (or full-width) as the simplified word searched (``script``), and
    each pinyin typed as the Chinese words it found in these results (``pinyin``; a pinyin
    word that the query translation already shows is not repeated)."""
    found: list[dict] = []
    for term in (term for group in parse(text).groups for term in group if term.is_han):
        searched = normalise(term.text).text
        if searched != term.text:
            found.append({"from": term.text, "to": [searched], "kind": "script"})
    if not compiled.pinyin_terms:
        return found  # no pinyin typed: nothing more was converted
    translated = {translation.english.lower() for translation in compiled.translations}
    spelt: dict[str, list[str]] = {}
    for result in results:
        for word in _MARKED.findall(result["snippet"]):
            pinyin = pinyin_of(normalise(word).text)
            if pinyin in compiled.pinyin_terms and word not in spelt.setdefault(pinyin, []):
                spelt[pinyin].append(word)
    for term in (term.text for group in parse(text).groups for term in group if not term.is_han):
        words = spelt.pop(toneless(term), None)
        if words and term.lower() not in translated:
            found.append({"from": term, "to": words, "kind": "pinyin"})
    for pinyin, words in spelt.items():  # pinyin typed syllable by syllable (Ci Qi Kou)
        found.append({"from": pinyin, "to": words, "kind": "pinyin"})
    return found


_MARKED = re.compile(r"<mark>([^<]+)</mark>")
