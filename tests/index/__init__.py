"""Tests of index/: reading reports, passages, the analysis and English, the build and each engine."""
