"""The README stays short and leads to docs/, and no link of the documentation leads nowhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.paths import REPOSITORY_ROOT

README = REPOSITORY_ROOT / "README.md"
DOCUMENTS = [README, *sorted((REPOSITORY_ROOT / "docs").glob("*.md"))]

FENCED = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
INLINE_CODE = re.compile(r"`[^`\n]*`")
# The target of an inline link or image: [text](target) or ![alt](target "title").
LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)


def _prose(text: str) -> str:
    """The text without code, where a bracket or a parenthesis is not a link."""
    return INLINE_CODE.sub("", FENCED.sub("", text))


def _anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    plain = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "")
    return re.sub(r"[^\w\- ]", "", plain.lower()).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    return {_anchor(heading) for heading in HEADING.findall(_prose(path.read_text("utf-8")))}


def relative_links(path: Path) -> list[str]:
    """The links of a Markdown file that point into the repository (not to a web address)."""
    return [
        target
        for target in LINK.findall(_prose(path.read_text(encoding="utf-8")))
        if not re.match(r"[a-z][a-z0-9+.-]*:", target, re.I)
    ]


def broken_links(path: Path) -> list[str]:
    """The relative links of ``path`` to a file that does not exist, or to a heading that its
    file does not have."""
    broken = []
    for target in relative_links(path):
        file_part, _, fragment = target.partition("#")
        destination = (path.parent / file_part).resolve() if file_part else path
        if not destination.exists():
            broken.append(target)
        elif fragment and destination.suffix == ".md" and fragment not in _anchors(destination):
            broken.append(target)
    return broken


@pytest.mark.parametrize(
    "document", DOCUMENTS, ids=[str(path.relative_to(REPOSITORY_ROOT)) for path in DOCUMENTS]
)
def test_every_relative_link_leads_to_a_file_and_heading_that_exist(document):
    assert relative_links(document) or document.name != "README.md"
    assert not broken_links(document)


def test_the_link_check_sees_a_broken_file_and_a_broken_heading(tmp_path):
    (tmp_path / "other.md").write_text("# A page\n\n## Its part (one)\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "[fine](other.md) [fine](other.md#its-part-one) [web](https://example.org/x.md)\n"
        "![an image\nover two lines](missing.png) [gone](other.md#elsewhere)\n"
        "`[code](not-a-link.md)`\n\n```\n[code](not-a-link-either.md)\n```\n",
        encoding="utf-8",
    )
    assert broken_links(page) == ["missing.png", "other.md#elsewhere"]


def test_the_readme_is_short_and_links_every_page_of_the_docs():
    assert len(README.read_text(encoding="utf-8").splitlines()) < 200
    linked = {
        (README.parent / target.partition("#")[0]).resolve() for target in relative_links(README)
    }
    assert not [path.name for path in DOCUMENTS[1:] if path.resolve() not in linked]
