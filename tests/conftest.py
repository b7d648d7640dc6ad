"""Shared fixtures: the real corpus, and factories for small generated corpora."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index.corpus import read_corpus
from index.settings import REPOSITORY_ROOT

CORPUS_DIR = REPOSITORY_ROOT / "corpus"


@pytest.fixture(scope="session")
def real_corpus():
    """The repository's corpus, read once."""
    return read_corpus(CORPUS_DIR)


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A writable copy of the real corpus, to add faulty reports to."""
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS_DIR, folder)
    return folder
