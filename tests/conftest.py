"""Shared fixtures: the real corpus, and factories for small generated corpora."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from shuangyu.index import build as build_module
from shuangyu.index.engines.seam import DEFAULT_ENGINE, ENGINES
from shuangyu.index.sources.corpus import read_corpus

from tests.paths import CLUSTER, CORPUS_DIR, SHARED_INSTANCE
from tests.tools import require_opensearch, require_tools


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--engine",
        choices=ENGINES,
        default=DEFAULT_ENGINE,
        help="The engine every index of the tests is built with (default: %(default)s).",
    )


def pytest_configure(config: pytest.Config) -> None:
    engine = config.getoption("--engine")
    # Every build of the tests uses the engine under test: the commands they run read the
    # setting's variable, and builds made in process take it as the default for a new index.
    os.environ["SHUANGYU_ENGINE"] = engine
    build_module.DEFAULT_ENGINE = engine
    # Search by meaning is tested where a test names its embedder (tests/index/test_semantic.py, the
    # real collection): elsewhere a build embedding every passage would only cost time.
    os.environ["SHUANGYU_EMBEDDER"] = "none"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # A test of the real collection's index needs the real collection beside the repository.
    for item in items:
        if "real_collection_index" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.real_collection)
    # Another engine's pass (`pytest --engine tantivy`) runs the tests that build and search an
    # index (marked every_engine) and the tests of that engine's own workings; the rest give the
    # same answer in every pass, so the default engine's pass runs them once.
    engine = config.getoption("--engine")
    if engine != DEFAULT_ENGINE:

        def on_every_engine(item: pytest.Item) -> bool:
            if item.get_closest_marker("no_index"):
                return False
            return bool(item.get_closest_marker("every_engine")) or any(
                engine in marker.args for marker in item.iter_markers("engine")
            )

        config.hook.pytest_deselected(items=[item for item in items if not on_every_engine(item)])
        items[:] = [item for item in items if on_every_engine(item)]


def pytest_runtest_setup(item: pytest.Item) -> None:
    require_tools(item)
    if item.config.getoption("--engine") == "opensearch":
        require_opensearch()
    for marker in item.iter_markers("engine"):
        if item.config.getoption("--engine") not in marker.args:
            pytest.skip(f"tests the {' or '.join(marker.args)} engine's own workings")


@pytest.fixture(autouse=True)
def opensearch_tidy(request):
    """On the opensearch pass, the cluster's indices of a test's own folder are removed after
    it (those of the session's shared folders, after the session): else a pass leaves hundreds
    of indices in the cluster."""
    tidy = (
        request.config.getoption("--engine") == "opensearch"
        and os.environ.get("SHUANGYU_OPENSEARCH_URL")
        and "tmp_path" in request.fixturenames
    )
    # Asked for here, the folder outlives this fixture's teardown.
    folder = request.getfixturevalue("tmp_path") if tidy else None
    yield
    if folder is not None:
        from shuangyu.index.engines import opensearch_index

        opensearch_index.remove_indices_of(folder, CLUSTER)


@pytest.fixture(scope="session", autouse=True)
def opensearch_tidy_session(request, tmp_path_factory):
    yield
    if request.config.getoption("--engine") == "opensearch" and os.environ.get(
        "SHUANGYU_OPENSEARCH_URL"
    ):
        from shuangyu.index.engines import opensearch_index

        opensearch_index.remove_indices_of(tmp_path_factory.getbasetemp(), CLUSTER)


@pytest.fixture(scope="session")
def engine(pytestconfig) -> str:
    """The engine under test (``pytest --engine``)."""
    return pytestconfig.getoption("--engine")


@pytest.fixture(scope="session")
def real_corpus():
    """The seed corpus (its frozen copy), read once."""
    return read_corpus(CORPUS_DIR)


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A writable copy of the seed corpus, to add faulty reports to."""
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS_DIR, folder)
    return folder


@pytest.fixture(scope="session")
def real_index(tmp_path_factory) -> Path:
    """An index of the real corpus with the gloss, built once for the session through the build path."""
    from shuangyu.index.build import build_index

    index_dir = tmp_path_factory.mktemp("index")
    build_index(
        CORPUS_DIR, index_dir, SHARED_INSTANCE, progress=False, translator="gloss", cluster=CLUSTER
    )
    return index_dir


@pytest.fixture(scope="session")
def searcher(real_index):
    from shuangyu.search.searcher import Searcher

    from tests.paths import DICTIONARY

    return Searcher(real_index, dictionary=DICTIONARY, cluster=CLUSTER)


@pytest.fixture(scope="session")
def real_collection_index(tmp_path_factory):
    """The real collection (../shared/realcorpus) with the seed corpus, built once with
    ``shuangyu build`` and the engine under test."""
    from testbed.real_index import build_real_index

    folder = tmp_path_factory.mktemp("real")
    return build_real_index(folder / "corpus", folder / "index")


@pytest.fixture
def make_corpus(tmp_path):
    """Factory: a corpus folder of the given ``{file name: text}`` reports, with the real
    names file, so that analysis is the same as for the real corpus."""

    def make(reports: dict[str, str]) -> Path:
        folder = tmp_path / "generated-corpus"
        folder.mkdir(exist_ok=True)
        shutil.copy(CORPUS_DIR / "names.tsv", folder / "names.tsv")
        for name, text in reports.items():
            (folder / name).write_text(text, encoding="utf-8")
        return folder

    return make


@pytest.fixture
def runner(monkeypatch, real_index):
    """A click runner whose environment points at the real corpus and the session's index."""
    from click.testing import CliRunner

    monkeypatch.setenv("SHUANGYU_CORPUS_DIR", str(CORPUS_DIR))
    monkeypatch.setenv("SHUANGYU_INDEX_DIR", str(real_index))
    return CliRunner()


@pytest.fixture(scope="session")
def app(real_index):
    """The Flask app over the session's index of the real corpus."""
    from shuangyu.web.app import create_app

    return create_app({"TESTING": True, "INDEX_DIR": real_index})


@pytest.fixture
def client(app):
    return app.test_client()
