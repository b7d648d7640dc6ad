"""RIS records, each value on one line."""

from __future__ import annotations

from shuangyu.search.citation.csl import (
    ITEM_TYPES,
    WEBPAGE,
    accessed_date,
    estimate_note,
    inverted_name,
    iso,
    issued_parts,
    one_line,
)


def ris(record: dict, quote_text: str = "") -> str:
    """A RIS record of the record's type (NEWS, RPRT, ELEC), names as "Family, Given" (a name
    with no comma is a group's). An inferred date has its year in ``PY``, a ``DA`` that says
    ``circa`` in its free-text part and a note that says it is an estimate. Every value is one
    line: line breaks and other control characters become spaces, so none can add a tag or a record."""
    kind = ITEM_TYPES.get(record.get("type", ""), WEBPAGE)
    parts, circa = issued_parts(record)
    accessed = accessed_date(record)
    rows = [("TY", kind.ris)]
    rows += [("AU", inverted_name(name)) for name in record.get("author", [])]
    rows += [
        ("TI", record.get("title", "")),
        ("T2", record.get("container-title", "")),
        ("PY", str(parts[0]) if parts else ""),
        (
            "DA",
            "/".join([*(f"{part:02d}" for part in parts), *[""] * (3 - len(parts)), "circa"])
            if circa
            else iso(parts).replace("-", "/"),
        ),
        ("SP", record.get("page", "").partition("-")[0]),
        ("EP", record.get("page", "").partition("-")[2]),
        ("PB", record.get("publisher", "")),
        ("LA", record.get("language", "")),
        ("UR", record.get("URL", "")),
        ("Y2", accessed.isoformat() if accessed else ""),
        ("N1", ": ".join(filter(None, [record.get("note", ""), quote_text]))),
        ("N1", estimate_note(parts) if circa else ""),
    ]
    lines = [f"{tag}  - {one_line(value)}" for tag, value in rows if one_line(value)]
    return "\r\n".join([*lines, "ER  -"]) + "\r\n"
