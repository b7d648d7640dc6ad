"""Every citation of a passage or report by name: the styles written as text, each plain and as
HTML, and the files (BibTeX, RIS, CSL-JSON).

The styles are rendered here rather than by citeproc-py: citeproc-py 0.11 renders the official
GB/T 7714 CSL style without its [N]/[R]/[EB/OL] type markers, and it ships no APA or MLA style,
so each style is written out in its own module from its manual and tested against the manual's
examples and against citeproc-js with the official CSL styles (tests/search/test_citeproc.py).
"""

from __future__ import annotations

from shuangyu.index.english.dictionary import Dictionary
from shuangyu.search.citation.apa import apa
from shuangyu.search.citation.bibtex import bibtex
from shuangyu.search.citation.csl import Citable, csl_json, csl_record
from shuangyu.search.citation.gb_t import gb_t_7714_2015, gb_t_7714_2025
from shuangyu.search.citation.mla import mla
from shuangyu.search.citation.ris import ris
from shuangyu.search.citation.romanised import apa_english, mla_english
from shuangyu.search.citation.runs import Runs, html, plain

FORMATS = {
    "bib": ("application/x-bibtex; charset=utf-8", "bibtex"),
    "ris": ("application/x-research-info-systems; charset=utf-8", "ris"),
    "json": ("application/vnd.citationstyles.csl+json; charset=utf-8", "csl_json"),
}


# The styles written as text (each has a plain and an HTML form) and the file formats.
STYLES = {
    "gb_t_7714": gb_t_7714_2015,
    "gb_t_7714_2025": gb_t_7714_2025,
    "apa": apa,
    "mla": mla,
    "apa_en": apa_english,
    "mla_en": mla_english,
}
STYLE_LABELS = {
    "gb_t_7714": "GB/T 7714-2015",
    "gb_t_7714_2025": "GB/T 7714-2025",
    "apa": "APA 7",
    "mla": "MLA 9",
    "apa_en": "APA 7 (romanised)",
    "mla_en": "MLA 9 (romanised)",
}
CITATION_NAMES = (
    "gb_t_7714",
    "apa",
    "mla",
    "bibtex",
    "ris",
    "csl_json",
    "gb_t_7714_2025",
    "apa_en",
    "mla_en",
)
# The styles for a paper in English, which give a title's English.
_ENGLISH_STYLES = frozenset({"apa_en", "mla_en"})


def styled(item: Citable, dictionary: Dictionary) -> dict[str, Runs]:
    """Every style (``STYLES``) of the item, as runs (the romanised ones with the words of
    ``dictionary``)."""
    record = csl_record(item)
    return {
        name: style(record, dictionary, item.title_en, item.title_en_translator)
        if name in _ENGLISH_STYLES
        else style(record)
        for name, style in STYLES.items()
    }


def all_citations(item: Citable, dictionary: Dictionary) -> dict[str, str]:
    """Every citation of the passage by format name (``CITATION_NAMES``), as plain text."""
    record = csl_record(item)
    texts = {name: plain(runs) for name, runs in styled(item, dictionary).items()}
    texts.update(bibtex=bibtex(record), ris=ris(record, item.quote), csl_json=csl_json(record))
    return {name: texts[name] for name in CITATION_NAMES}


def citations_html(item: Citable, dictionary: Dictionary) -> dict[str, str]:
    """The styles (``STYLES``) as HTML: escaped, with <i> where the style italicises."""
    return {name: html(runs) for name, runs in styled(item, dictionary).items()}
