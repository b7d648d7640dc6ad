"""The Whoosh query of a query tree (``index.engines.seam``)."""

from __future__ import annotations

from collections import Counter

from shuangyu.index.engines import seam as tree
from whoosh import query as wq
from whoosh.matching import DisjunctionMaxMatcher, FilterMatcher, NullMatcher


class _CurrentDocumentDisMaxMatcher(DisjunctionMaxMatcher):
    """Whoosh's DisjunctionMaxMatcher scores the better of its two sides even when one of them
    stands on a later document: a passage took the score of another, and which one depended on
    where a build cut the index into segments (two builds of one corpus ranked differently).
    This one scores only the sides on the current document."""

    def score(self):
        a, b = self.a, self.b
        if not a.is_active():
            return b.score()
        if not b.is_active():
            return a.score()
        current = self.id()
        return max(side.score() for side in (a, b) if side.id() == current)


class _DisjunctionMax(wq.DisjunctionMax):
    """Whoosh's DisjunctionMax (the best-scoring alternative counts), scored per document."""

    def _matcher(self, subs, searcher, context):
        reader = searcher.reader()
        return self._tree_matcher(
            subs,
            _CurrentDocumentDisMaxMatcher,
            searcher,
            context,
            lambda query: query.estimate_size(reader),
            tiebreak=self.tiebreak,
        )


class _KeptWhereAtLeast(wq.WrappingQuery):
    """The matches of ``child``, scored by it, that match ``count`` of ``parts`` at least.

    Whoosh's Or leaves ``minmatch`` unimplemented; the documents of each part are counted
    once per segment, and each match of ``child`` is looked up in the set of them: intersecting
    a large union instead costs a skip per match (twice the time of a 7-word query). Under a
    condition ``within`` (a few texts: those to mark or to place), each part is asked about
    the condition's documents alone."""

    def __init__(self, child: wq.Query, parts: list[wq.Query], count: int, within=None):
        super().__init__(child)
        self.parts, self.count, self.within, self.boost = parts, count, within, 1.0

    def _rewrap(self, child):
        return type(self)(child, self.parts, self.count, self.within)

    def __hash__(self) -> int:
        return hash((type(self), self.child, tuple(self.parts), self.count, self.within))

    def matcher(self, searcher, context=None):
        matched: Counter[int] = Counter()
        if self.within is not None:
            documents = sorted(self.within.docs(searcher))
            for part in self.parts:
                matched.update(
                    _among(part.matcher(searcher, searcher.boolean_context()), documents)
                )
        else:
            for part in self.parts:
                matched.update(set(part.docs(searcher)))
        kept = {doc for doc, parts in matched.items() if parts >= self.count}
        if not kept:
            return NullMatcher()
        return FilterMatcher(self.child.matcher(searcher, context), kept, boost=self.boost)


def _among(matcher, documents: list[int]) -> list[int]:
    """Those of the sorted ``documents`` that ``matcher`` matches, skipping to each."""
    found = []
    for document in documents:
        if matcher.is_active() and matcher.id() < document:
            matcher.skip_to(document)
        if not matcher.is_active():
            break
        if matcher.id() == document:
            found.append(document)
    return found


def compile_tree(node) -> wq.Query:
    """The Whoosh query of a query tree (``index.engines.seam``)."""
    if (
        isinstance(node, (tree.All, tree.Any, tree.Best))
        and len(node.parts) == 1
        and getattr(node, "at_least", 1) == 1
    ):
        # Whoosh drops the boost of a compound query of one part (its matcher is the part's).
        compiled = compile_tree(node.parts[0])
    elif isinstance(node, tree.Term):
        compiled = wq.Term(node.field, node.text)
    elif isinstance(node, tree.Phrase):
        # Whoosh counts a phrase's slop from 1 (adjacent).
        compiled = wq.Phrase(node.field, list(node.words), slop=node.slop + 1)
    elif isinstance(node, tree.All):
        compiled = wq.And([compile_tree(part) for part in node.parts])
    elif _at_least(node):
        parts = [compile_tree(part) for part in node.parts]
        compiled = _KeptWhereAtLeast(wq.Or(parts), parts, node.at_least)
    elif isinstance(node, tree.Any):
        compiled = wq.Or([compile_tree(part) for part in node.parts])
    elif isinstance(node, tree.Best):
        compiled = _DisjunctionMax([compile_tree(part) for part in node.parts])
    elif isinstance(node, tree.WithOptional):
        compiled = wq.AndMaybe(compile_tree(node.required), compile_tree(node.optional))
    elif isinstance(node, tree.Without):
        compiled = wq.AndNot(compile_tree(node.positive), compile_tree(node.negative))
    elif (
        isinstance(node, tree.Filter)
        and isinstance(node.query, tree.Filter)
        and _at_least(node.query.condition)
    ):
        # A filter of a query with a minimum: the outer condition first, then the minimum.
        inner = node.query
        parts = [compile_tree(part) for part in inner.condition.parts]
        within = compile_tree(node.condition)
        narrowed = wq.Require(compile_tree(inner.query), within)
        compiled = _KeptWhereAtLeast(narrowed, parts, inner.condition.at_least, within)
        compiled.boost = inner.boost
    elif isinstance(node, tree.Filter) and _at_least(node.condition):
        parts = [compile_tree(part) for part in node.condition.parts]
        compiled = _KeptWhereAtLeast(compile_tree(node.query), parts, node.condition.at_least)
    elif isinstance(node, tree.Filter):
        compiled = wq.Require(compile_tree(node.query), compile_tree(node.condition))
    else:
        raise TypeError(f"not a query tree node: {node!r}")
    if node.boost != 1.0:
        compiled.boost = compiled.boost * node.boost
    return compiled


def _at_least(node) -> bool:
    """Whether ``node`` is an Any of more than one part at least."""
    return isinstance(node, tree.Any) and node.at_least > 1
