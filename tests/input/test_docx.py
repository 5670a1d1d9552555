"""Word .docx files into the document text: body order, merged cells, zip bombs and corrupt files."""
from __future__ import annotations

import io
import zipfile

from extractor.input.docx import zip_problem
from extractor.input.load import load_bytes
from tests.helpers import norm_rows, seed_text, table_lines, to_docx


def test_docx_body_order_and_merged_cells():
    import docx

    d = docx.Document()
    d.add_paragraph("一、总体情况")
    t = d.add_table(rows=3, cols=3)
    t.cell(0, 0).merge(t.cell(0, 2)).text = "表头"
    t.cell(1, 0).merge(t.cell(2, 0)).text = "规章"
    t.cell(1, 1).text, t.cell(1, 2).text = "1", "2"
    t.cell(2, 1).text, t.cell(2, 2).text = "3", "4"
    d.add_paragraph("二、之后\t对齐")
    buf = io.BytesIO()
    d.save(buf)
    doc = load_bytes(buf.getvalue(), "a.docx")
    assert doc.error is None and doc.format == "docx"
    assert doc.text.split("\n") == ["一、总体情况", "", "表头\t\t", "规章\t1\t2", "\t3\t4", "", "二、之后\t对齐"]


def test_docx_seed_tables_survive():
    src = seed_text()
    doc = load_bytes(to_docx(src), "seed.docx")
    assert doc.error is None
    assert norm_rows(table_lines(doc.text)) == norm_rows(table_lines(src))
    assert doc.text.index("总体情况") < doc.text.index("行政许可") < doc.text.index("存在的主要问题")


def test_docx_zip_bomb_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"\0" * (80 * 1024 * 1024))  # 80 MB of zeros packs to ~80 KB
    data = buf.getvalue()
    assert len(data) < 1_000_000
    assert zip_problem(data).code == "input.zip_bomb"
    assert load_bytes(data, "bomb.docx").error.code == "input.zip_bomb"


def test_docx_corrupt():
    src = to_docx("一、总体情况\n正文")
    assert load_bytes(src[: len(src) // 2], "cut.docx").error.code == "input.corrupt"
    assert load_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old.docx").error.code == "input.corrupt"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "not word")
    assert load_bytes(buf.getvalue(), "notword.docx").error.code == "input.corrupt"
