"""Chinese names and titles in Hanyu Pinyin, for citations in an English-language paper.

APA 7 (§9.38) and MLA 9 (§1.8) ask for a work in a non-Latin script to be cited in romanised
form; for Chinese that is Hanyu Pinyin, written by the rules of GB/T 16159-2012: the syllables
of a word joined ("zhengfu gongzuo baogao"), an apostrophe where a syllable beginning with a, o
or e would run into the one before ("Xi'an"), proper names capitalised, no tone marks (as
library catalogues and both manuals print them). A person's name is the family name and the
given name, the family name read as a family name (曾 is Zeng, not Ceng)."""

from __future__ import annotations

import re
import unicodedata

import rjieba
from pypinyin import lazy_pinyin
from shuangyu.index.english.dictionary import Dictionary
from shuangyu.index.text.analysis import has_han, is_han_only
from shuangyu.index.text.caches import cached_in

# Family names that pypinyin reads otherwise in running text (曾经 ceng, 单独 dan, 解决 jie...).
_FAMILY_READINGS = {
    "曾": "Zeng",
    "单": "Shan",
    "解": "Xie",
    "仇": "Qiu",
    "朴": "Piao",
    "区": "Ou",
    "查": "Zha",
    "乐": "Yue",
    "缪": "Miao",
    "覃": "Qin",
    "盖": "Ge",
    "召": "Shao",
    "种": "Chong",
    "员": "Yun",
    "翟": "Zhai",
    "秘": "Bi",
    "繁": "Po",
    "重": "Chong",
    "过": "Guo",
    "长孙": "Zhangsun",
    "尉迟": "Yuchi",
    "万俟": "Moqi",
    "澹台": "Tantai",
}
# Family names of two characters (欧阳修 is Ouyang Xiu, not Ou Yangxiu).
_COMPOUND_FAMILY_NAMES = frozenset(
    "欧阳 司马 诸葛 上官 司徒 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 令狐 夏侯 独孤 端木 万俟 轩辕 南宫 西门 呼延 澹台 "
    "公冶 太史 申屠 闻人 濮阳 赫连 司空 钟离".split()
)
# Endings that make a name an organisation (新华社, 国务院, 重庆市人民政府), not a person.
_ORGANISATION_ENDINGS = re.compile(
    r"(社|部|局|会|院|厅|委|府|报|台|所|处|办|室|组|中心|集团|公司|大学|学院|网|刊)$"
)

_PUNCTUATION = {
    "，": ", ",
    "、": ", ",
    "：": ": ",
    "；": "; ",
    "。": ". ",
    "！": "! ",
    "？": "? ",
    "——": " \u2014 ",
    "—": "\u2014",
    "《": "\u201c",
    "》": "\u201d",
    "〈": "\u2018",
    "〉": "\u2019",
    "（": " (",
    "）": ") ",
    "“": "\u201c",
    "”": "\u201d",
    "·": " ",
}
_PUNCTUATION_RUN = re.compile("|".join(sorted(map(re.escape, _PUNCTUATION), key=len, reverse=True)))


def _joined(syllables: list[str]) -> str:
    """The syllables of one word written as one word, with GB/T 16159's apostrophe."""
    word = syllables[0] if syllables else ""
    for syllable in syllables[1:]:
        word += ("'" if syllable[:1] in ("a", "o", "e") else "") + syllable
    return word


def _syllables(text: str) -> list[str]:
    # ü is written v by pypinyin's plain style; the manuals write it u (Lü → Lu in most catalogues).
    return [syllable.replace("v", "u") for syllable in lazy_pinyin(text)]


@cached_in(maxsize=4096)
def _is_proper(word: str, dictionary: Dictionary) -> bool:
    """True when CC-CEDICT gives ``word`` only as a proper name (its pinyin capitalised: 重庆
    Chong2 qing4; not 年, a common word that is also a family name)."""
    cases = {entry.pinyin[:1].isupper() for entry in dictionary.lookup(word)}
    return cases == {True}


# Administrative units written apart from the name before them (Chongqing Shi, Shapingba Qu).
_UNITS = frozenset("市省区县镇乡村州")


def _dictionary_words(token: str, longest: int, dictionary: Dictionary) -> list[str]:
    """``token`` cut into dictionary words of at most ``longest`` characters, with as few lone
    characters as can be, then as few words (互联网络 → 互联 网络, not 互联网 络)."""
    best: list[tuple[int, int, list[str]] | None] = [(0, 0, [])] + [None] * len(token)
    for end in range(1, len(token) + 1):
        for size in range(1, min(longest, end) + 1):
            before, piece = best[end - size], token[end - size : end]
            if before is None or (size > 1 and not dictionary.lookup(piece)):
                continue
            candidate = (before[0] + (size == 1), before[1] + 1, [*before[2], piece])
            if best[end] is None or candidate[:2] < best[end][:2]:
                best[end] = candidate
    return best[-1][2]


def _words(token: str, proper: bool, dictionary: Dictionary) -> list[tuple[str, bool]]:
    """A jieba word as the words GB/T 16159 writes apart, each with whether it is (part of) a
    proper name: a long word cut into dictionary words (中华人民共和国宪法 → 中华人民共和国 宪法),
    a name of four or more characters into words of two or three (Zhonghua Renmin Gongheguo),
    and a name's administrative unit apart from the name (重庆市 → Chongqing Shi)."""
    if len(token) == 3 and token[-1] in _UNITS and _is_proper(token[:2], dictionary):
        return [(token[:2], True), (token[2], True)]
    if len(token) < 4:
        return [(token, proper or _is_proper(token, dictionary))]
    words: list[tuple[str, bool]] = []
    parts = (
        _dictionary_words(token, len(token) - 1, dictionary)
        if not dictionary.lookup(token)
        else [token]
    )
    for part in parts:
        part_proper = proper or _is_proper(part, dictionary)
        pieces = _dictionary_words(part, 3, dictionary) if len(part) >= 4 else [part]
        words += [(piece, part_proper or _is_proper(piece, dictionary)) for piece in pieces]
    return words


def romanised(text: str, dictionary: Dictionary, capitalise_all: bool = False) -> str:
    """``text`` (a title, a newspaper, an organisation) in pinyin, word by word (cut with the
    words of ``dictionary``): the first word and proper names capitalised, or every word with
    ``capitalise_all`` (a name of its own). Letters and digits are kept as they are; Chinese
    punctuation becomes its English form."""
    return _romanised(text, capitalise_all, dictionary)


# A results page cites the same report titles and newspapers again and again.
@cached_in(maxsize=4096)
def _romanised(text: str, capitalise_all: bool, dictionary: Dictionary) -> str:
    text = _PUNCTUATION_RUN.sub(lambda match: _PUNCTUATION[match.group()], text)
    pieces: list[str] = []
    for token in rjieba.cut(unicodedata.normalize("NFKC", text)):
        if not has_han(token):
            pieces.append(token)
            continue
        for word, proper in _words(token, capitalise_all, dictionary):
            pinyin = _joined(_syllables(word))
            pieces.append(pinyin.capitalize() if proper else pinyin)
    out = ""
    for piece in pieces:
        # A space between words, none before punctuation or after an opening bracket or quote.
        opens = piece[:1] in ("\u201c", "\u2018")
        if (
            out
            and not out.endswith((" ", "\u201c", "\u2018", "(", "\u2014"))
            and (piece[:1].isalnum() or opens and out[-1:].isalnum())
        ):
            out += " "
        out += piece
    out = re.sub(r"\s+", " ", out).strip()
    first = len(out) - len(
        out.lstrip("\u201c\u2018(\"'")
    )  # the first word, after an opening quote or bracket
    return out[:first] + out[first : first + 1].upper() + out[first + 1 :]


def person_name(name: str) -> tuple[str, str] | None:
    """(family, given) in pinyin when ``name`` is a Chinese person's name written in characters
    (two to four, no organisation's ending): 王彩艳 → ("Wang", "Caiyan"), 欧阳修 → ("Ouyang", "Xiu").
    None for anything else (a group, a name in Latin letters)."""
    name = name.strip()
    if not 2 <= len(name) <= 4 or not is_han_only(name):
        return None
    if _ORGANISATION_ENDINGS.search(name):
        return None
    family = name[:2] if name[:2] in _COMPOUND_FAMILY_NAMES else name[:1]
    if len(name) == 4 and len(family) == 1:
        return None  # four characters with a one-character family name: most often not a person
    given = name[len(family) :]
    family_pinyin = _FAMILY_READINGS.get(family) or _joined(_syllables(family)).capitalize()
    return family_pinyin, _joined(_syllables(given)).capitalize()
