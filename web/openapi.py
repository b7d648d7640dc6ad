"""The OpenAPI 3.1 document of the JSON API, built from the same parameter table the API uses and
from the records the search layer defines (``search.records``)."""

from __future__ import annotations

from shuangyu.index.sources.ids import PASSAGE_ID
from shuangyu.search.export import EXPORT_FORMATS, MAX_EXPORT
from shuangyu.search.records import Passage, Result
from shuangyu.web.openapi_schemas import (
    HEALTH,
    PROBLEM,
    REPORT,
    SEARCH_RESPONSE,
    SEMANTIC_STATUS,
    SUGGESTIONS,
)
from shuangyu.web.params import SEARCH_PARAMETERS, SUGGEST_PARAMETER
from shuangyu.web.record_schema import ecma_pattern, record_schema


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
