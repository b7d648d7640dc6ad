"""Citations of a passage: GB/T 7714-2015, APA 7 and MLA 9 text, and BibTeX, RIS and CSL-JSON.

A passage is cited as its report (authors, title, date, publisher when known) at the passage's
permalink, with the passage id as the locator, so that a reader lands on the quoted words.
Fields the metadata leaves empty are left out, never guessed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from shuangyu.index.corpus import parse_date

_MONTHS = ["Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."]
_FULL_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December"]
_BIBTEX_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

FORMATS = {
    "bib": ("application/x-bibtex; charset=utf-8", "bibtex"),
    "ris": ("application/x-research-info-systems; charset=utf-8", "ris"),
    "json": ("application/vnd.citationstyles.csl+json; charset=utf-8", "csl_json"),
}


@dataclass(frozen=True)
class Citable:
    """What a citation needs to know about a passage and its report."""

    passage_id: str
    report_id: str
    title: str
    subtitle: str
    authors: tuple[str, ...]
    publisher: str
    date: str  # as the metadata says; cited only when it is "YYYY", "YYYY-MM" or "YYYY-MM-DD"
    url: str
    accessed: date
    quote: str

    @property
    def date_parts(self) -> list[int]:
        """[year], [year, month] or [year, month, day]; empty when the date is absent or not valid."""
        return list(parse_date(self.date) or ())

    @property
    def iso_date(self) -> str:
        """The valid date in ISO form ("2020-12"), or empty."""
        return "-".join(f"{part:02d}" for part in self.date_parts)

    @property
    def year(self) -> str:
        parts = self.date_parts
        return str(parts[0]) if parts else ""


def gb_t_7714(item: Citable) -> str:
    """GB/T 7714-2015, electronic resource: 作者. 题名[EB/OL]. 出版者, (日期)[引用日期]. URL."""
    authors = ", ".join(item.authors)
    head = f"{authors}. " if authors else ""
    publisher = f"{item.publisher}, " if item.publisher else ""
    issued = f"({item.iso_date})" if item.iso_date else ""
    return f"{head}{item.title}[EB/OL]. {publisher}{issued}[{item.accessed.isoformat()}]. {item.url}."


def apa(item: Citable) -> str:
    """APA 7: Author, & Author. (Year, Month). Title. Publisher. URL"""
    authors = _join(item.authors, ", & ", ", ")
    parts = item.date_parts
    when = item.year or "n.d."
    if len(parts) >= 2:
        when += f", {_FULL_MONTHS[parts[1] - 1]}"
    pieces = [f"{authors}." if authors else "", f"({when}).", f"{item.title}.", f"{item.publisher}." if item.publisher else "", item.url]
    return " ".join(piece for piece in pieces if piece)


def mla(item: Citable) -> str:
    """MLA 9: Author, and Author. "Title." Publisher, Month Year, URL. Accessed Day Mon. Year."""
    authors = _join(item.authors, ", and ", ", ")
    parts = item.date_parts
    when = " ".join(filter(None, [_MONTHS[parts[1] - 1] if len(parts) >= 2 else "", item.year]))
    container = ", ".join(filter(None, [item.publisher, when, item.url]))
    accessed = f"{item.accessed.day} {_MONTHS[item.accessed.month - 1]} {item.accessed.year}"
    head = f"{authors}. " if authors else ""
    return f"{head}\u201c{item.title}.\u201d {container}. Accessed {accessed}."


def bibtex(item: Citable) -> str:
    """A BibTeX ``@misc`` entry keyed by the passage id. Every field is escaped so that no
    metadata can close it or add fields: braces, backslashes and LaTeX specials become commands,
    line breaks become spaces, and URLs are percent-encoded."""
    key = re.sub(r"[^A-Za-z0-9]+", "_", item.passage_id).strip("_") or "passage"
    url = _bibtex_url(item.url)
    fields = [
        # Braced, so that a name is never split into first and last names or into two authors at "and".
        ("author", " and ".join(f"{{{_bibtex_escape(author)}}}" for author in item.authors if _one_line(author))),
        ("title", _bibtex_escape(item.title)),
        ("year", item.year),
        ("publisher", _bibtex_escape(item.publisher)),
        ("howpublished", f"\\url{{{url}}}" if url else ""),
        ("url", url),
        ("urldate", item.accessed.isoformat()),
        ("note", _bibtex_escape(f"Passage {item.passage_id}")),
    ]
    lines = [f"@misc{{{key},"]
    lines += [f"  {name} = {{{value}}}," for name, value in fields if value]
    parts = item.date_parts
    if len(parts) >= 2:
        lines.append(f"  month = {_BIBTEX_MONTHS[parts[1] - 1]},")
    lines.append("}")
    return "\n".join(lines) + "\n"


def ris(item: Citable) -> str:
    """A RIS record (type ``ELEC``, an electronic source). Every value is one line: line breaks
    and other control characters in the metadata become spaces, so none can add a tag or a record."""
    rows = [("TY", "ELEC")]
    rows += [("AU", author) for author in item.authors]
    rows += [("TI", item.title), ("T2", item.subtitle), ("PY", item.year), ("DA", item.iso_date.replace("-", "/")),
             ("PB", item.publisher), ("UR", item.url), ("Y2", item.accessed.isoformat()),
             ("N1", f"Passage {item.passage_id}: {item.quote}")]
    lines = [f"{tag}  - {_one_line(value)}" for tag, value in rows if _one_line(value)]
    return "\r\n".join([*lines, "ER  -"]) + "\r\n"


def csl_json(item: Citable) -> str:
    """CSL-JSON (an array with one item), as read by Zotero, Pandoc and citeproc."""
    record: dict = {
        "id": item.passage_id,
        "type": "article-newspaper",
        "title": item.title,
        "author": [{"literal": author} for author in item.authors],
        "URL": item.url,
        "accessed": {"date-parts": [[item.accessed.year, item.accessed.month, item.accessed.day]]},
        "note": f"Passage {item.passage_id}",
        "language": "zh-CN",
    }
    if item.date_parts:
        record["issued"] = {"date-parts": [item.date_parts]}
    if item.publisher:
        record["publisher"] = item.publisher
    return json.dumps([record], ensure_ascii=False, indent=2)


CITERS = {"gb_t_7714": gb_t_7714, "apa": apa, "mla": mla, "bibtex": bibtex, "ris": ris, "csl_json": csl_json}
CITATION_NAMES = tuple(CITERS)


def all_citations(item: Citable) -> dict[str, str]:
    """Every citation of the passage by format name (``CITATION_NAMES``)."""
    return {name: cite(item) for name, cite in CITERS.items()}


def _join(names: tuple[str, ...], last: str, between: str) -> str:
    if len(names) <= 1:
        return "".join(names)
    return between.join(names[:-1]) + last + names[-1]


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


def citable(passage: dict, report: dict, url: str, accessed: date | None = None) -> Citable:
    """The citable description of a stored passage and its report's manifest entry."""
    return Citable(
        passage_id=passage["id"],
        report_id=report["id"],
        title=report["title"],
        subtitle=report.get("subtitle", ""),
        authors=tuple(report.get("authors", ())),
        publisher=report.get("publisher", ""),
        date=report.get("date", ""),
        url=url,
        accessed=accessed or date.today(),
        quote=passage["text"],
    )
