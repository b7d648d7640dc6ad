"""Load what the first query would otherwise wait for (jieba's dictionary, CC-CEDICT)."""

from __future__ import annotations

from index.analysis import segmenter
from index.cedict import ensure_dictionary


def warm_up() -> None:
    """Load the segmenter and make the dictionary file now, so the first search is as fast as the rest."""
    segmenter()
    ensure_dictionary()
