"""Our query tree (``index.engines.seam``) as an OpenSearch query."""

from __future__ import annotations

from shuangyu.index.engines import seam as tree

# --- Queries -------------------------------------------------------------------------------


def _phrase(node: tree.Phrase, boost: float) -> dict:
    """Words in order, each two at most ``node.slop`` positions apart beyond adjacent. Lucene's
    slop is the phrase's in all: per pair, a phrase of more than two words with a slop nests
    ordered spans, each pair's gap checked on its own."""
    words = list(node.words)
    if node.slop == 0 or len(words) <= 2:
        return {
            "match_phrase": {
                node.field: {
                    "query": " ".join(words),
                    "analyzer": "whitespace",
                    "slop": node.slop,
                    "boost": boost,
                }
            }
        }
    span: dict = {"span_term": {node.field: words[0]}}
    for word in words[1:]:
        span = {
            "span_near": {
                "clauses": [span, {"span_term": {node.field: word}}],
                "slop": node.slop,
                "in_order": True,
            }
        }
    span["span_near"]["boost"] = boost
    return span


def compile_tree(node, idf_scale=None) -> dict:
    """The OpenSearch query of a query tree (``index.engines.seam``), each word weighed with
    Whoosh's idf when ``idf_scale(field, words)`` is given."""

    def part(child):
        return compile_tree(child, idf_scale)

    boost = node.boost
    if isinstance(node, tree.Term):
        scale = idf_scale(node.field, [node.text]) if idf_scale else 1.0
        return {"term": {node.field: {"value": node.text, "boost": boost * scale}}}
    if isinstance(node, tree.Phrase):
        scale = idf_scale(node.field, list(node.words)) if idf_scale else 1.0
        return _phrase(node, boost * scale)
    if isinstance(node, tree.All):
        compiled = {"bool": {"must": [part(p) for p in node.parts]}}
    elif isinstance(node, tree.Any):
        compiled = {
            "bool": {"should": [part(p) for p in node.parts], "minimum_should_match": node.at_least}
        }
    elif isinstance(node, tree.Best):
        compiled = {"dis_max": {"queries": [part(p) for p in node.parts], "tie_breaker": 0.0}}
    elif isinstance(node, tree.WithOptional):
        compiled = {"bool": {"must": [part(node.required)], "should": [part(node.optional)]}}
    elif isinstance(node, tree.Without):
        compiled = {"bool": {"must": [part(node.positive)], "must_not": [part(node.negative)]}}
    elif isinstance(node, tree.Filter):
        compiled = {"bool": {"must": [part(node.query)], "filter": [part(node.condition)]}}
    else:
        raise TypeError(f"not a query tree node: {node!r}")
    if boost != 1.0:
        next(iter(compiled.values()))["boost"] = boost
    return compiled
