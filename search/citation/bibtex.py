"""BibTeX (biblatex) entries, escaped so that no metadata can close a field or add one."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import quote

from pypinyin import lazy_pinyin
from shuangyu.search.citation.csl import (
    ITEM_TYPES,
    NEWSPAPER_ARTICLE,
    REPORT,
    WEBPAGE,
    accessed_date,
    estimate_note,
    iso,
    issued_parts,
    one_line,
    whole_name,
)

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
    parts, circa = issued_parts(record)
    accessed = accessed_date(record)
    container = record.get("container-title", "")
    publisher = record.get("publisher", "")
    notes = [record.get("note", ""), estimate_note(parts) if circa else ""]
    fields = [
        (
            "author",
            " and ".join(
                _bibtex_name(name)
                for name in record.get("author", [])
                if one_line(whole_name(name))
            ),
        ),
        ("title", _bibtex_escape(record.get("title", ""))),
        ("journal", _bibtex_escape(container) if kind is NEWSPAPER_ARTICLE else ""),
        ("entrysubtype", "newspaper" if kind is NEWSPAPER_ARTICLE else ""),
        # biblatex's name of the publisher: a report's institution, a web page's organization.
        ("institution", _bibtex_escape(publisher) if kind is REPORT else ""),
        ("organization", _bibtex_escape(publisher) if kind is WEBPAGE else ""),
        ("year", str(parts[0]) if parts else ""),
        ("date", iso(parts) + ("~" if circa else "") if parts else ""),
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


def _bibtex_escape(value: str) -> str:
    """``value`` as the text of a braced BibTeX field: one line, specials as LaTeX commands."""
    return _BIBTEX_SPECIAL.sub(lambda match: _BIBTEX_SPECIALS[match.group()], one_line(value))


def _bibtex_url(url: str) -> str:
    """``url`` with braces, backslashes, spaces and non-ASCII percent-encoded (``url`` fields are
    read verbatim, so LaTeX escapes would be wrong there)."""
    return quote(one_line(url), safe=":/?#[]@!$&'()*+,;=%-._~")
