"""A plain-text report's bytes decoded as received (UTF-8 with or without a BOM, UTF-16 with a
BOM, or GB18030), so that passage spans point into the exact source."""

from __future__ import annotations

import codecs
import re

from shuangyu.index.sources.formats import Extracted
from shuangyu.index.sources.problems import CorpusError

TEXT_FORMAT = "txt"


def read_text(raw: bytes) -> Extracted:
    """A plain-text report: its decoded text (see ``decode_report``)."""
    text, encoding = decode_report(raw)
    return Extracted(text, TEXT_FORMAT, encoding=encoding)


def decode_report(raw: bytes) -> tuple[str, str]:
    """Decode a report's bytes; return the text and the encoding used.

    UTF-8 (a BOM is dropped), UTF-16 with a BOM, then GB18030, the superset of GBK and GB2312
    that Chinese Windows systems save by default. Binary data is refused rather than guessed at.
    """
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if raw.startswith(bom):
            try:
                return raw.decode(encoding), encoding
            except UnicodeDecodeError as error:
                raise CorpusError(
                    f"starts with a {encoding} byte-order mark but is not valid {encoding}: {error.reason}"
                ) from None
    if b"\0" in raw:
        raise CorpusError("binary file (contains NUL bytes), not a text report")
    for encoding in ("utf-8", "gb18030"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return text, encoding
    raise CorpusError("not a text report: the bytes are neither UTF-8 nor GB18030 text")


# C0 control characters other than tab, line feed, form feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def _looks_like_text(text: str) -> bool:
    """True unless control characters (other than line breaks and tabs) make up the text."""
    return len(_CONTROL.findall(text)) <= len(text) // 100
