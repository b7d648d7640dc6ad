"""Citations of a passage or a report, all made from one CSL-JSON record.

A passage is cited as its report (authors, title, date, publisher when known) at the passage's
permalink, with the passage id as a note, so that a reader lands on the quoted words. The record
(``csl_record``) is the single source: its item type is chosen once per report (``item_type``)
and every format reads it, so BibTeX, RIS, CSL-JSON, the styles and the page's meta tags agree.
Fields the metadata leaves empty are left out, never guessed, and a date the metadata marks as
inferred is printed as an estimate in every format, never as fact.

The styles are rendered here rather than by citeproc-py: citeproc-py 0.11 renders the official
GB/T 7714 CSL style without its [N]/[R]/[EB/OL] type markers, and it ships no APA or MLA style,
so each style is written out below from its manual and tested against the manual's examples.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from html import escape
from urllib.parse import quote

from shuangyu.index.analysis import has_han
from shuangyu.index.corpus import parse_date
from shuangyu.search.romanise import person_name, romanised

_MLA_MONTHS = ["Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."]
_FULL_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December"]
_BIBTEX_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

FORMATS = {
    "bib": ("application/x-bibtex; charset=utf-8", "bibtex"),
    "ris": ("application/x-research-info-systems; charset=utf-8", "ris"),
    "json": ("application/vnd.citationstyles.csl+json; charset=utf-8", "csl_json"),
}


@dataclass(frozen=True)
class ItemType:
    """One kind of item, by its name in each vocabulary, so that every format says the same."""

    csl: str
    zotero: str
    bibtex: str
    ris: str
    gb_t: str  # GB/T 7714's document type code: N newspaper, R report, EB electronic bulletin


NEWSPAPER_ARTICLE = ItemType("article-newspaper", "newspaperArticle", "article", "NEWS", "N")
REPORT = ItemType("report", "report", "techreport", "RPRT", "R")
WEBPAGE = ItemType("webpage", "webpage", "misc", "ELEC", "EB")
ITEM_TYPES = {kind.csl: kind for kind in (NEWSPAPER_ARTICLE, REPORT, WEBPAGE)}

# Publishers whose name says they are a newspaper (重庆日报, 新民晚报, 南方周末 is not one: it stays a page).
_NEWSPAPER_NAME = re.compile(r"(日报|晚报|晨报|时报|商报|周报)$")


def item_type(report: Mapping) -> ItemType:
    """The item type of a report (its manifest entry or metadata), chosen from what the metadata
    says: a publisher named as a newspaper makes a newspaper article; a title that calls the
    work a report (政府工作报告, 关于…的报告) makes a report; a bylined piece with a photo credit is
    a newspaper feature, as the papers print them; anything else is cited as a web page."""
    if _NEWSPAPER_NAME.search(report.get("publisher", "")):
        return NEWSPAPER_ARTICLE
    if "报告" in report.get("title", ""):
        return REPORT
    if report.get("authors") and report.get("photo_credit"):
        return NEWSPAPER_ARTICLE
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


def csl_record(item: Citable) -> dict:
    """The one CSL-JSON item every citation is made from. An inferred date carries
    ``"circa": true`` (CSL-JSON's mark of an approximate date); the newspaper a newspaper
    article appeared in is its ``container-title``, any other publisher its ``publisher``."""
    record: dict = {
        "id": item.passage_id,
        "type": item.kind.csl,
        "title": item.title,
        "author": [{"literal": author} for author in item.authors],
        "URL": item.url,
        "accessed": {"date-parts": [[item.accessed.year, item.accessed.month, item.accessed.day]]},
        "language": "zh-CN",
    }
    if item.is_passage:
        record["note"] = f"Passage {item.passage_id}"
    if item.page:
        record["page"] = item.page
    if item.date_parts:
        record["issued"] = {"date-parts": [item.date_parts], **({"circa": True} if item.date_inferred else {})}
    if item.publisher:
        record["container-title" if item.kind is NEWSPAPER_ARTICLE else "publisher"] = item.publisher
    return record


# Styled text: the plain form the JSON API carries and an HTML form with <i> where the style
# italicises, made from one list of (text, italic) runs so that the two never differ in words.

Runs = list[tuple[str, bool]]


def plain(runs: Runs) -> str:
    """The citation as plain text."""
    return "".join(text for text, _ in runs)


def html(runs: Runs) -> str:
    """The citation as HTML: every run escaped, the italic ones in <i>."""
    return "".join(f"<i>{escape(text)}</i>" if italic else escape(text) for text, italic in runs)


def _issued(record: dict) -> tuple[list[int], bool]:
    """The record's issued date parts (empty when none) and whether the date is approximate."""
    issued = record.get("issued") or {}
    parts = (issued.get("date-parts") or [[]])[0]
    return [int(part) for part in parts], bool(issued.get("circa"))


def _accessed(record: dict) -> date | None:
    parts = ((record.get("accessed") or {}).get("date-parts") or [[]])[0]
    return date(*(int(part) for part in parts)) if len(parts) == 3 else None


def _iso(parts: list[int]) -> str:
    return "-".join(f"{part:02d}" for part in parts)


def _end(text: str, mark: str = ".") -> str:
    """``text`` closed with ``mark`` unless it already ends with a stop, question or exclamation mark."""
    return text if text.endswith((".", "?", "!", "？", "！", "。")) else text + mark


def _title(title: str, italic: bool, original: str = "") -> Runs:
    """A title closed with a full stop; the stop is not italic when the title is (a question
    mark that ends the title is part of it). A romanised title is followed by its original
    script in brackets, not italic (APA 7 §9.38)."""
    if original:
        return [(title, italic), (f" [{original}].", False)]
    return [(title, italic), (_end(title)[len(title):], False)]


def _bracketed(text: str, original: str) -> str:
    return f"{text} [{original}]" if original else text


# GB/T 7714. 2015 uses half-width punctuation; 2025 (in force from 2026-07-01) keeps "." and
# "[ ]" half-width and makes the others full-width (，：（）), and drops the date of citation
# from newspaper articles and reports. An estimated year is printed in square brackets ([1936]).

@dataclass(frozen=True)
class _GbT:
    comma: str
    colon: str
    open: str
    close: str
    cited_date_on_all: bool  # 2015: every online item carries [date of citation]
    upper_case_family: bool  # 2015: WANG C, 2025: Wang C
    before_dated: str  # between a page's publisher and its (date): "出版者, (日期)" or "出版者（日期）"


_GB_T_2015 = _GbT(", ", ": ", "(", ")", True, True, ", ")
_GB_T_2025 = _GbT("，", "：", "（", "）", False, False, "")


def _gb_t_name(name: dict, rules: _GbT) -> str:
    if "literal" in name:
        return name["literal"]
    family = name.get("family", "")
    initials = " ".join(part[0] for part in re.split(r"[\s.\-]+", name.get("given", "")) if part)
    return " ".join(filter(None, [family.upper() if rules.upper_case_family else family, initials]))


def _gb_t(record: dict, rules: _GbT) -> Runs:
    names = [_gb_t_name(name, rules) for name in record.get("author", [])]
    # More than three authors: the first three, then 等 (Chinese) or et al.
    authors = rules.comma.join(names[:3] + (["等" if record.get("language", "").startswith("zh") else "et al"]
                                            if len(names) > 3 else []))
    kind = ITEM_TYPES.get(record.get("type", ""), WEBPAGE)
    parts, circa = _issued(record)
    when = f"[{_iso(parts)}]" if circa else _iso(parts)
    accessed = _accessed(record)
    cited = f"[{accessed.isoformat()}]" if accessed and (rules.cited_date_on_all or kind is WEBPAGE) else ""
    page = f"{rules.open}{record['page']}{rules.close}" if record.get("page") else ""
    # A newspaper's page is its 版次, in brackets after the date; any other item's cited page
    # (引文页码) follows its year after a colon: 出版者, 2020: 11-12.
    cited_page = f"{rules.colon}{record['page']}" if record.get("page") else ""
    if kind is NEWSPAPER_ARTICLE:
        where = rules.comma.join(filter(None, [record.get("container-title", ""), when + page]))
    elif kind is REPORT and not rules.cited_date_on_all:
        where = rules.comma.join(filter(None, [record.get("publisher", ""), when])) + cited_page
    else:
        dated = f"{rules.open}{when}{rules.close}" if when and not circa else when
        where = rules.before_dated.join(filter(None, [record.get("publisher", ""), dated])) + cited_page
    body = f"{where}{cited}"
    pieces = [f"{authors}. " if authors else "", f"{record.get('title', '')}[{kind.gb_t}/OL]. ",
              f"{body}. " if body else "", f"{record['URL']}." if record.get("URL") else ""]
    return [("".join(pieces).rstrip(), False)]


def gb_t_7714_2015(record: dict) -> Runs:
    """GB/T 7714-2015, online: 作者. 题名[N/OL]. 报纸名, 日期(版次)[引用日期]. URL. (R/OL, EB/OL alike)."""
    return _gb_t(record, _GB_T_2015)


def gb_t_7714_2025(record: dict) -> Runs:
    """GB/T 7714-2025, online: 作者. 题名[N/OL]. 报纸名，日期（版次）. URL. (no date of citation for
    newspapers and reports; EB/OL keeps （日期）[引用日期])."""
    return _gb_t(record, _GB_T_2025)


# APA 7 and MLA 9: a person's name is "Family, G." (APA) or "Family, Given" (MLA, first author);
# a name held whole (a group, or a Chinese name in characters) is printed as written.

def _apa_name(name: dict) -> str:
    if "literal" in name:
        return _bracketed(name["literal"], name.get("original", ""))
    initials = " ".join(f"{part[0]}." for part in re.split(r"[\s.]+", name.get("given", "")) if part)
    return _bracketed(f"{name.get('family', '')}, {initials}" if initials else name.get("family", ""), name.get("original", ""))


def _apa_authors(names: list[dict]) -> str:
    """APA 7 §9.8: commas between names and & before the last; with two names the comma before &
    follows the first one's initials only (a name without initials takes none: 王彩艳 & 肖亚平);
    with 21 or more, the first 19, an ellipsis and the last."""
    shown = [_apa_name(name) for name in names]
    if len(shown) > 20:
        return ", ".join(shown[:19]) + ", . . . " + shown[-1]
    if len(shown) <= 1:
        return "".join(shown)
    serial = "," if len(shown) > 2 or "literal" not in names[0] else ""
    return ", ".join(shown[:-1]) + f"{serial} & " + shown[-1]


def _apa_date(record: dict) -> str:
    """(2019, March 22), (2018); an inferred date (ca. 2020); none (n.d.)."""
    parts, circa = _issued(record)
    if not parts:
        return "n.d."
    if circa:
        return f"ca. {parts[0]}"
    month_day = " ".join([_FULL_MONTHS[parts[1] - 1], *map(str, parts[2:])]) if len(parts) > 1 else ""
    return ", ".join(filter(None, [str(parts[0]), month_day]))


def apa(record: dict) -> Runs:
    """APA 7 reference: Author. (Date). Title. Source. URL — a newspaper article's title plain
    and the paper in italics; a report's or a page's title in italics, then its publisher (left
    out when it is the author, §9.24). With no author the title takes the author's place (§9.12)."""
    kind = ITEM_TYPES.get(record.get("type", ""), WEBPAGE)
    authors = _apa_authors(record.get("author", []))
    when = _apa_date(record)
    title = _title(record.get("title", ""), kind is not NEWSPAPER_ARTICLE, record.get("original-title", ""))
    if kind is NEWSPAPER_ARTICLE:
        source: Runs = [(record["container-title"], True),
                        (_bracketed("", record.get("original-container-title", "")) + ". ", False)] if record.get("container-title") else []
    else:
        publisher = record.get("publisher", "")
        same_as_author = [name.get("literal") for name in record.get("author", [])] == [publisher]
        source = ([(_end(_bracketed(publisher, record.get("original-publisher", ""))) + " ", False)]
                  if publisher and not same_as_author else [])
    if record.get("page"):
        # The part cited, in brackets after the title, where APA puts a chapter's pages (§10.3).
        text, original = record.get("title", ""), record.get("original-title", "")
        title = [(text, kind is not NEWSPAPER_ARTICLE),
                 (_bracketed("", original) + f" ({_pages(record['page'], 'p.', 'pp.')})" + ("." if original else _end(text)[len(text):]), False)]
    if authors:
        runs = [(f"{_end(authors)} ({when}). ", False), *title, (" ", False), *source]
    else:
        runs = [*title, (f" ({when}). ", False), *source]
    return _tidy([*runs, (record.get("URL", ""), False)])


def _mla_authors(names: list[dict]) -> str:
    """MLA 9 §2.1: one author "Family, Given"; two "Family, Given, and Given Family"; three or
    more the first and "et al." A name held whole is not inverted, so no comma follows it."""
    if not names:
        return ""

    def natural(name: dict) -> str:
        if "original" in name and "literal" not in name:  # a Chinese name: family name first, as written
            return _bracketed(f"{name.get('family', '')} {name.get('given', '')}".strip(), name["original"])
        return _bracketed(name.get("literal") or " ".join(filter(None, [name.get("given", ""), name.get("family", "")])),
                          name.get("original", ""))

    first = names[0]
    held_whole = "literal" in first or "original" in first
    inverted = natural(first) if held_whole else ", ".join(filter(None, [first.get("family", ""), first.get("given", "")]))
    comma = "" if held_whole else ","
    if len(names) == 1:
        return inverted
    if len(names) == 2:
        return f"{inverted}{comma} and {natural(names[1])}"
    return f"{inverted}{comma} et al."


def _mla_date(parts: list[int]) -> str:
    return " ".join([*([str(parts[2])] if len(parts) > 2 else []),
                     *([_MLA_MONTHS[parts[1] - 1]] if len(parts) > 1 else []), str(parts[0])])


def _mla_quoted(title: str, original: str = "") -> str:
    """A title in MLA's double quotes, with the quotation marks inside it made single; a
    romanised title followed by its original script in brackets."""
    inner = title.replace("\u201c", "\u2018").replace("\u201d", "\u2019").replace('"', "\u2019")
    return f"\u201c{inner}\u201d [{original}]." if original else f"\u201c{_end(inner)}\u201d"


def mla(record: dict) -> Runs:
    """MLA 9 works-cited entry: Author. "Title." *Container*, Date, URL. — a newspaper article's
    title in quotation marks and the paper in italics; a report's or a page's title in italics,
    then its publisher. URLs without http(s)://. An inferred date reads "c. 2020"; without an
    exact date, the date of access closes the entry (MLA 9 §2.6)."""
    kind = ITEM_TYPES.get(record.get("type", ""), WEBPAGE)
    authors = _mla_authors(record.get("author", []))
    parts, circa = _issued(record)
    when = (f"c. {parts[0]}" if circa else _mla_date(parts)) if parts else ""
    url = re.sub(r"^https?://", "", record.get("URL", ""))
    runs: Runs = [(f"{_end(authors)} ", False)] if authors else []
    original_title = record.get("original-title", "")
    if kind is NEWSPAPER_ARTICLE:
        runs.append((_mla_quoted(record.get("title", ""), original_title) + " ", False))
        container = record.get("container-title", "")
    else:
        runs += [*_title(record.get("title", ""), True, original_title), (" ", False)]
        container = ""
    # MLA 9 §2.6: the location within the source (pp. 11-12) comes after the date.
    location = _pages(record["page"], "p.", "pp.") if record.get("page") else ""
    publisher = _bracketed(record.get("publisher", ""), record.get("original-publisher", "")) if record.get("publisher") else ""
    tail = ", ".join(filter(None, [publisher if kind is not NEWSPAPER_ARTICLE else "", when, location, url]))
    if container:
        runs += [(container, True), (_bracketed("", record.get("original-container-title", "")) + (f", {tail}." if tail else "."), False)]
    elif tail:
        runs.append((f"{tail}.", False))
    accessed = _accessed(record)
    if accessed and (not parts or circa):
        runs.append((f" Accessed {_mla_date([accessed.year, accessed.month, accessed.day])}.", False))
    return _tidy(runs)


def _pages(page: str, one: str, several: str) -> str:
    """``p. 11`` or ``pp. 11–12`` (an en dash between the pages of a range)."""
    first, _, last = page.partition("-")
    return f"{several} {first}\u2013{last}" if last else f"{one} {first}"


def _tidy(runs: Runs) -> Runs:
    """The runs without empty ones, and without trailing space."""
    runs = [(text, italic) for text, italic in runs if text]
    while runs and not runs[-1][0].strip():
        runs.pop()
    if runs:
        runs[-1] = (runs[-1][0].rstrip(), runs[-1][1])
    return runs


# File formats, each read from the record.

def bibtex(record: dict) -> str:
    """A BibTeX entry keyed by the record id, of the record's type (``@article`` with
    ``entrysubtype = {newspaper}`` as biblatex marks a newspaper article, ``@techreport``,
    ``@misc``). Every field is escaped so that no metadata can close it or add fields: braces,
    backslashes and LaTeX specials become commands, line breaks become spaces, and URLs are
    percent-encoded. An inferred date is ``year = {ca. 2020}`` with biblatex's approximate
    ``date = {2020-12~}``, never a bare year."""
    kind = ITEM_TYPES.get(record.get("type", ""), WEBPAGE)
    key = re.sub(r"[^A-Za-z0-9]+", "_", record["id"]).strip("_") or "passage"
    url = _bibtex_url(record.get("URL", ""))
    parts, circa = _issued(record)
    accessed = _accessed(record)
    container = record.get("container-title", "")
    publisher = record.get("publisher", "")
    fields = [
        # Braced, so that a name is never split into first and last names or into two authors at "and".
        ("author", " and ".join(f"{{{_bibtex_escape(name['literal'])}}}" for name in record.get("author", [])
                                if _one_line(name.get("literal", "")))),
        ("title", _bibtex_escape(record.get("title", ""))),
        ("journal", _bibtex_escape(container) if kind is NEWSPAPER_ARTICLE else ""),
        ("entrysubtype", "newspaper" if kind is NEWSPAPER_ARTICLE else ""),
        ("institution", _bibtex_escape(publisher) if kind is REPORT else ""),
        ("publisher", _bibtex_escape(publisher) if kind is not REPORT else ""),
        ("year", (f"ca. {parts[0]}" if circa else str(parts[0])) if parts else ""),
        ("date", _iso(parts) + ("~" if circa else "") if parts else ""),
        ("pages", _bibtex_escape(record.get("page", "")).replace("-", "--")),
        ("howpublished", f"\\url{{{url}}}" if url else ""),
        ("url", url),
        ("urldate", accessed.isoformat() if accessed else ""),
        ("language", "chinese"),
        ("note", _bibtex_escape(record.get("note", ""))),
    ]
    lines = [f"@{kind.bibtex}{{{key},"]
    lines += [f"  {name} = {{{value}}}," for name, value in fields if value]
    if len(parts) >= 2 and not circa:
        lines.append(f"  month = {_BIBTEX_MONTHS[parts[1] - 1]},")
    lines.append("}")
    return "\n".join(lines) + "\n"


def ris(record: dict, quote_text: str = "") -> str:
    """A RIS record of the record's type (NEWS, RPRT, ELEC). An inferred date has no ``PY``
    (a bare year) and a ``DA`` that says ``circa`` in its free-text part. Every value is one
    line: line breaks and other control characters become spaces, so none can add a tag or a record."""
    kind = ITEM_TYPES.get(record.get("type", ""), WEBPAGE)
    parts, circa = _issued(record)
    accessed = _accessed(record)
    rows = [("TY", kind.ris)]
    rows += [("AU", name.get("literal", "")) for name in record.get("author", [])]
    rows += [("TI", record.get("title", "")), ("T2", record.get("container-title", "")),
             ("PY", str(parts[0]) if parts and not circa else ""),
             ("DA", "/".join([*(f"{part:02d}" for part in parts), *[""] * (3 - len(parts)), "circa"]) if circa
              else _iso(parts).replace("-", "/")),
             ("SP", record.get("page", "").partition("-")[0]), ("EP", record.get("page", "").partition("-")[2]),
             ("PB", record.get("publisher", "")), ("LA", record.get("language", "")), ("UR", record.get("URL", "")),
             ("Y2", accessed.isoformat() if accessed else ""),
             ("N1", ": ".join(filter(None, [record.get("note", ""), quote_text])))]
    lines = [f"{tag}  - {_one_line(value)}" for tag, value in rows if _one_line(value)]
    return "\r\n".join([*lines, "ER  -"]) + "\r\n"


def csl_json(record: dict) -> str:
    """CSL-JSON (an array with the one record), as read by Zotero, Pandoc and citeproc."""
    return json.dumps([record], ensure_ascii=False, indent=2)


def meta_tags(record: dict) -> list[tuple[str, str, str]]:
    """The <meta> tags of a page that shows the record, as (attribute, key, content): Highwire
    Press ``citation_*`` tags (read by Zotero's Embedded Metadata translator and Google Scholar),
    ``DC.type`` with Zotero's name of the item type (Zotero ranks a Dublin Core type above its
    guess from Highwire tags), and ``og:site_name`` for the newspaper of a newspaper article.
    Never ``citation_journal_title``: Zotero would save any item that has it as a journal article.
    An inferred date is given as "ca. 2020", which Zotero keeps as written."""
    kind = ITEM_TYPES.get(record.get("type", ""), WEBPAGE)
    parts, circa = _issued(record)
    when = f"ca. {parts[0]}" if circa else "/".join(f"{part:02d}" for part in parts)
    publisher = record.get("publisher", "")
    tags = [("name", "citation_title", record.get("title", ""))]
    tags += [("name", "citation_author", name.get("literal") or ", ".join(filter(None, [name.get("family"), name.get("given")])))
             for name in record.get("author", [])]
    tags += [("name", "citation_publication_date", when), ("name", "citation_date", when)]
    tags += [("name", "citation_technical_report_institution" if kind is REPORT else "citation_publisher", publisher)]
    tags += [("property", "og:site_name", record.get("container-title", "")),
             ("name", "citation_language", record.get("language", "")),
             ("name", "citation_public_url", record.get("URL", "")),
             ("name", "DC.type", kind.zotero)]
    first_page, _, last_page = record.get("page", "").partition("-")
    tags += [("name", "citation_firstpage", first_page), ("name", "citation_lastpage", last_page)]
    return [(attribute, key, _one_line(content)) for attribute, key, content in tags if _one_line(content)]


def romanised_record(record: dict) -> dict:
    """The record as a paper in English cites a Chinese work (APA 7 §9.38, MLA 9 §1.8): the
    authors, the title, the newspaper and the publisher in Hanyu Pinyin (``search.romanise``),
    each followed by its Chinese in brackets, which the styles print (``original-title`` as in
    CSL; the other ``original`` keys are this module's own, for names, the newspaper and the
    publisher). Text with no Chinese in it is kept as it is. This record feeds the styles only:
    the files (BibTeX, RIS, CSL-JSON) keep the Chinese record."""
    english = dict(record)
    authors = []
    for name in record.get("author", []):
        literal = name.get("literal", "")
        person = person_name(literal) if literal else None
        if person:
            authors.append({"family": person[0], "given": person[1], "original": literal})
        elif has_han(literal):
            authors.append({"literal": romanised(literal, capitalise_all=True), "original": literal})
        else:
            authors.append(name)
    english["author"] = authors
    if has_han(record.get("title", "")):
        english["title"], english["original-title"] = romanised(record["title"]), record["title"]
    for key in ("container-title", "publisher"):
        if has_han(record.get(key, "")):
            english[key], english[f"original-{key}"] = romanised(record[key], capitalise_all=True), record[key]
    return english


def apa_english(record: dict) -> Runs:
    """APA 7 as a paper in English writes it: romanised, with the Chinese in brackets."""
    return apa(romanised_record(record))


def mla_english(record: dict) -> Runs:
    """MLA 9 as a paper in English writes it: romanised, with the Chinese in brackets."""
    return mla(romanised_record(record))


# The styles written as text (each has a plain and an HTML form) and the file formats.
STYLES = {"gb_t_7714": gb_t_7714_2015, "gb_t_7714_2025": gb_t_7714_2025, "apa": apa, "mla": mla,
          "apa_en": apa_english, "mla_en": mla_english}
STYLE_LABELS = {"gb_t_7714": "GB/T 7714-2015", "gb_t_7714_2025": "GB/T 7714-2025", "apa": "APA 7", "mla": "MLA 9",
                "apa_en": "APA 7 (romanised)", "mla_en": "MLA 9 (romanised)"}
CITATION_NAMES = ("gb_t_7714", "apa", "mla", "bibtex", "ris", "csl_json", "gb_t_7714_2025", "apa_en", "mla_en")


def all_citations(item: Citable) -> dict[str, str]:
    """Every citation of the passage by format name (``CITATION_NAMES``), as plain text."""
    record = csl_record(item)
    texts = {name: plain(style(record)) for name, style in STYLES.items()}
    texts.update(bibtex=bibtex(record), ris=ris(record, item.quote), csl_json=csl_json(record))
    return {name: texts[name] for name in CITATION_NAMES}


def citations_html(item: Citable) -> dict[str, str]:
    """The styles (``STYLES``) as HTML: escaped, with <i> where the style italicises."""
    record = csl_record(item)
    return {name: html(style(record)) for name, style in STYLES.items()}


# Line breaks (every character str.splitlines() splits at) and other control characters.
_LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")

# BibTeX counts braces even after a backslash, so `\}` would still close a field: braces and
# backslashes become LaTeX commands, whose own braces are balanced.
_BIBTEX_SPECIALS = {"\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}",
                    "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}",
                    "^": r"\textasciicircum{}"}
_BIBTEX_SPECIAL = re.compile("|".join(re.escape(character) for character in _BIBTEX_SPECIALS))


def _one_line(value: str) -> str:
    """``value`` on one line: runs of line breaks and control characters become one space."""
    return _LINE_BREAKS.sub(" ", value).strip()


def _bibtex_escape(value: str) -> str:
    """``value`` as the text of a braced BibTeX field: one line, specials as LaTeX commands."""
    return _BIBTEX_SPECIAL.sub(lambda match: _BIBTEX_SPECIALS[match.group()], _one_line(value))


def _bibtex_url(url: str) -> str:
    """``url`` with braces, backslashes, spaces and non-ASCII percent-encoded (``url`` fields are
    read verbatim, so LaTeX escapes would be wrong there)."""
    return quote(_one_line(url), safe=":/?#[]@!$&'()*+,;=%-._~")


def citable(passage: Mapping | None, report: Mapping, url: str, accessed: date | None = None) -> Citable:
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
    )
