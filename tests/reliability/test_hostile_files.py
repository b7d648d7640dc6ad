"""Hostile corpus files (issue 27): every build ends, within a budget per file, naming what it
skipped; no file aborts it, reaches the operator's terminal or floods the answers. The files
are made here by the generators of ``testbed.hostile`` (no stored bombs), beside the seed reports,
and built through the real command."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from testbed import hostile
from tests.paths import CLUSTER, CORPUS_DIR, REPOSITORY_ROOT, instance_with_dictionary

SEED_REPORTS = 2
# The longest a build of the seed reports and a few small hostile files may take before it is
# taken for hung (a build that loops never ends; these end in seconds).
HUNG_SECONDS = 240


@pytest.fixture
def site(tmp_path):
    """A corpus folder holding the seed reports, and the environment of a build of it."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS_DIR, corpus)
    env = {
        **os.environ,
        "SHUANGYU_CORPUS_DIR": str(corpus),
        "SHUANGYU_INDEX_DIR": str(tmp_path / "index"),
        "SHUANGYU_INSTANCE_DIR": str(instance_with_dictionary(tmp_path / "instance")),
        "SHUANGYU_EMBEDDER": "none",
    }
    return corpus, env


def build(env: dict, *extra: str, **options) -> subprocess.CompletedProcess:
    """`shuangyu build` as an operator runs it; a build still running after ``HUNG_SECONDS`` fails the test."""
    return subprocess.run(
        [sys.executable, "-m", "shuangyu.web.cli", "build", "--quiet", *extra],
        cwd=REPOSITORY_ROOT,
        env=env,
        capture_output=True,
        timeout=HUNG_SECONDS,
        **options,
    )


def warnings_of(result: subprocess.CompletedProcess) -> list[str]:
    return [
        line
        for line in result.stderr.decode("utf-8", "replace").splitlines()
        if line.startswith("warning: ")
    ]


def indexed_reports(env: dict) -> dict[str, dict]:
    """The reports of the current index, by id (from its manifest)."""
    from shuangyu.index.engines.store import current_manifest

    return {
        report["id"]: report
        for report in current_manifest(Path(env["SHUANGYU_INDEX_DIR"]), cluster=CLUSTER).reports
    }


def test_a_pdf_whose_references_loop_is_skipped_and_the_build_ends_and_lets_go(site):
    corpus, env = site
    hostile.reference_loop_pdf(corpus)
    first = build({**env, "SHUANGYU_READ_SECONDS": "2"})
    assert first.returncode == 0, first.stderr
    (skipped,) = [line for line in warnings_of(first) if "reference-loop.pdf" in line]
    assert "budget of 2 s" in skipped and skipped.endswith("(skipped)")
    assert len(indexed_reports(env)) == SEED_REPORTS
    # The lock went with the build: the next one runs (and finds nothing changed).
    again = build({**env, "SHUANGYU_READ_SECONDS": "2"})
    assert again.returncode == 0 and b"up to date" in again.stdout


def test_drawing_and_archive_bombs_are_skipped_past_the_memory_budget(site):
    corpus, env = site
    for make in (hostile.drawn_string_pdf, hostile.xml_bomb_docx):
        make(corpus, 0.5)  # a million drawn characters; 75 MB of XML
    # The build under a parent of its own, which reports the largest peak of the processes under
    # it (the build and each reader), as getrusage counts them once they have ended.
    watcher = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:]); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            watcher,
            sys.executable,
            "-m",
            "shuangyu.web.cli",
            "build",
            "--quiet",
            "--details",
        ],
        cwd=REPOSITORY_ROOT,
        env={**env, "SHUANGYU_READ_MEMORY_MB": "150", "SHUANGYU_READ_SECONDS": "30"},
        capture_output=True,
        timeout=HUNG_SECONDS,
    )
    peak_kb = int(result.stderr.decode().splitlines()[-1])
    for name in ("drawn-string.pdf", "xml-bomb.docx"):
        (skipped,) = [line for line in warnings_of(result) if name in line]
        assert "memory" in skipped and "150 MB" in skipped and skipped.endswith("(skipped)"), (
            skipped
        )
    assert len(indexed_reports(env)) == SEED_REPORTS
    # No process of the build (nor its readers) grew past a gigabyte: each reader was stopped.
    assert peak_kb < 1024 * 1024


def test_files_that_once_aborted_the_build_are_named_and_the_rest_is_indexed(site):
    corpus, env = site
    hostile.deep_toml(corpus)
    hostile.undecodable_name(corpus)
    fifo = hostile.special_files(corpus)
    result = build(env, "--details")
    assert result.returncode == 0, result.stderr
    warned = "\n".join(warnings_of(result))
    assert "deep-toml.txt: malformed metadata: arrays or tables nested too deeply" in warned
    assert "\\udcff\\udcfe.txt: a file name that is not UTF-8" in warned
    assert f"{fifo.name}: a named pipe" in warned
    assert "zero.txt: a device" in warned
    assert "loop-a.txt: a link that loops" in warned and "loop-b.txt: a link that loops" in warned
    assert b"Traceback" not in result.stderr
    assert len(indexed_reports(env)) == SEED_REPORTS


def test_the_build_s_warnings_reach_the_terminal_with_control_characters_made_visible(site):
    corpus, env = site
    hostile.escape_names(corpus)
    hostile.escape_page_label_pdf(corpus)
    result = build(env, "--details")
    assert result.returncode == 0
    assert b"\x1b" not in result.stderr and b"\x07" not in result.stderr
    lines = result.stderr.decode().splitlines()
    # The name with a line break in it is one warning, not a forged second one.
    assert not any(line.startswith("warning: forged") for line in lines)
    assert any(line.startswith("warning: x\\nwarning: forged.txt: ") for line in lines)
    assert any("\\x1b]0;owned\\x07title.txt" in line for line in lines)
    # The page label's escapes are gone from the passage's page too.
    from shuangyu.web.app import create_app
    from shuangyu.web.settings import load_settings

    app = create_app(settings=load_settings(env))
    answer = (
        app.test_client().get("/api/search", query_string={"q": "development report"}).get_json()
    )
    pages = {
        result["page"] for result in answer["results"] if result["report_id"] == "escape-label"
    }
    assert pages and not any(ord(char) < 32 for page in pages for char in page)


def test_metadata_from_a_received_file_is_bounded_in_every_answer(site):
    corpus, env = site
    hostile.huge_toml_title(corpus)  # a 6 MB title
    hostile.huge_title_docx(corpus)
    hostile.many_authors_docx(corpus)
    result = build(env)
    assert result.returncode == 0
    warned = "\n".join(warnings_of(result))
    assert "huge-title.txt: title of 2,000,000 characters cut to its first 500" in warned
    assert "huge-title-property.docx: title of 2,000,000 characters cut to its first 500" in warned
    assert "many-authors.docx: 50,000 authors: only the first 100 kept" in warned
    # No warning line carries the whole title either.
    assert max(len(line) for line in warnings_of(result)) < 1000

    from shuangyu.web.app import create_app
    from shuangyu.web.settings import load_settings

    client = create_app(settings=load_settings(env)).test_client()
    answer = client.get("/api/search", query_string={"q": "红队测试", "limit": 100})
    assert answer.status_code == 200 and len(answer.data) < 500_000
    titles = {
        result["report_id"]: result["report_title"] for result in answer.get_json()["results"]
    }
    assert {"huge-title", "huge-title-property", "many-authors"} <= set(titles)
    assert max(len(title) for title in titles.values()) <= 500
    (passage,) = [
        result for result in answer.get_json()["results"] if result["report_id"] == "many-authors"
    ]
    cited = client.get(f"/api/passages/{passage['id']}").get_json()
    assert len(cited["report"]["authors"]) == 100 and len(cited["citation_record"]["author"]) == 100


def test_text_without_punctuation_becomes_short_passages_that_search_and_highlight_in_budget(site):
    corpus, env = site
    hostile.unpunctuated_txt(corpus, 0.2)  # 147,000 Han characters, no punctuation, no line break
    hostile.comma_lines_txt(corpus)  # 80,000 lines each ending in a comma
    result = build(env)
    assert result.returncode == 0, result.stderr
    reports = indexed_reports(env)
    assert reports["unpunctuated"]["passages"] >= 147_000 // 250
    from shuangyu.index.sources.passages import MAX_PASSAGE_CHARS
    from shuangyu.web.app import create_app
    from shuangyu.web.settings import load_settings

    client = create_app(settings=load_settings(env)).test_client()
    for query in ("改善民生", "工作"):
        answer = client.get("/api/search", query_string={"q": query, "limit": 100})
        results = answer.get_json()["results"]
        assert answer.status_code == 200 and results and not answer.get_json().get("partial")
        assert max(len(result["text"]) for result in results) <= MAX_PASSAGE_CHARS
        assert len(answer.data) < 1_000_000


def test_a_full_instance_folder_is_one_line_and_leaves_no_journal(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS_DIR, corpus)
    instance = tmp_path / "instance"  # no dictionary yet: the build makes it there
    env = {
        **os.environ,
        "SHUANGYU_CORPUS_DIR": str(corpus),
        "SHUANGYU_INDEX_DIR": str(tmp_path / "index"),
        "SHUANGYU_INSTANCE_DIR": str(instance),
        "SHUANGYU_EMBEDDER": "none",
    }

    def small_disk():
        # Files of this process may not grow past 2 MB: as a full disk, writing fails (EFBIG).
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (2 * 2**20, 2 * 2**20))

    for _attempt in range(2):
        result = build(env, preexec_fn=small_disk)
        assert result.returncode != 0
        error = result.stderr.decode()
        assert "Traceback" not in error and len(error.strip().splitlines()) == 1, error
        assert "the dictionary file could not be made" in error and "full" in error
        assert not [
            path.name for path in instance.iterdir() if path.name.endswith(("-journal", ".tmp"))
        ]


def test_a_text_file_past_the_text_budget_is_refused_before_it_is_decoded(site):
    corpus, env = site
    hostile.long_line_txt(corpus, 0.11)  # 21 MB without a line break: past 5,000,000 characters
    result = build(env)
    assert result.returncode == 0
    (skipped,) = [line for line in warnings_of(result) if "long-line.txt" in line]
    assert "more than the 5,000,000 characters a report may have" in skipped and skipped.endswith(
        "(skipped)"
    )
    assert len(indexed_reports(env)) == SEED_REPORTS
