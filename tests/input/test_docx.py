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


def test_fuzz_a_zip_asking_for_extract_version_13_is_corrupt_not_an_exception():
    """benchmarks/fuzz (issue 10), seed 2 (#1722 of a discovery run): a flipped byte in a .docx's central
    directory asked for zip version 13.0; zipfile raised NotImplementedError out of `load`."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    data = bytearray(buf.getvalue())
    central = data.index(b"PK\x01\x02")
    data[central + 6:central + 8] = (130).to_bytes(2, "little")  # "version needed to extract": 13.0
    doc = load_bytes(bytes(data), "v13.docx")
    assert doc.error.code == "input.corrupt" and "13.0" in doc.error.message


def test_fuzz_a_docx_of_a_quarter_million_cells_stops_at_its_budget():
    """benchmarks/fuzz (issue 10), seed 10 (#368 of the test run): digits with tabs pasted into a table
    row and the row duplicated made a 675 KB .docx of 249,000 cells; the reader had no budget check
    and read on for 11 s of CPU.  It now checks the input's deadline per table row and body element."""
    import pytest

    from extractor import budget

    data = to_docx("一、总体情况\n" + "\n".join("\t".join(["1"] * 4) for _ in range(3)))
    assert load_bytes(data, "t.docx").error is None
    with budget.limit(0.0), pytest.raises(budget.OverBudget):
        load_bytes(data, "t.docx")


def test_fuzz_a_docx_of_400000_cells_is_refused_as_too_large(monkeypatch):
    """benchmarks/fuzz (issue 10), seed 4 #43712: a 180 KB .docx whose table rows were duplicated into
    406,544 cells (27 MB of XML) took 4 s to flatten before any reading.  Past `MAX_CELLS` table cells the
    document is refused with `input.too_large`, counted before flattening."""
    from extractor.input import docx as reader

    data = to_docx("一、总体情况\n" + "\n".join("\t".join(["1"] * 4) for _ in range(3)))
    assert load_bytes(data, "t.docx").error is None
    monkeypatch.setattr(reader, "MAX_CELLS", 11)
    doc = load_bytes(data, "t.docx")
    assert doc.error.code == "input.too_large" and "12 cells (limit 11)" in doc.error.message


def test_docx_a_value_cell_merged_down_fills_each_row_it_covers():
    """Issue 11 kind 6 in Word: a 0 merged down over three rows (vMerge) is 0 in each; a merged label is not."""
    import docx

    d = docx.Document()
    t = d.add_table(rows=3, cols=3)
    t.cell(0, 0).text, t.cell(1, 0).text, t.cell(2, 0).text = "1.逾期不补正", "2.逾期未缴费", "3.其他"
    t.cell(0, 1).merge(t.cell(2, 1)).text = "0"
    t.cell(0, 2).text, t.cell(1, 2).text, t.cell(2, 2).text = "4", "5", "6"
    buf = io.BytesIO()
    d.save(buf)
    doc = load_bytes(buf.getvalue(), "a.docx")
    assert doc.text.split("\n") == ["1.逾期不补正\t0\t4", "2.逾期未缴费\t0\t5", "3.其他\t0\t6"]
    assert [i.code for i in doc.warnings] == ["input.merged_values"]
