"""Load what the first query would otherwise wait for (jieba's dictionary, CC-CEDICT)."""

from __future__ import annotations

from index.analysis import segmenter
from index.cedict import entries


def warm_up() -> None:
    """Load the segmenter and the dictionary now, so the first search is as fast as the rest."""
    segmenter()
    entries()
