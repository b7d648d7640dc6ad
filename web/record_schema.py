"""JSON Schemas made from the records of ``search.records`` (typed dicts whose fields carry their
description, pattern and bounds), with their regular expressions in the ECMA-262 dialect JSON
Schema reads."""

from __future__ import annotations

import re
import types
from typing import Annotated, Union, get_args, get_origin, get_type_hints, is_typeddict

from shuangyu.search.records import Field

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
