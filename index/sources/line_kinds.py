"""The kind of each line of a report: body text, a heading, a photo's caption or a credit (a
byline, a signature, the occasion of a speech), read from its own words and its neighbours; and
the lines that a link on a web page cut in two, typed together as the one line they were."""

from __future__ import annotations

import re
from dataclasses import replace

from shuangyu.index.sources.layout import Layout
from shuangyu.index.sources.lines import BODY, CAPTION, CREDIT, HEADING, Line
from shuangyu.index.sources.sentences import CLOSERS, SENTENCE_END
from shuangyu.index.sources.surnames import SURNAMES

# A label (heading or caption) is short and has no sentence punctuation.
MAX_LABEL_CHARS = 40

_PARAGRAPH_END = SENTENCE_END + "：:"
_PROSE_PUNCTUATION = re.compile(r"[，,、；;：:。！？!?]")
# A byline is a few personal names; a name starts with one of the common surnames, which tells
# "王彩艳 杨敏" apart from a heading of short words such as "新起点 新气象".
# A two-character name is often printed with a space, to line up with three-character ones: "李　强".
_HAN_NAME = rf"[{SURNAMES}](?:[\u4e00-\u9fff]{{1,2}}|[ \u3000]{{1,2}}[\u4e00-\u9fff])"
_BYLINE = re.compile(rf"^{_HAN_NAME}(?:[ \u3000]+{_HAN_NAME}){{0,5}}$")
# A signature: an office and the name of who holds it ("国务院总理李鹏", "福建省人民政府省长 赵龙",
# "自治区主席 艾尔肯·吐尼亚孜"). Set off by a space, any name is a name; run on, it must start
# with a surname, so that "毛主席语录" stays a heading.
_OFFICE = r"(?:副|代)?(?:总理|總理|主席|省长|市长|区长|县长|州长|盟长|旗长|书记|主任|委员长|秘书长|部长|厅长|局长)"
_ANY_NAME = r"[\u4e00-\u9fff](?:[ \u3000]?[\u4e00-\u9fff]){1,4}|[\u4e00-\u9fff]{1,6}(?:[·・][\u4e00-\u9fff]{1,8})+"
_SIGNATURE = re.compile(
    rf"^[^，,。；;！!？?]{{0,40}}?{_OFFICE}(?:[ \u3000]+(?:{_ANY_NAME})|{_HAN_NAME})$"
)
# The office alone on its line, the name on the next ("国务院总理" / "李克强").
_OFFICE_ALONE = re.compile(rf"^[^，,。；;！!？?]{{0,30}}{_OFFICE}$")
# The line under a photo of an office holder at work ("省长赵刚作政府工作报告"): a credit, as are
# the others of its kind, which end with the photographer's name.
_OFFICE_HOLDER_AT_WORK = re.compile(
    rf"^[^，,。；;！!？?]{{0,20}}?{_OFFICE}{_HAN_NAME}(?:同志)?(?:作|在|出席|主持|发表|讲话)"
)
# When and where a speech was given, under its title: "——2026年1月27日在福建省第十四届人民代表大会
# 第四次会议上" (or half of it, when a link cut it: "人民代表大会第五次会议上").
_OCCASION = re.compile(r"(?:[会會][议議]|大[会會])上[）)]?$")
# The date of a speech alone on its line, under its title: "（2022年10月16日）".
_DATELINE = re.compile(r"^[（(]?[0-9０-９]{4}年[0-9０-９]{1,2}月[0-9０-９]{1,2}日[）)]?$")
# A name of three characters printed with a space between them: "习　近　平" (two spaced characters
# are as often a book's heading: "前　言").
_SPACED_NAME = re.compile(r"^[\u4e00-\u9fff](?:[ \u3000]+[\u4e00-\u9fff]){2}$")
_PHOTO_CREDIT = re.compile(r"^(?:图片由|图片来源|图/|图：|摄影|本报记者|记者)")
_ATTRIBUTION = re.compile(r"^(?:——|--|—|――)")
# A numbered heading: "一、2025年工作回顾", "（三）坚持创新驱动", "第二部分 …", "一、一年接着一年干，新福建
# 建设持续取得新进展新成效" (a comma inside, no sentence's end), or "1. 总体要求" (Arabic numbers
# number list items too: such a heading has no punctuation at all, and "2.5" is a number).
_NUMBERED_HEADING = re.compile(
    r"^(?:(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|第[一二三四五六七八九十]+(?:部分|章|节|篇))[^。！!？?；;]{1,38}"
    r"|[0-9０-９]{1,2}[.．、](?![0-9０-９])[^，,、；;：:。！!？?]{1,38})(?<![，,、：:])$"
)
# A photo's caption line ending with its photographer: "…。本报记者 戴冰摄".
_PHOTO_BYLINE = re.compile(r"记者\s*\S{2,4}\s*摄$")
# Marks that open a quotation, a title or an aside, and those that close one or go inside a sentence.
_OPENERS = "“‘「『（(《〈【[〔"
_CLOSERS_AND_CLAUSE_MARKS = "”’」』）)》〉】]〕、，,。．；;：:！!？?…"
# Where a web page had a link, its text was put on a line of its own: the line before it stops
# mid-phrase (after an opening mark, a dash, a particle, a preposition or a conjunction that no
# phrase ends with) or the line after it goes on mid-phrase (with a closing mark, a clause's
# punctuation, or a word no sentence starts with).
_STOPS_MID_PHRASE = re.compile(
    rf"(?:[{re.escape(_OPENERS)}—―]|(?<!目)的|了|而|关于|对于|以及|并且|而且|或者|以便|因为|由于|根据|按照|为了|除了|"
    r"(?<![所现存正实自内外潜])在)$"
)
_GOES_ON_MID_PHRASE = re.compile(rf"^(?:[{re.escape(_CLOSERS_AND_CLAUSE_MARKS)}]|的(?!确)|是)")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_WORD_CHARACTER = re.compile(r"\w")


def classify(lines: list[Line], layout: Layout) -> list[Line]:
    """Type each line.

    Lines that a link cut apart (see ``_cut_by_link``) are typed together, as the one line they
    were: a heading broken so is one heading, a sentence one paragraph. A numbered heading is a
    heading. A short line without sentence punctuation is a label: a photo's caption (see
    ``_is_caption``) or a heading; but not when it goes on from an unfinished sentence above it
    (or from any body line, in a text whose paragraphs are separated by blank lines, where a
    label is a paragraph of its own), nor when it is only punctuation, and a signature (an office
    and a name) or the occasion of a speech is a credit. Where the ``layout`` knows the headings,
    they alone are headings."""
    known = layout.headings is not None
    # Where blank lines separate paragraphs, a line straight after a body line is the same
    # paragraph, even after a full stop (a link that started a sentence).
    blank_separated = sum(line.blank_lines_before > 0 for line in lines) > len(lines) / 2
    in_prose = _in_paragraph_of_prose(lines) if blank_separated else [False] * len(lines)
    typed: list[Line] = []
    start = 0
    while start < len(lines):
        end = start + 1
        while (
            end < len(lines)
            and not _known_heading(lines[end - 1], layout)
            and not _known_heading(lines[end], layout)
            and _cut_by_link(lines[end - 1], lines[end])
        ):
            end += 1
        first = lines[start]
        text = "".join(line.text for line in lines[start:end])
        following = lines[end] if end < len(lines) else None
        continues = bool(typed) and (
            (first.after_cut and not ends_paragraph(typed[-1].text))
            or (
                first.blank_lines_before == 0
                and typed[-1].kind == BODY
                and (blank_separated or not ends_paragraph(typed[-1].text))
            )
        )
        if _known_heading(first, layout):
            kind = HEADING
        elif end - start == 1 and _is_credit(text, following):
            kind = CREDIT
        elif _NUMBERED_HEADING.match(text):
            kind = HEADING
        elif continues or in_prose[start]:
            kind = BODY
        elif _is_label(text):
            kind = CAPTION if _is_caption(first, typed, following) else HEADING
        else:
            kind = BODY
        if known and kind == HEADING and not _known_heading(first, layout):
            kind = BODY
        typed.extend(
            replace(line, kind=kind, joins_heading=kind == HEADING and line is not first)
            for line in lines[start:end]
        )
        start = end
    return typed


def _is_caption(label: Line, above: list[Line], following: Line | None) -> bool:
    """Whether a label is a photo's caption: set off by a page or photo break (two or more blank
    lines), and either interrupting a paragraph or not followed by text of its own. A label
    after such a break that a paragraph follows ("结束语" / "各位代表！") heads it, as does the
    second line of a title."""
    if not above or label.blank_lines_before < 2:
        return False
    if above[-1].kind == BODY and not ends_paragraph(above[-1].text):
        return True
    if above[-1].kind == HEADING:
        return False
    return (
        following is None or _is_label(following.text) or not _WORD_CHARACTER.search(following.text)
    )


def _known_heading(line: Line, layout: Layout) -> bool:
    return layout.headings is not None and layout.heading_level(line.start) is not None


def _cut_by_link(above: Line, line: Line) -> bool:
    """Whether ``line`` and the line ``above`` it are one line that a link on the web page cut
    in two (or a word cut in two: a heading's last character alone on the next line)."""
    if line.blank_lines_before:
        return False
    if line.after_cut:
        return not ends_paragraph(above.text)
    if _GOES_ON_MID_PHRASE.match(line.text):
        return True
    if above.text[-1] in _OPENERS:
        return True
    if _STOPS_MID_PHRASE.search(above.text) and not _NUMBERED_HEADING.match(line.text):
        return True
    return len(line.text) == 1 and bool(_HAN.match(line.text)) and _is_label(above.text)


def _is_label(text: str) -> bool:
    """Short, without sentence punctuation, and more than punctuation and white space."""
    return (
        len(text) <= MAX_LABEL_CHARS
        and not _PROSE_PUNCTUATION.search(text)
        and bool(_WORD_CHARACTER.search(text))
    )


def _is_credit(text: str, following: Line | None) -> bool:
    """A line of names, a photo's credit, an attribution, a signature (an office and a name, or the
    office above the name), or the occasion or date of a speech."""
    if _BYLINE.match(text) or _PHOTO_CREDIT.match(text) or _PHOTO_BYLINE.search(text):
        return True
    if not _is_label(text):
        return False
    if (
        _ATTRIBUTION.match(text)
        or _SIGNATURE.match(text)
        or _SPACED_NAME.match(text)
        or _OCCASION.search(text)
        or _DATELINE.match(text)
        or _OFFICE_HOLDER_AT_WORK.match(text)
    ):
        return True
    return bool(
        _OFFICE_ALONE.match(text)
        and following is not None
        and not following.blank_lines_before
        and _BYLINE.match(following.text)
    )


def _in_paragraph_of_prose(lines: list[Line]) -> list[bool]:
    """For a text whose paragraphs are separated by blank lines: whether each line is in a
    paragraph (lines with no blank line between them) that has prose in it, where a short line
    is a piece of the paragraph, not a heading ("关于" / "价格体系的改革，" / "经过…")."""
    result: list[bool] = []
    start = 0
    while start < len(lines):
        end = start + 1
        while end < len(lines) and not lines[end].blank_lines_before:
            end += 1
        paragraph = lines[start:end]
        prose = any(
            not _is_label(line.text)
            and _WORD_CHARACTER.search(line.text)
            and not _NUMBERED_HEADING.match(line.text)
            for line in paragraph
        )
        result.extend([prose] * len(paragraph))
        start = end
    return result


def ends_paragraph(text: str) -> bool:
    return text.rstrip(CLOSERS)[-1:] in _PARAGRAPH_END
