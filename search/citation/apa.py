"""APA 7 references. A person's name is "Family, G."; a name held whole (a group, or a Chinese
name in characters) is printed as written."""

from __future__ import annotations

import re

from shuangyu.index.english.figures import MONTHS
from shuangyu.search.citation.csl import (
    ITEM_TYPES,
    NEWSPAPER_ARTICLE,
    REPORT,
    WEBPAGE,
    ItemType,
    is_han_person,
    issued_parts,
    whole_name,
)
from shuangyu.search.citation.runs import Runs, bracketed, end, pages, tidy, title_runs


def _has_initials(name: dict) -> bool:
    """True for a name APA writes with initials (a romanised or Western name, not one held whole)."""
    return "literal" not in name and not is_han_person(name) and bool(name.get("given"))


def _apa_name(name: dict) -> str:
    if "literal" in name or is_han_person(name):
        return bracketed(whole_name(name), name.get("original", ""))
    initials = " ".join(
        f"{part[0]}." for part in re.split(r"[\s.]+", name.get("given", "")) if part
    )
    return bracketed(
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
    parts, circa = issued_parts(record)
    if not parts:
        return "n.d."
    if circa:
        return f"ca. {parts[0]}"
    if kind is REPORT:
        return str(parts[0])
    month_day = " ".join([MONTHS[parts[1] - 1], *map(str, parts[2:])]) if len(parts) > 1 else ""
    return ", ".join(filter(None, [str(parts[0]), month_day]))


def apa(record: dict) -> Runs:
    """APA 7 reference: Author. (Date). Title. Source. URL — a newspaper article's title plain
    and the paper in italics; a report's or a page's title in italics, then its publisher (left
    out when it is the author, §9.24). With no author the title takes the author's place (§9.12)."""
    kind = ITEM_TYPES.get(record.get("type", ""), WEBPAGE)
    authors = _apa_authors(record.get("author", []))
    when = _apa_date(record, kind)
    bracket = record.get("title-bracket", "")
    title = title_runs(record.get("title", ""), kind is not NEWSPAPER_ARTICLE, bracket)
    if kind is NEWSPAPER_ARTICLE:
        # A newspaper's page follows its name (§10.2: The New York Times, A1).
        page = f", {record['page']}" if record.get("page") else ""
        source: Runs = (
            [
                (record["container-title"], True),
                (bracketed("", record.get("original-container-title", "")) + page + ". ", False),
            ]
            if record.get("container-title")
            else []
        )
    else:
        publisher = record.get("publisher", "")
        same_as_author = [whole_name(name) for name in record.get("author", [])] == [publisher]
        source = (
            [(end(bracketed(publisher, record.get("original-publisher", ""))) + " ", False)]
            if publisher and not same_as_author
            else []
        )
    if record.get("page") and kind is not NEWSPAPER_ARTICLE:
        # The part cited, in brackets after the title, where APA puts a chapter's pages (§10.3).
        text = record.get("title", "")
        title = [
            (text, kind is not NEWSPAPER_ARTICLE),
            (
                bracketed("", bracket)
                + f" ({pages(record['page'], 'p.', 'pp.')})"
                + ("." if bracket else end(text)[len(text) :]),
                False,
            ),
        ]
    if authors:
        runs = [(f"{end(authors)} ({when}). ", False), *title, (" ", False), *source]
    else:
        runs = [*title, (f" ({when}). ", False), *source]
    return tidy([*runs, (record.get("URL", ""), False)])
