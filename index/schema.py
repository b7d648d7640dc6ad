"""The Whoosh schema of the passage index, defined once for the writer and the searcher.

Whoosh reads this schema from every index it opens (pickled, analysers included).
"""

from __future__ import annotations

from whoosh.fields import ID, NUMERIC, STORED, TEXT, Schema

from shuangyu.index.analysis import bigram_analyzer, chinese_analyzer, english_analyzer, pinyin_analyzer
from shuangyu.index.vocabulary import Vocabulary

# Bump when the schema or the analysis changes: an index of another version is rebuilt.
SCHEMA_VERSION = 8


def passage_schema(vocabulary: Vocabulary) -> Schema:
    """One document per passage, its Chinese cut into words with ``vocabulary``. Stored fields
    are what a search result shows."""
    return Schema(
        id=ID(stored=True, unique=True),
        report_id=ID(stored=True, sortable=True),
        report_title=STORED(),
        kind=ID(stored=True, sortable=True),
        ordinal=NUMERIC(stored=True, sortable=True),
        section=TEXT(analyzer=chinese_analyzer(vocabulary), stored=True, phrase=False),
        text=TEXT(analyzer=chinese_analyzer(vocabulary), stored=True, phrase=True),
        text_bigrams=TEXT(analyzer=bigram_analyzer(), phrase=True),
        # The best English available (machine translation, else the gloss) and, always, the gloss;
        # the gloss is indexed apart (gloss_terms) only where text_en is a machine translation,
        # so that a glossed passage does not index the same English twice.
        text_en=TEXT(analyzer=english_analyzer(), stored=True, phrase=True),
        gloss_en=STORED(),
        gloss_terms=TEXT(analyzer=english_analyzer(), phrase=False),
        pinyin=TEXT(analyzer=pinyin_analyzer(), phrase=False),
        translation_engine=ID(stored=True),
        year=NUMERIC(stored=True),
        date=STORED(),
        content_hash=ID(stored=True, sortable=True),
        spans=STORED(),
    )
