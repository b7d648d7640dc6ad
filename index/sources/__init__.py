"""Reports read from a corpus folder: metadata, one reader per file format, the reading budget, passages and ids."""
