"""The corpus is the users' to change: a report added to corpus/ changes no test, and an edited
names.tsv is part of the corpus, rebuilt and picked up by a running service."""

from __future__ import annotations

import shutil
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

from tests.paths import REPOSITORY_ROOT, SHARED_INSTANCE
from tests.reliability.test_reliability import get_json, shuangyu, site  # noqa: F401 (fixture)
from tests.serving import serving

pytestmark = pytest.mark.every_engine

# The tests that once counted the live corpus's passages and reports.
COUNTING_TESTS = [
    "tests/web/test_cli.py",
    "tests/web/test_web.py",
    "tests/search/test_search.py",
    "tests/search/test_quality.py",
    "tests/web/test_settings.py",
]


def repository_copy(target: Path) -> Path:
    """The repository's files (tracked and new, not ignored) copied to ``target``, with the
    shared dictionary file, so that a test can change its corpus/ without touching ours."""
    listed = (
        subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=REPOSITORY_ROOT,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        source = REPOSITORY_ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    (target / "instance").mkdir()
    for dictionary in SHARED_INSTANCE.path.glob("cedict-*.sqlite"):
        shutil.copy2(dictionary, target / "instance" / dictionary.name)
    return target


def test_a_report_added_to_corpus_leaves_the_tests_green(tmp_path):
    copy = repository_copy(tmp_path / "repository")
    added = copy / "corpus" / "zz-added-report.txt"
    added.write_text(
        "新增的报告\n\n沙坪坝区物流枢纽建设取得新进展，磁器口游客增加。\n\n高质量发展的报告又多了一篇。\n",
        encoding="utf-8",
    )
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *COUNTING_TESTS],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout[-3000:]
    assert " passed" in run.stdout and " failed" not in run.stdout
    assert added.exists(), "the copy's corpus/ still holds the added report"


def test_an_edited_names_file_rebuilds_and_a_running_service_takes_the_new_names(site):  # noqa: F811
    query = "/api/search?" + urllib.parse.urlencode({"q": "quillfeather"})
    with serving(site) as base:
        status, before = get_json(base + query)
        assert status == 200 and before["total"] == 0
        unchanged = shuangyu("build", env=site)
        assert unchanged.returncode == 0 and "up to date" in unchanged.stdout
        names = Path(site["SHUANGYU_CORPUS_DIR"]) / "names.tsv"
        names.write_text(
            names.read_text(encoding="utf-8") + "特钢\tplace\tQuillfeather\n", encoding="utf-8"
        )
        rebuilt = shuangyu("build", env=site)
        assert rebuilt.returncode == 0 and "up to date" not in rebuilt.stdout, (
            rebuilt.stdout + rebuilt.stderr
        )
        status, after = get_json(base + query)
    assert status == 200 and after["total"] > 0
    assert all("特钢" in result["text"] for result in after["results"])
    assert any("<mark>特钢</mark>" in result["snippet"] for result in after["results"])
    assert any("Quillfeather" in result["text_en"] for result in after["results"])
