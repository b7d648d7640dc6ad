"""The identifiers a citation relies on: report ids and passage ids (``<report-id>:p012``),
defined once for the corpus reader, the passage splitter, the web's routes and the API's
OpenAPI document."""

from __future__ import annotations

import re

# A report id appears in passage ids and URLs: no separators, no dots; a word character first.
REPORT_ID = r"\w[\w-]{0,79}"
PASSAGE_ID = rf"{REPORT_ID}:p\d{{3,7}}"
REPORT_ID_PATTERN = re.compile(rf"^{REPORT_ID}$")
PASSAGE_ID_PATTERN = re.compile(rf"^{PASSAGE_ID}$")


def passage_id(report_id: str, ordinal: int) -> str:
    """The stable, readable id of a report's ``ordinal``-th passage, e.g. ``report:p012``."""
    return f"{report_id}:p{ordinal:03d}"
