"""Our words as the values of an OpenSearch text field, which the cluster's ``whitespace``
analyzer splits again: the words of one value take consecutive positions, and the mapping's
``position_increment_gap`` separates values (``opensearch_index.mapping``). So a run of words
at consecutive positions is one value; a gap of more than one position is held by a value of
filler words, so that phrases and proximity see the distances our analysis gave; and the words
at the same position as the one before (the dictionary words inside a longer word) go together
in a last value, where a word query finds them.
"""

from __future__ import annotations

FILLER = "_"  # a word no analyser makes: it holds a gap of more than one position


def field_values(tokens: list[tuple[str, int]]) -> list[str]:
    """Words with positions (``tokens``) as the values of a field (see the module docstring)."""
    values: list[list[str]] = [[]]
    stacked: list[str] = []
    last = None
    for word, position in tokens:
        if last is not None and position == last:
            stacked.append(word)
            continue
        if last is not None and position > last + 1:
            values.append([FILLER] * (position - last - 2))
        values[-1].append(word)
        last = position
    if stacked:
        values.append(stacked)
    return [" ".join(words) for words in values if words]


def words_of(values: list[str]) -> set[str]:
    return {word for value in values for word in value.split()} - {FILLER}
