"""Query parsing, searching, highlighting and citations over the index."""
