"""The semantic side: the embedder, the vectors of a build and their cache."""
