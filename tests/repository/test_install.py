"""A regular install, as a user makes it: `pip install .` into a fresh virtual environment, then
`shuangyu serve` from an empty folder, and the first build while it serves.

The registries are out of reach at test time, so the fresh environment borrows the already
installed dependencies through a .pth file, and the project is built without isolation."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.index.test_corpus_changes import repository_copy
from tests.paths import CORPUS_DIR, SHARED_INSTANCE
from tests.reliability.test_reliability import get_json
from tests.serving import free_port, stop, wait_for


def run(*command, **options) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, timeout=600, **options
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    """A fresh venv with the project installed by `pip install .` (from a copy of the
    repository, so that the build leaves nothing in ours), and what pip added to it."""
    work = tmp_path_factory.mktemp("install")
    source = repository_copy(work / "source")
    venv = work / "venv"
    made = run(sys.executable, "-m", "venv", venv)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    site_packages = Path(
        run(
            python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"
        ).stdout.strip()
    )
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("SHUANGYU_", "PYTHON", "PIP_"))
    }
    # The setuptools a venv may bring (Python 3.11's is too old for this pyproject.toml) gives way to ours.
    removed = run(
        python, "-m", "pip", "uninstall", "--yes", "--quiet", "setuptools", env=environment
    )
    assert removed.returncode == 0, removed.stderr
    before = set(os.listdir(site_packages))
    (site_packages / "borrowed-dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )
    pip = run(
        python,
        "-m",
        "pip",
        "install",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "--quiet",
        ".",
        cwd=source,
        env=environment,
    )
    assert pip.returncode == 0, pip.stdout + pip.stderr
    added = set(os.listdir(site_packages)) - before - {"borrowed-dependencies.pth"}
    return {
        "venv": venv,
        "python": python,
        "site_packages": site_packages,
        "added": added,
        "env": environment,
    }


def test_pip_install_puts_only_the_shuangyu_package_in_site_packages(installed):
    assert {name for name in installed["added"] if not name.endswith(".dist-info")} == {"shuangyu"}
    assert {name.split("-")[0] for name in installed["added"] if name.endswith(".dist-info")} == {
        "shuangyu"
    }
    package = installed["site_packages"] / "shuangyu"
    assert sorted(path.name for path in package.iterdir()) == ["index", "search", "web"]
    assert (package / "web" / "templates" / "search.html").is_file() and any(
        (package / "web" / "static").iterdir()
    )


def test_no_module_named_index_search_or_web_is_importable(installed, tmp_path):
    probe = (
        "import importlib.util, shuangyu.web.cli, shuangyu.index.build, shuangyu.search.searcher; "
        "print(sorted(name for name in ('index', 'search', 'web') if importlib.util.find_spec(name)))"
    )
    answer = run(installed["python"], "-c", probe, cwd=tmp_path, env=installed["env"])
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.strip() == "[]"


def test_serve_from_an_empty_folder_then_build_there(installed, tmp_path):
    """`shuangyu serve` where there is nothing yet: it says where the reports go and serves; a
    `shuangyu build` there once reports are in corpus/ is picked up without a restart."""
    folder = tmp_path / "empty"
    folder.mkdir()
    # The dictionary file is made on first use (ten seconds): this test's instance folder starts with a copy.
    (folder / "instance").mkdir()
    for dictionary in SHARED_INSTANCE.path.glob("cedict-*.sqlite"):
        shutil.copy2(dictionary, folder / "instance" / dictionary.name)
    command = installed["venv"] / "bin" / "shuangyu"
    port = free_port()
    with open(tmp_path / "serve.log", "w") as log:
        server = subprocess.Popen(
            [command, "serve", "--port", str(port)],
            cwd=folder,
            env=installed["env"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/", seconds=120)
        with urllib.request.urlopen(base + "/") as answer:
            page = answer.read().decode()
        assert str(folder / "corpus") in page and "shuangyu build" in page
        status, problem = get_json(base + "/api/search?q=" + urllib.parse.quote("物流枢纽"))
        assert status == 503 and "shuangyu build" in problem["detail"]
        shutil.copytree(CORPUS_DIR, folder / "corpus")
        built = run(command, "build", "--quiet", cwd=folder, env=installed["env"])
        assert built.returncode == 0, built.stdout + built.stderr
        status, found = get_json(base + "/api/search?q=" + urllib.parse.quote("物流枢纽"))
        assert status == 200 and found["total"] > 0
    finally:
        stop(server)
    log = (tmp_path / "serve.log").read_text()
    assert f"no reports in {folder / 'corpus'}" in log.lower() and "Traceback" not in log
    assert sorted(path.name for path in folder.iterdir()) == ["corpus", "instance"]
