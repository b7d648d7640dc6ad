"""The JSON Schemas of the API's responses written out by hand (the records of ``search.records``
are described from their types: ``web.record_schema``)."""

from __future__ import annotations

_STRING = {"type": "string"}

_NULLABLE_STRING = {"type": ["string", "null"]}

SEARCH_RESPONSE = {
    "type": "object",
    "required": ["query", "total", "took_ms", "results"],
    "properties": {
        "query": _STRING,
        "lang": _STRING,
        "report": _NULLABLE_STRING,
        "sort": {"type": "string", "description": "The order of the results (the sort parameter)."},
        "mode": {
            "type": "string",
            "enum": ["hybrid", "lexical", "semantic"],
            "description": "What found the results: hybrid (words and meaning), lexical (words alone: asked for, "
            "or a Chinese query, which keeps every word required, or an order by date, or an index "
            "without vectors) or semantic (meaning alone).",
        },
        "total": {
            "type": "integer",
            "minimum": 0,
            "description": "How many results there are to page through "
            "(with offset and limit): an offset at or past it gives no results, and the same total. A result is "
            "a distinct text: one that several reports print is one result, which names each of them in its "
            "`copies`, and is listed once across all pages. With a report filter, the texts that report prints "
            "(each as its own passage). Exact when `total_relation` is `eq`; a lower bound when it is `gte`.",
        },
        "total_relation": {
            "type": "string",
            "enum": ["eq", "gte"],
            "description": "`eq`: total is exact. `gte`: the search has more matches than the server counts "
            "exactly (SHUANGYU_EXACT_COUNTS, 10,000 by default; tantivy engine), and at least total "
            "results (total_by.words is then at least its figure too); the results themselves are the "
            "best of all matches, as ever (Elasticsearch's `hits.total.relation`).",
        },
        "report_counts": {
            "type": "string",
            "enum": ["exact", "estimated"],
            "description": "`exact`: each count of `reports` is exact. `estimated`: the search has more "
            "matches than the server counts exactly, and the counts per report are estimated from a "
            "sample of them (a report with few matches may be left out); with a report filter, that "
            "report's count is exact.",
        },
        "total_by": {
            "type": "object",
            "required": ["words", "meaning", "some_words"],
            "additionalProperties": False,
            "description": "The total in two parts: texts that match the query's words, and texts found "
            "by meaning alone (found_by `meaning`); and, apart, not in the total, when no "
            "passage matches the words, how many have some of them (`some_words` lists the "
            "best of them).",
            "properties": {
                "words": {"type": "integer", "minimum": 0},
                "meaning": {"type": "integer", "minimum": 0},
                "some_words": {"type": "integer", "minimum": 0},
                "every_word": {
                    "type": ["integer", "null"],
                    "minimum": 0,
                    "description": "For a query of two to eight English words: how many of the "
                    "texts that match the words have every one of them (each in some form: its "
                    "English, a translation of a phrase it is part of, its pinyin); null for "
                    "other queries. Each result says how many it has (`matched_words`). A lower "
                    "bound when `total_relation` is `gte`.",
                },
            },
        },
        "some_words": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/Result"},
            "description": "When no passage matches the query's words though some have part of them "
            "(two or more of its words are in no passage, `unknown_words`; or no passage has two "
            "of its English words, both of two), these are the best passages with some of them "
            "(matched_words of query_words), not matches, not counted in total.",
        },
        "related": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/Result"},
            "description": "When nothing matches the words of a Chinese query: the passages nearest in "
            "meaning, related but not matches (not counted in total).",
        },
        "semantic": {"$ref": "#/components/schemas/SemanticStatus"},
        "partial": {
            "type": "boolean",
            "description": "True when the search stopped at its time budget: "
            "the results are the best of the matches seen, and total counts only those.",
        },
        "offset": {"type": "integer"},
        "limit": {"type": "integer"},
        "took_ms": {"type": "number"},
        "results": {"type": "array", "items": {"$ref": "#/components/schemas/Result"}},
        "query_translations": {
            "type": "array",
            "description": "How English words of the query were also searched in Chinese.",
            "items": {
                "type": "object",
                "properties": {"en": _STRING, "zh": {"type": "array", "items": _STRING}},
            },
        },
        "query_conversions": {
            "type": "array",
            "description": "What the query was converted to before it was searched: a word in traditional (or "
            "full-width) characters to the simplified word searched (`script`), pinyin to the Chinese "
            "words it found in these results (`pinyin`).",
            "items": {
                "type": "object",
                "properties": {
                    "from": _STRING,
                    "to": {"type": "array", "items": _STRING},
                    "kind": {"type": "string", "enum": ["script", "pinyin"]},
                },
            },
        },
        "did_you_mean": {
            "type": ["string", "null"],
            "description": "A corrected query, when this one found little or has a misspelt English "
            "or pinyin word: offered, not searched (a query whose words as typed match nothing at all is "
            "searched corrected instead: `searched_instead`).",
        },
        "searched_instead": {
            "type": ["string", "null"],
            "description": "The query searched instead of `query`, whose misspelt English or pinyin words "
            "matched nothing: its spelling corrected (`polution` → `pollution`). The results, total and counts "
            "are those of this query; `unknown_words` names the words as typed. Null when the query was "
            "searched as typed.",
        },
        "unknown_words": {
            "type": "array",
            "items": _STRING,
            "description": "English (Latin) words of the query that no passage has in any form: not in "
            "its English, its pinyin or its Chinese, and not translated to a word of it.",
        },
        "reports": {
            "type": "array",
            "description": "The results per report, over the whole query (ignoring the report filter): a report's "
            "count is how many results name it in their `copies` (the texts of its passages that match "
            "the words, and of those found by meaning alone, that it prints; a text it prints twice "
            "counts once), which is the total of the same search with report set to it. A text printed "
            "in several reports counts in each: the counts add up to the (result, report) pairs of all "
            "copies, more than total when a result has several. By meaning alone (mode `semantic`), the "
            "reports of the texts it lists. Only reports with a count are listed, at most `reports` "
            "of them (a parameter): those with the most results, ties to the report that comes "
            "first in the collection, and the report searched in (`report`) whatever its rank; "
            "listed in the collection's order (that of /api/reports).",
            "items": {
                "type": "object",
                "properties": {
                    "id": _STRING,
                    "title": _STRING,
                    "title_en": _STRING,
                    "count": {"type": "integer"},
                },
            },
        },
        "reports_more": {
            "type": "integer",
            "description": "How many more reports have results than `reports` lists.",
        },
        "matches_by_year": {
            "type": "array",
            "description": "The counts of `reports` summed by the year of each report's date, over every "
            "report with results (not only those listed), oldest year first; reports without a date "
            "are left out. Estimated when `report_counts` is `estimated`.",
            "items": {
                "type": "object",
                "required": ["year", "count"],
                "additionalProperties": False,
                "properties": {
                    "year": {"type": "integer"},
                    "count": {"type": "integer", "minimum": 0},
                },
            },
        },
    },
}


SEMANTIC_STATUS = {
    "type": "object",
    "required": ["state"],
    "description": "The semantic side of this index: `ready` (vectors of `passages`), `embedding` (being made: `done` "
    "of `total`), `missing` (run `shuangyu build`), `unavailable` (`note` says why) or `off` (no embedder).",
    "properties": {
        "state": {
            "type": "string",
            "enum": ["ready", "embedding", "missing", "unavailable", "off"],
        },
        "model": _NULLABLE_STRING,
        "passages": {"type": "integer"},
        "done": {"type": "integer"},
        "total": {"type": "integer"},
        "note": _STRING,
    },
}


REPORT = {
    "type": "object",
    "required": ["id", "title"],
    "properties": {
        "id": _STRING,
        "file": _STRING,
        "encoding": _STRING,
        "title": _STRING,
        "subtitle": _STRING,
        "title_en": _STRING,
        "title_en_engine": _STRING,
        "subtitle_en": _STRING,
        "authors": {"type": "array", "items": _STRING},
        "photo_credit": _STRING,
        "publisher": _STRING,
        "date": _STRING,
        "date_basis": _STRING,
        "language": _STRING,
        "passages": {"type": "integer"},
        "inferred": {
            "type": "array",
            "items": _STRING,
            "description": "The fields read from the report's own text (it came without a metadata file): "
            "title, subtitle, date, authors, publisher.",
        },
        "passages_by_kind": {"type": "object", "additionalProperties": {"type": "integer"}},
    },
}


PROBLEM = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": _STRING,
        "title": _STRING,
        "status": {"type": "integer"},
        "detail": _STRING,
    },
}


SUGGESTIONS = {
    "type": "object",
    "required": ["query", "suggestions"],
    "properties": {
        "query": _STRING,
        "suggestions": {
            "type": "array",
            "items": {"type": "object", "properties": {"text": _STRING, "zh": _STRING}},
        },
    },
}


HEALTH = {
    "type": "object",
    "required": ["status"],
    "properties": {
        "status": {"type": "string", "enum": ["ok", "stuck"]},
        "built_at": _STRING,
        "passages": {"type": "integer"},
        "reports": {"type": "integer"},
        "engines": {"type": "object", "additionalProperties": {"type": "integer"}},
        "searches_running": {"type": "integer", "minimum": 0},
        "longest_search_ms": {
            "type": "number",
            "description": "How long the oldest search under way has run.",
        },
        "semantic": {"$ref": "#/components/schemas/SemanticStatus"},
    },
}
