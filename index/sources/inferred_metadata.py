"""What a report without a metadata file says of itself: its title, date, speaker and issuing
body, read from its head (the lines above the salutation) and the opening of its speech.

A report prints its own facts in a handful of forms, across eras and genres:

- a head: ``政府工作报告`` / ``——2023年3月5日在第十四届全国人民代表大会第一次会议上`` /
  ``国务院总理`` / ``李克强``; a congress report's title in two lines, then
  ``——在中国共产党第二十次全国代表大会上的报告`` / ``（2022年10月16日）`` / ``习　近　平``;
  a provincial report saved from a web page, under its breadcrumbs, source and time lines;
- no head at all, only a salutation (``各位代表：``, ``同志们！``) and a first sentence that says
  what it is: ``我代表国务院，向大会作政府工作报告``, ``作关于…的报告``, ``提出关于…的报告``,
  ``我代表第十六届中央委员会向大会作报告``, ``向党的第十二次全国代表大会作报告``.

Every rule reads what is printed; nothing is taken from another report or made up. What cannot
be read stays empty, and the caller records which fields were inferred and on what basis.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from shuangyu.index.sources.numerals import NUMERALS, from_numeral, to_numeral, year_of
from shuangyu.index.sources.report_head import PROSE, head_and_body
from shuangyu.index.sources.surnames import SPEAKER_SURNAMES

# How much of the speech its opening is (characters).
OPENING_CHARS = 600

# When it was delivered: "——2017年3月5日在…", "2026年1月14日在…上", "（2022年10月16日）".
_DELIVERED = re.compile(r"(?:^|——|[（(])\s*((?:19|20)\d\d)年(\d{1,2})月(\d{1,2})日\s*在")
# The same in Chinese numerals: "——二〇二六年一月二十七日在…".
_DELIVERED_IN_NUMERALS = re.compile(
    r"(?:^|——|[（(])\s*([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日\s*在"
)
_DATED_LINE = re.compile(r"^[（(]\s*((?:19|20)\d\d)年(\d{1,2})月(\d{1,2})日\s*[）)]$")
# When its web copy was published: "时间：2026-02-09", "2026-02-03 09:02:33", "2026年02月10日 07时41分".
_PUBLISHED = re.compile(
    r"^(?:发表时间|发布时间|时间)?[:：]?\s*((?:19|20)\d\d)[-年](\d{1,2})[-月](\d{1,2})日?(?:\s*\d{1,2}[:时]\d{2}.*)?$"
)
# "——在中国共产党第二十次全国代表大会上的报告": what a report's title is the report of.
_DELIVERED_AT = re.compile(r"^——?\s*(在\S{4,60}?上的(?:报告|讲话))$")
_TITLE_LINE = re.compile(r"^(?!—)[^，,。！？!?：:；;、]{2,40}报告$")
_CONGRESS = rf"第([{NUMERALS}]+)次全国代表大会"
# A report to a party congress says so: to the congress, or for the central committee elected by the last.
_TO_CONGRESS = re.compile(
    rf"向(?:中国共产党|党的)?{_CONGRESS}作报告|在中国共产党{_CONGRESS}上的报告"
)
_FOR_COMMITTEE = re.compile(
    rf"(?:代表|受)(?:中国共产党)?第?([{NUMERALS}]+)届中央委员会(?:的?委托)?[，,]?\s*向(?:本次)?大会作报告"
)
# A congress report that opens with the congress itself ("中国共产党第九次全国代表大会，将是…").
_OPENS_WITH_CONGRESS = re.compile(rf"^中国共产党{_CONGRESS}[，,]")
_GOVERNMENT_REPORT = re.compile(
    r"政府工作报告|报告政府工作|代表国务院|国务院向|代表中央人民政府作工作报告|向大会报告工作"
)
_REPORT_ON = re.compile(r"(?:作|提出)(关于[^，,。！？!?；;]{4,60}?的报告)")
_PROVINCE = re.compile(r"在(\S{2,8}?(?:省|市|自治区))第\S{1,4}届人民代表大会")
_PROVINCE_IN_NAME = re.compile(r"([\u4e00-\u9fff]{2,8}?(?:省|市|自治区))$")
FILE_NAME_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
# The body a report is given for: "我代表国务院", "我受国务院的委托", "我代表省人民政府",
# "我代表中国共产党第十一届中央委员会".
_ISSUED_BY = re.compile(
    r"我(?:代表|受)((?:中华人民共和国)?国务院|中央人民政府|\S{0,12}?(?:人民政府|省政府|市政府)|(?:中国共产党)?(?:第?[一二三四五六七八九十]+届)?中央委员会)"
)
# A speaker's line: an office, then a name (with the spaces some pages put between its characters).
_OFFICE = r"(?:\S{0,24}?(?:总理|副总理|省长|代省长|市长|代市长|主席|代主席|主任|委员|书记))"
_NAME = rf"[{SPEAKER_SURNAMES}](?:\s*[\u4e00-\u9fff]){{1,2}}"
# With an office before it, any name of two to five characters (施小琳, 嘎玛泽登); alone, a name
# that starts with a common surname (a breadcrumb's 云南要闻 is no name).
_SPEAKER = re.compile(
    rf"^(?:(?P<office>{_OFFICE})\s*(?P<named>[\u4e00-\u9fff](?:\s*[\u4e00-\u9fff]){{1,4}})|(?P<name>{_NAME}))$"
)
_OFFICE_LINE = re.compile(rf"^{_OFFICE}$")


@dataclass(frozen=True)
class Inferred:
    """What was read of a report's own facts; empty where nothing was printed. ``fields`` names
    the fields read from the text (the title too when it fell back to the file name, which
    ``title_basis`` says)."""

    title: str
    subtitle: str = ""
    date: str = ""
    date_basis: str = ""
    authors: tuple[str, ...] = ()
    publisher: str = ""
    title_basis: str = ""
    fields: tuple[str, ...] = ()


def infer(path: Path, text: str) -> Inferred:
    """The title, subtitle, date, speaker and issuing body that ``text`` prints of itself (see
    the module's docstring); the file name gives the year when the text gives no date, and the
    title when it gives none."""
    head, chrome, body = head_and_body(text)
    # Lines of the speech are joined without a space: a sentence cut where a link was reads whole.
    opening = "".join(body)[:OPENING_CHARS]
    title, subtitle, title_basis = _title(head, opening, path)
    date, date_basis = _date(head, chrome, opening, path)
    year = date[:4]
    authors = _speakers(head)
    province = _province(head, opening, path)
    publisher = _issuer(opening, province)
    if title.endswith("政府工作报告") and province and province not in title:
        title = title.replace("政府工作报告", f"{province}政府工作报告")
    if (
        title
        and year
        and year not in title
        and not title.startswith(("关于", "在"))
        and not subtitle.startswith("在")
    ):
        title = f"{year}年{title}"
    fields = tuple(
        name
        for name, value in (
            ("title", title_basis != "file name"),
            ("subtitle", subtitle),
            ("date", date),
            ("authors", authors),
            ("publisher", publisher),
        )
        if value
    )
    return Inferred(
        title or path.stem,
        subtitle,
        date,
        date_basis,
        authors,
        publisher,
        title_basis or "file name",
        fields,
    )


def _title(head: list[str], opening: str, path: Path) -> tuple[str, str, str]:
    """(title, subtitle, where the title was read)."""
    for number, line in enumerate(head):
        delivered_at = _DELIVERED_AT.match(line)
        if delivered_at:
            # A congress report's title: the lines above "——在…上的报告".
            above = [above for above in head[max(0, number - 3) : number] if _is_title_part(above)]
            if above:
                return " ".join(above), delivered_at.group(1), "the report's own head"
    for number, line in enumerate(head):
        if _TITLE_LINE.match(line) and not _SPEAKER.match(line):
            following = head[number + 1] if number + 1 < len(head) else ""
            subtitle = (
                following if _is_title_part(following) and not _TITLE_LINE.match(following) else ""
            )
            return line, subtitle, "the report's own head"
    to_congress = _TO_CONGRESS.search(opening)
    for_committee = _FOR_COMMITTEE.search(opening)
    if to_congress:
        return (
            f"中国共产党第{to_congress.group(1) or to_congress.group(2)}次全国代表大会报告",
            "",
            "the report's opening",
        )
    if for_committee:
        following = to_numeral(from_numeral(for_committee.group(1)) + 1)
        if following:
            return f"中国共产党第{following}次全国代表大会报告", "", "the report's opening"
    report_on = _REPORT_ON.search(opening)
    if report_on:
        return report_on.group(1), "", "the report's opening"
    if _GOVERNMENT_REPORT.search(opening):
        return "政府工作报告", "", "the report's opening"
    opens_with = _OPENS_WITH_CONGRESS.match(opening)
    if opens_with:
        return f"中国共产党第{opens_with.group(1)}次全国代表大会报告", "", "the report's opening"
    return "", "", "file name"


def _is_title_part(line: str) -> bool:
    """A line that can be (part of) a title: short, no prose punctuation, not a date, a
    speaker or a "——" line."""
    return (
        2 <= len(line) <= 40
        and not PROSE.search(line)
        and not line.startswith(("——", "—", "(", "（"))
        and not _SPEAKER.match(line)
        and not _OFFICE_LINE.match(line)
        and not re.search(r"\d{4}年\d{1,2}月", line)
    )


def _date(head: list[str], chrome: list[str], opening: str, path: Path) -> tuple[str, str]:
    """(ISO date, its basis): when it was delivered, printed in its head or opening; else when
    its web copy was published; else the year in the file name."""
    for line in head + [opening]:
        found = _DELIVERED.search(line) or _DATED_LINE.match(line)
        parts = found.groups() if found else None
        in_numerals = None if found else _DELIVERED_IN_NUMERALS.search(line)
        if in_numerals:
            parts = (
                year_of(in_numerals.group(1)),
                str(from_numeral(in_numerals.group(2))),
                str(from_numeral(in_numerals.group(3))),
            )
        if parts and _valid(*parts):
            return _iso(*parts), "Inferred from the report's opening line (no metadata file)."
    for line in chrome:
        found = _PUBLISHED.match(line)
        if found and _valid(*found.groups()):
            return (
                _iso(*found.groups()),
                "Inferred from the date its web copy was published, which may be after it was "
                "delivered (no metadata file).",
            )
    year = FILE_NAME_YEAR.search(path.stem)
    if year:
        return year.group(1), "Inferred from the file name (no metadata file)."
    return "", ""


def _valid(year: str, month: str, day: str) -> bool:
    return year.isdigit() and len(year) == 4 and 1 <= int(month) <= 12 and 1 <= int(day) <= 31


def _iso(year: str, month: str, day: str) -> str:
    return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"


def _speakers(head: list[str]) -> tuple[str, ...]:
    """The names of the head's speaker lines (``国务院总理李鹏``, ``国务院总理`` / ``李克强``,
    ``习　近　平``, ``福建省人民政府省长 赵龙``), their spaces removed. A name alone counts
    only below the head's title or date line, where a byline stands."""
    names: list[str] = []
    titled = False
    for number, line in enumerate(head):
        speaker = _SPEAKER.match(line)
        after_office = number > 0 and _OFFICE_LINE.match(head[number - 1])
        if speaker and (speaker.group("office") or after_office or titled):
            names.append(re.sub(r"\s+", "", speaker.group("named") or speaker.group("name")))
        if (
            line.startswith("——")
            or _TITLE_LINE.match(line)
            or _DATED_LINE.match(line)
            or _DELIVERED_AT.match(line)
        ):
            titled = True
    return tuple(dict.fromkeys(names))


def _province(head: list[str], opening: str, path: Path) -> str:
    """The province whose congress heard the report, or that its file is named for."""
    found = _PROVINCE.search(" ".join(head) + " " + opening) or _PROVINCE_IN_NAME.search(path.stem)
    return found.group(1) if found else ""


def _issuer(opening: str, province: str) -> str:
    """The body the report is given for ("我代表国务院…"): the State Council, a province's
    people's government (named), the party's central committee."""
    found = _ISSUED_BY.search(opening)
    if not found:
        return ""
    body = found.group(1)
    if body.endswith("中央委员会") and not body.startswith("中国共产党"):
        body = "中国共产党" + (
            body if body.startswith("第") or body == "中央委员会" else "第" + body
        )
    if (
        body.endswith(("人民政府", "省政府", "市政府"))
        and body != "中央人民政府"
        and province
        and not body.startswith(province)
    ):
        body = province + "人民政府"
    return body.replace("中华人民共和国国务院", "国务院")
