"""The structured loaders: HTML, DOCX and PDF bytes into the document text.

The helpers at the top (`blocks`, `to_html`, `to_docx`, `to_pdf`) turn one
report text into the other formats; test_batch.py reuses them.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from extractor.formats import collapse, declared_charset, decode_html, html_to_text, zip_problem
from extractor.load import load, load_bytes

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED = SHARED / "seeds" / "001_22879b8c46a5464c.txt"


def seed_text() -> str:
    """The seed report read at test time (never copied into the repo)."""
    if not SEED.exists():
        pytest.skip("../shared not present")
    return SEED.read_text(encoding="utf-8")


# ------------------------------------------------------------------ builders

def blocks(text: str) -> list[tuple[str, object]]:
    """Split a text into ("p", line) and ("table", rows) blocks: tab-holding lines are table rows."""
    out: list[tuple[str, object]] = []
    for line in text.splitlines():
        if "\t" in line:
            cells = line.split("\t")
            if out and out[-1][0] == "table":
                out[-1][1].append(cells)  # type: ignore[union-attr]
            else:
                out.append(("table", [cells]))
        elif line.strip():
            out.append(("p", line.strip().lstrip("#").strip()))
    return out


def to_html(text: str, charset: str = "utf-8") -> bytes:
    """A page with <p> paragraphs and real <table>s, encoded in `charset` and declaring it."""
    from html import escape

    parts = [f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
             "<title>t</title><style>p{color:red}</style></head><body>"]
    for kind, val in blocks(text):
        if kind == "p":
            parts.append(f"<p>{escape(val)}</p>\n")
        else:
            parts.append("<table border=1>\n")
            for row in val:
                parts.append("<tr>" + "".join(f"<td>{escape(c) or '&nbsp;'}</td>" for c in row) + "</tr>\n")
            parts.append("</table>\n")
    parts.append("<script>var x = '<p>不是正文</p>';</script></body></html>")
    return "".join(parts).encode(charset)


def to_docx(text: str) -> bytes:
    """A Word file with paragraphs and real tables in body order."""
    import docx

    d = docx.Document()
    for kind, val in blocks(text):
        if kind == "p":
            d.add_paragraph(val)
        else:
            width = max(len(r) for r in val)
            table = d.add_table(rows=len(val), cols=width)
            for i, row in enumerate(val):
                for j, c in enumerate(row):
                    table.cell(i, j).text = c
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def to_pdf(text: str | None = None, scanned: bool = False) -> bytes:
    """A landscape PDF with a real Chinese text layer (STSong-Light) and ruled tables.

    `scanned=True` draws only a rectangle: a page without any text.
    """
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    W, H = landscape(A4)
    c = canvas.Canvas(buf, pagesize=(W, H), invariant=1)
    if scanned:
        c.rect(50, 50, W - 100, H - 100, fill=1)
        c.showPage()
        c.save()
        return buf.getvalue()
    fs, lead, margin = 6.0, 9.0, 30.0
    y = H - margin

    def room(need: float) -> None:
        nonlocal y
        if y - need < margin:
            c.showPage()
            y = H - margin

    for kind, val in blocks(text or ""):
        if kind == "p":
            line = str(val)
            per = int((W - 2 * margin) / fs)
            for k in range(0, len(line), per):
                room(lead)
                c.setFont("STSong-Light", fs)
                c.drawString(margin, y - fs, line[k:k + per])
                y -= lead
        else:
            rows = val
            ncol = max(len(r) for r in rows)
            widths = [max((len(r[j]) if j < len(r) else 0) for r in rows) * fs + 6 for j in range(ncol)]
            widths = [max(w, 14) for w in widths]
            y -= lead
            for row in rows:
                room(lead + 2)
                x = margin
                for j in range(ncol):
                    c.rect(x, y - lead - 2, widths[j], lead + 2)
                    if j < len(row) and row[j]:
                        c.setFont("STSong-Light", fs)
                        c.drawString(x + 3, y - fs - 1, row[j])
                    x += widths[j]
                y -= lead + 2
            y -= lead
    c.showPage()
    c.save()
    return buf.getvalue()


def table_lines(text: str) -> list[list[str]]:
    """The tab-joined rows of a document text, cells stripped, trailing empties dropped."""
    rows = []
    for line in text.splitlines():
        if "\t" in line:
            cells = [collapse(x) for x in line.split("\t")]
            while cells and not cells[-1]:
                cells.pop()
            rows.append(cells)
    return rows


def _norm_rows(rows: list[list[str]]) -> list[list[str]]:
    out = []
    for r in rows:
        cells = [collapse(x) for x in r]
        while cells and not cells[-1]:
            cells.pop()
        if any(cells):
            out.append(cells)
    return out


# ------------------------------------------------------------------ HTML

def test_html_grid_expands_rowspan_colspan():
    page = """<html><body><h1>标题</h1><div>前言<br>第二行</div>
    <table>
      <thead><tr><th rowspan=2>信息内容</th><th colspan="3">件数</th></tr>
      <tr><th>制发</th><th>废止</th><th>现行</th></tr></thead>
      <tbody><tr><td>规章</td><td>1</td><td rowspan="2">0</td><td>5&nbsp;件</td></tr>
      <tr><td>行政<br>规范性文件</td><td>2</td><td>7</td></tr></tbody>
    </table><p>结尾</p></body></html>"""
    text = html_to_text(page)
    assert text.split("\n") == [
        "标题", "前言", "第二行", "",
        "信息内容\t件数\t\t",
        "\t制发\t废止\t现行",
        "规章\t1\t0\t5 件",
        "行政 规范性文件\t2\t\t7",
        "", "结尾",
    ]


def test_html_drops_script_style_and_hidden_and_keeps_narrative():
    page = ("<html><head><title>不要</title><style>.a{}</style></head><body>"
            "<script>alert('不要')</script><p>一、总体情况</p><p style='display: none'>隐藏</p>"
            "<p>召开新闻发布会\n3次，共发布\n信息</p></body></html>")
    text = html_to_text(page)
    assert text == "一、总体情况\n召开新闻发布会 3次，共发布信息"


def test_html_layout_table_is_read_as_flow():
    page = ("<table><tr><td><p>一、总体情况</p><p>正文</p>"
            "<table><tr><td>a</td><td>1</td></tr><tr><td>b</td><td>2</td></tr></table>"
            "</td></tr></table>")
    assert html_to_text(page) == "一、总体情况\n正文\n\na\t1\nb\t2"


@pytest.mark.parametrize("charset,declared,words", [
    ("gbk", "gb2312", "政府信息公开工作年度报告"),
    ("big5", "big5", "政府資訊公開工作年度報告"),
    ("utf-8", "utf-8", "政府信息公开工作年度报告"),
])
def test_html_declared_charset_is_honoured(charset, declared, words):
    data = f'<html><head><meta charset="{declared}"></head><body><p>{words}</p></body></html>'
    doc = load_bytes(data.encode(charset), "a.html")
    assert doc.error is None and doc.format == "html"
    assert doc.text == words
    assert declared_charset(data.encode(charset)) == declared


def test_html_wrong_declared_charset_falls_back_and_says_so():
    body = "<p>政府信息公开工作年度报告：本年新收政府信息公开申请数量57件</p>"
    data = ('<html><head><meta charset="utf-8"></head><body>' + body + "</body></html>").encode("gbk")
    text, enc, note = decode_html(data)
    assert enc == "gb18030" and "utf-8" in note
    doc = load_bytes(data, "x.htm")
    assert doc.text.startswith("政府信息公开工作年度报告") and doc.encoding == "gb18030"
    assert doc.warnings[0].code == "input.charset_mismatch"
    # A GBK page labelled iso-8859-1 decodes without error as cp1252, but reads as GBK.
    data2 = data.replace(b'charset="utf-8"', b'charset="iso-8859-1"')
    assert decode_html(data2)[1] == "gb18030"


def test_html_bom_and_utf16():
    page = "<html><body><p>年度报告</p></body></html>"
    assert load_bytes(b"\xef\xbb\xbf" + page.encode(), "a.html").text == "年度报告"
    assert load_bytes(page.encode("utf-16"), "a.html").text == "年度报告"


def test_html_plain_text_saved_as_html_keeps_lines():
    doc = load_bytes("第一行\n第二行\t1\t2\n".encode("gb18030"), "a.html")
    assert doc.text == "第一行\n第二行\t1\t2\n"


def test_html_errors():
    assert load_bytes(b"<html><body><script>x</script></body></html>", "a.html").error.code == "input.no_text"
    assert load_bytes(bytes(range(256)) * 8, "a.html").error.code in ("input.undecodable", "input.binary")


def test_html_seed_tables_survive(tmp_path):
    src = seed_text()
    doc = load_bytes(to_html(src, "gbk"), "seed.html")
    assert doc.error is None and doc.encoding == "gb18030"
    assert _norm_rows(table_lines(doc.text)) == _norm_rows(table_lines(src))
    assert "不是正文" not in doc.text


# ------------------------------------------------------------------ DOCX

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
    assert _norm_rows(table_lines(doc.text)) == _norm_rows(table_lines(src))
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


# ------------------------------------------------------------------ PDF

def test_pdf_text_layer_and_tables():
    src = seed_text()
    doc = load_bytes(to_pdf(src), "seed.pdf")
    assert doc.error is None and doc.format == "pdf"
    assert "新乡市公安局" in doc.text
    assert _norm_rows(table_lines(doc.text)) == _norm_rows(table_lines(src))


def test_pdf_without_text_layer():
    doc = load_bytes(to_pdf(scanned=True), "scan.pdf")
    assert doc.error.code == "input.no_text_layer"
    assert "OCR" in doc.error.message


def test_pdf_scan_with_a_page_number_is_still_a_scan():
    from PIL import Image
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    for n in (1, 2):
        c.drawImage(ImageReader(Image.new("L", (60, 80), 200)), 50, 100, width=400, height=600)
        c.drawString(290, 40, f"- {n} -")
        c.showPage()
    c.save()
    doc = load_bytes(buf.getvalue(), "scan2.pdf")
    assert doc.error.code == "input.no_text_layer" and "images" in doc.error.message


def test_pdf_corrupt():
    good = to_pdf("一、总体情况")
    assert load_bytes(good[:200], "cut.pdf").error.code == "input.corrupt"
    assert load_bytes(b"hello, not a pdf", "x.pdf").error.code == "input.corrupt"


def test_load_by_path(tmp_path):
    p = tmp_path / "r.htm"
    p.write_bytes(to_html("一、总体情况\n行政许可\t5", "gb2312"))
    doc = load(p)
    assert doc.error is None and doc.path == str(p) and "行政许可\t5" in doc.text


# ------------------------------------------------------------------ decode() (extractor.load)

@pytest.mark.parametrize("enc", ["utf-8", "gb18030", "utf-16", "utf-8-sig"])
def test_truncated_text_still_decodes(enc):
    """A download cut mid-character loses that character only, not the file."""
    from extractor.load import decode

    text = "政府信息公开工作年度报告\n行政许可\t2439825\n本年新收申请五十七件。"
    data = text.encode(enc)
    for cut in (1, 2, 3):
        got, used = decode(data[:-cut])
        assert text.startswith(got) and len(got) >= len(text) - 2, (enc, cut, got)


@pytest.mark.parametrize("enc", ["utf-16-le", "utf-16-be"])
def test_chinese_utf16_without_bom(enc):
    """Chinese UTF-16 has few NUL bytes (only around digits and ASCII), still detected."""
    from extractor.load import decode

    text = "兴宁市公安局2023年政府信息公开工作年度报告\n一、总体情况\n" + "依申请公开政府信息" * 30
    got, used = decode(text.encode(enc))
    assert (got, used) == (text, enc)
