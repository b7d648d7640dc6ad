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

import hashlib
from dataclasses import dataclass

from shuangyu.index.sources.ids import passage_id
from shuangyu.index.sources.layout import PLAIN, Layout, Span
from shuangyu.index.sources.line_kinds import classify, ends_paragraph
from shuangyu.index.sources.lines import BODY, CAPTION, HEADING, Line, read_lines, without_repeats
from shuangyu.index.sources.lines import CREDIT as CREDIT
from shuangyu.index.sources.lines import KINDS as KINDS
from shuangyu.index.sources.sentences import MAX_PASSAGE_CHARS, split_sentences

# Between the headings of a heading path (a Word file's or a web page's sections).
PATH_SEPARATOR = " › "


@dataclass(frozen=True)
class SplitPassage:
    """One citable passage of a report, as split from its text.

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


def split_report(report_id: str, text: str, layout: Layout = PLAIN) -> list[SplitPassage]:
    """Split a report's decoded (or extracted) text into passages, in reading order.

    Reading order is source order, except that a caption which interrupted a paragraph comes
    after the rejoined paragraph. Ids are ``<report_id>:pNNN`` numbered from 1 in that order,
    so they stay the same for the same text. With a ``layout`` that knows the headings, exactly
    its headings are headings and a passage's section is its heading path (``A › B``); with
    pages, each passage has its page.
    """
    lines = classify(without_repeats(read_lines(text)), layout)
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
        for sentence_spans in split_sentences(text, spans):
            pieces.append((BODY, section, sentence_spans))
        for caption in interruptions:
            pieces.append((caption.kind, section, ((caption.start, caption.end),)))
    # A heading, caption or credit line is one piece, but a line of any kind may be a whole
    # text without punctuation: it is cut like a paragraph, and a section named by it shortened.
    pieces = [
        (kind, _shortened(section), cut)
        for kind, section, spans in pieces
        for cut in (
            [spans] if _length(spans) <= MAX_PASSAGE_CHARS else split_sentences(text, list(spans))
        )
    ]
    return [
        SplitPassage(
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


def _rejoin(lines: list[Line], index: int, used: list[bool]) -> tuple[list[Span], list[Line]]:
    """The spans of the paragraph starting at ``lines[index]``, rejoined across breaks.

    A paragraph that ends without terminal punctuation continues in the next body line; the
    captions between them are what interrupted it and are returned to be listed after it.
    """
    line = lines[index]
    spans = [(line.start, line.end)]
    interruptions: list[Line] = []
    while not ends_paragraph(line.text):
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
