"""Reports as people have them: a PDF, a Word file and a web page beside a text file, built with
`shuangyu build` into one index and read back through the API. Every file is made here, with the
library a real author's tool would use: reportlab's STSong-Light CID font writes Chinese PDFs the
way office software does, python-docx writes Word's heading styles."""

from __future__ import annotations

import datetime
import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from PIL import Image, ImageDraw
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.pdfdoc import PDFPageLabel
from reportlab.pdfgen import canvas
from shuangyu.index.engines.store import CURRENT, MANIFEST
from shuangyu.index.sources.layout import Layout
from shuangyu.index.sources.passages import PATH_SEPARATOR, split_report

from tests.paths import CORPUS_DIR, SHARED_INSTANCE

pytestmark = pytest.mark.every_engine

CHINESE_FONT = "STSong-Light"
RUNNING_HEADER = "沙坪坝区物流发展报告"
# The report's printed pages start at 11: the PDF labels them so, and citations say so.
FIRST_PAGE = 11
PDF_PAGES = [
    ["一、物流发展", "重庆的物流中心正在建设，沙坪坝区发展物流，", "铁路港"],
    ["和公路港都在扩大，货运班列越开越多。", "磁器口古镇的游客很多，文化旅游业蓬勃发展。"],
    ["二、科技创新", "沙坪坝区发展科技，高校科研成果就地转化。"],
]

HTML_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>歌乐山生态报告 - 重庆日报</title>
<meta name="citation_title" content="歌乐山生态保护报告">
<meta name="citation_author" content="王小明"><meta name="citation_author" content="李华">
<meta name="citation_publication_date" content="2023/05/04"><meta property="og:site_name" content="重庆日报"></head>
<body><nav><ul><li><a href="/">首页</a></li><li><a href="/news">新闻中心导航</a></li><li><a href="/about">关于我们</a></li></ul></nav>
<header><div class="menu">网站导航菜单 登录 注册</div></header>
<main><article><h1>歌乐山生态保护报告</h1>
<h2>一、基本情况</h2><p>歌乐山景色优美，森林覆盖率持续提高，游客越来越多，生态环境不断改善，市民休闲有了好去处。</p>
<h3>森林资源</h3><p>沙坪坝区加强森林防火，落实护林责任，全年未发生重大森林火灾，林地面积保持稳定。</p>
<h2>二、下一步工作</h2><p>磁器口古镇和歌乐山连成一片，文化旅游融合发展，带动周边群众增收致富。</p>
</article></main>
<footer><p>版权所有 重庆日报社 渝ICP备12345号 联系电话 023-12345678</p></footer></body></html>
"""


def write_chinese_pdf(
    path: Path, pages: list[list[str]], title: str = "", author: str = "", first_label: int = 1
) -> None:
    """A PDF of ``pages`` (lines of Chinese) in a CID font, with a running header and a page
    number on each page, labelled from ``first_label``."""
    pdfmetrics.registerFont(UnicodeCIDFont(CHINESE_FONT))
    pdf = canvas.Canvas(str(path))
    pdf.setTitle(title)
    pdf.setAuthor(author)
    pdf.addPageLabel(0, style=PDFPageLabel.ARABIC, start=first_label)
    for number, lines in enumerate(pages, start=first_label):
        pdf.setFont(CHINESE_FONT, 12)
        pdf.drawString(72, 800, RUNNING_HEADER)
        for row, line in enumerate(lines):
            pdf.drawString(72, 760 - 20 * row, line)
        pdf.drawString(290, 40, f"- {number} -")
        pdf.showPage()
    pdf.save()


def scanned_page(pdf: canvas.Canvas) -> None:
    """A page that is only a picture of text, as a scanner makes it."""
    image = Image.new("RGB", (400, 200), "white")
    ImageDraw.Draw(image).rectangle((20, 20, 380, 40), fill="black")
    pdf.drawImage(ImageReader(image), 72, 500, 400, 200)
    pdf.showPage()


def write_word_file(path: Path) -> None:
    """A Word file with two levels of headings, a table and document properties."""
    document = docx.Document()
    properties = document.core_properties
    properties.title, properties.author = "沙坪坝区工作报告", "沙坪坝区人民政府"
    properties.created = datetime.datetime(2024, 1, 15, 9, 30)
    document.add_heading("一、工作回顾", level=1)
    document.add_paragraph("过去一年，沙坪坝区发展物流，铁路港建设加快。")
    document.add_heading("陆海新通道", level=2)
    document.add_paragraph("西部陆海新通道班列开行数量再创新高。")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "进出口总额", "增长百分之十二。"
    document.add_heading("二、今年安排", level=1)
    document.add_paragraph("推动磁器口古镇提档升级。")
    document.save(str(path))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A corpus of a text, a PDF, a Word file and a web page, and of faulty files, built with
    `shuangyu build`: the command's result, the index folder and the corpus folder."""
    from shuangyu.web.cli import main

    folder = tmp_path_factory.mktemp("formats")
    corpus = folder / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS_DIR / "names.tsv", corpus / "names.tsv")
    (corpus / "plain.txt").write_text(
        "嘉陵江边的公园\n\n嘉陵江边新建的滨江公园已经开放。\n", encoding="utf-8"
    )
    write_chinese_pdf(
        corpus / "logistics.pdf",
        PDF_PAGES,
        title="沙坪坝区物流发展报告",
        author="沙坪坝区发展改革委",
        first_label=FIRST_PAGE,
    )
    write_word_file(corpus / "work.docx")
    (corpus / "geleshan.html").write_text(HTML_PAGE, encoding="utf-8")
    # One page with text, one scanned: the text is indexed, the scanned page named.
    mixed = canvas.Canvas(str(corpus / "mixed.pdf"))
    pdfmetrics.registerFont(UnicodeCIDFont(CHINESE_FONT))
    mixed.setFont(CHINESE_FONT, 12)
    mixed.drawString(72, 760, "红岩精神代代相传，歌乐山下书声琅琅。")
    mixed.showPage()
    scanned_page(mixed)
    mixed.save()
    # Faults: each is named in one line; none stops the others.
    locked = canvas.Canvas(str(corpus / "locked.pdf"), encrypt="secret")
    locked.setFont(CHINESE_FONT, 12)
    locked.drawString(72, 760, "机密文件内容不应出现。")
    locked.showPage()
    locked.save()
    scanned = canvas.Canvas(str(corpus / "scanned.pdf"))
    scanned_page(scanned)
    scanned.save()
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog broken")
    (corpus / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip archive")
    (corpus / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 an OLE2 Word 97 file")
    (corpus / "notes.xyz").write_text("备忘", encoding="utf-8")
    index_dir = folder / "index"
    environment = {
        "SHUANGYU_CORPUS_DIR": str(corpus),
        "SHUANGYU_INDEX_DIR": str(index_dir),
        "SHUANGYU_INSTANCE_DIR": str(SHARED_INSTANCE.path),
    }
    result = CliRunner().invoke(
        main, ["build", "--quiet", "--translator", "gloss", "--details"], env=environment
    )
    return result, index_dir, corpus


@pytest.fixture(scope="module")
def client(built):
    from shuangyu.web.app import create_app

    return create_app({"TESTING": True, "INDEX_DIR": built[1]}).test_client()


def results(client, query: str, report_id: str) -> list[dict]:
    answer = client.get("/api/search", query_string={"q": query, "limit": 50})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return [result for result in answer.get_json()["results"] if result["report_id"] == report_id]


def test_each_faulty_file_is_named_in_one_line_and_the_rest_is_indexed(built, client, engine):
    result, index_dir, _ = built
    assert result.exit_code == 0, result.output
    assert (
        json.loads((index_dir / CURRENT / MANIFEST).read_text(encoding="utf-8"))["engine"] == engine
    )
    warnings = {
        line.split(":", 2)[1].strip(): line
        for line in result.stderr.splitlines()
        if line.startswith("warning: ")
    }
    assert "encrypted PDF" in warnings["locked.pdf"] and warnings["locked.pdf"].endswith(
        "(skipped)"
    )
    assert "needs OCR, which this product does not do" in warnings["scanned.pdf"]
    assert "corrupt PDF" in warnings["broken.pdf"]
    assert "not a readable Word (.docx) file" in warnings["broken.docx"]
    assert "save it as .docx" in warnings["old.doc"]
    assert "not a report format the build reads" in warnings["notes.xyz"]
    # Pages without a text layer among pages with text: named, and the rest is indexed.
    mixed = [
        line
        for line in result.stderr.splitlines()
        if line.startswith("warning: mixed.pdf:") and "OCR" in line
    ]
    assert mixed == [
        "warning: mixed.pdf: page(s) 2 have no text layer (scanned): it needs OCR, which this product "
        "does not do; the other pages are indexed (warning)"
    ]
    reports = {report["id"]: report for report in client.get("/api/reports").get_json()["reports"]}
    assert {report_id: report["format"] for report_id, report in reports.items()} == {
        "geleshan": "html",
        "logistics": "pdf",
        "mixed": "pdf",
        "plain": "txt",
        "work": "docx",
    }
    assert results(client, "红岩精神", "mixed")
    assert client.get("/api/search", query_string={"q": "机密文件"}).get_json()["total"] == 0


def test_a_chinese_pdf_is_read_with_each_passage_on_its_printed_page(client):
    (first,) = results(client, "物流中心", "logistics")
    assert (
        first["text"]
        == "重庆的物流中心正在建设，沙坪坝区发展物流，铁路港和公路港都在扩大，货运班列越开越多。"
    )
    # The paragraph runs over the page break: it is one passage on both pages.
    assert first["page"] == f"{FIRST_PAGE}-{FIRST_PAGE + 1}"
    (second,) = results(client, "磁器口古镇", "logistics")
    assert second["page"] == str(FIRST_PAGE + 1)
    passage = client.get(f"/api/passages/{second['id']}").get_json()
    # A PDF's headings are guessed as in a text file: the title line and the first heading name one section.
    assert (
        passage["page"] == str(FIRST_PAGE + 1)
        and passage["section"] == f"{RUNNING_HEADER} · 一、物流发展"
    )
    (technology,) = results(client, "科研成果", "logistics")
    assert technology["page"] == str(FIRST_PAGE + 2) and technology["section"] == "二、科技创新"


def test_page_numbers_and_the_running_header_are_not_passages(client):
    passages, passage_id = [], "logistics:p001"
    while passage_id:
        passage = client.get(f"/api/passages/{passage_id}").get_json()
        passages.append(passage)
        passage_id = passage["next_id"]
    texts = [passage["text"] for passage in passages]
    # The header is kept once, where it first stands (a title page may carry it as the title).
    assert texts.count(RUNNING_HEADER) == 1
    assert not [text for text in texts if text.strip("- 0123456789") == ""]
    assert "".join(texts).count("沙坪坝区发展科技") == 1


def test_the_permalink_page_shows_the_page(client):
    (found,) = results(client, "物流中心", "logistics")
    english = client.get(found["url"], query_string={"ui": "en"}).get_data(as_text=True)
    assert f'<span class="page">pp. {FIRST_PAGE}-{FIRST_PAGE + 1}</span>' in english
    chinese = client.get(found["url"], query_string={"ui": "zh"}).get_data(as_text=True)
    assert f'<span class="page">第 {FIRST_PAGE}-{FIRST_PAGE + 1} 页</span>' in chinese
    (plain,) = results(client, "滨江公园", "plain")
    assert plain["page"] == "" and 'class="page"' not in client.get(plain["url"]).get_data(
        as_text=True
    )


def test_every_citation_of_a_passage_of_a_pdf_prints_its_pages(client):
    (found,) = results(client, "物流中心", "logistics")
    pages = f"{FIRST_PAGE}-{FIRST_PAGE + 1}"
    passage = client.get(f"/api/passages/{found['id']}").get_json()
    citations = passage["citations"]
    # The report (its title says 报告) is cited as a report: the page follows the year after a colon.
    assert f": {pages}" in citations["gb_t_7714"] and f"：{pages}" in citations["gb_t_7714_2025"]
    assert f"(pp. {FIRST_PAGE}\u2013{FIRST_PAGE + 1})" in citations["apa"]
    assert f", pp. {FIRST_PAGE}\u2013{FIRST_PAGE + 1}," in citations["mla"]
    assert f"pages = {{{FIRST_PAGE}--{FIRST_PAGE + 1}}}" in citations["bibtex"]
    assert (
        f"SP  - {FIRST_PAGE}\r\n" in citations["ris"]
        and f"EP  - {FIRST_PAGE + 1}\r\n" in citations["ris"]
    )
    assert json.loads(citations["csl_json"])[0]["page"] == pages
    head = client.get(found["url"]).get_data(as_text=True).split("</head>")[0]
    assert f'<meta name="citation_firstpage" content="{FIRST_PAGE}">' in head
    assert f'<meta name="citation_lastpage" content="{FIRST_PAGE + 1}">' in head
    # A passage of a report without pages cites none.
    (plain,) = results(client, "滨江公园", "plain")
    plain_citations = client.get(f"/api/passages/{plain['id']}").get_json()["citations"]
    assert (
        "page" not in json.loads(plain_citations["csl_json"])[0]
        and "SP  -" not in plain_citations["ris"]
    )


def test_a_word_file_gives_each_passage_its_heading_path(client):
    (corridor,) = results(client, "班列开行", "work")
    assert (
        corridor["section"] == f"一、工作回顾{PATH_SEPARATOR}陆海新通道" and corridor["page"] == ""
    )
    (table,) = results(client, "进出口总额", "work")
    assert (
        table["text"] == "进出口总额\t增长百分之十二。" and table["section"] == corridor["section"]
    )
    (next_year,) = results(client, "提档升级", "work")
    assert next_year["section"] == "二、今年安排"
    headings = [
        result for result in results(client, "陆海新通道", "work") if result["kind"] == "heading"
    ]
    assert [heading["text"] for heading in headings] == ["陆海新通道"]


def test_a_web_page_is_read_without_its_navigation_and_footer(client):
    (forest,) = results(client, "森林防火", "geleshan")
    # The page's one h1 is its title: the sections stand under it.
    assert forest["section"] == f"一、基本情况{PATH_SEPARATOR}森林资源"
    for furniture in ("导航菜单", "版权所有", "新闻中心"):
        assert not results(client, furniture, "geleshan"), furniture


def test_without_a_toml_the_files_own_properties_are_the_metadata(built, client):
    result, _, _ = built
    reports = {report["id"]: report for report in client.get("/api/reports").get_json()["reports"]}
    page, word, pdf = reports["geleshan"], reports["work"], reports["logistics"]
    assert (page["title"], page["authors"], page["date"], page["publisher"]) == (
        "歌乐山生态保护报告",
        ["王小明", "李华"],
        "2023-05-04",
        "重庆日报",
    )
    assert "meta tags" in page["date_basis"]
    assert (word["title"], word["authors"], word["date"]) == (
        "沙坪坝区工作报告",
        ["沙坪坝区人民政府"],
        "2024-01-15",
    )
    assert (pdf["title"], pdf["authors"]) == ("沙坪坝区物流发展报告", ["沙坪坝区发展改革委"])
    # A Word file's date is when it was made, maybe not when the report was published: cited as a
    # guess; a web page's citation_publication_date is its publisher's word, cited as a fact.
    assert word["date_basis"].startswith("Inferred from the Word file's document properties")
    (in_word,) = results(client, "班列开行", "work")
    assert (
        "(ca. 2024)" in client.get(f"/api/passages/{in_word['id']}").get_json()["citations"]["apa"]
    )
    assert not page["date_basis"].startswith("Inferred")
    # The warning stays, and says what the file gave.
    assert (
        "warning: work.docx: no metadata file work.toml; inferred title '沙坪坝区工作报告', date 2024-01-15 "
        "(title, authors, date from the file's own properties) (warning)"
    ) in result.stderr.splitlines()


def test_a_toml_beside_a_pdf_wins_over_its_properties(built, tmp_path):
    from shuangyu.index.sources.corpus import read_corpus

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(built[2] / "logistics.pdf", corpus / "logistics.pdf")
    (corpus / "logistics.toml").write_text(
        'authors = ["重庆市人民政府"]\ndate = "2025-03"\n', encoding="utf-8"
    )
    (report,) = read_corpus(corpus).reports
    # The file's title is still the default of a field the .toml leaves out.
    assert (report.metadata.title, report.metadata.authors, report.metadata.date) == (
        "沙坪坝区物流发展报告",
        ("重庆市人民政府",),
        "2025-03",
    )


def test_every_character_of_the_extracted_text_is_in_one_passage():
    text = "第一段的开头，\n接着写完。\n\n二、标题\n\n第二段。\n"
    heading_start = text.index("二、标题")
    layout = Layout(
        pages=((0, "7"), (text.index("接着"), "8")),
        headings=((heading_start, heading_start + 4, 1),),
    )
    passages = split_report("demo", text, layout)
    assert [(passage.kind, passage.page, passage.section) for passage in passages] == [
        ("body", "7-8", ""),
        ("heading", "8", "二、标题"),
        ("body", "8", "二、标题"),
    ]
    assert "".join(passage.text for passage in passages) == "".join(text.split())


def test_a_build_with_nothing_new_still_names_the_files_it_does_not_read(built):
    from shuangyu.web.cli import main

    _, index_dir, corpus = built
    environment = {
        "SHUANGYU_CORPUS_DIR": str(corpus),
        "SHUANGYU_INDEX_DIR": str(index_dir),
        "SHUANGYU_INSTANCE_DIR": str(SHARED_INSTANCE.path),
    }
    again = CliRunner().invoke(main, ["build", "--quiet", "--translator", "gloss"], env=environment)
    assert again.exit_code == 0 and "Index is up to date" in again.output
    # One line for the files left out (the other warnings were said when it was built)...
    (summary,) = [line for line in again.stderr.splitlines() if line.startswith("warning: ")]
    assert summary.startswith(
        "warning: 6 files not indexed: broken.docx, broken.pdf, locked.pdf and 3 more"
    )
    # ...and each of them with --details.
    detailed = CliRunner().invoke(
        main, ["build", "--quiet", "--translator", "gloss", "--details"], env=environment
    )
    named = {
        line.split(":", 2)[1].strip()
        for line in detailed.stderr.splitlines()
        if line.startswith("warning: ")
    }
    assert {
        "notes.xyz",
        "old.doc",
        "locked.pdf",
        "scanned.pdf",
        "broken.pdf",
        "broken.docx",
    } <= named


def test_a_web_page_without_main_text_and_a_word_file_without_heading_styles(tmp_path):
    from shuangyu.index.sources.corpus import read_corpus

    (tmp_path / "empty.html").write_text(
        "<html><head><title>空页</title></head><body><nav><a href='/'>首页</a></nav></body></html>",
        encoding="utf-8",
    )
    document = docx.Document()
    for text in ("一、工作回顾", "过去一年，沙坪坝区发展物流。"):
        document.add_paragraph(text)
    document.save(str(tmp_path / "unstyled.docx"))
    corpus = read_corpus(tmp_path)
    assert [str(problem) for problem in corpus.problems if problem.skipped] == [
        "empty.html: web page with no main text found (only navigation, menus or footers) (skipped)"
    ]
    (report,) = corpus.reports
    # Without heading styles, headings are guessed as in a text file.
    assert report.layout.headings is None
    assert [
        (passage.kind, passage.section)
        for passage in split_report(report.id, report.text, report.layout)
    ] == [("heading", "一、工作回顾"), ("body", "一、工作回顾")]


@pytest.mark.parametrize(
    "value, date",
    [
        ("D:20240115093000+08'00'", "2024-01-15"),
        ("2023/05/04", "2023-05-04"),
        ("2023-05-04T10:00:00+08:00", "2023-05-04"),
        ("2023年5月4日", "2023-05-04"),
        ("2023", "2023"),
        (datetime.datetime(2024, 1, 15, 9, 30), "2024-01-15"),
        ("2023-13-01", ""),
        ("last Tuesday", ""),
        (None, ""),
    ],
)
def test_a_files_date_property_is_read_as_an_iso_date_or_not_at_all(value, date):
    from shuangyu.index.sources.formats import property_date

    assert property_date(value) == date


def test_a_second_build_takes_the_text_of_unchanged_files_from_the_instance_folder(
    built, monkeypatch
):
    """An up-to-date check reads no PDF again (reading one costs seconds); a faulty file, never
    kept, is read and named again."""
    from shuangyu.index.sources import reports as reports_module
    from shuangyu.web.cli import main

    _, index_dir, corpus = built
    read_again = []
    # Each file is read in a process of its own (index.sources.read_budget): what is read is counted here.
    read_within = reports_module.read_within
    monkeypatch.setattr(
        reports_module,
        "read_within",
        lambda reader, raw, budget: read_again.append(raw) or read_within(reader, raw, budget),
    )
    environment = {
        "SHUANGYU_CORPUS_DIR": str(corpus),
        "SHUANGYU_INDEX_DIR": str(index_dir),
        "SHUANGYU_INSTANCE_DIR": str(SHARED_INSTANCE.path),
    }
    again = CliRunner().invoke(main, ["build", "--quiet", "--translator", "gloss"], env=environment)
    assert again.exit_code == 0 and "Index is up to date" in again.output
    names = {
        (corpus / name).read_bytes(): name
        for name in ("logistics.pdf", "mixed.pdf", "locked.pdf", "scanned.pdf", "broken.pdf")
    }
    assert sorted(names[raw] for raw in read_again if raw in names) == [
        "broken.pdf",
        "locked.pdf",
        "scanned.pdf",
    ]


def test_a_damaged_kept_text_is_read_from_the_file_again(built, tmp_path):
    from shuangyu.index.sources.corpus import read_corpus
    from shuangyu.index.sources.extracted import ExtractionCache

    _, _, corpus = built
    first = {
        report.path.name: report.text
        for report in read_corpus(corpus, ExtractionCache(tmp_path)).reports
    }
    kept = list(tmp_path.iterdir())
    assert len(kept) == 4  # the PDF, the mixed PDF, the Word file and the web page
    for entry in kept:
        entry.write_bytes(entry.read_bytes()[:20])
    again = {
        report.path.name: report.text
        for report in read_corpus(corpus, ExtractionCache(tmp_path)).reports
    }
    assert again == first


def self_based_style_word_file(path: Path) -> None:
    """A Word file whose Normal style is based on itself, as a damaged or crafted file may be."""
    made = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("嘉陵江边的公园已经开放。", style="Normal")
    document.save(made)
    with (
        zipfile.ZipFile(io.BytesIO(made.getvalue())) as source,
        zipfile.ZipFile(path, "w") as target,
    ):
        for member in source.infolist():
            data = source.read(member.filename)
            if member.filename == "word/styles.xml":
                data, count = re.subn(
                    rb'(w:styleId="Normal">\s*<w:name w:val="Normal"/>)',
                    rb'\1<w:basedOn w:val="Normal"/>',
                    data,
                )
                assert count == 1
            target.writestr(member, data)


def test_a_word_file_whose_style_is_based_on_itself_is_read_and_a_zip_bomb_is_named(
    tmp_path, monkeypatch
):
    from shuangyu.index.sources import docx_reader
    from shuangyu.index.sources.corpus import read_corpus

    self_based_style_word_file(tmp_path / "looped.docx")
    monkeypatch.setattr(docx_reader, "MAX_UNPACKED_BYTES", 1_000_000)
    with zipfile.ZipFile(tmp_path / "bomb.docx", "w", compression=zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("word/document.xml", b"\0" * 2_000_000)
    corpus = read_corpus(tmp_path)
    (report,) = corpus.reports
    assert report.path.name == "looped.docx" and "嘉陵江边的公园已经开放。" in report.text
    (problem,) = [problem for problem in corpus.problems if problem.path.name == "bomb.docx"]
    assert problem.skipped and "unpacks to" in problem.message


def test_a_pdf_report_s_pages_point_zotero_at_its_own_file_served_while_unchanged(built, tmp_path):
    from shuangyu.web.app import create_app

    _, index_dir, corpus = built
    client = create_app(
        {"TESTING": True, "INDEX_DIR": index_dir, "CORPUS_DIR": corpus}
    ).test_client()
    for page in ("/p/logistics:p001", "/r/logistics"):
        html = client.get(page).get_data(as_text=True)
        assert (
            '<meta name="citation_pdf_url" content="http://localhost/r/logistics/source">' in html
        ), page
    with client.get("/r/logistics/source") as source:
        assert source.status_code == 200 and source.mimetype == "application/pdf"
        assert source.data == (corpus / "logistics.pdf").read_bytes()
        assert source.headers["Content-Disposition"].startswith("inline;")
    # A text report's file is served too, but no PDF link is made for it.
    with client.get("/r/plain/source") as source:
        assert source.data == (corpus / "plain.txt").read_bytes()
    assert "citation_pdf_url" not in client.get("/r/plain").get_data(as_text=True)
    # A file changed since the build is not the one the index holds: not served, not linked.
    changed = create_app(
        {"TESTING": True, "INDEX_DIR": index_dir, "CORPUS_DIR": tmp_path}
    ).test_client()
    shutil.copy(corpus / "plain.txt", tmp_path / "plain.txt")
    (tmp_path / "logistics.pdf").write_bytes(
        (corpus / "logistics.pdf").read_bytes() + b"\n% changed"
    )
    assert changed.get("/r/logistics/source").status_code == 404
    assert "citation_pdf_url" not in changed.get("/r/logistics").get_data(as_text=True)
    with changed.get("/r/plain/source") as source:
        assert source.status_code == 200
