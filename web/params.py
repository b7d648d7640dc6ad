"""Request parameters, declared once: name, type, default, range and help.

The API, the pages and the OpenAPI document all read ``SEARCH_PARAMETERS``; a bad value is
rejected where it enters, with a ``QueryError`` that becomes a 400 saying what was wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

from shuangyu.search.query import LANGUAGES, MAX_QUERY_CHARS, QueryError
from shuangyu.search.searcher import MAX_LIMIT, MAX_OFFSET, MODES, SORTS

# Reports listed in an API response by default, and at most: a collection of thousands of
# reports made each response 160 KB, for a list no page shows whole.
REPORTS_LISTED = 100
MAX_REPORTS_LISTED = 100_000


@dataclass(frozen=True)
class Parameter:
    name: str
    kind: str  # "string", "integer" or "enum"
    default: object
    help: str
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()
    max_length: int | None = None

    def parse(self, raw: str | None):
        """The value of ``raw`` (``None`` when absent); ``QueryError`` when it is not valid."""
        if raw is None or raw == "":
            return self.default
        if self.kind == "integer":
            try:
                value = int(raw.strip())
            except ValueError:
                raise QueryError(f"{self.name} must be a whole number, not {raw[:40]!r}") from None
            if not self.minimum <= value <= self.maximum:
                raise QueryError(f"{self.name} must be between {self.minimum} and {self.maximum}")
            return value
        if self.kind == "enum":
            if raw not in self.choices:
                raise QueryError(f"{self.name} must be one of {', '.join(self.choices)}")
            return raw
        if self.max_length and len(raw) > self.max_length:
            raise QueryError(
                f"{self.name} is too long ({len(raw)} characters; at most {self.max_length})"
            )
        return raw


SEARCH_PARAMETERS = (
    Parameter(
        "q",
        "string",
        "",
        'The query: words, "phrases", OR, -word, report:<id>.',
        max_length=MAX_QUERY_CHARS,
    ),
    Parameter("limit", "integer", 10, "Results per page.", minimum=1, maximum=MAX_LIMIT),
    Parameter("offset", "integer", 0, "Results to skip.", minimum=0, maximum=MAX_OFFSET),
    Parameter(
        "lang",
        "enum",
        "auto",
        "Language of the query: auto (per word), zh or en.",
        choices=LANGUAGES,
    ),
    Parameter(
        "report",
        "string",
        None,
        "Search only this report (an id from /api/reports).",
        max_length=80,
    ),
    Parameter(
        "sort",
        "enum",
        "relevance",
        "Order of the results: relevance (best first), date (the newest "
        "report first, each report's passages best first; reports without a date last) or oldest (the oldest "
        "report first).",
        choices=SORTS,
    ),
    Parameter(
        "mode",
        "enum",
        "hybrid",
        "What finds the results: hybrid (the words, and for a query with English words "
        "the passages nearest in meaning too, each labelled; the default), lexical (the words alone) or semantic "
        "(the meaning alone).",
        choices=MODES,
    ),
    Parameter(
        "reports",
        "integer",
        REPORTS_LISTED,
        "How many reports to list in `reports`: those with the most results (`reports_more` "
        "says how many more have results).",
        minimum=0,
        maximum=MAX_REPORTS_LISTED,
    ),
)


SUGGEST_PARAMETER = Parameter(
    "q", "string", "", "The beginning of a word, in Chinese, English or pinyin.", max_length=50
)


def parse_search(args) -> dict:
    """The search parameters of a request's query string, validated."""
    values = {
        parameter.name: parameter.parse(args.get(parameter.name)) for parameter in SEARCH_PARAMETERS
    }
    values["q"] = values["q"].strip()
    return values


def page_number(raw: str | None, last: int = 1000) -> int:
    """The page number ``raw`` (1 when absent); ``QueryError`` unless it is 1 to ``last``."""
    if raw in (None, ""):
        return 1
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= last:
        raise QueryError(f"page must be a whole number between 1 and {last}")
    return int(raw)
