"""What a compiled query searches, read from its tree (``index.engines.seam``) field by field:
the words a result's marks are matched against (``search.marks``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from shuangyu.index.engines import seam as tree
from shuangyu.index.text.analysis import is_han_only


@dataclass
class SearchedWords:
    """The words a query tree searches in each field, its excluded part left out."""

    words: dict[str, set[str]] = field(default_factory=dict)
    phrases: dict[str, list[list[str]]] = field(default_factory=dict)

    def of(self, *fields: str) -> set[str]:
        return set().union(*(self.words.get(name, set()) for name in fields))


def searched_words(query) -> SearchedWords:
    """What ``query`` (an ``index.engines.seam`` tree) searches, by field: every word, and the
    words of each term or phrase in order (a bigram phrase spells a stretch of characters)."""
    found = SearchedWords()
    pending = [query]
    while pending:
        node = pending.pop()
        if isinstance(node, (tree.Term, tree.Phrase)):
            words = [node.text] if isinstance(node, tree.Term) else list(node.words)
            found.words.setdefault(node.field, set()).update(words)
            found.phrases.setdefault(node.field, []).append(words)
        elif isinstance(node, (tree.All, tree.Any, tree.Best)):
            pending.extend(node.parts)
        elif isinstance(node, tree.WithOptional):
            pending.extend((node.required, node.optional))
        elif isinstance(node, tree.Without):
            pending.append(node.positive)  # the excluded words are not marked
        elif isinstance(node, tree.Filter):
            pending.append(node.query)
    return found


def spelt(grams: list[str]) -> str | None:
    """The Han characters a phrase of bigrams (``index.text.analysis.bigrams``) spells: 重庆, 庆大
    → 重庆大; a lone character itself; ``None`` for a phrase that is not one run of Han."""
    if not grams or not all(is_han_only(gram) for gram in grams):
        return None
    if len(grams) == 1:
        return grams[0]
    if any(len(gram) != 2 for gram in grams) or any(
        before[1] != after[0] for before, after in zip(grams, grams[1:])
    ):
        return None
    return grams[0] + "".join(gram[1] for gram in grams[1:])
