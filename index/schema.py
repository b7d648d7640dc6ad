"""The Whoosh schema of the passage index, defined once for the writer and the searcher.

Whoosh is kept behind this module and ``search/``: nothing else imports it.
"""

from __future__ import annotations

from whoosh.fields import ID, NUMERIC, STORED, TEXT, Schema

from index.analysis import bigram_analyzer, chinese_analyzer, english_analyzer, pinyin_analyzer

# Bump when the schema or the analysis changes: an index of another version is rebuilt.
SCHEMA_VERSION = 4


def passage_schema() -> Schema:
    """One document per passage. Stored fields are what a search result shows."""
    return Schema(
        id=ID(stored=True, unique=True),
        report_id=ID(stored=True, sortable=True),
        report_title=STORED(),
        kind=ID(stored=True, sortable=True),
        ordinal=NUMERIC(stored=True, sortable=True),
        section=TEXT(analyzer=chinese_analyzer(), stored=True),
        text=TEXT(analyzer=chinese_analyzer(), stored=True, phrase=True),
        text_bigrams=TEXT(analyzer=bigram_analyzer(), phrase=True),
        # The best English available (machine translation, else the gloss) and, always, the gloss.
        text_en=TEXT(analyzer=english_analyzer(), stored=True, phrase=True),
        gloss_en=TEXT(analyzer=english_analyzer(), stored=True, phrase=True),
        pinyin=TEXT(analyzer=pinyin_analyzer()),
        translation_engine=ID(stored=True),
        year=NUMERIC(stored=True),
        date=STORED(),
        content_hash=ID(stored=True, sortable=True),
        spans=STORED(),
    )
