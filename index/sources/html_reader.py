"""Read a web page saved as a report (.html, .htm): its main text with its headings, and what its
meta tags say of it.

trafilatura (Apache-2.0) finds a page's main text and drops its navigation, menus, footer and
comments, which are the site's, not the report's; it keeps headings (with their level), lists
and tables. A passage's section is then its heading path. The page's title, authors, date and
publisher come from its Highwire ``citation_*`` tags (what Zotero and Google Scholar read), else
its Open Graph tags, else its ``<title>``.
"""

from __future__ import annotations

import re

import trafilatura
from lxml import etree
from shuangyu.index.sources.formats import (
    Extracted,
    Properties,
    UnreadableFile,
    property_date,
    property_title,
)
from shuangyu.index.sources.layout import Layout

FORMAT = "html"
# Elements of trafilatura's XML that hold a block of text of their own.
_BLOCKS = frozenset({"head", "p", "item", "quote", "code", "row"})
_CONTAINERS = frozenset({"list", "table", "row", "cell", "main", "doc"}) | _BLOCKS


def read_html(raw: bytes) -> Extracted:
    """The main text of a web page, blocks apart by a blank line, with its headings
    (``Layout.headings``) and meta tags. Raises ``UnreadableFile`` for a file that is not a web
    page or whose page holds no main text."""
    tree = trafilatura.load_html(raw)
    if tree is None:
        raise UnreadableFile("not a readable web page (no HTML found)")
    found = _properties(tree)
    # favor_recall: a paragraph of a report lost costs more than a line of furniture kept.
    extracted = trafilatura.extract(
        tree,
        output_format="xml",
        include_comments=False,
        include_tables=True,
        favor_recall=True,
        deduplicate=False,
        with_metadata=False,
    )
    text, headings = "", []
    for tag, level, block in _blocks(etree.fromstring(extracted.encode()) if extracted else ()):
        if not block.strip():
            continue
        if tag == "head":
            headings.append((len(text), len(text) + len(block), level))
        text += block + "\n\n"
    if not text:
        raise UnreadableFile("web page with no main text found (only navigation, menus or footers)")
    return Extracted(
        text,
        FORMAT,
        layout=Layout(headings=tuple(headings) if headings else None),
        properties=found,
    )


def _blocks(element):
    """``(tag, heading level, text)`` of each block under ``element``, in document order."""
    for child in element:
        if not isinstance(child.tag, str):
            continue
        if child.tag == "row":
            yield (
                "row",
                None,
                "\t".join(" ".join("".join(cell.itertext()).split()) for cell in child),
            )
            continue
        if child.tag == "head":
            level = re.fullmatch(r"h([1-6])", child.get("rend", ""))
            yield "head", int(level.group(1)) if level else 1, " ".join(_own_text(child).split())
        elif child.tag in _BLOCKS:
            yield child.tag, None, _own_text(child).strip()
        yield from _blocks(child)


def _own_text(element) -> str:
    """The text of ``element`` less the blocks nested in it (a sublist of a list item), which are
    blocks of their own; a line break (``lb``) stays one."""
    parts = [element.text or ""]
    for child in element:
        if child.tag == "lb":
            parts.append("\n")
        elif isinstance(child.tag, str) and child.tag not in _CONTAINERS:
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return "".join(parts)


def _meta(tree, *names: str) -> list[str]:
    """The contents of the meta tags called ``names`` (by ``name`` or ``property``): those of the
    first name first, each name's in page order."""
    tags = [
        (
            (meta.get("name") or meta.get("property") or "").lower(),
            " ".join(meta.get("content", "").split()),
        )
        for meta in tree.iter("meta")
    ]
    return [content for name in names for tag, content in tags if tag == name.lower() and content]


def _properties(tree) -> Properties:
    """Title, authors, date and publisher from the page's citation_*, Open Graph and <title>."""
    publisher = next(iter(_meta(tree, "citation_publisher", "og:site_name", "DC.publisher")), "")
    title = next(iter(_meta(tree, "citation_title", "og:title", "DC.title")), "")
    if not title:
        title = " ".join("".join(tree.findtext(".//title") or "").split())
        if publisher:
            # "<title>歌乐山报告 - 重庆日报</title>": the site's name is not the report's title.
            title = re.sub(rf"\s*[-_|–—·]\s*{re.escape(publisher)}$", "", title)
    authors = _meta(tree, "citation_author", "DC.creator") or _meta(
        tree, "author", "article:author"
    )
    dates = [
        date
        for date in map(
            property_date,
            _meta(
                tree,
                "citation_publication_date",
                "citation_date",
                "citation_online_date",
                "article:published_time",
                "DC.date",
            ),
        )
        if date
    ]
    return Properties(
        title=property_title(title),
        authors=tuple(authors),
        date=next(iter(dates), ""),
        date_published=True,
        publisher=publisher,
        source="the web page's meta tags",
    )
