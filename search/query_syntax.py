"""The syntax of a query (``search.query``): words, ``"quoted phrases"``, ``OR`` between two
terms, ``-word`` or ``NOT word`` to exclude, ``report:<id>`` to search one report. Parsing never
fails: anything else is text, and an unbalanced quote runs to the end of the query.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from shuangyu.index.text.analysis import has_han

_TOKEN = re.compile(r'(?P<neg>-)?(?:"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+))')
_REPORT = re.compile(r"^report:(?P<id>\S+)$", re.IGNORECASE)
# A word of a query between what may stand around it: the quotes of a phrase, the minus of an
# excluded word, brackets and trailing punctuation.
_AROUND_WORD = re.compile(r'^([-"(（“]*)(.*?)([")）”,.;:!?，。；：！？]*)$')


@dataclass(frozen=True)
class Term:
    """One word or phrase of the query."""

    text: str
    phrase: bool = False

    @property
    def is_han(self) -> bool:
        return has_han(self.text)


@dataclass
class ParsedQuery:
    """The query's terms: ``groups`` are alternatives joined by OR (most hold one term)."""

    groups: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)
    report: str | None = None


def parse(text: str) -> ParsedQuery:
    """Split the query into terms, exclusions and a report filter. Never raises."""
    parsed = ParsedQuery()
    negate_next = join_next = False
    for match in _TOKEN.finditer(text):
        phrase = match.group("phrase")
        word = match.group("word")
        if word in ("OR", "|") and parsed.groups:
            join_next = True
            continue
        if word in ("NOT",):
            negate_next = True
            continue
        if word == "AND":
            continue
        report = _REPORT.match(word or "")
        if report and not match.group("neg"):
            parsed.report = report.group("id")
            continue
        term = Term(phrase if phrase is not None else word, phrase=phrase is not None)
        if not term.text.strip():
            continue
        if match.group("neg") or negate_next:
            parsed.excluded.append(term)
        elif join_next:
            parsed.groups[-1].append(term)
        else:
            parsed.groups.append([term])
        negate_next = join_next = False
    return parsed


def each_word(text: str, fix: Callable[[str], str]) -> str:
    """``text`` with each of its words replaced by ``fix(word)``, keeping the quotes and
    punctuation around it: ``"foood securty"`` → ``"food security"``; excluded words as typed."""
    respelt = []
    for token in text.split():
        before, word, after = _AROUND_WORD.match(token).groups()  # type: ignore[union-attr]
        # An excluded word (-word, -"a phrase") is left as typed: respelt, it would exclude
        # another word.
        respelt.append(token if "-" in before else before + (fix(word) if word else "") + after)
    return " ".join(respelt)
