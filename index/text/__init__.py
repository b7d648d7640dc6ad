"""Text analysis: normalising, segmenting, numbers, a collection's vocabulary and the analysers every engine indexes."""
