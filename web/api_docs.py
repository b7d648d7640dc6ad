"""The OpenAPI document (``web.openapi``) as a reader's page: each operation with its parameters
and responses, each schema with its fields, their types said in words."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote

from flask import render_template, url_for
from shuangyu.web.openapi import openapi_document
from shuangyu.web.searching import get_searcher, needs_no_index
from shuangyu.web.urls import absolute_url

REF_PREFIX = "#/components/schemas/"
METHODS = ("get", "post", "put", "patch", "delete")


@needs_no_index
def api_docs():
    """The JSON API for a reader: the OpenAPI document of ``/api/openapi.json`` as a page, with a
    request to try for each operation (those about a passage only when there is an index)."""
    document = openapi_document(absolute_url("pages.search").rstrip("/") or "/", ())
    searcher = get_searcher()
    reports = searcher.manifest.reports if searcher.has_index() else []
    examples = api_examples(url_for, f"{reports[0]['id']}:p001" if reports else None)
    return render_template(
        "api_docs.html",
        document=document,
        operations=api_operations(document, examples),
        schemas=api_schemas(document),
    )


def api_examples(url: Callable[..., str], passage_id: str | None) -> dict[str, str]:
    """A request to try for each operation, by its id, made by ``url`` (Flask's ``url_for``);
    ``passage_id``: a passage of the index, for the operations about one (left out without it)."""
    examples = {
        "search": url("api.search", q="物流枢纽", limit=3),
        "suggest": url("api.suggest", q="物流"),
        "listReports": url("api.reports"),
        "openapi": url("api.openapi"),
        "health": url("pages.healthz"),
    }
    if passage_id:
        examples["getPassage"] = url("api.passage", passage_id=passage_id)
        examples["exportPassages"] = url("api.export_passages", ids=passage_id, format="ris")
    return examples


def api_operations(document: dict, examples: dict[str, str]) -> list[dict]:
    """The document's operations in its order: method, path, anchor, summary, an example
    request (from ``examples``, by operation id), parameters (name, where, required, type,
    description) and responses (status, description, and per media type the schema's type)."""
    operations = []
    for path, item in document["paths"].items():
        for method in METHODS:
            if method not in item:
                continue
            operation = item[method]
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "anchor": operation.get("operationId", path),
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "example": examples.get(operation.get("operationId", "")),
                    "example_shown": unquote(examples.get(operation.get("operationId", ""), "")),
                    "parameters": [
                        {
                            "name": parameter["name"],
                            "in": parameter["in"],
                            "required": parameter.get("required", False),
                            "type": schema_type(parameter.get("schema", {})),
                            "description": parameter.get("description", ""),
                        }
                        for parameter in operation.get("parameters", [])
                    ],
                    "responses": [
                        {
                            "status": status,
                            "description": response.get("description", ""),
                            "content": [
                                (media_type, schema_type(body.get("schema", {})))
                                for media_type, body in response.get("content", {}).items()
                            ],
                        }
                        for status, response in operation.get("responses", {}).items()
                    ],
                }
            )
    return operations


def api_schemas(document: dict) -> list[dict]:
    """The document's schemas: name, description and fields (name, required, type, description)."""
    schemas = []
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        required = set(schema.get("required", ()))
        schemas.append(
            {
                "name": name,
                "description": schema.get("description", ""),
                "type": schema_type(schema),
                "fields": [
                    {
                        "name": field,
                        "required": field in required,
                        "type": schema_type(field_schema),
                        "description": field_schema.get("description", ""),
                    }
                    for field, field_schema in schema.get("properties", {}).items()
                ],
            }
        )
    return schemas


def schema_type(schema: dict) -> dict:
    """A schema's type in words (``integer, 1 to 100, default 10``), and the schema it names,
    when it is one or a list of one (``ref``), to link to."""
    if "$ref" in schema:
        return {"words": "", "ref": schema["$ref"].removeprefix(REF_PREFIX)}
    kinds = schema.get("type", "object" if "properties" in schema else "")
    kinds = [kinds] if isinstance(kinds, str) else list(kinds)
    ref = None
    if "array" in kinds:
        items = schema_type(schema.get("items", {}))
        ref = items["ref"]
        kinds[kinds.index("array")] = (
            f"array of {items['words'] or ''}".strip() if not ref else "array of"
        )
    words = [" or ".join(kind for kind in kinds if kind)]
    choices = [choice for choice in schema.get("enum", ()) if choice != ""]
    if choices:
        words.append("one of " + ", ".join(str(choice) for choice in choices))
    if "minimum" in schema and "maximum" in schema:
        words.append(f"{schema['minimum']} to {schema['maximum']}")
    elif "minimum" in schema:
        words.append(f"at least {schema['minimum']}")
    if "maxLength" in schema:
        words.append(f"at most {schema['maxLength']} characters")
    if "pattern" in schema:
        words.append(f"matching {schema['pattern']}")
    if "default" in schema:
        words.append(f"default {schema['default']}")
    if "properties" in schema and kinds == ["object"] and schema.get("properties"):
        words.append("with " + ", ".join(schema["properties"]))
    return {"words": ", ".join(word for word in words if word), "ref": ref}
