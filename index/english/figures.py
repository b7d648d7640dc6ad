"""Dates, ordinals, amounts and percentages of Chinese text written as English: ``2017年3月5日``
→ ``5 March 2017``, ``第十二届`` → ``12th``, ``1600亿元`` → ``160 billion yuan`` (for the gloss a
reader is shown, ``index.english.gloss``).
"""

from __future__ import annotations

import re
from decimal import Decimal

from shuangyu.index.text.numbers import chinese_numeral_value

# Figures written as English. A pattern with Chinese numerals counts only where it is whole
# jieba words (一般 is not the number one); Arabic digits are figures wherever they stand.
_CN_DIGIT = "〇零一二两三四五六七八九"
CHINESE_NUMERAL = re.compile(rf"[{_CN_DIGIT}十百千]*[{_CN_DIGIT}十][{_CN_DIGIT}十百千]*")
_NUMBER = rf"(?:\d+(?:\.\d+)?|[{_CN_DIGIT}十百千]+)"
_SMALL = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})"
_YEAR = rf"(?:\d{{4}}|[{_CN_DIGIT}]{{4}})"
_YEAR_DIGITS = {char: digit for digit, char in enumerate("〇一二三四五六七八九")} | {"零": 0}
# The English month names, for dates written here and in citations (``search.citation``).
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_SCALES = {"万亿": 10**12, "万多亿": 10**12, "亿": 10**8, "万": 10**4}
_UNITS = {
    "美元": "",
    "元": "yuan",
    "人": "people",
    "户": "households",
    "吨": "tonnes",
    "公里": "km",
    "亩": "mu",
    "千瓦": "kW",
    "斤": "jin",
    "人次": "person-times",
}
_MEASURES = "个项条件位座名批只台辆所家支"
_ORDINAL_WORDS = (
    "zeroth",
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
)
_FIGURE_PATTERNS = (
    ("date", re.compile(rf"(?P<year>{_YEAR})年(?P<month>{_SMALL})月(?:(?P<day>{_SMALL})[日号])?")),
    ("day", re.compile(rf"(?P<month>{_SMALL})月(?P<day>{_SMALL})[日号]")),
    ("year", re.compile(rf"(?P<year>{_YEAR})年(?!代)")),
    (
        "ordinal",
        re.compile(
            rf"第(?P<number>{_NUMBER})(?:[届次{_MEASURES}])?|(?P<bare>{_NUMBER})(?:届|次(?=(?:全体)?会议))"
        ),
    ),
    ("plenum", re.compile(rf"(?P<number>{_NUMBER})中全会")),
    ("percent", re.compile(rf"百分之(?P<number>{_NUMBER}(?:点[{_CN_DIGIT}]+)?)")),
    (
        "amount",
        re.compile(
            rf"(?P<number>{_NUMBER})(?P<scale>万亿|万多亿|亿|万)(?P<more>多)?(?P<unit>{'|'.join(_UNITS)})?"
        ),
    ),
    ("money", re.compile(r"(?P<number>\d+(?:\.\d+)?)(?P<unit>美元|元)")),
    ("count", re.compile(rf"(?P<number>{_NUMBER})[{_MEASURES}]")),
)


def figures(text: str, word_starts: set[int], word_ends: set[int]) -> list[tuple[int, int, str]]:
    """The dates, ordinals, percentages and amounts of normalised ``text`` with their English,
    as ``(start, end, english)``, in order and not overlapping (the longest where two start together)."""
    candidates = []
    for kind, pattern in _FIGURE_PATTERNS:
        for match in pattern.finditer(text):
            chinese = bool(re.search(f"[{_CN_DIGIT}十百千]", match.group()))
            groups, end = match.groupdict(), match.end()
            if (
                chinese
                and end not in word_ends
                and groups.get("unit")
                and match.start("unit") in word_ends
            ):
                # 十三亿多人口: the unit's character begins the next word, 人口.
                groups, end = groups | {"unit": None}, match.start("unit")
            if match.start() not in word_starts or (chinese and end not in word_ends):
                continue
            english = _figure_english(kind, groups)
            if english is not None:
                candidates.append((match.start(), -end, english))
    chosen: list[tuple[int, int, str]] = []
    for start, negative_end, english in sorted(candidates):
        if not chosen or start >= chosen[-1][1]:
            chosen.append((start, -negative_end, english))
    return chosen


def _value(numeral: str) -> Decimal | None:
    if re.fullmatch(r"\d+(?:\.\d+)?", numeral):
        return Decimal(numeral)
    return (
        chinese_numeral_value(numeral)
        if CHINESE_NUMERAL.fullmatch(numeral.split("点")[0])
        else None
    )


def _figure_english(kind: str, groups: dict) -> str | None:
    """The English of one figure from its pattern's groups; ``None`` when it is not well formed (a 13th month)."""
    if kind in ("date", "day", "year"):
        year = "".join(str(_YEAR_DIGITS.get(char, char)) for char in groups.get("year") or "")
        month = _value(groups["month"]) if groups.get("month") else None
        day = _value(groups["day"]) if groups.get("day") else None
        if (month is not None and not 1 <= month <= 12) or (day is not None and not 1 <= day <= 31):
            return None
        return " ".join(
            part
            for part in (str(day) if day else "", MONTHS[int(month) - 1] if month else "", year)
            if part
        )
    value = _value(groups.get("number") or groups.get("bare") or "")
    if value is None:
        return None
    if kind == "plenum":
        return f"{_ordinal(int(value))} plenary session"
    if kind == "ordinal":
        return _ordinal(int(value)) if value == value.to_integral_value() and value > 0 else None
    if kind == "percent":
        return f"{format(value.normalize(), 'f')}%"
    if kind == "count":
        return "one" if value == 1 else number_english(value)
    scaled = value * _SCALES.get(groups.get("scale") or "", 1)
    unit = groups.get("unit") or ""
    amount = (
        f"US${number_english(scaled)}"
        if unit == "美元"
        else " ".join(part for part in (number_english(scaled), _UNITS.get(unit, "")) if part)
    )
    return f"over {amount}" if groups.get("more") or groups.get("scale") == "万多亿" else amount


def _ordinal(number: int) -> str:
    """``5`` → ``fifth``, ``12`` → ``12th``, ``22`` → ``22nd`` (words up to ten, as the reports' official English writes them)."""
    if number < len(_ORDINAL_WORDS):
        return _ORDINAL_WORDS[number]
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


def number_english(value: Decimal) -> str:
    """A figure as English writes it: ``1.6E11`` → ``160 billion``, ``13120000`` → ``13.12 million``,
    ``50000`` → ``50,000``."""
    for name, scale in (("trillion", 10**12), ("billion", 10**9), ("million", 10**6)):
        if value >= scale:
            return f"{format((value / scale).normalize(), 'f')} {name}"
    if value >= 10_000 and value == value.to_integral_value():
        return f"{int(value):,}"
    return format(value.normalize(), "f")
