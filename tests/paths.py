"""Where the tests find their data: a frozen copy of the seed corpus (``tests/fixtures/corpus``),
so that reports added to ``corpus/`` change nothing here, and the repository's instance folder,
whose dictionary file the in-process tests share; and the OpenSearch cluster their in-process
builds and searches use on the opensearch pass."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from shuangyu.index.english.dictionary import Dictionary
from shuangyu.index.instance import InstanceFolder
from shuangyu.index.text.language import Language
from shuangyu.index.text.vocabulary import Vocabulary
from shuangyu.web.settings import load_settings

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = REPOSITORY_ROOT / "tests" / "fixtures" / "corpus"
SHARED_INSTANCE = InstanceFolder(REPOSITORY_ROOT / "instance")
# The dictionary file of the shared instance folder, which the in-process tests look words up in.
DICTIONARY = Dictionary(SHARED_INSTANCE.path)
# The cluster named by SHUANGYU_OPENSEARCH_URL and its companions (scripts/opensearch prints
# it; .ci/run sets it for the opensearch pass), as the commands the tests run read it; no
# cluster when unset. Whoosh and tantivy builds are given it and ignore it.
CLUSTER = load_settings(os.environ).cluster
# The seed corpus's names and glossary, and its language, for tests of the analysis itself.
SEED_VOCABULARY = Vocabulary.read(CORPUS_DIR)
SEED_LANGUAGE = Language(SEED_VOCABULARY, DICTIONARY)


def language(vocabulary: Vocabulary | None = None) -> Language:
    """The language of an index with ``vocabulary`` (none: an empty one), with the shared dictionary."""
    return Language(vocabulary if vocabulary is not None else Vocabulary(), DICTIONARY)


# Passages the frozen seed corpus is cut into (tests/index/test_passages.py checks how they are cut).
SEED_PASSAGES = 114


def instance_with_dictionary(folder: Path) -> Path:
    """``folder`` made as an instance folder holding a copy of the shared dictionary file, so that
    a command run on it starts at once instead of making the dictionary (about eight seconds).
    A copy, not a link: a test may damage its own."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy2(DICTIONARY.ensure(), folder)
    return folder
