"""What the pages show of citations and of how a report's metadata is known: the styles a reader
copies or reads, the <head> that reference managers read, the notes on inferred dates and fields."""

from __future__ import annotations

from flask import current_app
from shuangyu.index.sources.corpus import source_of
from shuangyu.search.citation.csl import citable, date_is_inferred
from shuangyu.search.citation.meta_tags import meta_tags
from shuangyu.search.citation.styles import CITATION_NAMES, FORMATS, STYLE_LABELS, all_citations
from shuangyu.web.i18n import translate, ui_language
from shuangyu.web.interface_text import STRINGS
from shuangyu.web.searching import get_searcher, settings_of
from shuangyu.web.urls import absolute_url

# The citations a reader copies from a result: the styles written as text, not the file formats.
COPY_STYLES = tuple(
    name for name in CITATION_NAMES if name not in {name for _, name in FORMATS.values()}
)


def result_citations(results: list[dict]) -> dict[str, dict[str, str]]:
    """Each result's citations (``search.citation``) by passage id, for its copy button."""
    searcher = get_searcher()
    reports = {result["report_id"]: searcher.report(result["report_id"]) for result in results}
    # A build that switched in since the search may have removed a report: its results go uncopied.
    return {
        result["id"]: all_citations(
            citable(
                result,
                reports[result["report_id"]],
                absolute_url("pages.passage", passage_id=result["id"]),
            ),
            searcher.dictionary,
        )
        for result in results
        if reports[result["report_id"]] is not None
    }


def style_label(style: str) -> str:
    """The name of a citation style in the interface (a style ``web.i18n`` has no name for
    is shown by its own name)."""
    return translate(f"style_{style}") if f"style_{style}" in STRINGS else style


def default_style() -> str:
    """The style a copy button copies unless the reader picks another: GB/T 7714-2025 (in force
    since 2026-07-01) in the Chinese interface, APA as a paper in English cites a Chinese work
    (pinyin, the Chinese in brackets) in the English one (the first style when the preferred
    one is missing)."""
    preferred = "gb_t_7714_2025" if ui_language() == "zh" else "apa_en"
    return preferred if preferred in COPY_STYLES else COPY_STYLES[0]


def citation_styles() -> list[tuple[str, str]]:
    """The styles a passage or report page shows, as (name, label in the interface language):
    the English-language forms first in the English interface, last in the Chinese one."""
    english_first = ui_language() == "en"
    names = sorted(STYLE_LABELS, key=lambda name: name.endswith("_en") != english_first)
    return [(name, style_label(name)) for name in names]


def date_inferred(report_id: str) -> bool:
    """True when the metadata says the report's date is inferred, not printed in it."""
    report = get_searcher().report(report_id) or {}
    return date_is_inferred(report.get("date_basis", ""))  # as the citations say it


# The date bases the build writes for a report without metadata (index.sources.corpus,
# index.sources.inferred_metadata), by their opening words: the interface says them in its language.
_BUILT_DATE_BASES = (
    ("inferred from the report's opening line", "basis_opening_line"),
    ("inferred from the file name", "basis_file_name"),
    ("inferred from the date its web copy", "basis_web_copy"),
    ("inferred from", "basis_file_made"),
    ("from", "basis_file_properties"),
)
_BUILT_BASIS_END = "(no metadata file)."


def date_basis_note(basis: str) -> tuple[str, bool]:
    """How a report's date is known, as an interface text key, and whether the basis says more
    than the key (an editor's reasoning in its metadata file, written in English)."""
    words = " ".join(basis.split()).lower()
    if words.endswith(_BUILT_BASIS_END):
        key = next((key for opening, key in _BUILT_DATE_BASES if words.startswith(opening)), None)
        if key:
            return key, False
    return ("basis_editor" if date_is_inferred(basis) else "basis_metadata"), True


# The fields a build may read from a report's own text, in the order the note names them (the
# date has its own note, ``date_basis_note``).
_INFERRED_SHOWN = ("title", "subtitle", "authors", "publisher")


def inferred_fields(report: dict) -> str:
    """A sentence saying which of the report's title, subtitle, speaker and publisher were read
    from its own text (it came without a metadata file), or "" when none was."""
    fields = [
        translate(f"field_{name}") for name in _INFERRED_SHOWN if name in report.get("inferred", ())
    ]
    if not fields:
        return ""
    return translate("inferred_fields", fields=translate("list_separator").join(fields))


# The description a page gives of itself (<meta name="description">), in characters.
DESCRIPTION_CHARS = 160
FORMAT_NAMES = {"bib": "BibTeX", "ris": "RIS", "json": "CSL-JSON"}


def citation_head(
    record: dict,
    canonical: str,
    text: str,
    downloads: dict[str, str] | None = None,
    pdf_url: str = "",
) -> dict:
    """What the <head> of a page that shows one citable item carries, so that reference
    managers read it: its meta tags (``search.citation.meta_tags``), its canonical URL, a
    description (the opening of its text) and links to its citation files by type."""
    description = " ".join(text.split())
    if len(description) > DESCRIPTION_CHARS:
        description = description[: DESCRIPTION_CHARS - 1] + "…"
    alternates = [
        (FORMATS[fmt][0].split(";")[0], FORMAT_NAMES[fmt], href)
        for fmt, href in (downloads or {}).items()
    ]
    return {
        "meta": meta_tags(record, pdf_url=pdf_url),
        "canonical": canonical,
        "description": description,
        "alternates": alternates,
    }


def pdf_url(report: dict) -> str:
    """The absolute URL of a PDF report's own file, for ``citation_pdf_url`` (Zotero saves it with
    the item); "" for another format or when the file is not served (``report_source``)."""
    if (
        report.get("format") != "pdf"
        or source_of(settings_of(current_app).corpus_dir, report) is None
    ):
        return ""
    return absolute_url("pages.report_source", report_id=report["id"])
