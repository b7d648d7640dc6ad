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

from shuangyu.index.text.analysis import normalise

# How much of a report its head and opening are looked for in (characters).
HEAD_CHARS = 2000
# Lines of a head at most: a head without a salutation under it is its first lines.
HEAD_LINES = 30
HEADLESS_LINES = 8
# How much of the speech its opening is (characters).
OPENING_CHARS = 600

_NUMERAL = "一二三四五六七八九十"
_DIGITS = {char: value for value, char in enumerate("一二三四五六七八九", start=1)}
_SALUTATION = re.compile(r"^(?:各位代表|同志们|代表们|各位委员|各位代表、各位委员)\s*[：:！!，,]")
# Lines of a web page's chrome (buttons, breadcrumbs, source and time lines), as index.sources.passages
# knows them, plus the navigation labels of a breadcrumb (…要闻, …信息) and reading counts.
_CHROME = re.compile(
    r"^(?:下载|打印|全屏|收藏|分享.*|打印本页|关闭窗口|【?字[号体][:：]?|[大中小]|加大|还原|减小|[】×>]|"
    r"首页|[您当]前?的?位置[:：]?|当前位置[:：]?|来源[:：]?.*|发表时间[:：]?.*|时间[:：].*|阅读量?[:：]?.*|"
    r"\S{2,6}(?:要闻|信息|新闻|动态)|\d[\d\s:：\-年月日时分]*)$"
)
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
_PROSE = re.compile(r"[，,。！？!?；;：:、]")
_CONGRESS = rf"第([{_NUMERAL}]+)次全国代表大会"
# A report to a party congress says so: to the congress, or for the central committee elected by the last.
_TO_CONGRESS = re.compile(
    rf"向(?:中国共产党|党的)?{_CONGRESS}作报告|在中国共产党{_CONGRESS}上的报告"
)
_FOR_COMMITTEE = re.compile(
    rf"(?:代表|受)(?:中国共产党)?第?([{_NUMERAL}]+)届中央委员会(?:的?委托)?[，,]?\s*向(?:本次)?大会作报告"
)
# A congress report that opens with the congress itself ("中国共产党第九次全国代表大会，将是…").
_OPENS_WITH_CONGRESS = re.compile(rf"^中国共产党{_CONGRESS}[，,]")
_GOVERNMENT_REPORT = re.compile(
    r"政府工作报告|报告政府工作|代表国务院|国务院向|代表中央人民政府作工作报告|向大会报告工作"
)
_REPORT_ON = re.compile(r"(?:作|提出)(关于[^，,。！？!?；;]{4,60}?的报告)")
_PROVINCE = re.compile(r"在(\S{2,8}?(?:省|市|自治区))第\S{1,4}届人民代表大会")
_PROVINCE_IN_NAME = re.compile(r"([\u4e00-\u9fff]{2,8}?(?:省|市|自治区))$")
_FILE_NAME_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
# The body a report is given for: "我代表国务院", "我受国务院的委托", "我代表省人民政府",
# "我代表中国共产党第十一届中央委员会".
_ISSUED_BY = re.compile(
    r"我(?:代表|受)((?:中华人民共和国)?国务院|中央人民政府|\S{0,12}?(?:人民政府|省政府|市政府)|(?:中国共产党)?(?:第?[一二三四五六七八九十]+届)?中央委员会)"
)
# A speaker's line: an office, then a name (with the spaces some pages put between its characters).
_OFFICE = r"(?:\S{0,24}?(?:总理|副总理|省长|代省长|市长|代市长|主席|代主席|主任|委员|书记))"
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟"
    "谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤习温朱"
)
_NAME = rf"[{_SURNAMES}](?:\s*[\u4e00-\u9fff]){{1,2}}"
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
    head, chrome, body = _head_and_body(text)
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


def _head_and_body(text: str) -> tuple[list[str], list[str], list[str]]:
    """The report's head (its lines above the salutation, without a web page's chrome), the
    chrome (where a web copy's date is), and the first lines of its speech; simplified and NFKC, so a traditional or full-width head reads
    the same. Without a salutation near the top, the head is the first lines up to the first
    line of prose."""
    lines = [
        line.strip(" \t\u3000\u00a0\u200b\u200c\u200d\u2060\ufeff")
        for line in normalise(text[:HEAD_CHARS]).text.splitlines()
    ]
    lines = [line for line in lines if line]
    salutation = next(
        (number for number, line in enumerate(lines[:HEAD_LINES]) if _SALUTATION.match(line)), None
    )
    if salutation is None:
        # No salutation: the head is the lines before the first one of prose.
        salutation = next(
            (
                number
                for number, line in enumerate(lines[:HEADLESS_LINES])
                if len(line) > 40 or line.endswith(("。", "！", "？"))
            ),
            min(len(lines), HEADLESS_LINES),
        )
        body = lines[salutation:]
    else:
        body = [_SALUTATION.sub("", lines[salutation])] + lines[salutation + 1 :]
    head, chrome = [], []
    for number, line in enumerate(lines[:salutation]):
        # A source's name stands on the line after "来源：" (四川日报): chrome too.
        after_label = number > 0 and re.fullmatch(
            r"(?:来源|发表时间|时间)[:：]?", lines[number - 1]
        )
        (chrome if _CHROME.match(line) or after_label else head).append(line)
    return _rejoined(head), chrome, [line for line in body if line]


def _rejoined(head: list[str]) -> list[str]:
    """The head with a title broken where a link was (``政府工作报`` / ``告``) made whole."""
    joined: list[str] = []
    for line in head:
        if (
            joined
            and len(line) <= 2
            and not _PROSE.search(line)
            and not joined[-1].startswith("——")
        ):
            joined[-1] += line
        else:
            joined.append(line)
    return joined


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
        following = _numeral(_number(for_committee.group(1)) + 1)
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
        and not _PROSE.search(line)
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
                _year_of(in_numerals.group(1)),
                str(_number(in_numerals.group(2))),
                str(_number(in_numerals.group(3))),
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
    year = _FILE_NAME_YEAR.search(path.stem)
    if year:
        return year.group(1), "Inferred from the file name (no metadata file)."
    return "", ""


def _valid(year: str, month: str, day: str) -> bool:
    return year.isdigit() and len(year) == 4 and 1 <= int(month) <= 12 and 1 <= int(day) <= 31


def _year_of(numerals: str) -> str:
    """二〇二六 as 2026."""
    return "".join(str(_DIGITS.get(char, 0)) for char in numerals)


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


def _number(numeral: str) -> int:
    """一 to 九十九 as a number; 0 for anything else."""
    if numeral == "十":
        return 10
    tens, _, units = numeral.partition("十")
    if "十" in numeral:
        return (_DIGITS.get(tens, 0) if tens else 1) * 10 + _DIGITS.get(units, 0)
    return _DIGITS.get(numeral, 0)


def _numeral(number: int) -> str:
    """1 to 99 in Chinese numerals; "" for anything else."""
    if not 0 < number < 100:
        return ""
    tens, units = divmod(number, 10)
    digits = " 一二三四五六七八九"
    return (("" if tens == 1 else digits[tens]) + "十" if tens else "") + (
        digits[units] if units else ""
    )
