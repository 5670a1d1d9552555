"""PDF files into the document text: text layer and ruled tables; scans and broken files said plainly."""
from __future__ import annotations

import io
import re

from extractor.input.load import load_bytes
from tests.helpers import norm_rows, page_images, seed_text, table_lines, to_pdf


def test_pdf_text_layer_and_tables():
    src = seed_text()
    doc = load_bytes(to_pdf(src), "seed.pdf")
    assert doc.error is None and doc.format == "pdf"
    assert "新乡市公安局" in doc.text
    assert norm_rows(table_lines(doc.text)) == norm_rows(table_lines(src))


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
    assert doc.error.code == "input.no_text_layer" and "images in which OCR found no text" in doc.error.message


def test_bench_memory_pdf_of_thousands_of_pages_stops_reading_at_the_text_limit(monkeypatch):
    """bench_memory's pdf_300_pages (seed 1: a one-line report repeated, 2,029 pages, 15 M characters) was read
    whole (128 s of CPU), then rose by 1.1 GB in the text stages: reading stops at the page past the limit."""
    from extractor import budget

    src = seed_text()
    data = to_pdf("\n".join([src] * 3))
    whole = load_bytes(data, "many.pdf")
    assert whole.error is None
    monkeypatch.setattr(budget, "MAX_TEXT_CHARS", len(whole.text) // 3)
    doc = load_bytes(data, "many.pdf")
    assert doc.error.code == "input.too_large"
    pages = int(re.search(r"first (\d+) of (\d+) pages", doc.error.message).group(1))
    assert 1 <= pages < len(whole.pages)


def test_pdf_corrupt():
    good = to_pdf("一、总体情况")
    assert load_bytes(good[:200], "cut.pdf").error.code == "input.corrupt"
    assert load_bytes(b"hello, not a pdf", "x.pdf").error.code == "input.corrupt"


def test_fuzz_a_page_of_thousands_of_ruled_cells_is_read_as_text_not_searched_for_tables(monkeypatch):
    """benchmarks/fuzz (issue 10), seed 1 (#920 of the first long run): digits pasted with tabs into a
    table row drew a table of ~26,000 edges a page; the table finder took 3 s a page and the file ran
    past its budget.  A page of more than `layout.MAX_EDGES` ruling segments is read as plain text lines."""
    from extractor.input import layout

    text = "\n".join("\t".join(str((r * c) % 10) for c in range(45)) for r in range(40))
    data = to_pdf(text)
    calls = []
    real = layout.Grid
    monkeypatch.setattr(layout, "Grid", lambda *a: calls.append(1) or real(*a))
    doc = load_bytes(data, "many-cells.pdf")
    assert doc.error is None and calls == []
    assert "0 1 2 3 4 5 6 7 8 9" in doc.text  # the page is read, as text lines
    monkeypatch.setattr(layout, "MAX_EDGES", 10 ** 9)
    assert load_bytes(data, "many-cells.pdf").error is None and calls


def _without_tounicode(data: bytes) -> bytes:
    """The PDF with its fonts' /ToUnicode maps unnamed (same length, so the offsets hold): `(cid:NN)` text."""
    assert b"/ToUnicode" in data
    return data.replace(b"/ToUnicode", b"/ToUnicodX")


def test_a_font_without_a_unicode_map_is_said_and_its_page_read_by_ocr():
    """Issue 13: glyph codes with no Unicode mapping (what pdfminer prints as `(cid:NN)`) are not text:
    the page gets `pdf.unmapped_glyphs` and is read by OCR from its rendering, which the embedded font draws."""
    text = "一、总体情况\n本机关全年主动公开政府信息2098条。\n规章\t0\t0\t5\n规范性文件\t3\t1\t8"
    good = to_pdf(text, embedded=True, fs=12)
    assert load_bytes(good, "good.pdf").pages[0].how == "text"
    doc = load_bytes(_without_tounicode(good), "cid.pdf")
    assert doc.error is None and doc.format == "pdf-ocr"
    assert [w.code for w in doc.warnings] == ["pdf.unmapped_glyphs"]
    assert doc.pages[0].how == "ocr" and doc.pages[0].confidence > 0.9
    assert "主动公开政府信息2098条" in doc.text
    assert norm_rows(table_lines(doc.text)) == norm_rows(table_lines(text))


def test_a_page_with_a_few_unmapped_glyphs_keeps_its_text_layer(monkeypatch):
    """Under `UNMAPPED_SHARE` of a page's glyphs unmapped, the text layer stands (OCR would cost more than it mends)."""
    from extractor.input import pdf

    data = _without_tounicode(to_pdf("一、总体情况\n本机关全年主动公开政府信息2098条。", embedded=True, fs=12))
    monkeypatch.setattr(pdf, "UNMAPPED_SHARE", 0.99)
    doc = load_bytes(data, "cid.pdf")
    assert doc.error is None and doc.format == "pdf" and doc.warnings == []
    assert "2098" in doc.text and "总体情况" not in doc.text


PASTED = ("信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量\n规章\t0\t0\t5\n规范性文件\t3\t1\t8\n"
          "信息内容\t上一年项目数量\t本年增/减\t处理决定数量\n行政许可\t59\t5\t1426\n行政处罚\t31\t0\t2776\n"
          "行政强制\t0\t-2\t84\n行政事业性收费\t0\t0\t0")


def _text_page_with_a_pasted_table() -> bytes:
    """A text PDF (prose in its text layer) whose table is a picture: a table pasted into Word as an image."""
    from PIL import ImageOps
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    picture = page_images(to_pdf(PASTED, embedded=True, fs=12), skew=0.0, blur=0.0, speckle=0.0)[0]
    picture = picture.crop(ImageOps.invert(picture).getbbox())
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    W, H = A4
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.setFont("STSong-Light", 12)
    c.drawString(60, H - 80, "二、主动公开政府信息情况")
    c.drawString(60, H - 100, "本机关全年主动公开政府信息2098条，详见下表。")
    w = W - 120
    h = w * picture.size[1] / picture.size[0]
    c.drawImage(ImageReader(picture), 60, H - 120 - h, width=w, height=h)
    c.drawString(60, H - 140 - h, "三、收到和处理政府信息公开申请情况")
    c.showPage()
    c.save()
    return buf.getvalue()


def _value_rows(text: str) -> list[list[str]]:
    return [r for r in norm_rows(table_lines(text)) if len(r) > 1 and all(re.fullmatch(r"-?\d+", x) for x in r[1:])]


def test_a_table_pasted_as_a_picture_into_a_text_page_is_read_by_ocr_in_its_place():
    """Issue 13: the page's text layer is kept and only the picture is OCR'd, its rows and cells in place."""
    doc = load_bytes(_text_page_with_a_pasted_table(), "pasted.pdf")
    assert doc.error is None and doc.format == "pdf-ocr"
    assert doc.pages[0].how == "ocr" and doc.pages[0].confidence > 0.9 and doc.pages[0].span == (0, len(doc.text))
    lines = [x for x in doc.text.splitlines() if x.strip()]
    assert lines[:2] == ["二、主动公开政府信息情况", "本机关全年主动公开政府信息2098条，详见下表。"]  # the text layer, as printed
    assert lines[-1] == "三、收到和处理政府信息公开申请情况"
    got, want = _value_rows(doc.text), _value_rows(PASTED)
    assert len(want) == 6 and got == want  # every row's label and values, in their cells


def test_fuzz_seed_10_case_193_a_lone_surrogate_never_reaches_the_text():
    """benchmarks/fuzz seed 10, #193 (a mutant PDF): a glyph mapped to half a surrogate pair made a text that
    cannot be encoded, and the prose signature raised.  A pair split over two indices is one character."""
    from extractor.input.pdf import _whole_characters

    assert _whole_characters("a\ud842\udfb7b") == "a\U00020bb7\0b"  # one character per pdfium index kept
    assert _whole_characters("x\uda26y\udc00") == "x\0y\0"
    _whole_characters("x\uda26y").encode("utf-8")
