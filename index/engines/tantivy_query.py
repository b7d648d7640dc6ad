"""The tantivy query of a query tree (``index.engines.seam``), each word weighed as Whoosh weighs it."""

from __future__ import annotations

import math

import tantivy
from shuangyu.index.engines import seam as tree


def _phrase_slop(node: tree.Phrase) -> int:
    """tantivy's slop for a phrase whose each two words may be ``node.slop`` positions apart.

    tantivy's slop is the phrase's in all (Lucene's), and its sloppy matching needs more than
    the sum of the gaps once a phrase has four words or more (measured: 调整、巩固、充实、提高,
    a gap of one between each two words, matches from slop 4, not 3): one more per word past
    the second."""
    if node.slop == 0:
        return 0
    return node.slop * (len(node.words) - 1) + len(node.words) - 2


class IdfScale:
    """The factor that turns tantivy's idf of a word into Whoosh's, so that both engines weigh
    a word alike: tantivy's, ln(1 + (N - df + 0.5) / (df + 0.5)), all but ignores a word in a
    fifth of the passages, where Whoosh's, ln(N / (df + 1)) + 1, keeps it at about half a rare
    word's weight; on the real collection the rare but wrong word then outranked the right
    passages (socialist market economy: 日本社会党 first, from its gloss "Socialist Party").
    Document frequencies are read once per word and reader."""

    def __init__(self, searcher: tantivy.Searcher):
        self._searcher = searcher
        self._passages = max(searcher.num_docs, 1)
        self._frequencies: dict[tuple[str, str], int] = {}

    def _idfs(self, field: str, word: str) -> tuple[float, float]:
        key = (field, word)
        frequency = self._frequencies.get(key)
        if frequency is None:
            frequency = self._frequencies[key] = self._searcher.doc_freq(field, word)
        whoosh = math.log(self._passages / (frequency + 1)) + 1
        tantivy_idf = math.log(1 + (self._passages - frequency + 0.5) / (frequency + 0.5))
        return whoosh, tantivy_idf

    def of(self, field: str, words: list[str]) -> float:
        """The factor for a word, or a phrase (whose idf both engines sum over its words)."""
        whoosh, tantivy_idf = (
            sum(pair) for pair in zip(*(self._idfs(field, word) for word in words))
        )
        return whoosh / tantivy_idf if tantivy_idf > 0 else 1.0


def compile_tree(node, schema: tantivy.Schema, idf: IdfScale | None = None) -> tantivy.Query:
    """The tantivy query of a query tree (``index.engines.seam``), each word weighed with Whoosh's
    idf when ``idf`` is given."""
    query = tantivy.Query
    scale = 1.0

    def compiled_part(part):
        return compile_tree(part, schema, idf)

    if isinstance(node, tree.Term):
        # Frequencies, not positions: a word needs no positions, and some fields have none.
        compiled = query.term_query(schema, node.field, node.text, index_option="freq")
        scale = idf.of(node.field, [node.text]) if idf else 1.0
    elif isinstance(node, tree.Phrase):
        compiled = query.phrase_query(schema, node.field, list(node.words), slop=_phrase_slop(node))
        scale = idf.of(node.field, list(node.words)) if idf else 1.0
    elif isinstance(node, tree.All):
        compiled = query.boolean_query(
            [(tantivy.Occur.Must, compiled_part(part)) for part in node.parts]
        )
    elif isinstance(node, tree.Any):
        compiled = query.boolean_query(
            [(tantivy.Occur.Should, compiled_part(part)) for part in node.parts],
            node.at_least if node.at_least > 1 else None,
        )
    elif isinstance(node, tree.Best):
        compiled = query.disjunction_max_query([compiled_part(part) for part in node.parts])
    elif isinstance(node, tree.WithOptional):
        compiled = query.boolean_query(
            [
                (tantivy.Occur.Must, compiled_part(node.required)),
                (tantivy.Occur.Should, compiled_part(node.optional)),
            ]
        )
    elif isinstance(node, tree.Without):
        compiled = query.boolean_query(
            [
                (tantivy.Occur.Must, compiled_part(node.positive)),
                (tantivy.Occur.MustNot, compiled_part(node.negative)),
            ]
        )
    elif isinstance(node, tree.Filter):
        compiled = query.boolean_query(
            [
                (tantivy.Occur.Must, compiled_part(node.query)),
                (tantivy.Occur.Must, query.const_score_query(compiled_part(node.condition), 0.0)),
            ]
        )
    else:
        raise TypeError(f"not a query tree node: {node!r}")
    boost = node.boost * scale
    return query.boost_query(compiled, boost) if boost != 1.0 else compiled
