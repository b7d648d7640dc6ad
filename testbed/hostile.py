"""Hostile corpus files, made on the spot by small generators (no stored bombs): what a red team
sent the build (issue 27). Each generator writes one file into a folder and returns its path;
``scale`` shrinks a bomb for a quick test (1.0 is the size the red team used).

``python -m testbed.hostile FOLDER`` writes them all, beside nothing else, for a build to meet.
"""

from __future__ import annotations

import io
import os
import sys
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path


def pdf(objects: list[bytes], root: int = 1) -> bytes:
    """A PDF of ``objects`` (object ``n`` is ``objects[n - 1]``) with a correct cross-reference
    table, so that the reader parses exactly what is written."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, root, xref)
    )
    return out.getvalue()


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    packed = zlib.compress(data, 9)
    return (
        b"<< /Length %d /Filter /FlateDecode %s >>\nstream\n" % (len(packed), extra)
        + packed
        + b"\nendstream"
    )


def _page_pdf(content: bytes, resources: bytes = b"", extra_objects: list[bytes] = ()) -> bytes:
    """A one-page PDF drawing ``content`` with Helvetica as /F1 and ``resources`` besides."""
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 800] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> " + resources + b" >> >>",
            _stream(content),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            *extra_objects,
        ]
    )


def reference_loop_pdf(folder: Path, scale: float = 1.0) -> Path:
    """249 bytes: the catalog's /Pages is 2 0 R, object 2 is 3 0 R and object 3 is 2 0 R."""
    path = folder / "reference-loop.pdf"
    path.write_bytes(pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"3 0 R", b"2 0 R"]))
    return path


def drawn_string_pdf(folder: Path, scale: float = 1.0) -> Path:
    """A few KB whose page draws a string of 2,000,000 characters in one text command."""
    path = folder / "drawn-string.pdf"
    characters = int(2_000_000 * scale)
    path.write_bytes(_page_pdf(b"BT /F1 1 Tf 10 10 Td (" + b"A" * characters + b") Tj ET"))
    return path


def nested_forms_pdf(folder: Path, scale: float = 1.0) -> Path:
    """A few KB of form XObjects each drawing the one before ten times: a million drawings."""
    path = folder / "nested-forms.pdf"
    depth = 6 if scale >= 1 else 4
    # Objects 6.. are the forms; form 0 draws text, form n draws form n-1 ten times.
    forms = []
    for level in range(depth + 1):
        number = 6 + level
        if level == 0:
            content, resources = b"BT /F1 12 Tf 10 10 Td (Hello) Tj ET", b"/Font << /F1 5 0 R >>"
        else:
            content, resources = b"/X Do " * 10, b"/XObject << /X %d 0 R >>" % (number - 1)
        forms.append(
            _stream(
                content,
                b"/Type /XObject /Subtype /Form /BBox [0 0 600 800] /Resources << "
                + resources
                + b" >>",
            )
        )
    top = 6 + depth
    path.write_bytes(_page_pdf(b"/X Do", b"/XObject << /X %d 0 R >>" % top, forms))
    return path


def inflating_stream_pdf(folder: Path, scale: float = 1.0) -> Path:
    """About 300 KB whose page's content stream inflates to 300 MB."""
    path = folder / "inflating-stream.pdf"
    path.write_bytes(
        _page_pdf(b"BT /F1 12 Tf 10 10 Td (x) Tj ET" + b" " * int(300 * 2**20 * scale))
    )
    return path


def _docx(document_xml: bytes, core_xml: bytes | None = None) -> bytes:
    """A minimal Word file holding ``document_xml`` (and document properties ``core_xml``)."""
    content_types = (
        b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        b'<Default Extension="xml" ContentType="application/xml"/>'
        b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        b'<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>'
    )
    rels = (
        b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
        b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
        b"</Relationships>"
    )
    core = core_xml or core_properties(title="", creator="")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("docProps/core.xml", core)
        archive.writestr("word/document.xml", document_xml)
    return out.getvalue()


def core_properties(title: str, creator: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties '
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>{title}</dc:title><dc:creator>{creator}</dc:creator></cp:coreProperties>"
    ).encode()


_W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _document(paragraphs: bytes) -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?><w:document '
        + _W
        + b"><w:body>"
        + paragraphs
        + b"</w:body></w:document>"
    )


def xml_bomb_docx(folder: Path, scale: float = 1.0) -> Path:
    """About 500 KB holding 150 MB of XML (under a 200 MB unpacked cap)."""
    path = folder / "xml-bomb.docx"
    paragraph = b"<w:p><w:r><w:t>\xe5\x8f\x91\xe5\xb1\x95</w:t></w:r></w:p>"
    path.write_bytes(_docx(_document(paragraph * int(150 * 2**20 * scale / len(paragraph)))))
    return path


def huge_title_docx(folder: Path, scale: float = 1.0) -> Path:
    """About 10 KB whose title property is 2,000,000 characters."""
    path = folder / "huge-title-property.docx"
    body = _document(
        "<w:p><w:r><w:t>红队测试的报告正文。推动高质量发展。</w:t></w:r></w:p>".encode()
    )
    path.write_bytes(_docx(body, core_properties(title="标" * int(2_000_000 * scale), creator="")))
    return path


def many_authors_docx(folder: Path, scale: float = 1.0) -> Path:
    """A Word file whose author property lists 50,000 authors."""
    path = folder / "many-authors.docx"
    body = _document(
        "<w:p><w:r><w:t>红队测试：许多作者署名的报告正文。推动高质量发展。</w:t></w:r></w:p>".encode()
    )
    authors = "; ".join(f"作者{number}" for number in range(int(50_000 * scale)))
    path.write_bytes(_docx(body, core_properties(title="许多作者的报告", creator=authors)))
    return path


def huge_toml_title(folder: Path, scale: float = 1.0) -> Path:
    """A report whose metadata file gives a title of 6 MB."""
    path = folder / "huge-title.txt"
    path.write_text("红队测试：推动高质量发展，扎实推进乡村振兴。\n", encoding="utf-8")
    title = "题" * int(2_000_000 * scale)
    path.with_suffix(".toml").write_text(f'title = "{title}"\n', encoding="utf-8")
    return path


def deep_toml(folder: Path, scale: float = 1.0) -> Path:
    """A report whose metadata nests arrays 500 deep."""
    path = folder / "deep-toml.txt"
    path.write_text("推动高质量发展，扎实推进乡村振兴。\n", encoding="utf-8")
    path.with_suffix(".toml").write_text(
        "title = " + "[" * 500 + "]" * 500 + "\n", encoding="utf-8"
    )
    return path


def undecodable_name(folder: Path, scale: float = 1.0) -> Path:
    """A report whose file name is not UTF-8 (``\\xff\\xfe.txt``)."""
    path = Path(os.fsdecode(os.path.join(os.fsencode(folder), b"\xff\xfe.txt")))
    path.write_text("推动高质量发展。\n", encoding="utf-8")
    return path


def escape_names(folder: Path, scale: float = 1.0) -> Path:
    """Reports whose names hold terminal escapes and a line break forging a warning line; the
    path of the first."""
    first = folder / "\x1b]0;owned\x07title.txt"
    first.write_text("", encoding="utf-8")  # empty: the build names it in a warning
    (folder / "x\nwarning: forged.txt").write_text("", encoding="utf-8")
    (folder / "\x1b[2J\x1b[31mred.doc").write_bytes(b"old word")
    return first


def escape_page_label_pdf(folder: Path, scale: float = 1.0) -> Path:
    """A PDF whose page label holds terminal escapes and whose page has text."""
    path = folder / "escape-label.pdf"
    path.write_bytes(
        pdf(
            [
                b"<< /Type /Catalog /Pages 2 0 R /PageLabels << /Nums [0 << /P (\x1b]0;owned\x07\x1b[31m) >>] >> >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 800] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
                _stream(b"BT /F1 12 Tf 10 700 Td (Development report text.) Tj ET"),
                b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            ]
        )
    )
    return path


def unpunctuated_txt(folder: Path, scale: float = 1.0) -> Path:
    """735,000 Han characters without punctuation or line breaks: one passage, once."""
    path = folder / "unpunctuated.txt"
    path.write_text("发展经济改善民生" * int(735_000 * scale / 8), encoding="utf-8")
    return path


def comma_lines_txt(folder: Path, scale: float = 1.0) -> Path:
    """80,000 short lines each ending with a comma: one paragraph of 80,000 lines."""
    path = folder / "comma-lines.txt"
    path.write_text(
        "".join(f"第{number}项工作，\n" for number in range(int(80_000 * scale))), encoding="utf-8"
    )
    return path


def long_line_txt(folder: Path, scale: float = 1.0) -> Path:
    """199 MB of text without a line break (under the 200 MB file cap)."""
    path = folder / "long-line.txt"
    with path.open("wb") as out:
        block = b"a" * 2**20
        for _ in range(int(199 * scale)):
            out.write(block)
    return path


def special_files(folder: Path, scale: float = 1.0) -> Path:
    """A named pipe, a link to /dev/zero and a loop of links, each with a report's suffix;
    the pipe's path."""
    fifo = folder / "pipe.txt"
    os.mkfifo(fifo)
    (folder / "zero.txt").symlink_to("/dev/zero")
    (folder / "loop-a.txt").symlink_to(folder / "loop-b.txt")
    (folder / "loop-b.txt").symlink_to(folder / "loop-a.txt")
    return fifo


GENERATORS: dict[str, Callable[[Path, float], Path]] = {
    "reference loop PDF": reference_loop_pdf,
    "drawn string PDF": drawn_string_pdf,
    "nested forms PDF": nested_forms_pdf,
    "inflating stream PDF": inflating_stream_pdf,
    "XML bomb DOCX": xml_bomb_docx,
    "huge title DOCX": huge_title_docx,
    "many authors DOCX": many_authors_docx,
    "huge TOML title": huge_toml_title,
    "deep TOML": deep_toml,
    "undecodable name": undecodable_name,
    "escape names": escape_names,
    "escape page label PDF": escape_page_label_pdf,
    "unpunctuated text": unpunctuated_txt,
    "comma lines": comma_lines_txt,
    "long line text": long_line_txt,
    "special files": special_files,
}


def write_all(folder: Path, scale: float = 1.0) -> dict[str, Path]:
    """Every hostile file in ``folder``, by name."""
    folder.mkdir(parents=True, exist_ok=True)
    return {name: make(folder, scale) for name, make in GENERATORS.items()}


if __name__ == "__main__":
    target = Path(sys.argv[1])
    for name, path in write_all(target).items():
        print(f"{name}: {path.name!r}")
