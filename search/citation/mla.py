"""MLA 9 works-cited entries. The first author is "Family, Given"; a name held whole (a group,
or a Chinese name in characters) is printed as written."""

from __future__ import annotations

import re

from shuangyu.index.english.figures import MONTHS
from shuangyu.search.citation.csl import (
    ITEM_TYPES,
    NEWSPAPER_ARTICLE,
    WEBPAGE,
    accessed_date,
    is_han_person,
    issued_parts,
    whole_name,
)
from shuangyu.search.citation.runs import Runs, bracketed, end, pages, tidy, title_runs

# MLA shortens a month's name of more than four letters to its first three, September to "Sept.".
_MLA_MONTHS = tuple(
    name if len(name) <= 4 else name[: 4 if name == "September" else 3] + "." for name in MONTHS
)


def _mla_authors(names: list[dict]) -> str:
    """MLA 9 §2.1: one author "Family, Given"; two "Family, Given, and Given Family"; three or
    more the first and "et al." A name held whole is not inverted, so no comma follows it."""
    if not names:
        return ""

    def natural(name: dict) -> str:
        if (
            "original" in name and "literal" not in name
        ):  # a romanised Chinese name: family name first, as written
            return bracketed(
                f"{name.get('family', '')} {name.get('given', '')}".strip(), name["original"]
            )
        return bracketed(whole_name(name), name.get("original", ""))

    first = names[0]
    held_whole = "literal" in first or "original" in first or is_han_person(first)
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
    return f"\u201c{inner}\u201d [{bracket}]." if bracket else f"\u201c{end(inner)}\u201d"


def mla(record: dict) -> Runs:
    """MLA 9 works-cited entry: Author. "Title." *Container*, Date, URL. — a newspaper article's
    title in quotation marks and the paper in italics; a report's or a page's title in italics,
    then its publisher. URLs without http(s)://. An inferred date reads "c. 2020"; without an
    exact date, the date of access closes the entry (MLA 9 §2.6)."""
    kind = ITEM_TYPES.get(record.get("type", ""), WEBPAGE)
    authors = _mla_authors(record.get("author", []))
    parts, circa = issued_parts(record)
    when = (f"c. {parts[0]}" if circa else _mla_date(parts)) if parts else ""
    url = re.sub(r"^https?://", "", record.get("URL", ""))
    runs: Runs = [(f"{end(authors)} ", False)] if authors else []
    bracket = record.get("title-bracket", "")
    if kind is NEWSPAPER_ARTICLE:
        runs.append((_mla_quoted(record.get("title", ""), bracket) + " ", False))
        container = record.get("container-title", "")
    else:
        runs += [*title_runs(record.get("title", ""), True, bracket), (" ", False)]
        container = ""
    # MLA 9 §2.6: the location within the source (pp. 11-12) comes after the date.
    location = pages(record["page"], "p.", "pp.") if record.get("page") else ""
    publisher = (
        bracketed(record.get("publisher", ""), record.get("original-publisher", ""))
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
                bracketed("", record.get("original-container-title", ""))
                + (f", {tail}." if tail else "."),
                False,
            ),
        ]
    elif tail:
        runs.append((f"{tail}.", False))
    accessed = accessed_date(record)
    if accessed and (not parts or circa):
        runs.append(
            (f" Accessed {_mla_date([accessed.year, accessed.month, accessed.day])}.", False)
        )
    return tidy(runs)
