"""Corpus → passages → analysis → Whoosh index: everything that writes the index."""
