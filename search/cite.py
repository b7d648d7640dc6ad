"""Citations of a passage or a report, all made from one CSL-JSON record.

A passage is cited as its report (authors, title, date, publisher when known) at the passage's
permalink, with the passage id as a note, so that a reader lands on the quoted words. The record
(``csl_record``) is the single source: its item type is chosen once per report (``item_type``)
and every format reads it, so BibTeX, RIS, CSL-JSON, the styles and the page's meta tags agree.
Fields the metadata leaves empty are left out, never guessed, and a date the metadata marks as
inferred is an estimate in every format that can say so (CSL-JSON ``circa``, biblatex's ``~``,
RIS's free-text date part, the styles' "ca." and [brackets]) and a clean date everywhere else,
never "ca. 2020" where a reference manager expects a date.

The styles are rendered here rather than by citeproc-py: citeproc-py 0.11 renders the official
GB/T 7714 CSL style without its [N]/[R]/[EB/OL] type markers, and it ships no APA or MLA style,
so each style is written out below from its manual and tested against the manual's examples and
against citeproc-js with the official CSL styles (tests/test_citeproc.py).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from html import escape
from urllib.parse import quote

from pypinyin import lazy_pinyin
from shuangyu.index.english.dictionary import Dictionary
from shuangyu.index.sources.corpus import parse_date
from shuangyu.index.text.analysis import has_han
from shuangyu.search.romanise import person_name, romanised

_MLA_MONTHS = [
    "Jan.",
    "Feb.",
    "Mar.",
    "Apr.",
    "May",
    "June",
    "July",
    "Aug.",
    "Sept.",
    "Oct.",
    "Nov.",
    "Dec.",
]
_FULL_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_BIBTEX_MONTHS = [
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
]

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
    # The title in English and what made it ("gloss", or the machine translation engine), for
    # the English-language forms, which give a title's English in brackets (APA 7 §9.38).
    title_en: str = ""
    title_en_engine: str = ""

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


def _is_han_person(name: dict) -> bool:
    return "literal" not in name and has_han(name.get("family", ""))


def _whole_name(name: dict) -> str:
    """A name as one string in its own order: a literal as written, a Chinese name family name
    first without a space (王彩艳), any other given name first (Benedict Carey)."""
    if "literal" in name:
        return name["literal"]
    if _is_han_person(name):
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


def _title(title: str, italic: bool, bracket: str = "") -> Runs:
    """A title closed with a full stop; the stop is not italic when the title is (a question
    mark that ends the title is part of it). A romanised title is followed by its English (or,
    without one, its Chinese) in brackets, not italic (APA 7 §9.38)."""
    if bracket:
        return [(title, italic), (f" [{bracket}].", False)]
    return [(title, italic), (_end(title)[len(title) :], False)]


def _bracketed(text: str, original: str) -> str:
    return f"{text} [{original}]" if original else text


# GB/T 7714. 2015 uses half-width punctuation; 2025 (in force from 2026-07-01) keeps "." and
# "[ ]" half-width and makes the others full-width (，：（）), and drops the date of citation
# from newspaper articles and reports. An estimated year is printed in square brackets ([1936]).
#
# Where the date goes: a newspaper article gives its full date and 版次; an item with a publisher
# or a cited page has the standard's publication statement, 出版者, 出版年: 引文页码 (the year
# alone: "国务院, 2017: 1-2"); a purely electronic item (no publisher, no page) gives its full date,
# in 2015 as its "(更新或修改日期)", in 2025 a report's bare and a page's still in brackets.


@dataclass(frozen=True)
class _GbT:
    comma: str
    colon: str
    open: str
    close: str
    cited_date_on_all: (
        bool  # 2015: every online item carries [date of citation]; 2025: web pages only
    )
    upper_case_family: bool  # 2015: WANG C, 2025: Wang C
    bare_report_date: bool  # 2025: a report without publisher gives its full date, unbracketed


_GB_T_2015 = _GbT(", ", ": ", "(", ")", True, True, False)
_GB_T_2025 = _GbT("，", "：", "（", "）", False, False, True)


def _gb_t_name(name: dict, rules: _GbT) -> str:
    if "literal" in name or _is_han_person(name):
        return _whole_name(name)
    family = name.get("family", "")
    initials = " ".join(part[0] for part in re.split(r"[\s.\-]+", name.get("given", "")) if part)
    return " ".join(filter(None, [family.upper() if rules.upper_case_family else family, initials]))


def _gb_t_where(record: dict, kind: ItemType, rules: _GbT) -> str:
    """The part of a GB/T reference between the title and the date of citation."""
    parts, circa = _issued(record)
    page, publisher = record.get("page", ""), record.get("publisher", "")
    full_date = (f"[{_iso(parts)}]" if circa else _iso(parts)) if parts else ""
    if kind is NEWSPAPER_ARTICLE:
        return rules.comma.join(
            filter(
                None,
                [
                    record.get("container-title", ""),
                    full_date + (f"{rules.open}{page}{rules.close}" if page else ""),
                ],
            )
        )
    if publisher or page:
        # 2025 dates a report that names no publisher in full, wherever its page is.
        full = kind is REPORT and not publisher and rules.bare_report_date
        year = full_date if full else (f"[{parts[0]}]" if circa else str(parts[0])) if parts else ""
        statement = rules.comma.join(filter(None, [publisher, year]))
        return rules.colon.join(filter(None, [statement, page]))
    if not full_date or circa or (kind is REPORT and rules.bare_report_date):
        return full_date
    return f"{rules.open}{full_date}{rules.close}"


def _gb_t(record: dict, rules: _GbT) -> Runs:
    names = [_gb_t_name(name, rules) for name in record.get("author", [])]
    # More than three authors: the first three, then 等 (Chinese) or et al.
    authors = rules.comma.join(
        names[:3]
        + (
            ["等" if record.get("language", "").startswith("zh") else "et al"]
            if len(names) > 3
            else []
        )
    )
    kind = ITEM_TYPES.get(record.get("type", ""), WEBPAGE)
    accessed = _accessed(record)
    cited = (
        f"[{accessed.isoformat()}]"
        if accessed and (rules.cited_date_on_all or kind is WEBPAGE)
        else ""
    )
    body = _gb_t_where(record, kind, rules) + cited
    pieces = [
        f"{authors}. " if authors else "",
        f"{record.get('title', '')}[{kind.gb_t}/OL]. ",
        f"{body}. " if body else "",
        f"{record['URL']}." if record.get("URL") else "",
    ]
    return [("".join(pieces).rstrip(), False)]


def gb_t_7714_2015(record: dict) -> Runs:
    """GB/T 7714-2015, online: 作者. 题名[R/OL]. 出版者, 出版年: 引文页码[引用日期]. URL.; a newspaper
    article 报纸名, 日期(版次)[引用日期]; with neither publisher nor page (更新或修改日期)[引用日期]."""
    return _gb_t(record, _GB_T_2015)


def gb_t_7714_2025(record: dict) -> Runs:
    """GB/T 7714-2025, online: 作者. 题名[R/OL]. 出版者，出版年：引文页码. URL.; a newspaper article
    报纸名，日期（版次）; no date of citation but for web pages (EB/OL keeps （日期）[引用日期])."""
    return _gb_t(record, _GB_T_2025)


# APA 7 and MLA 9: a person's name is "Family, G." (APA) or "Family, Given" (MLA, first author);
# a name held whole (a group, or a Chinese name in characters) is printed as written.


def _has_initials(name: dict) -> bool:
    """True for a name APA writes with initials (a romanised or Western name, not one held whole)."""
    return "literal" not in name and not _is_han_person(name) and bool(name.get("given"))


def _apa_name(name: dict) -> str:
    if "literal" in name or _is_han_person(name):
        return _bracketed(_whole_name(name), name.get("original", ""))
    initials = " ".join(
        f"{part[0]}." for part in re.split(r"[\s.]+", name.get("given", "")) if part
    )
    return _bracketed(
        f"{name.get('family', '')}, {initials}" if initials else name.get("family", ""),
        name.get("original", ""),
    )


def _apa_authors(names: list[dict]) -> str:
    """APA 7 §9.8: commas between names and & before the last; with two names the comma before &
    follows the first one's initials only (a name without initials takes none: 王彩艳 & 肖亚平);
    with 21 or more, the first 19, an ellipsis and the last."""
    shown = [_apa_name(name) for name in names]
    if len(shown) > 20:
        return ", ".join(shown[:19]) + ", . . . " + shown[-1]
    if len(shown) <= 1:
        return "".join(shown)
    serial = "," if len(shown) > 2 or _has_initials(names[0]) else ""
    return ", ".join(shown[:-1]) + f"{serial} & " + shown[-1]


def _apa_date(record: dict, kind: ItemType) -> str:
    """(2019, March 22); a report the year alone (2017), as APA 7 §10.4 dates reports; an
    inferred date at the precision of the estimate, its year (ca. 2020); none (n.d.)."""
    parts, circa = _issued(record)
    if not parts:
        return "n.d."
    if circa:
        return f"ca. {parts[0]}"
    if kind is REPORT:
        return str(parts[0])
    month_day = (
        " ".join([_FULL_MONTHS[parts[1] - 1], *map(str, parts[2:])]) if len(parts) > 1 else ""
    )
    return ", ".join(filter(None, [str(parts[0]), month_day]))


def apa(record: dict) -> Runs:
    """APA 7 reference: Author. (Date). Title. Source. URL — a newspaper article's title plain
    and the paper in italics; a report's or a page's title in italics, then its publisher (left
    out when it is the author, §9.24). With no author the title takes the author's place (§9.12)."""
    kind = ITEM_TYPES.get(record.get("type", ""), WEBPAGE)
    authors = _apa_authors(record.get("author", []))
    when = _apa_date(record, kind)
    bracket = record.get("title-bracket", "")
    title = _title(record.get("title", ""), kind is not NEWSPAPER_ARTICLE, bracket)
    if kind is NEWSPAPER_ARTICLE:
        # A newspaper's page follows its name (§10.2: The New York Times, A1).
        page = f", {record['page']}" if record.get("page") else ""
        source: Runs = (
            [
                (record["container-title"], True),
                (_bracketed("", record.get("original-container-title", "")) + page + ". ", False),
            ]
            if record.get("container-title")
            else []
        )
    else:
        publisher = record.get("publisher", "")
        same_as_author = [_whole_name(name) for name in record.get("author", [])] == [publisher]
        source = (
            [(_end(_bracketed(publisher, record.get("original-publisher", ""))) + " ", False)]
            if publisher and not same_as_author
            else []
        )
    if record.get("page") and kind is not NEWSPAPER_ARTICLE:
        # The part cited, in brackets after the title, where APA puts a chapter's pages (§10.3).
        text = record.get("title", "")
        title = [
            (text, kind is not NEWSPAPER_ARTICLE),
            (
                _bracketed("", bracket)
                + f" ({_pages(record['page'], 'p.', 'pp.')})"
                + ("." if bracket else _end(text)[len(text) :]),
                False,
            ),
        ]
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
        if (
            "original" in name and "literal" not in name
        ):  # a romanised Chinese name: family name first, as written
            return _bracketed(
                f"{name.get('family', '')} {name.get('given', '')}".strip(), name["original"]
            )
        return _bracketed(_whole_name(name), name.get("original", ""))

    first = names[0]
    held_whole = "literal" in first or "original" in first or _is_han_person(first)
    inverted = (
        natural(first)
        if held_whole
        else ", ".join(filter(None, [first.get("family", ""), first.get("given", "")]))
    )
    comma = "" if held_whole else ","
    if len(names) == 1:
        return inverted
    if len(names) == 2:
        return f"{inverted}{comma} and {natural(names[1])}"
    return f"{inverted}{comma} et al."


def _mla_date(parts: list[int]) -> str:
    return " ".join(
        [
            *([str(parts[2])] if len(parts) > 2 else []),
            *([_MLA_MONTHS[parts[1] - 1]] if len(parts) > 1 else []),
            str(parts[0]),
        ]
    )


def _mla_quoted(title: str, bracket: str = "") -> str:
    """A title in MLA's double quotes, with the quotation marks inside it made single; a
    romanised title followed by its English (or its Chinese) in brackets."""
    inner = title.replace("\u201c", "\u2018").replace("\u201d", "\u2019").replace('"', "\u2019")
    return f"\u201c{inner}\u201d [{bracket}]." if bracket else f"\u201c{_end(inner)}\u201d"


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
    bracket = record.get("title-bracket", "")
    if kind is NEWSPAPER_ARTICLE:
        runs.append((_mla_quoted(record.get("title", ""), bracket) + " ", False))
        container = record.get("container-title", "")
    else:
        runs += [*_title(record.get("title", ""), True, bracket), (" ", False)]
        container = ""
    # MLA 9 §2.6: the location within the source (pp. 11-12) comes after the date.
    location = _pages(record["page"], "p.", "pp.") if record.get("page") else ""
    publisher = (
        _bracketed(record.get("publisher", ""), record.get("original-publisher", ""))
        if record.get("publisher")
        else ""
    )
    tail = ", ".join(
        filter(None, [publisher if kind is not NEWSPAPER_ARTICLE else "", when, location, url])
    )
    if container:
        runs += [
            (container, True),
            (
                _bracketed("", record.get("original-container-title", ""))
                + (f", {tail}." if tail else "."),
                False,
            ),
        ]
    elif tail:
        runs.append((f"{tail}.", False))
    accessed = _accessed(record)
    if accessed and (not parts or circa):
        runs.append(
            (f" Accessed {_mla_date([accessed.year, accessed.month, accessed.day])}.", False)
        )
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

# The characters a BibTeX key keeps as they are (biber, BibTeX, pybtex and Zotero accept them all).
_KEY_SAFE = re.compile(r"[A-Za-z0-9_:-]+")


def bibtex_key(item_id: str) -> str:
    """The BibTeX key of a passage or report id: the id itself when it is ASCII
    (``gwr-2017:p001``); otherwise its report part in pinyin, a full stop (which no report id
    holds, so that no ASCII id has the same key) and a short hash of that part, so that two
    reports whose names read alike do not share a key (山西省 and 陕西省 are both Shanxi Sheng):
    ``prov2026-chongqingshi.4be0c2:p016``. The same id always gets the same key."""
    if _KEY_SAFE.fullmatch(item_id):
        return item_id
    report_part, colon, passage_part = item_id.partition(":")
    readable = re.sub(r"[^A-Za-z0-9_-]+", "", "".join(lazy_pinyin(report_part))).lower()
    digest = hashlib.sha1(report_part.encode("utf-8")).hexdigest()[:6]
    suffix = re.sub(r"[^A-Za-z0-9_:-]+", "", passage_part)
    return f"{readable}.{digest}" + (f":{suffix}" if colon else "")


def estimate_note(parts: list[int]) -> str:
    """The words that keep an estimated date in a field of free text (a note, Zotero's Extra),
    for formats whose date field cannot say "about"."""
    return f"Date estimated (ca. {_iso(parts)}), not printed in the report"


def _bibtex_name(name: dict) -> str:
    """A name for a BibTeX name list: a person as "Family, Given"; anything held whole braced, so
    that it is never split into first and last names or into two names at "and"."""
    if "literal" in name:
        return f"{{{_bibtex_escape(name['literal'])}}}"
    return ", ".join(
        f"{{{_bibtex_escape(part)}}}" if " " in part else _bibtex_escape(part)
        for part in (name.get("family", ""), name.get("given", ""))
        if part
    )


def bibtex(record: dict) -> str:
    """A biblatex entry keyed by ``bibtex_key`` of the record id, of the record's type
    (``@article`` with ``entrysubtype = {newspaper}`` as biblatex marks a newspaper article,
    ``@techreport``, ``@online``). Every field is escaped so that no metadata can close it or add
    fields: braces, backslashes and LaTeX specials become commands, line breaks become spaces,
    and URLs are percent-encoded. An inferred date is biblatex's approximate ``date =
    {2020-12~}`` with the bare ``year`` BibTeX reads, and a note that says it is an estimate."""
    kind = ITEM_TYPES.get(record.get("type", ""), WEBPAGE)
    url = _bibtex_url(record.get("URL", ""))
    parts, circa = _issued(record)
    accessed = _accessed(record)
    container = record.get("container-title", "")
    publisher = record.get("publisher", "")
    notes = [record.get("note", ""), estimate_note(parts) if circa else ""]
    fields = [
        (
            "author",
            " and ".join(
                _bibtex_name(name)
                for name in record.get("author", [])
                if _one_line(_whole_name(name))
            ),
        ),
        ("title", _bibtex_escape(record.get("title", ""))),
        ("journal", _bibtex_escape(container) if kind is NEWSPAPER_ARTICLE else ""),
        ("entrysubtype", "newspaper" if kind is NEWSPAPER_ARTICLE else ""),
        # biblatex's name of the publisher: a report's institution, a web page's organization.
        ("institution", _bibtex_escape(publisher) if kind is REPORT else ""),
        ("organization", _bibtex_escape(publisher) if kind is WEBPAGE else ""),
        ("year", str(parts[0]) if parts else ""),
        ("date", _iso(parts) + ("~" if circa else "") if parts else ""),
        ("pages", _bibtex_escape(record.get("page", "")).replace("-", "--")),
        ("url", url),
        ("urldate", accessed.isoformat() if accessed else ""),
        ("language", "chinese"),
        ("note", _bibtex_escape(". ".join(filter(None, notes)))),
    ]
    lines = [f"@{kind.bibtex}{{{bibtex_key(record['id'])},"]
    lines += [f"  {name} = {{{value}}}," for name, value in fields if value]
    lines.append("}")
    return "\n".join(lines) + "\n"


def ris(record: dict, quote_text: str = "") -> str:
    """A RIS record of the record's type (NEWS, RPRT, ELEC), names as "Family, Given" (a name
    with no comma is a group's). An inferred date has its year in ``PY``, a ``DA`` that says
    ``circa`` in its free-text part and a note that says it is an estimate. Every value is one
    line: line breaks and other control characters become spaces, so none can add a tag or a record."""
    kind = ITEM_TYPES.get(record.get("type", ""), WEBPAGE)
    parts, circa = _issued(record)
    accessed = _accessed(record)
    rows = [("TY", kind.ris)]
    rows += [("AU", inverted_name(name)) for name in record.get("author", [])]
    rows += [
        ("TI", record.get("title", "")),
        ("T2", record.get("container-title", "")),
        ("PY", str(parts[0]) if parts else ""),
        (
            "DA",
            "/".join([*(f"{part:02d}" for part in parts), *[""] * (3 - len(parts)), "circa"])
            if circa
            else _iso(parts).replace("-", "/"),
        ),
        ("SP", record.get("page", "").partition("-")[0]),
        ("EP", record.get("page", "").partition("-")[2]),
        ("PB", record.get("publisher", "")),
        ("LA", record.get("language", "")),
        ("UR", record.get("URL", "")),
        ("Y2", accessed.isoformat() if accessed else ""),
        ("N1", ": ".join(filter(None, [record.get("note", ""), quote_text]))),
        ("N1", estimate_note(parts) if circa else ""),
    ]
    lines = [f"{tag}  - {_one_line(value)}" for tag, value in rows if _one_line(value)]
    return "\r\n".join([*lines, "ER  -"]) + "\r\n"


def csl_json(record: dict) -> str:
    """CSL-JSON (an array with the one record), as read by Zotero, Pandoc and citeproc."""
    return json.dumps([record], ensure_ascii=False, indent=2)


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
    parts, circa = _issued(record)
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
        (attribute, key, _one_line(content))
        for attribute, key, content in tags
        if _one_line(content)
    ]


def _english_title(title_en: str, engine: str) -> str:
    """The English of a title as the brackets after its pinyin give it, saying what made it: the
    word-by-word dictionary gloss, or a machine translation (APA 7 §9.38 asks for a translation;
    a gloss is not one, and the reader is told which it is)."""
    if not title_en.strip():
        return ""
    label = {"gloss": "gloss", "": ""}.get(engine, "machine translation")
    return f"{label}: {title_en.strip()}" if label else title_en.strip()


def romanised_record(
    record: dict, dictionary: Dictionary, title_en: str = "", title_en_engine: str = ""
) -> dict:
    """The record as a paper in English cites a Chinese work (APA 7 §9.38, MLA 9 §1.8): the
    authors, the title, the newspaper and the publisher in Hanyu Pinyin (``search.romanise``).
    The title is followed in brackets by its English (``title_en``, labelled with what made it,
    ``title_en_engine``), or by its Chinese when it has no English; names, the newspaper and the
    publisher by their Chinese. ``original-title`` holds the Chinese title as in CSL;
    ``title-bracket`` and the other ``original`` keys are this module's own. Text with no
    Chinese in it is kept as it is. This record feeds the styles only: the files (BibTeX, RIS,
    CSL-JSON) keep the Chinese record."""
    english = dict(record)
    authors = []
    for name in record.get("author", []):
        whole = _whole_name(name)
        person = person_name(whole) if "literal" not in name or has_han(whole) else None
        if person:
            authors.append({"family": person[0], "given": person[1], "original": whole})
        elif has_han(whole):
            authors.append(
                {"literal": romanised(whole, dictionary, capitalise_all=True), "original": whole}
            )
        else:
            authors.append(name)
    english["author"] = authors
    if has_han(record.get("title", "")):
        english["title"] = romanised(record["title"], dictionary)
        english["original-title"] = record["title"]
        english["title-bracket"] = _english_title(title_en, title_en_engine) or record["title"]
    for key in ("container-title", "publisher"):
        if has_han(record.get(key, "")):
            english[key], english[f"original-{key}"] = (
                romanised(record[key], dictionary, capitalise_all=True),
                record[key],
            )
    return english


def apa_english(
    record: dict, dictionary: Dictionary, title_en: str = "", title_en_engine: str = ""
) -> Runs:
    """APA 7 as a paper in English writes it: romanised, the title's English in brackets."""
    return apa(romanised_record(record, dictionary, title_en, title_en_engine))


def mla_english(
    record: dict, dictionary: Dictionary, title_en: str = "", title_en_engine: str = ""
) -> Runs:
    """MLA 9 as a paper in English writes it: romanised, the title's English in brackets."""
    return mla(romanised_record(record, dictionary, title_en, title_en_engine))


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
        name: style(record, dictionary, item.title_en, item.title_en_engine)
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


# Line breaks (every character str.splitlines() splits at) and other control characters.
_LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")

# BibTeX counts braces even after a backslash, so `\}` would still close a field: braces and
# backslashes become LaTeX commands, whose own braces are balanced.
_BIBTEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
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
        title_en_engine=report.get("title_en_engine", ""),
    )
