"""Where a report's extracted text has its pages and headings (``Layout``), as its file says:
what each format's reader hands back beside the text, and what the passage splitter
(``index.sources.passages``) reads to give each passage its page and heading path."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

Span = tuple[int, int]


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
