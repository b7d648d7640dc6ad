"""The Whoosh query of a query tree (``index.engines.seam``)."""

from __future__ import annotations

from shuangyu.index.engines import seam as tree
from whoosh import query as wq
from whoosh.matching import DisjunctionMaxMatcher


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


def compile_tree(node) -> wq.Query:
    """The Whoosh query of a query tree (``index.engines.seam``)."""
    if isinstance(node, tree.Term):
        compiled = wq.Term(node.field, node.text)
    elif isinstance(node, tree.Phrase):
        # Whoosh counts a phrase's slop from 1 (adjacent).
        compiled = wq.Phrase(node.field, list(node.words), slop=node.slop + 1)
    elif isinstance(node, tree.All):
        compiled = wq.And([compile_tree(part) for part in node.parts])
    elif isinstance(node, tree.Any):
        compiled = wq.Or([compile_tree(part) for part in node.parts])
    elif isinstance(node, tree.Best):
        compiled = _DisjunctionMax([compile_tree(part) for part in node.parts])
    elif isinstance(node, tree.WithOptional):
        compiled = wq.AndMaybe(compile_tree(node.required), compile_tree(node.optional))
    elif isinstance(node, tree.Without):
        compiled = wq.AndNot(compile_tree(node.positive), compile_tree(node.negative))
    elif isinstance(node, tree.Filter):
        compiled = wq.Require(compile_tree(node.query), compile_tree(node.condition))
    else:
        raise TypeError(f"not a query tree node: {node!r}")
    if node.boost != 1.0:
        compiled.boost = node.boost
    return compiled
