"""Tests of search/: queries, ranking, counts, marks, citations, and the real collection searched."""
