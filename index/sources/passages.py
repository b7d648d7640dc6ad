"""Split a report's raw newspaper text into clean, citable passages.

The received text was extracted from newspaper pages: a paragraph can be cut mid-sentence by a
page break or a photo caption, headings and photo captions stand alone, bylines and credits sit
mid-text. ``split_report`` rejoins the cut paragraphs, types every line, and cuts long paragraphs
at sentence ends, so that a citation points at something a reader can quote.

Real text also brings lines cut where a web page had a link (``在聽了劉少奇同志\n關於憲法草案的報告\n並進行``),
zero-width spaces on lines of their own, the web page's furniture (``下载 打印 全屏 【字号：…】``,
``来源：…``) and, once, a report's whole text printed twice. A short line that continues an
unfinished sentence, or that a link cut out of one (the line before it stops mid-phrase, the line
after it goes on mid-phrase), is joined to it, not taken for a heading; a heading broken over two
lines is one heading; a signature (``福建省人民政府省长 赵龙``) is a credit; furniture and a verbatim
repeat of earlier lines are left out of the passages.

Apart from those, nothing is dropped: every non-whitespace character of the source belongs to
exactly one passage, and each passage records the character spans of the source it was taken from (a rejoined
passage has two or more), so its exact source text can always be shown.

The text of a PDF, a Word file or a web page is split the same way; what its file says beyond
the lines (``Layout``: where each page begins, which lines are headings at which level) gives
each passage its page and its heading path instead of a guess.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass, replace

from shuangyu.index.sources.ids import passage_id

BODY, HEADING, CAPTION, CREDIT = "body", "heading", "caption", "credit"
KINDS = (BODY, HEADING, CAPTION, CREDIT)

MAX_PASSAGE_CHARS = 250
# A label (heading or caption) is short and has no sentence punctuation.
MAX_LABEL_CHARS = 40

# Half-width forms too: one of the reports uses half-width punctuation throughout.
_SENTENCE_END = "。！？!?…；;"
_PARAGRAPH_END = _SENTENCE_END + "：:"
_CLOSERS = "”’」』）)》〉】]\"'"
_PROSE_PUNCTUATION = re.compile(r"[，,、；;：:。！？!?]")
_SENTENCE = re.compile(rf"[^{_SENTENCE_END}]*(?:[{_SENTENCE_END}]+[{re.escape(_CLOSERS)}]*|$)")
_CLAUSE = re.compile(r"[^，,；;]*(?:[，,；;]+|$)")
# A byline is a few personal names; a name starts with one of the common surnames, which tells
# "王彩艳 杨敏" apart from a heading of short words such as "新起点 新气象".
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
# A two-character name is often printed with a space, to line up with three-character ones: "李　强".
_HAN_NAME = rf"[{_SURNAMES}](?:[\u4e00-\u9fff]{{1,2}}|[ \u3000]{{1,2}}[\u4e00-\u9fff])"
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
# The typographic spaces too (an em space alone on a line is a blank line, not a heading).
_BLANK = " \t\r\n\f\v\u3000\u00a0\ufeff\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f"
# Zero-width characters count as white space around a passage, but a line of them is no blank.
_WHITESPACE = _BLANK + "\u200b\u200c\u200d\u2060"
# The chrome of the web pages the provincial reports were saved from: buttons, font-size
# switches, breadcrumbs, the source and time lines, the "scan to open on a phone" and related-links
# boxes. And the words a web editor's buttons insert in place of the text to format ("粗体文字" is
# its "bold text", left in a Wikisource page of 2007). A whole line of it, nothing else.
_FURNITURE = re.compile(
    r"^(?:下载|打印|全屏|收藏|分享[:：]?|分享到[:：]?.*|打印本页|关闭窗口|【?字[号体][:：]?|[大中小]|加大|还原|减小|[】【×>|]|"
    r"首页|您的位置[:：]?|当前位置[:：]?|相关文档[:：]?|相关(?:附件|链接)[>》]*|来源[:：].{0,30}|来源[:：]?|时间[:：].{0,30}|"
    r"(?:发表|发布)时间[:：]?|阅读(?:量|数|次数)[:：]?\d*|扫一扫在手机(?:上)?打开(?:当前页|本页)|[》>]*点击图片进入专题[《<]*|"
    r"粗体文字|斜体文字|删除线文字|链接文字|链接标题|标题文字|"
    r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}(?::\d{2})?)?|\d{4}年\d{2}月\d{2}日(?: ?\d{2}时\d{2}分)?)$"
)
# A breadcrumb's separator and a field's name alone ("来源：") have their item or value on the next
# line: a short line there is furniture too ("政务信息", "宁夏日报客户端").
_FURNITURE_WITH_VALUE_NEXT = re.compile(r"^(?:>|(?:来源|时间|发表时间|发布时间)[:：])$")
MAX_FURNITURE_VALUE_CHARS = 30
# A run of lines that repeats earlier lines word for word, at least this long, is a copy.
MIN_REPEAT_LINES = 3
MIN_REPEAT_CHARS = 200

Span = tuple[int, int]

# Between the headings of a heading path (a Word file's or a web page's sections).
PATH_SEPARATOR = " › "


@dataclass(frozen=True)
class Layout:
    """What a source file says about its extracted text beyond the lines themselves; offsets
    are into that text.

    ``pages``: ``(offset where the page begins, the page's label)`` in page order (a PDF), empty
    for a text without pages. ``headings``: ``(start, end, level)`` of the lines that are headings
    (level 0 for a document title, then 1, 2, … as in Word's Heading 1, 2 or HTML's h1, h2), or
    ``None`` when the file does not say: headings are then guessed from the lines."""

    pages: tuple[tuple[int, str], ...] = ()
    headings: tuple[tuple[int, int, int], ...] | None = None

    def page_of(self, spans: tuple[Span, ...]) -> str:
        """The label of the page ``spans`` are on, ``first-last`` when they run over pages, or
        "" for a text without pages."""
        if not self.pages or not spans:
            return ""
        first, last = self._page_at(spans[0][0]), self._page_at(spans[-1][1] - 1)
        return first if first == last else f"{first}-{last}"

    def _page_at(self, offset: int) -> str:
        """The label of the page holding ``offset`` (of the last page starting there, after empty pages)."""
        return self.pages[
            max(bisect.bisect_right(self.pages, offset, key=lambda page: page[0]) - 1, 0)
        ][1]

    def heading_level(self, start: int) -> int | None:
        """The level of the heading whose span holds offset ``start``, else ``None``."""
        if not self.headings:
            return None
        at = bisect.bisect_right(self.headings, start, key=lambda heading: heading[0]) - 1
        if at >= 0 and self.headings[at][0] <= start < self.headings[at][1]:
            return self.headings[at][2]
        return None


PLAIN = Layout()


@dataclass(frozen=True)
class Passage:
    """One citable passage of a report.

    ``text`` is the exact source text of ``spans`` joined together; ``spans`` are
    ``(start, end)`` character offsets into the decoded report text.
    """

    id: str
    report_id: str
    ordinal: int
    kind: str
    section: str
    text: str
    spans: tuple[Span, ...]
    # The page label (or ``first-last``) of a source with pages; "" otherwise.
    page: str = ""

    @property
    def content_hash(self) -> str:
        """Changes when the passage's text changes (a changed source is detected by it)."""
        return hashlib.sha256(self.text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class _Line:
    start: int
    end: int
    text: str
    blank_lines_before: int
    kind: str
    after_cut: bool = False  # a line of zero-width characters came before it: a link cut out
    joins_heading: bool = (
        False  # the rest of the heading on the line above (a link or a word cut it)
    )


def split_report(report_id: str, text: str, layout: Layout = PLAIN) -> list[Passage]:
    """Split a report's decoded (or extracted) text into passages, in reading order.

    Reading order is source order, except that a caption which interrupted a paragraph comes
    after the rejoined paragraph. Ids are ``<report_id>:pNNN`` numbered from 1 in that order,
    so they stay the same for the same text. With a ``layout`` that knows the headings, exactly
    its headings are headings and a passage's section is its heading path (``A › B``); with
    pages, each passage has its page.
    """
    lines = _classify(_without_repeats(_lines(text)), layout)
    pieces: list[tuple[str, str, tuple[Span, ...]]] = []  # (kind, section, spans)
    section = ""
    path: list[tuple[int, str]] = []  # (level, heading) of the known headings above this line
    title_level = _title_level(layout)
    used = [False] * len(lines)
    for index, line in enumerate(lines):
        if used[index]:
            continue
        used[index] = True
        level = layout.heading_level(line.start)
        if line.kind == HEADING and level is not None:
            path = [(above, heading) for above, heading in path if above < level] + [
                (level, line.text)
            ]
            # The one title of the whole document heads no path: every section is under it.
            section = PATH_SEPARATOR.join(
                [heading for above, heading in path if above != title_level] or [line.text]
            )
            pieces.append((HEADING, section, ((line.start, line.end),)))
            continue
        if line.joins_heading:
            # One heading broken over lines ("政府工作报" / "告") is one heading passage.
            _, above, spans = pieces[-1]
            section = above + line.text
            pieces[-1] = (HEADING, section, spans + ((line.start, line.end),))
            continue
        if line.kind == HEADING:
            # Two headings in a row (a section and its subtitle, a kicker and a title) name one section.
            follows_heading = index > 0 and lines[index - 1].kind == HEADING
            section = f"{lines[index - 1].text} · {line.text}" if follows_heading else line.text
            pieces.append((HEADING, section, ((line.start, line.end),)))
            continue
        if line.kind != BODY:
            pieces.append((line.kind, section, ((line.start, line.end),)))
            continue
        spans, interruptions = _rejoin(lines, index, used)
        for sentence_spans in _split_sentences(text, spans):
            pieces.append((BODY, section, sentence_spans))
        for caption in interruptions:
            pieces.append((caption.kind, section, ((caption.start, caption.end),)))
    # A heading, caption or credit line is one piece, but a line of any kind may be a whole
    # text without punctuation: it is cut like a paragraph, and a section named by it shortened.
    pieces = [
        (kind, _shortened(section), cut)
        for kind, section, spans in pieces
        for cut in (
            [spans] if _length(spans) <= MAX_PASSAGE_CHARS else _split_sentences(text, list(spans))
        )
    ]
    return [
        Passage(
            id=passage_id(report_id, ordinal),
            report_id=report_id,
            ordinal=ordinal,
            kind=kind,
            section=section_title,
            text="".join(text[start:end] for start, end in spans),
            spans=spans,
            page=layout.page_of(spans),
        )
        for ordinal, (kind, section_title, spans) in enumerate(pieces, start=1)
    ]


# The longest section name kept: a section is shown with every result of it.
MAX_SECTION_CHARS = 200


def _shortened(section: str) -> str:
    return section if len(section) <= MAX_SECTION_CHARS else section[: MAX_SECTION_CHARS - 1] + "…"


def _length(spans: tuple[Span, ...]) -> int:
    return sum(end - start for start, end in spans)


def _title_level(layout: Layout) -> int | None:
    """The level of a document's title: the first known heading when no other heading shares its
    level or stands above it (a web page's one h1, a Word file's Title); else ``None``."""
    if not layout.headings:
        return None
    levels = [level for _, _, level in layout.headings]
    top = min(levels)
    return top if levels[0] == top and levels.count(top) == 1 and len(levels) > 1 else None


def _lines(text: str) -> list[_Line]:
    """Non-blank lines with their stripped spans and the number of blank lines before each.
    A line of zero-width characters only is where a link was cut out: not a line, not a blank.
    Lines of page furniture are left out."""
    lines: list[_Line] = []
    blank = 0
    cut = False
    value_follows = False
    for match in re.finditer(r"[^\r\n]*(?:\r\n|\r|\n|$)", text):
        raw = match.group()
        if not raw:
            continue
        content = raw.rstrip("\r\n")
        stripped = content.strip(_WHITESPACE)
        if not stripped:
            if content.strip(_BLANK):
                cut = True
            else:
                blank += 1
            continue
        if _FURNITURE.match(stripped) or (
            value_follows and len(stripped) <= MAX_FURNITURE_VALUE_CHARS
        ):
            value_follows = bool(_FURNITURE_WITH_VALUE_NEXT.match(stripped))
            continue
        value_follows = False
        start = match.start() + (len(content) - len(content.lstrip(_WHITESPACE)))
        lines.append(
            _Line(start, start + len(stripped), stripped, blank, BODY, after_cut=cut and not blank)
        )
        blank = 0
        cut = False
    return lines


def _without_repeats(lines: list[_Line]) -> list[_Line]:
    """``lines`` less every run of lines that repeats earlier lines word for word (at least
    ``MIN_REPEAT_LINES`` lines and ``MIN_REPEAT_CHARS`` characters): a text pasted twice."""
    first_at: dict[str, int] = {}
    keep = [True] * len(lines)
    index = 0
    while index < len(lines):
        earlier = first_at.get(lines[index].text)
        if earlier is not None:
            length = 0
            while (
                index + length < len(lines)
                and earlier + length < index
                and lines[earlier + length].text == lines[index + length].text
            ):
                length += 1
            run = lines[index : index + length]
            if (
                length >= MIN_REPEAT_LINES
                and sum(len(line.text) for line in run) >= MIN_REPEAT_CHARS
            ):
                keep[index : index + length] = [False] * length
                index += length
                continue
        first_at.setdefault(lines[index].text, index)
        index += 1
    return [line for line, kept in zip(lines, keep) if kept]


def _classify(lines: list[_Line], layout: Layout) -> list[_Line]:
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
    typed: list[_Line] = []
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
            (first.after_cut and not _ends_paragraph(typed[-1].text))
            or (
                first.blank_lines_before == 0
                and typed[-1].kind == BODY
                and (blank_separated or not _ends_paragraph(typed[-1].text))
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


def _is_caption(label: _Line, above: list[_Line], following: _Line | None) -> bool:
    """Whether a label is a photo's caption: set off by a page or photo break (two or more blank
    lines), and either interrupting a paragraph or not followed by text of its own. A label
    after such a break that a paragraph follows ("结束语" / "各位代表！") heads it, as does the
    second line of a title."""
    if not above or label.blank_lines_before < 2:
        return False
    if above[-1].kind == BODY and not _ends_paragraph(above[-1].text):
        return True
    if above[-1].kind == HEADING:
        return False
    return (
        following is None or _is_label(following.text) or not _WORD_CHARACTER.search(following.text)
    )


def _known_heading(line: _Line, layout: Layout) -> bool:
    return layout.headings is not None and layout.heading_level(line.start) is not None


def _cut_by_link(above: _Line, line: _Line) -> bool:
    """Whether ``line`` and the line ``above`` it are one line that a link on the web page cut
    in two (or a word cut in two: a heading's last character alone on the next line)."""
    if line.blank_lines_before:
        return False
    if line.after_cut:
        return not _ends_paragraph(above.text)
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


def _is_credit(text: str, following: _Line | None) -> bool:
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


def _in_paragraph_of_prose(lines: list[_Line]) -> list[bool]:
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


def _ends_paragraph(text: str) -> bool:
    return text.rstrip(_CLOSERS)[-1:] in _PARAGRAPH_END


def _rejoin(lines: list[_Line], index: int, used: list[bool]) -> tuple[list[Span], list[_Line]]:
    """The spans of the paragraph starting at ``lines[index]``, rejoined across breaks.

    A paragraph that ends without terminal punctuation continues in the next body line; the
    captions between them are what interrupted it and are returned to be listed after it.
    """
    line = lines[index]
    spans = [(line.start, line.end)]
    interruptions: list[_Line] = []
    while not _ends_paragraph(line.text):
        following = index + 1
        while following < len(lines) and lines[following].kind == CAPTION:
            following += 1
        if following >= len(lines) or lines[following].kind != BODY:
            break
        interruptions.extend(lines[index + 1 : following])
        for skipped in range(index + 1, following + 1):
            used[skipped] = True
        index, line = following, lines[following]
        spans.append((line.start, line.end))
    return spans, interruptions


def _split_sentences(text: str, spans: list[Span]) -> list[tuple[Span, ...]]:
    """Cut a paragraph into passages of whole sentences, each at most ``MAX_PASSAGE_CHARS``
    where the sentences allow (a longer sentence is cut after a semicolon or comma, and a clause
    longer still at a space or, in text without any, at ``MAX_PASSAGE_CHARS``): no passage is
    longer than that. Linear in the paragraph."""
    paragraph = "".join(text[start:end] for start, end in spans)
    units: list[Span] = []
    for sentence in _SENTENCE.finditer(paragraph):
        if sentence.end() - sentence.start() <= MAX_PASSAGE_CHARS:
            units.append(sentence.span())
            continue
        for clause in _CLAUSE.finditer(sentence.group()):
            units.extend(
                _hard_cut(
                    paragraph, sentence.start() + clause.start(), sentence.start() + clause.end()
                )
            )
    ranges: list[Span] = []
    for start, end in units:
        if start == end:
            continue
        if ranges and end - ranges[-1][0] <= MAX_PASSAGE_CHARS:
            ranges[-1] = (ranges[-1][0], end)
        else:
            ranges.append((start, end))
    joined = _JoinedSpans(spans)
    return [
        joined.covering(*_trimmed(paragraph, start, end))
        for start, end in ranges
        if paragraph[start:end].strip(_WHITESPACE)
    ]


def _hard_cut(paragraph: str, start: int, end: int) -> list[Span]:
    """``start:end`` in pieces of at most ``MAX_PASSAGE_CHARS``, each ending after the last
    space in its window when there is one in its second half (English, numbers), else at the
    length: text without punctuation (a table flattened, a file of one line) still makes
    passages a reader can quote and a highlighter can afford."""
    pieces: list[Span] = []
    while end - start > MAX_PASSAGE_CHARS:
        cut = start + MAX_PASSAGE_CHARS
        space = max(
            paragraph.rfind(blank, start + MAX_PASSAGE_CHARS // 2, cut) for blank in " \u3000\t"
        )
        cut = space + 1 if space > 0 else cut
        pieces.append((start, cut))
        start = cut
    pieces.append((start, end))
    return pieces


def _trimmed(paragraph: str, start: int, end: int) -> Span:
    """``start:end`` narrowed to leave out whitespace at either end."""
    while paragraph[start] in _WHITESPACE:
        start += 1
    while paragraph[end - 1] in _WHITESPACE:
        end -= 1
    return start, end


class _JoinedSpans:
    """Source spans read as one joined text, for finding the spans under a stretch of it."""

    def __init__(self, spans: list[Span]):
        self.spans = spans
        self.offsets = []  # where each span starts in the joined text
        offset = 0
        for span_start, span_end in spans:
            self.offsets.append(offset)
            offset += span_end - span_start

    def covering(self, start: int, end: int) -> tuple[Span, ...]:
        """The source spans covering characters ``start:end`` of the joined text (found by
        bisection: a paragraph rejoined from 80,000 lines splits in linear time)."""
        result: list[Span] = []
        index = max(0, bisect.bisect_right(self.offsets, start) - 1)
        while index < len(self.spans) and self.offsets[index] < end:
            span_start, span_end = self.spans[index]
            offset = self.offsets[index]
            low, high = max(start, offset), min(end, offset + span_end - span_start)
            if low < high:
                result.append((span_start + low - offset, span_start + high - offset))
            index += 1
        return tuple(result)
