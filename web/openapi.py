"""The OpenAPI 3.1 document of the JSON API, built from the same parameter table the API uses and
from the records the search layer defines (``search.records``)."""

from __future__ import annotations

import re
import types
from typing import Annotated, Union, get_args, get_origin, get_type_hints, is_typeddict

from shuangyu.index.sources.ids import PASSAGE_ID
from shuangyu.search.export import EXPORT_FORMATS, MAX_EXPORT
from shuangyu.search.records import Field, Passage, Result
from shuangyu.web.params import SEARCH_PARAMETERS, SUGGEST_PARAMETER

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
            "(each as its own passage).",
        },
        "total_by": {
            "type": "object",
            "required": ["words", "meaning", "some_words"],
            "additionalProperties": False,
            "description": "The total in two parts: texts that match the query's words, and texts found "
            "by meaning alone (found_by `meaning`); and, apart, not in the total, how many "
            "passages have the other words of a query with two or more words that no passage "
            "has (`some_words` lists the best of them).",
            "properties": {
                "words": {"type": "integer", "minimum": 0},
                "meaning": {"type": "integer", "minimum": 0},
                "some_words": {"type": "integer", "minimum": 0},
            },
        },
        "some_words": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/Result"},
            "description": "When two or more words of the query are in no passage (`unknown_words`), nothing "
            "matches; these are the best passages with its other words (matched_words of "
            "query_words), not matches, not counted in total.",
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
            "description": "A corrected query, when this one found little "
            "(a misspelt word is offered here, never searched as another word).",
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
            "reports of the texts it lists. Only reports with a count are listed.",
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


_SIMPLE_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean"}

# JSON Schema validators read a pattern as an ECMA-262 regular expression, whose \w and \d are
# ASCII alone; Python's (``index.sources.ids``) are any script's: a Chinese report id must match too.
_ASCII_NON_WORD = [code for code in range(128) if not (chr(code).isalnum() or chr(code) == "_")]
# A class (with its escapes), or one escape.
_CLASS_OR_ESCAPE = re.compile(r"(\[(?:\\.|[^\]\\])*\]|\\.)")


def ecma_pattern(pattern: str) -> str:
    r"""The Python regular expression ``pattern`` as a JSON Schema (ECMA-262) pattern that
    matches every string it matches: ``\d`` as ``[0-9]`` (ids are written with ASCII digits),
    ``\w``, alone or in a class with ASCII characters (``[\w-]``), as a class of every
    character but whitespace and the other ASCII characters. That class also takes the
    punctuation and symbols of other scripts, which no id has: no class of Unicode letters is
    read alike by every validator. ``ValueError`` for a class with ``\w`` and a range or a
    negation."""
    written = []
    for part in _CLASS_OR_ESCAPE.split(pattern):
        if part == r"\w":
            part = _word_class("")
        elif part == r"\d":
            part = "[0-9]"
        elif part.startswith("[") and r"\w" in part:
            also = part[1:-1].replace(r"\w", "")
            if part.startswith("[^") or re.search(r"[^\\]-.", also) or not also.isascii():
                raise ValueError(f"no ECMA-262 class for {part!r}")
            part = _word_class(re.sub(r"\\(.)", r"\1", also))
        elif part.startswith("["):
            part = part.replace(r"\d", "0-9")
        written.append(part)
    return "".join(written)


def _word_class(also: str) -> str:
    r"""An ECMA-262 class of the characters of Python's ``\w`` and of ``also`` (ASCII), written
    as the ASCII characters it excludes (and whitespace)."""
    excluded = [code for code in _ASCII_NON_WORD if chr(code) not in also]
    ranges: list[list[int]] = []
    for code in excluded:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return (
        "[^\\s"
        + "".join(
            f"\\x{low:02X}" + (f"-\\x{high:02X}" if high > low else "") for low, high in ranges
        )
        + "]"
    )


def record_schema(record: type) -> dict:
    """The JSON Schema of a record (a ``TypedDict`` of ``search.records``): every field it
    declares is required, and no other field may appear."""
    hints = get_type_hints(record, include_extras=True)
    return {
        "type": "object",
        "description": (record.__doc__ or "").strip(),
        "required": list(hints),
        "additionalProperties": False,
        "properties": {name: _field_schema(hint) for name, hint in hints.items()},
    }


def _field_schema(hint) -> dict:
    field = Field()
    if get_origin(hint) is Annotated:
        hint, *extras = get_args(hint)
        field = next((extra for extra in extras if isinstance(extra, Field)), field)
    if field.ref:
        return {"$ref": f"#/components/schemas/{field.ref}", "description": field.description}
    schema = _type_schema(hint)
    if field.description:
        schema["description"] = field.description
    if field.enum:
        schema["enum"] = list(field.enum)
    if field.pattern:
        schema["pattern"] = ecma_pattern(field.pattern)
    if field.keys:
        value = schema.pop("additionalProperties")
        schema.update(
            required=list(field.keys),
            additionalProperties=False,
            properties={key: value for key in field.keys},
        )
    return schema


def _type_schema(hint) -> dict:
    origin, arguments = get_origin(hint), get_args(hint)
    if hint in _SIMPLE_TYPES:
        return {"type": _SIMPLE_TYPES[hint]}
    if origin in (Union, types.UnionType) and len(arguments) == 2 and type(None) in arguments:
        inner = _type_schema(next(argument for argument in arguments if argument is not type(None)))
        return {**inner, "type": [inner["type"], "null"]}
    if origin is list:
        return {"type": "array", "items": _type_schema(arguments[0])}
    if origin is dict:
        return {"type": "object", "additionalProperties": _type_schema(arguments[1])}
    if hint is dict:
        return {"type": "object"}
    if is_typeddict(hint):
        return record_schema(hint)
    raise TypeError(f"no JSON Schema for {hint!r}")


def _response(description: str, media_type: str, schema_name: str) -> dict:
    return {
        "description": description,
        "content": {media_type: {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}},
    }


def _problem(description: str) -> dict:
    return _response(description, "application/problem+json", "Problem")


def _json(description: str, schema_name: str) -> dict:
    return _response(description, "application/json", schema_name)


def _parameter(parameter, choices: tuple[str, ...] = (), required: bool = False) -> dict:
    schema: dict = {"type": "integer" if parameter.kind == "integer" else "string"}
    if required and parameter.kind == "string":
        # Empty, a required parameter is missing (a 400): the schema says so.
        schema["minLength"] = 1
    if parameter.default is not None and parameter.default != "":
        schema["default"] = parameter.default
    if parameter.minimum is not None:
        schema["minimum"], schema["maximum"] = parameter.minimum, parameter.maximum
    if parameter.choices or choices:
        # An empty value is the parameter left out (Parameter.parse), as an empty form field sends it.
        schema["enum"] = [*(parameter.choices or choices), ""]
    if parameter.max_length:
        schema["maxLength"] = parameter.max_length
    return {
        "name": parameter.name,
        "in": "query",
        "required": required,
        "description": parameter.help,
        "schema": schema,
    }


def openapi_document(server_url: str, report_ids: tuple[str, ...]) -> dict:
    """The OpenAPI document, with ``server_url`` as its server and the index's report ids as
    the values of ``report``."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Shuangyu search API",
            "version": "1",
            "description": "Bilingual search of Chinese report passages. GET only; CORS open to every origin.",
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/api/search": {
                "get": {
                    "operationId": "search",
                    "summary": "Search passages in Chinese or English",
                    "parameters": [
                        _parameter(
                            parameter,
                            report_ids if parameter.name == "report" else (),
                            required=parameter.name == "q",
                        )
                        for parameter in SEARCH_PARAMETERS
                    ],
                    "responses": {
                        "200": _json("Results, best first", "SearchResponse"),
                        "400": _problem("A parameter is missing or not valid"),
                        "503": _problem("No index has been built"),
                    },
                }
            },
            "/api/suggest": {
                "get": {
                    "operationId": "suggest",
                    "summary": "Autocomplete: corpus words and names that start with q",
                    "parameters": [_parameter(SUGGEST_PARAMETER)],
                    "responses": {
                        "200": _json("Completions, most frequent first", "Suggestions"),
                        "400": _problem("q is too long"),
                        "503": _problem("No index has been built"),
                    },
                }
            },
            "/api/passages/{passage_id}": {
                "get": {
                    "operationId": "getPassage",
                    "summary": "One passage with context and citations",
                    "parameters": [
                        {
                            "name": "passage_id",
                            "in": "path",
                            "required": True,
                            "schema": {
                                "type": "string",
                                "pattern": ecma_pattern(f"^{PASSAGE_ID}$"),
                            },
                        }
                    ],
                    "responses": {
                        "200": _json("The passage", "Passage"),
                        "404": _problem("No passage has this id"),
                        "503": _problem("No index has been built"),
                    },
                }
            },
            "/api/export": {
                "get": {
                    "operationId": "exportPassages",
                    "summary": "Several passages as one file for a reference manager or a spreadsheet",
                    "parameters": [
                        {
                            "name": "ids",
                            "in": "query",
                            "required": True,
                            "description": f"Passage ids, separated by commas (or the parameter repeated); at most {MAX_EXPORT}.",
                            "schema": {"type": "string", "minLength": 1},
                        },
                        {
                            "name": "format",
                            "in": "query",
                            "required": True,
                            "description": "ris (RIS), bib (BibTeX), json (CSL-JSON, one array) or csv (a row per passage, "
                            "UTF-8 with a byte order mark).",
                            "schema": {"type": "string", "enum": list(EXPORT_FORMATS)},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "The file, as an attachment, the passages in the order given",
                            "content": {
                                content_type.split(";")[0]: {"schema": {"type": "string"}}
                                for content_type in EXPORT_FORMATS.values()
                            },
                        },
                        "400": _problem(
                            "No ids, too many, an unknown or malformed id, or an unknown format"
                        ),
                        "503": _problem("No index has been built"),
                    },
                }
            },
            "/api/reports": {
                "get": {
                    "operationId": "listReports",
                    "summary": "The reports and their metadata",
                    "responses": {
                        "200": {
                            "description": "Every report",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "reports": {
                                                "type": "array",
                                                "items": {"$ref": "#/components/schemas/Report"},
                                            }
                                        },
                                    }
                                }
                            },
                        },
                        "503": _problem("No index has been built"),
                    },
                }
            },
            "/api/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "responses": {
                        "200": {
                            "description": "OpenAPI 3.1",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                        "503": _problem("No index has been built"),
                    },
                }
            },
            "/healthz": {
                "get": {
                    "operationId": "health",
                    "summary": "Whether the service has an index to answer from",
                    "responses": {
                        "200": _json("Healthy", "Health"),
                        "503": {
                            "description": "No usable index (a problem), or a search stuck far past its "
                            "time budget (Health with status 'stuck')",
                            "content": {
                                "application/problem+json": {
                                    "schema": {"$ref": "#/components/schemas/Problem"}
                                },
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Health"}
                                },
                            },
                        },
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Result": record_schema(Result),
                "SearchResponse": SEARCH_RESPONSE,
                "SemanticStatus": SEMANTIC_STATUS,
                "Report": REPORT,
                "Passage": record_schema(Passage),
                "Problem": PROBLEM,
                "Health": HEALTH,
                "Suggestions": SUGGESTIONS,
            }
        },
    }
