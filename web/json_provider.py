"""Flask's JSON, written by orjson.

A search response is about 150 KB (ten results in both languages and the count of every
report it matched): Python's json took 1.4 ms to write one and orjson 0.1 ms, and the bytes go
to the response as they are, not decoded to a string and encoded again. The output is the same
JSON: UTF-8, keys in their order, compact. What orjson refuses (an integer past 64 bits) is
written by Flask's own provider, as before.
"""

from __future__ import annotations

import orjson
from flask import Response
from flask.json.provider import DefaultJSONProvider


class OrjsonProvider(DefaultJSONProvider):
    """Flask's default JSON provider, with orjson where it can: ``jsonify`` and ``dumps``."""

    ensure_ascii = False
    sort_keys = False

    def dumps(self, obj, **kwargs) -> str:
        if kwargs.keys() - {"separators"}:  # indent, sort_keys...: asked for by name, Flask's own
            return super().dumps(obj, **kwargs)
        try:
            return orjson.dumps(obj, default=self.default).decode()
        except TypeError:  # orjson.JSONEncodeError is one
            return super().dumps(obj, **kwargs)

    def response(self, *args, **kwargs) -> Response:
        if self.compact is False or (self.compact is None and self._app.debug):
            return super().response(*args, **kwargs)  # indented, for a person reading it
        obj = self._prepare_response_obj(args, kwargs)
        try:
            body = orjson.dumps(obj, default=self.default, option=orjson.OPT_APPEND_NEWLINE)
        except TypeError:
            return super().response(*args, **kwargs)
        return self._app.response_class(body, mimetype=self.mimetype)
