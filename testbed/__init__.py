"""What the tests and the benchmarks share: where the judged queries, the seed corpus and the real
collection are, how a ranking is judged, and the generators of synthetic and hostile corpora.

Not part of the installed product (``shuangyu``): it reads the repository's fixtures.
"""
