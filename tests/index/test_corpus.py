"""Reading the corpus: metadata, and files that are missing metadata, empty, or not UTF-8."""

from __future__ import annotations

from shuangyu.index.sources.corpus import read_corpus
from shuangyu.index.sources.passages import split_report

FOUR_ZONES = "000_7ef409554a5a9e76.txt"


def test_real_reports_load_with_their_metadata(real_corpus):
    assert real_corpus.problems == []
    by_id = {report.id: report for report in real_corpus.reports}
    assert set(by_id) == {"shapingba-four-zones", "shapingba-2020-four-highs"}
    four_highs = by_id["shapingba-2020-four-highs"].metadata
    assert four_highs.title == "2020 沙坪坝走向了“四高”"
    assert four_highs.authors == ("王彩艳", "肖亚平")
    assert four_highs.year == 2020
    assert "1-11月" in four_highs.date_basis
    assert by_id["shapingba-four-zones"].metadata.authors == ("王彩艳", "杨敏")


def test_a_report_without_metadata_is_titled_from_its_first_line_with_a_warning(corpus_copy):
    (corpus_copy / "new_report.txt").write_text(
        "\n磁器口古镇迎来游客高峰\n\n国庆期间，磁器口古镇接待游客超过百万人次。\n", encoding="utf-8"
    )
    corpus = read_corpus(corpus_copy)
    report = next(r for r in corpus.reports if r.path.name == "new_report.txt")
    assert report.id == "new_report"
    assert report.metadata.title == "磁器口古镇迎来游客高峰"
    [problem] = corpus.problems
    assert problem.path.name == "new_report.txt" and not problem.skipped
    assert "no metadata" in str(problem)


def test_a_gb18030_report_is_decoded(corpus_copy):
    source = (corpus_copy / FOUR_ZONES).read_text(encoding="utf-8")
    (corpus_copy / "gb_report.txt").write_bytes(source.encode("gb18030"))
    corpus = read_corpus(corpus_copy)
    report = next(r for r in corpus.reports if r.path.name == "gb_report.txt")
    assert report.encoding == "gb18030"
    assert report.text == source
    assert [p.text for p in split_report("x", report.text)] == [
        p.text for p in split_report("x", source)
    ]


def test_bom_and_crlf_give_the_same_passages(corpus_copy):
    source = (corpus_copy / FOUR_ZONES).read_text(encoding="utf-8")
    (corpus_copy / "windows.txt").write_bytes(
        b"\xef\xbb\xbf" + source.replace("\n", "\r\n").encode("utf-8")
    )
    report = next(r for r in read_corpus(corpus_copy).reports if r.path.name == "windows.txt")
    assert [p.text for p in split_report("x", report.text)] == [
        p.text for p in split_report("x", source)
    ]


def test_empty_binary_and_duplicate_reports_are_skipped_by_name(corpus_copy):
    (corpus_copy / "empty.txt").write_bytes(b"")
    (corpus_copy / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
    (corpus_copy / "zz_copy.txt").write_bytes((corpus_copy / FOUR_ZONES).read_bytes())
    (corpus_copy / "zz_copy.toml").write_bytes(
        (corpus_copy / "000_7ef409554a5a9e76.toml").read_bytes()
    )
    (corpus_copy / "bad_meta.txt").write_text("沙坪坝。\n", encoding="utf-8")
    (corpus_copy / "bad_meta.toml").write_text("title = [unclosed\n", encoding="utf-8")
    corpus = read_corpus(corpus_copy)
    assert {report.id for report in corpus.reports} == {
        "shapingba-four-zones",
        "shapingba-2020-four-highs",
    }
    messages = {problem.path.name: str(problem) for problem in corpus.problems}
    assert "empty" in messages["empty.txt"]
    assert "binary" in messages["image.txt"]
    assert "duplicate report id 'shapingba-four-zones'" in messages["zz_copy.txt"]
    assert "malformed metadata" in messages["bad_meta.txt"]
    assert all(problem.skipped for problem in corpus.problems)


def test_fingerprint_changes_when_a_report_changes(corpus_copy):
    before = read_corpus(corpus_copy).fingerprint
    assert read_corpus(corpus_copy).fingerprint == before
    path = corpus_copy / FOUR_ZONES
    path.write_bytes(path.read_bytes() + "补充。\n".encode())
    assert read_corpus(corpus_copy).fingerprint != before
