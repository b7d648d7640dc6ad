"""Chinese numerals as reports print them in dates (``二〇二六年一月二十七日``) and in the
numbers of congresses and central committees (``第二十次``, ``第十一届``)."""

from __future__ import annotations

NUMERALS = "一二三四五六七八九十"
_DIGITS = {char: value for value, char in enumerate("一二三四五六七八九", start=1)}


def year_of(numerals: str) -> str:
    """二〇二六 as 2026."""
    return "".join(str(_DIGITS.get(char, 0)) for char in numerals)


def from_numeral(numeral: str) -> int:
    """一 to 九十九 as a number; 0 for anything else."""
    if numeral == "十":
        return 10
    tens, _, units = numeral.partition("十")
    if "十" in numeral:
        return (_DIGITS.get(tens, 0) if tens else 1) * 10 + _DIGITS.get(units, 0)
    return _DIGITS.get(numeral, 0)


def to_numeral(number: int) -> str:
    """1 to 99 in Chinese numerals; "" for anything else."""
    if not 0 < number < 100:
        return ""
    tens, units = divmod(number, 10)
    digits = " 一二三四五六七八九"
    return (("" if tens == 1 else digits[tens]) + "十" if tens else "") + (
        digits[units] if units else ""
    )
