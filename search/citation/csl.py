"""The one CSL-JSON record every citation of a passage or report is made from (``csl_record``),
what goes into it (``Citable``, the item type chosen once per report) and how the formats read it
back (the date, the date of access, a name whole, one line of text)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from pypinyin import lazy_pinyin
from shuangyu.index.sources.corpus import parse_date
from shuangyu.index.text.analysis import has_han
from shuangyu.search.romanise import person_name


@dataclass(frozen=True)
class ItemType:
    """One kind of item, by its name in each vocabulary, so that every format says the same."""

    csl: str
    zotero: str
    bibtex: (
        str  # biblatex's entry type (our BibTeX carries biblatex's date, urldate and entrysubtype)
    )
    ris: str
    gb_t: str  # GB/T 7714's document type code: N newspaper, R report, EB electronic bulletin


NEWSPAPER_ARTICLE = ItemType("article-newspaper", "newspaperArticle", "article", "NEWS", "N")
# @techreport rather than biblatex's @report: BibTeX knows it too, and Zotero imports either as a report.
REPORT = ItemType("report", "report", "techreport", "RPRT", "R")
WEBPAGE = ItemType("webpage", "webpage", "online", "ELEC", "EB")
ITEM_TYPES = {kind.csl: kind for kind in (NEWSPAPER_ARTICLE, REPORT, WEBPAGE)}


# Publishers whose name says they are a newspaper (重庆日报, 新民晚报, 南方周末 is not one: it stays a page).
_NEWSPAPER_NAME = re.compile(r"(日报|晚报|晨报|时报|商报|周报)$")


def item_type(report: Mapping) -> ItemType:
    """The item type of a report (its manifest entry or metadata), chosen from what the metadata
    says: a newspaper article only when the metadata names the newspaper (a newspaper article
    without its paper is a wrong reference in every style: GB/T's [N] has no 报纸名, BibTeX's
    @article no journal); a title or subtitle that calls the work a report (政府工作报告, 关于…的
    报告, ——在…代表大会上的报告) makes a report; anything else, a bylined feature whose paper is
    not known included, is cited as the web page it is read on."""
    if _NEWSPAPER_NAME.search(report.get("publisher", "")):
        return NEWSPAPER_ARTICLE
    if "报告" in report.get("title", "") or "报告" in report.get("subtitle", ""):
        return REPORT
    return WEBPAGE


def date_is_inferred(basis: str) -> bool:
    """True when the metadata's date basis says the date was inferred rather than printed in the
    report ("Inferred, not printed: …", "Inferred from the file name …"). A date read from the
    report's own opening line ("——2017年3月5日在…", "Inferred from the report's opening line") is
    printed in the report, so it is cited as a fact."""
    words = basis.strip().lower()
    return words.startswith("inferred") and "opening line" not in words


@dataclass(frozen=True)
class Citable:
    """What a citation needs to know about a passage (or a whole report) and its report."""

    passage_id: str  # the report id when the report itself is cited
    report_id: str
    title: str
    subtitle: str
    authors: tuple[str, ...]
    publisher: str
    date: str  # as the metadata says; cited only when it is "YYYY", "YYYY-MM" or "YYYY-MM-DD"
    url: str
    accessed: date
    quote: str
    date_basis: str = ""
    kind: ItemType = WEBPAGE
    page: str = ""  # the printed page(s) of a passage of a paged report: "11" or "11-12"
    # The title in English and what made it ("gloss", or the machine translator), for
    # the English-language forms, which give a title's English in brackets (APA 7 §9.38).
    title_en: str = ""
    title_en_translator: str = ""

    @property
    def date_parts(self) -> list[int]:
        """[year], [year, month] or [year, month, day]; empty when the date is absent or not valid."""
        return list(parse_date(self.date) or ())

    @property
    def date_inferred(self) -> bool:
        """True when there is a valid date and the metadata says it was inferred, not printed."""
        return bool(self.date_parts) and date_is_inferred(self.date_basis)

    @property
    def is_passage(self) -> bool:
        return self.passage_id != self.report_id


def citable(
    passage: Mapping | None, report: Mapping, url: str, accessed: date | None = None
) -> Citable:
    """The citable description of a stored passage and its report's manifest entry; with no
    passage, of the report itself (at ``url``, its page)."""
    return Citable(
        passage_id=passage["id"] if passage else report["id"],
        report_id=report["id"],
        title=report["title"],
        subtitle=report.get("subtitle", ""),
        authors=tuple(report.get("authors", ())),
        publisher=report.get("publisher", ""),
        date=report.get("date", ""),
        url=url,
        accessed=accessed or date.today(),
        quote=passage.get("text", "") if passage else "",
        date_basis=report.get("date_basis", ""),
        kind=item_type(report),
        page=(passage.get("page") or "") if passage else "",
        title_en=report.get("title_en", ""),
        title_en_translator=report.get("title_en_engine", ""),
    )


def csl_name(name: str) -> dict:
    """A name as CSL-JSON holds it: a person's name in Chinese characters as family and given
    name (王彩艳: 王 and 彩艳, 欧阳修: 欧阳 and 修), so that every reference manager stores it in
    two fields and sorts it by the family name; anything else (an institution such as 国务院, a
    name in Latin letters, whose order the metadata does not say) whole, as a literal."""
    romanised_name = person_name(name)
    if romanised_name is None:
        return {"literal": name}
    family_pinyin = romanised_name[0].lower()
    # The family name is the characters that read as it: two for a compound name (欧阳), else one.
    size = 2 if len(name) > 2 and "".join(lazy_pinyin(name[:2])) == family_pinyin else 1
    return {"family": name[:size], "given": name[size:]}


def is_han_person(name: dict) -> bool:
    return "literal" not in name and has_han(name.get("family", ""))


def whole_name(name: dict) -> str:
    """A name as one string in its own order: a literal as written, a Chinese name family name
    first without a space (王彩艳), any other given name first (Benedict Carey)."""
    if "literal" in name:
        return name["literal"]
    if is_han_person(name):
        return name["family"] + name.get("given", "")
    return " ".join(filter(None, [name.get("given", ""), name.get("family", "")]))


def inverted_name(name: dict) -> str:
    """A name as reference files write it, family name first: "王, 彩艳", "Carey, Benedict"; a
    literal (an institution) whole."""
    if "literal" in name:
        return name["literal"]
    return ", ".join(filter(None, [name.get("family", ""), name.get("given", "")]))


def csl_record(item: Citable) -> dict:
    """The one CSL-JSON item every citation is made from. An inferred date carries
    ``"circa": true`` (CSL-JSON's mark of an approximate date); the newspaper a newspaper
    article appeared in is its ``container-title``, any other publisher its ``publisher``."""
    record: dict = {
        "id": item.passage_id,
        "type": item.kind.csl,
        "title": item.title,
        "author": [csl_name(author) for author in item.authors],
        "URL": item.url,
        "accessed": {"date-parts": [[item.accessed.year, item.accessed.month, item.accessed.day]]},
        "language": "zh-CN",
    }
    if item.is_passage:
        record["note"] = f"Passage {item.passage_id}"
    if item.page:
        record["page"] = item.page
    if item.date_parts:
        record["issued"] = {
            "date-parts": [item.date_parts],
            **({"circa": True} if item.date_inferred else {}),
        }
    if item.publisher:
        record["container-title" if item.kind is NEWSPAPER_ARTICLE else "publisher"] = (
            item.publisher
        )
    return record


def csl_json(record: dict) -> str:
    """CSL-JSON (an array with the one record), as read by Zotero, Pandoc and citeproc."""
    return json.dumps([record], ensure_ascii=False, indent=2)


def issued_parts(record: dict) -> tuple[list[int], bool]:
    """The record's issued date parts (empty when none) and whether the date is approximate."""
    issued = record.get("issued") or {}
    parts = (issued.get("date-parts") or [[]])[0]
    return [int(part) for part in parts], bool(issued.get("circa"))


def accessed_date(record: dict) -> date | None:
    parts = ((record.get("accessed") or {}).get("date-parts") or [[]])[0]
    return date(*(int(part) for part in parts)) if len(parts) == 3 else None


def iso(parts: list[int]) -> str:
    return "-".join(f"{part:02d}" for part in parts)


def estimate_note(parts: list[int]) -> str:
    """The words that keep an estimated date in a field of free text (a note, Zotero's Extra),
    for formats whose date field cannot say "about"."""
    return f"Date estimated (ca. {iso(parts)}), not printed in the report"


# Line breaks (every character str.splitlines() splits at) and other control characters.
_LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(value: str) -> str:
    """``value`` on one line: runs of line breaks and control characters become one space."""
    return _LINE_BREAKS.sub(" ", value).strip()
