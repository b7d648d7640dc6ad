"""Atomic builds: a failed build leaves the previous index answering; one build at a time."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from click.testing import CliRunner
from shuangyu.index.build import BuildError, NoReports, build_index, build_lock
from shuangyu.index.engines.store import BUILDS, current_build
from shuangyu.index.english import gloss
from shuangyu.index.text import language as language_module
from shuangyu.search.searcher import Searcher

from tests.paths import CLUSTER, DICTIONARY, SHARED_INSTANCE, instance_with_dictionary

pytestmark = pytest.mark.every_engine


def test_a_failed_build_leaves_the_previous_index_answering(make_corpus, tmp_path, monkeypatch):
    corpus = make_corpus({"a.txt": "重庆的物流中心正在建设。\n"})
    index_dir = tmp_path / "index"
    build_index(corpus, index_dir, SHARED_INSTANCE, progress=False, cluster=CLUSTER)
    before = current_build(index_dir)
    (corpus / "b.txt").write_text("磁器口古镇游客很多。\n", encoding="utf-8")

    def broken_gloss(text, language):
        raise RuntimeError("translation engine crashed")

    monkeypatch.setattr(gloss, "gloss", broken_gloss)
    with pytest.raises(RuntimeError):
        build_index(corpus, index_dir, SHARED_INSTANCE, progress=False, cluster=CLUSTER)
    assert current_build(index_dir) == before
    assert [path.name for path in (index_dir / BUILDS).iterdir()] == [before.name]
    assert Searcher(index_dir, dictionary=DICTIONARY, cluster=CLUSTER).search("物流")["total"] == 1


def test_a_second_build_is_refused_while_one_runs(make_corpus, tmp_path):
    corpus = make_corpus({"a.txt": "重庆的物流中心正在建设。\n"})
    with build_lock(tmp_path / "index"):
        with pytest.raises(BuildError, match="another `shuangyu build` is running"):
            build_index(
                corpus, tmp_path / "index", SHARED_INSTANCE, progress=False, cluster=CLUSTER
            )


def test_a_new_build_is_picked_up_by_an_open_searcher(make_corpus, tmp_path):
    corpus = make_corpus({"a.txt": "重庆的物流中心正在建设。\n"})
    index_dir = tmp_path / "index"
    build_index(corpus, index_dir, SHARED_INSTANCE, progress=False, cluster=CLUSTER)
    searcher = Searcher(index_dir, dictionary=DICTIONARY, cluster=CLUSTER)
    assert searcher.search("磁器口")["total"] == 0
    (corpus / "b.txt").write_text("磁器口古镇游客很多。\n", encoding="utf-8")
    build_index(corpus, index_dir, SHARED_INSTANCE, progress=False, cluster=CLUSTER)
    assert searcher.search("磁器口")["total"] == 1


def test_a_corpus_without_reports_is_a_clear_error(make_corpus, tmp_path):
    corpus = make_corpus({"empty.txt": ""})
    with pytest.raises(NoReports, match="no report to index"):
        build_index(corpus, tmp_path / "index", SHARED_INSTANCE, progress=False, cluster=CLUSTER)


def test_a_new_report_is_added_in_place_and_an_open_searcher_sees_it(make_corpus, tmp_path):
    corpus = make_corpus(
        {
            "a.txt": "重庆的物流中心正在建设。\n",
            "b.txt": "沙坪坝区发展科技。\n",
            "c.txt": "歌乐山景色优美。\n",
        }
    )
    index_dir = tmp_path / "index"
    first = build_index(corpus, index_dir, SHARED_INSTANCE, progress=False, cluster=CLUSTER)
    searcher = Searcher(index_dir, dictionary=DICTIONARY, cluster=CLUSTER)
    assert searcher.search("磁器口")["total"] == 0
    (corpus / "d.txt").write_text("磁器口古镇游客很多。\n", encoding="utf-8")
    result = build_index(corpus, index_dir, SHARED_INSTANCE, progress=False, cluster=CLUSTER)
    assert result.manifest.last_update.mode == "incremental"
    assert result.manifest.last_update.reports == ["d"]
    assert result.manifest.built_at == first.manifest.built_at
    assert searcher.search("磁器口")["total"] == 1
    assert result.manifest.passages == 4


def test_an_update_in_place_cuts_words_with_the_runs_one_segmenter(
    make_corpus, tmp_path, monkeypatch
):
    """The engine's writer analyses the changed passages with the build's own language, whose
    segmenter (and caches) the build has made already; not with a language of its own (as
    Whoosh's, unpickled from the index with the analysers, once did: three more segmenters,
    each loading jieba's dictionary and the index's names, and every passage cut again)."""
    corpus = make_corpus({"a.txt": "重庆的物流中心正在建设。\n", "b.txt": "沙坪坝区发展科技。\n"})
    index_dir = tmp_path / "index"
    build_index(corpus, index_dir, SHARED_INSTANCE, progress=False, cluster=CLUSTER)
    made = []
    real = language_module._segmenter
    monkeypatch.setattr(language_module, "_segmenter", lambda words: made.append(1) or real(words))
    (corpus / "a.txt").write_text("重庆的港口正在建设。\n", encoding="utf-8")
    result = build_index(corpus, index_dir, SHARED_INSTANCE, progress=False, cluster=CLUSTER)
    assert result.manifest.last_update.mode == "incremental"
    assert len(made) == 1


def test_a_changed_and_a_removed_report_are_updated_in_place(make_corpus, tmp_path):
    corpus = make_corpus(
        {
            "a.txt": "重庆的物流中心正在建设。\n",
            "b.txt": "沙坪坝区发展科技。\n",
            "c.txt": "歌乐山景色优美。\n",
            "d.txt": "磁器口古镇游客很多。\n",
            "e.txt": "嘉陵江边的公园。\n",
            "f.txt": "红岩精神代代相传。\n",
        }
    )
    index_dir = tmp_path / "index"
    build_index(corpus, index_dir, SHARED_INSTANCE, progress=False, cluster=CLUSTER)
    searcher = Searcher(index_dir, dictionary=DICTIONARY, cluster=CLUSTER)
    (corpus / "a.txt").write_text("重庆的港口正在建设。\n", encoding="utf-8")
    (corpus / "b.txt").unlink()
    result = build_index(corpus, index_dir, SHARED_INSTANCE, progress=False, cluster=CLUSTER)
    assert result.manifest.last_update.mode == "incremental"
    assert searcher.search("物流")["total"] == 0
    assert searcher.search("港口")["total"] == 1
    assert searcher.search("科技")["total"] == 0
    assert {entry["id"] for entry in searcher.manifest.reports} == {"a", "c", "d", "e", "f"}
    assert build_index(
        corpus, index_dir, SHARED_INSTANCE, progress=False, cluster=CLUSTER
    ).up_to_date


def test_a_changed_glossary_rebuilds_every_report(make_corpus, tmp_path):
    # Glossary and names terms change how every report is cut into words: no report may keep
    # its old words, though none of the reports changed.
    corpus = make_corpus({"a.txt": "重庆的物流中心正在建设。\n"})
    index_dir = tmp_path / "index"
    build_index(corpus, index_dir, SHARED_INSTANCE, progress=False, cluster=CLUSTER)
    assert build_index(
        corpus, index_dir, SHARED_INSTANCE, progress=False, cluster=CLUSTER
    ).up_to_date
    (corpus / "glossary.tsv").write_text("logistics hub\t物流中心\ttest source\n", encoding="utf-8")
    result = build_index(corpus, index_dir, SHARED_INSTANCE, progress=False, cluster=CLUSTER)
    assert not result.up_to_date and result.manifest.last_update.mode == "full"
    assert build_index(
        corpus, index_dir, SHARED_INSTANCE, progress=False, cluster=CLUSTER
    ).up_to_date


@pytest.mark.parametrize(
    "code, message",
    [(errno.ENOSPC, "No space left on device"), (errno.EROFS, "Read-only file system")],
    ids=["full-disk", "read-only"],
)
def test_a_full_or_read_only_disk_stops_the_build_in_one_line_and_the_index_still_answers(
    make_corpus, tmp_path, monkeypatch, code, message
):
    from shuangyu.web.cli import main

    corpus = make_corpus({"a.txt": "重庆的物流中心正在建设。\n"})
    index_dir = tmp_path / "index"
    for name, value in (
        ("SHUANGYU_CORPUS_DIR", corpus),
        ("SHUANGYU_INDEX_DIR", index_dir),
        ("SHUANGYU_INSTANCE_DIR", instance_with_dictionary(tmp_path / "instance")),
    ):
        monkeypatch.setenv(name, str(value))
    assert CliRunner().invoke(main, ["build", "--quiet", "--translator", "gloss"]).exit_code == 0
    before = current_build(index_dir)

    write_text = Path.write_text

    def failing_write(self, *arguments, **options):
        # The disk fills (or turns read-only) as the build writes its manifest, its last file.
        if self.name == "manifest.json":
            raise OSError(code, message, str(self))
        return write_text(self, *arguments, **options)

    monkeypatch.setattr(Path, "write_text", failing_write)
    result = CliRunner().invoke(main, ["build", "--quiet", "--force", "--translator", "gloss"])
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"Error: the build stopped: {message}: {index_dir}") and line.endswith(
        "the index in use still answers (build again once the index folder can be written)"
    )
    monkeypatch.undo()
    assert current_build(index_dir) == before
    assert [path.name for path in (index_dir / BUILDS).iterdir()] == [before.name]
    assert Searcher(index_dir, dictionary=DICTIONARY, cluster=CLUSTER).search("物流")["total"] == 1
