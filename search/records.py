"""The records the search layer hands out, defined once: a search result and a passage as the
JSON API, ``shuangyu search --json`` and the pages see them. The OpenAPI document's schemas are
made from these definitions (``web.openapi``), and the tests check the answers against them.

Each field is annotated with its ``Field``: what it means for a reader of the API, and the
values it may take."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, TypedDict, cast

from shuangyu.index.english.translate import ArgosEngine, GlossEngine
from shuangyu.index.sources.ids import PASSAGE_ID, REPORT_ID
from shuangyu.index.sources.passages import KINDS
from shuangyu.search.citation.styles import CITATION_NAMES, STYLES
from shuangyu.search.fusion import FOUND_BY
from shuangyu.search.marks import MATCHED_IN


@dataclass(frozen=True)
class Field:
    """What a record's field says (``description``) and the values it takes: one of ``enum``, or
    matching ``pattern``; a ``dict`` field with ``keys`` has exactly those keys; ``ref`` names
    another schema of the API document that the field follows."""

    description: str = ""
    enum: tuple[str, ...] = ()
    pattern: str = ""
    keys: tuple[str, ...] = ()
    ref: str = ""


_ENGINE = Field(
    "`gloss`: a word-by-word dictionary gloss, not a translation; `argos`: machine translation.",
    enum=(GlossEngine.name, ArgosEngine.name),
)


class PassageFields(TypedDict):
    """What a result and a passage both say about a passage."""

    id: Annotated[str, Field("Stable passage id, `<report-id>:pNNN`.", pattern=f"^{PASSAGE_ID}$")]
    report_id: Annotated[str, Field("The report's id.", pattern=f"^{REPORT_ID}$")]
    report_title: Annotated[str, Field("The report's title.")]
    section: Annotated[
        str,
        Field(
            "The heading the passage falls under; for a Word file or a web page, its heading path "
            "(`Section › Subsection`)."
        ),
    ]
    page: Annotated[
        str,
        Field(
            "The page of a PDF report the passage is printed on: the page's label in the PDF (the "
            "number printed on it when the PDF says so), else its place in the file from 1; "
            "`first-last` when the passage runs over a page break; empty for a report without "
            "pages (text, Word, web page)."
        ),
    ]
    kind: Annotated[str, Field("What the passage is in its report.", enum=KINDS)]
    text: Annotated[str, Field("The plain Chinese passage, exactly as in the source.")]
    text_en: Annotated[str, Field("The plain English (see translation_engine).")]
    translation_engine: Annotated[str, _ENGINE]
    gloss_en: Annotated[
        str,
        Field("The dictionary gloss, always (equal to text_en when translation_engine is gloss)."),
    ]
    report_title_en: Annotated[
        str,
        Field(
            "The report's title in English, by report_title_engine (empty in an index "
            "built before English titles)."
        ),
    ]
    report_title_engine: Annotated[
        str,
        Field(
            "What made report_title_en: `gloss` (a word-by-word dictionary gloss, not "
            "a translation) or `argos` (machine translation); empty with no English title.",
            enum=("", GlossEngine.name, ArgosEngine.name),
        ),
    ]
    section_en: Annotated[str, Field("The section heading in English, by section_engine.")]
    section_engine: Annotated[
        str,
        Field(
            "What made section_en (as report_title_engine).",
            enum=("", GlossEngine.name, ArgosEngine.name),
        ),
    ]


def passage_fields(stored: Mapping) -> PassageFields:
    """The fields a result and a passage share, from a passage's stored fields (an index
    without the gloss field gives it empty)."""
    return cast(
        PassageFields, {name: stored.get(name, "") for name in PassageFields.__annotations__}
    )


class Copy(TypedDict):
    """A report that prints a result's text, and its passage of it."""

    id: Annotated[
        str,
        Field(
            "The passage of that report: its stable id, `<report-id>:pNNN`.",
            pattern=f"^{PASSAGE_ID}$",
        ),
    ]
    report_id: Annotated[str, Field("The report's id.", pattern=f"^{REPORT_ID}$")]
    report_title: Annotated[str, Field("The report's title.")]
    report_date: Annotated[
        str,
        Field(
            "The report's date: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; empty when its metadata "
            "gives none that is valid."
        ),
    ]
    section: Annotated[str, Field("The heading the passage falls under in that report.")]
    page: Annotated[
        str, Field("The page of that report the passage is printed on (as the result's `page`).")
    ]
    url: Annotated[str, Field("Path of that passage's permalink page.")]


class Result(PassageFields):
    """One search result: one text, however many reports print it (``copies`` names them)."""

    report_date: Annotated[
        str,
        Field(
            "The report's date: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; empty when "
            "its metadata gives none that is valid."
        ),
    ]
    snippet: Annotated[str, Field("HTML: escaped text with <mark> around matched words.")]
    snippet_en: Annotated[str, Field("HTML: escaped English with <mark> around matched words.")]
    section_html: Annotated[
        str,
        Field(
            "HTML: the escaped section heading with <mark> around the query's words it holds "
            "(where a `heading` match matched)."
        ),
    ]
    matched_in: Annotated[
        str,
        Field(
            "Why the passage matched: `text` (the Chinese snippet marks it), `heading` (only its "
            "section heading holds the query's words), `english` (only its English matched), "
            "`meaning` (it does not match the query's words: it is related in meaning, found by the "
            "semantic side).",
            enum=MATCHED_IN,
        ),
    ]
    query_words: Annotated[
        int,
        Field(
            "For a query of two to eight English words: how many (a quoted phrase or a group "
            "joined by OR counts as one, a word such as `the` not at all); else 0."
        ),
    ]
    matched_words: Annotated[
        int,
        Field(
            "How many of query_words the passage has, in any form (its English, its pinyin, "
            "or the Chinese a phrase of them translates to); 0 when query_words is 0."
        ),
    ]
    found_by: Annotated[
        str,
        Field(
            "What found the passage: `words` (the lexical search), `meaning` (the semantic search "
            "alone: no word of the query matched) or `both`.",
            enum=FOUND_BY,
        ),
    ]
    score: Annotated[float, Field("Relevance; comparable only within one answer.")]
    url: Annotated[str, Field("Path of the passage's permalink page.")]
    copies: Annotated[
        list[Copy],
        Field(
            "Every report that prints this text, each once with its own passage, the oldest report first (reports without "
            "a valid date last, then by id); the result itself is one of them. For a result found by the words "
            "(found_by `words` or `both`), the reports whose passage matches the query (copies differ at most in their "
            "section heading); for one found by meaning alone, every report that prints it. A report that prints the "
            "text twice names the passage a search of that report lists. Each report named here counts this result once "
            "in the response's `reports`."
        ),
    ]


class Source(TypedDict):
    """Where a passage stands in its source file."""

    file: Annotated[str, Field("The report's file in the corpus.")]
    spans: Annotated[
        list[list[int]], Field("[start, end) character offsets of the passage's lines in the file.")
    ]


class Passage(PassageFields):
    """One passage with its context and citations."""

    ordinal: Annotated[int, Field("The passage's place in its report, from 1.")]
    url: Annotated[
        str,
        Field(
            "Permalink: absolute when the base URL or an allowed Host header gives one, else a path."
        ),
    ]
    source: Annotated[Source, Field("Where the passage stands in its source file.")]
    previous_id: Annotated[str | None, Field("The passage before, or null for the first.")]
    next_id: Annotated[str | None, Field("The passage after, or null for the last.")]
    report: Annotated[dict, Field("The report's metadata.", ref="Report")]
    citations: Annotated[
        dict[str, str],
        Field("The passage cited in each format, as plain text.", keys=CITATION_NAMES),
    ]
    citations_html: Annotated[
        dict[str, str],
        Field(
            "The styles of `citations` as HTML: escaped, with <i> where the style italicises.",
            keys=tuple(STYLES),
        ),
    ]
    citation_record: Annotated[
        dict,
        Field(
            "The CSL-JSON item every citation is made from (its `type` is the one "
            'item type of all formats; an inferred date has `"circa": true`).'
        ),
    ]
