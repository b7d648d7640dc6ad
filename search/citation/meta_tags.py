"""The <meta> tags of a page that shows a citable item, which reference managers read from it."""

from __future__ import annotations

from shuangyu.search.citation.csl import (
    ITEM_TYPES,
    REPORT,
    WEBPAGE,
    estimate_note,
    inverted_name,
    issued_parts,
    one_line,
)


def meta_tags(record: dict, pdf_url: str = "") -> list[tuple[str, str, str]]:
    """The <meta> tags of a page that shows the record, as (attribute, key, content), for Zotero's
    Embedded Metadata translator (and Google Scholar): Highwire Press ``citation_*`` tags, and
    the item type as ``z:itemType``, which the translator hands to its RDF reader with the
    Dublin Core tags. Not ``DC.type``: that reader copies a Dublin Core type into the item's
    "Report Type" and "Website Type" as well, which APA then prints ("[report]").
    ``og:site_name`` names the newspaper of a newspaper article. Never ``citation_journal_title``:
    Zotero would save any item that has it as a journal article.

    Names go as "Family, Given" (Zotero splits a name at its comma into two fields; a group's
    name has none and stays whole). The date is the clean date (2020/12): Zotero keeps a date
    field as written, and every GB/T style prints "ca. 2020" as "2020-ca". An estimated date says
    so in ``DC.description``, which, beside ``z:itemType``, the translator puts in Zotero's Extra.
    ``pdf_url``, for a report read from a PDF, is the PDF, which Zotero saves with the item."""
    kind = ITEM_TYPES.get(record.get("type", ""), WEBPAGE)
    parts, circa = issued_parts(record)
    when = "/".join(f"{part:02d}" for part in parts)
    publisher = record.get("publisher", "")
    tags = [("name", "citation_title", record.get("title", ""))]
    tags += [("name", "citation_author", inverted_name(name)) for name in record.get("author", [])]
    tags += [("name", "citation_publication_date", when), ("name", "citation_date", when)]
    tags += [
        (
            "name",
            "citation_technical_report_institution" if kind is REPORT else "citation_publisher",
            publisher,
        )
    ]
    tags += [
        ("property", "og:site_name", record.get("container-title", "")),
        ("name", "citation_language", record.get("language", "")),
        ("name", "citation_public_url", record.get("URL", "")),
        ("name", "citation_pdf_url", pdf_url),
        ("name", "z:itemType", kind.zotero),
        ("name", "DC.description", estimate_note(parts) if circa else ""),
    ]
    first_page, _, last_page = record.get("page", "").partition("-")
    tags += [("name", "citation_firstpage", first_page), ("name", "citation_lastpage", last_page)]
    return [
        (attribute, key, one_line(content)) for attribute, key, content in tags if one_line(content)
    ]
