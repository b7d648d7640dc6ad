"""Where the benchmarks find their data and keep the dictionary file.

The benchmarks read the frozen seed corpus (``tests/fixtures/corpus``), not ``corpus/``: their
judged queries and generated collections are made from those passages, and figures compare
across runs only while the input stays the same."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED_CORPUS = ROOT / "tests" / "fixtures" / "corpus"
# The real collection sits beside the repository on the team's machines (its README lists its faults).
REAL_COLLECTION = ROOT.parent / "shared" / "realcorpus" / "reports"


def shared_instance():
    """The repository's instance folder, whose dictionary file every benchmark shares: set as
    the dictionary's folder (as the ``shuangyu`` command does) and returned."""
    from shuangyu.index import cedict
    from shuangyu.index.instance import InstanceFolder

    instance = InstanceFolder(ROOT / "instance")
    cedict.use_folder(instance.path)
    return instance
