"""Where the tests find their data: a frozen copy of the seed corpus (``tests/fixtures/corpus``),
so that reports added to ``corpus/`` change nothing here, and the repository's instance folder,
whose dictionary file the in-process tests share."""

from __future__ import annotations

import shutil
from pathlib import Path

from shuangyu.index.instance import InstanceFolder
from shuangyu.index.text.vocabulary import Vocabulary

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = REPOSITORY_ROOT / "tests" / "fixtures" / "corpus"
SHARED_INSTANCE = InstanceFolder(REPOSITORY_ROOT / "instance")
# The seed corpus's names and glossary, for tests of the analysis itself.
SEED_VOCABULARY = Vocabulary.read(CORPUS_DIR)
# Passages the frozen seed corpus is cut into (tests/test_passages.py checks how they are cut).
SEED_PASSAGES = 114


def instance_with_dictionary(folder: Path) -> Path:
    """``folder`` made as an instance folder holding a copy of the shared dictionary file, so that
    a command run on it starts at once instead of making the dictionary (about eight seconds).
    A copy, not a link: a test may damage its own."""
    from shuangyu.index.english import cedict

    cedict.use_folder(SHARED_INSTANCE.path)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy2(cedict.ensure_dictionary(), folder)
    return folder
