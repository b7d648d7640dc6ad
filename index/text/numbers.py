"""Numbers, however they are written, as one canonical form, for the index and for queries.

The reports write the same figure in many ways: ``1.2万亿元``, ``12000亿元``, ``５００万``,
``百分之三十三``, ``一九五三年``; a researcher types ``1.2 trillion yuan``, ``5 million``, ``33%``
or ``1953``. Each such figure gets a canonical token: its value in plain digits when a scale word
makes it large (``1200000000000``), ``33%`` for a percentage, ``1953`` for a year written digit by
digit in Chinese numerals. The analyser indexes that token beside the words it stands for, and
query translation turns English numbers into the same token, so both directions meet.

Input is normalised text (NFKC, so full-width digits are already ASCII).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_LARGE_UNITS = {"万": 10**4, "亿": 10**8}
_CHINESE_SCALES = {
    "万亿": 10**12,
    "千亿": 10**11,
    "百亿": 10**10,
    "十亿": 10**9,
    "亿": 10**8,
    "千万": 10**7,
    "百万": 10**6,
    "十万": 10**5,
    "万": 10**4,
}
ENGLISH_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}

_SCALE_PATTERN = "|".join(sorted(_CHINESE_SCALES, key=len, reverse=True))
_ARABIC_SCALED = re.compile(rf"(\d+(?:\.\d+)?)(?:{_SCALE_PATTERN})")
_ARABIC_PERCENT = re.compile(r"(\d+(?:\.\d+)?)%")
_NUMERAL_CHARS = "〇零一二两三四五六七八九十百千万亿"
_CHINESE_PERCENT = re.compile(rf"百分之([{_NUMERAL_CHARS}]+(?:点[〇零一二三四五六七八九]+)?)")
_CHINESE_YEAR = re.compile(r"([〇零一二三四五六七八九]{4})年")
# A Chinese numeral with a unit in it (三十三, 二千五百万); it must start with a digit, so that
# 千万 ("be sure to") and 万一 ("in case") are left alone.
_CHINESE_NUMBER = re.compile(
    rf"[一二两三四五六七八九十][{_NUMERAL_CHARS}]*[十百千万亿][{_NUMERAL_CHARS}]*"
)
# The white circle (U+25CB) and the large circle stand for 〇 in years typed on old systems.
_CIRCLE_ZERO = re.compile(r"(?<=[〇零一二三四五六七八九])[○◯]|[○◯](?=[〇零一二三四五六七八九○◯])")


def fold_circle_zeros(text: str) -> str:
    """``一九五○年`` → ``一九五〇年``: a circle among Chinese digits is the digit zero.
    The length is kept, so offsets into the text stay valid."""
    return _CIRCLE_ZERO.sub("〇", text)


_TOKEN = re.compile(r"\d+(?:\.\d+)?%?")


def is_token(word: str) -> bool:
    """True when ``word`` is a figure's canonical token (``5000000``, ``33%``)."""
    return bool(_TOKEN.fullmatch(word))


def canonical(value: Decimal) -> str | None:
    """Plain digits for a whole value (``1.2E12`` → ``1200000000000``); ``None`` otherwise."""
    if value != value.to_integral_value() or value <= 0:
        return None
    return str(int(value))


def percent(value: Decimal) -> str:
    """The canonical token of a percentage: ``33%``, ``9.7%`` (no trailing zeros)."""
    text = format(value.normalize(), "f")
    return f"{text}%"


def chinese_numeral_value(numeral: str) -> Decimal | None:
    """The value of a Chinese numeral (``三十三`` 33, ``二千五百万`` 25000000, ``十九点二`` 19.2);
    ``None`` when it is not a well-formed one."""
    whole, _, fraction = numeral.partition("点")
    if fraction and not all(char in _DIGITS for char in fraction):
        return None
    total = section = number = 0
    for char in whole:
        if char in _DIGITS:
            number = _DIGITS[char]
        elif char in _SMALL_UNITS:
            section += (number or 1) * _SMALL_UNITS[char]
            number = 0
        elif char in _LARGE_UNITS:
            scale = _LARGE_UNITS[char]
            section += number
            total = (
                (total + section) * scale
                if scale > 10**4 or total < scale
                else total + section * scale
            )
            section = number = 0
        else:
            return None
    value = Decimal(total + section + number)
    if fraction:
        value += Decimal("0." + "".join(str(_DIGITS[char]) for char in fraction))
    return value


def aliases(text: str) -> Iterator[tuple[str, int, int]]:
    """Canonical tokens of the figures in normalised ``text``, with the span each stands for."""
    for match in _ARABIC_SCALED.finditer(text):
        scale = _CHINESE_SCALES[text[match.end(1) : match.end()]]
        token = canonical(Decimal(match.group(1)) * scale)
        if token:
            yield token, match.start(), match.end()
    for match in _ARABIC_PERCENT.finditer(text):
        yield percent(Decimal(match.group(1))), match.start(), match.end()
    for match in _CHINESE_PERCENT.finditer(text):
        value = chinese_numeral_value(match.group(1))
        if value is not None:
            yield percent(value), match.start(), match.end()
            yield format(value.normalize(), "f"), match.start(1), match.end()
    for match in _CHINESE_YEAR.finditer(text):
        # 一九五三年 also holds 年, as 1953年 does.
        yield "".join(str(_DIGITS[char]) for char in match.group(1)), match.start(), match.end() - 1
        yield "年", match.end() - 1, match.end()
    for match in _CHINESE_NUMBER.finditer(text):
        if text[max(0, match.start() - 3) : match.start()] == "百分之":
            continue
        value = chinese_numeral_value(match.group())
        token = canonical(value) if value is not None else None
        if token:
            yield token, match.start(), match.end()


# Words that name a year by its distance from the year a text speaks in: 去年 in a report given
# in 1989 is 1988. 上年 ("the year before") is left out on purpose: a statistical report uses it
# for the year before the one it reports on, which is not the year it was published in.
RELATIVE_YEARS = {"前年": -2, "去年": -1, "今年": 0, "明年": 1}


def relative_year(word: str, year: int) -> str | None:
    """The year (``1988``) that a word starting with 去年, 今年, 前年 or 明年 names in a text of
    ``year``; ``None`` for any other word."""
    offset = RELATIVE_YEARS.get(word[:2])
    return None if offset is None else str(year + offset)


_ENGLISH_NUMBER = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^\d+(?:\.\d+)?$")


def english_number(word: str) -> Decimal | None:
    """The value of a number as typed in English (``1.2``, ``6,850``); ``None`` otherwise."""
    if not _ENGLISH_NUMBER.match(word):
        return None
    try:
        return Decimal(word.replace(",", ""))
    except InvalidOperation:
        return None


def chinese_display(value: Decimal) -> str:
    """How the reports would print a large value: ``1.2万亿``, ``500万``, ``6.5亿``."""
    for suffix, scale in (("万亿", 10**12), ("亿", 10**8), ("万", 10**4)):
        if value >= scale:
            return f"{format((value / scale).normalize(), 'f')}{suffix}"
    return format(value.normalize(), "f")
