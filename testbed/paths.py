"""Where the tests and benchmarks find their data and keep the dictionary file.

The benchmarks read the frozen seed corpus (``tests/fixtures/corpus``), not ``corpus/``: their
judged queries and generated collections are made from those passages, and figures compare
across runs only while the input stays the same."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED_CORPUS = ROOT / "tests" / "fixtures" / "corpus"
# The real collection sits beside the repository on the team's machines (its README lists its faults).
REAL_COLLECTION = ROOT.parent / "shared" / "realcorpus" / "reports"
# The e5-small vectors of the real collection's passages (`shuangyu embed --export`), made once on
# this team's machines: its first embedding takes about 16 minutes on 2 cores, so the tests and
# the evaluation import them into the vector cache and embed only what changed since.
REAL_VECTORS = ROOT / "tests" / "fixtures" / "real-collection-vectors.npz"


def shared_instance():
    """The repository's instance folder, whose dictionary file every benchmark shares."""
    from shuangyu.index.instance import InstanceFolder

    return InstanceFolder(ROOT / "instance")


def shared_dictionary():
    """The dictionary of the shared instance folder (``shared_instance``)."""
    from shuangyu.index.english.dictionary import Dictionary

    return Dictionary(shared_instance().path)
