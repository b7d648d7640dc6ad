"""GB/T 7714, the Chinese national standard for references, in its 2015 and 2025 editions.

2015 uses half-width punctuation; 2025 (in force from 2026-07-01) keeps "." and "[ ]" half-width
and makes the others full-width (，：（）), and drops the date of citation from newspaper articles
and reports. An estimated year is printed in square brackets ([1936]).

Where the date goes: a newspaper article gives its full date and 版次; an item with a publisher or
a cited page has the standard's publication statement, 出版者, 出版年: 引文页码 (the year alone:
"国务院, 2017: 1-2"); a purely electronic item (no publisher, no page) gives its full date, in 2015
as its "(更新或修改日期)", in 2025 a report's bare and a page's still in brackets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shuangyu.search.citation.csl import (
    ITEM_TYPES,
    NEWSPAPER_ARTICLE,
    REPORT,
    WEBPAGE,
    ItemType,
    accessed_date,
    is_han_person,
    iso,
    issued_parts,
    whole_name,
)
from shuangyu.search.citation.runs import Runs


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
    if "literal" in name or is_han_person(name):
        return whole_name(name)
    family = name.get("family", "")
    initials = " ".join(part[0] for part in re.split(r"[\s.\-]+", name.get("given", "")) if part)
    return " ".join(filter(None, [family.upper() if rules.upper_case_family else family, initials]))


def _gb_t_where(record: dict, kind: ItemType, rules: _GbT) -> str:
    """The part of a GB/T reference between the title and the date of citation."""
    parts, circa = issued_parts(record)
    page, publisher = record.get("page", ""), record.get("publisher", "")
    full_date = (f"[{iso(parts)}]" if circa else iso(parts)) if parts else ""
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
    accessed = accessed_date(record)
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
