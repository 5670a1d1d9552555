"""What the tests share: the real reports in ../shared, their annotations, and format builders.

Report texts stay in ../shared (never copied into the repo); tests that
need them skip with a clear message where ../shared is absent.  The
builders (`blocks`, `to_html`, `to_docx`, `to_pdf`) turn one report text
into the other formats, for the input and batch tests.
"""
from __future__ import annotations

import functools
import hashlib
import io
import json
from pathlib import Path

import pytest

from extractor.input.flatten import collapse

ROOT = Path(__file__).resolve().parents[1]
SHARED = (ROOT / ".." / "shared").resolve()
ANNOTATIONS = ROOT / "annotations"
HAVE_SHARED = (SHARED / "spec" / "OUTPUT.md").exists()
needs_shared = pytest.mark.skipif(not HAVE_SHARED, reason="../shared not present: real reports unavailable")
SEED = SHARED / "seeds" / "001_22879b8c46a5464c.txt"


def report_annotations() -> list[dict]:
    out = []
    for p in sorted((ANNOTATIONS / "reports").glob("*.json")):
        out.append(json.loads(p.read_text(encoding="utf-8")))
    return out


def text_path(ann: dict) -> Path:
    """The annotated report's text file (paths in annotations are relative to the repo root)."""
    return (ROOT / ann["text"]["path"]).resolve()


def read_text(ann: dict) -> str:
    """The annotated text as spans index into it: the one way, through the loader (a PDF: its reader's text)."""
    from extractor.training.annotations import read_document

    p = text_path(ann)
    if not p.exists():
        pytest.skip(f"{p} not present (../shared absent)")
    assert hashlib.sha256(p.read_bytes()).hexdigest() == ann["text"]["sha256"], f"{p} changed since it was annotated"
    return read_document(p)


def conformance_problems(record: dict, text: str) -> list[str]:
    from check_record import problems  # ../shared/tools (put on sys.path by conftest)

    return problems(record, text)


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


def cjk_font_path() -> Path:
    """A CJK TrueType font (WenQuanYi Micro Hei, from a dev dependency) that renderers can draw.

    STSong-Light is a font reportlab names but does not embed: a PDF using it
    has a text layer but renders without its Chinese glyphs, so a page image
    (what OCR reads) needs an embedded font.
    """
    import paperang_p2_fonts_cjk

    return Path(paperang_p2_fonts_cjk.__file__).parent / "fonts" / "wqy-microhei.ttc"


def register_font(embedded: bool) -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    if embedded:
        if "WQY" not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont("WQY", str(cjk_font_path()), subfontIndex=0))
        return "WQY"
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


class PdfPages:
    """Landscape A4 pages drawn top to bottom, a new page when a block does not fit: what `to_pdf` and the
    converter tests' `wrapped_pdf` share (paragraph lines as the width allows, ruled rows drawn by them)."""

    def __init__(self, font: str, fs: float, lead: float, margin: float = 30.0) -> None:
        from reportlab.lib.pagesizes import A4, landscape
        from reportlab.pdfgen import canvas

        self.buf = io.BytesIO()
        self.width, self.height = landscape(A4)
        self.c = canvas.Canvas(self.buf, pagesize=(self.width, self.height), invariant=1)
        self.font, self.fs, self.lead, self.margin = font, fs, lead, margin
        self.y = self.height - margin

    def room(self, need: float) -> None:
        if self.y - need < self.margin:
            self.c.showPage()
            self.y = self.height - self.margin

    def paragraph(self, line: str) -> None:
        per = int((self.width - 2 * self.margin) / self.fs)
        for k in range(0, len(line), per):
            self.room(self.lead)
            self.c.setFont(self.font, self.fs)
            self.c.drawString(self.margin, self.y - self.fs, line[k:k + per])
            self.y -= self.lead

    def done(self) -> bytes:
        self.c.showPage()
        self.c.save()
        return self.buf.getvalue()


def to_pdf(text: str | None = None, scanned: bool = False, embedded: bool = False, fs: float = 6.0) -> bytes:
    """A landscape PDF with a real Chinese text layer and ruled tables.

    `scanned=True` draws only a rectangle: a page without any text.
    `embedded=True` embeds a TrueType CJK font (so the pages render, for OCR)
    instead of naming STSong-Light; `fs` is the font size in points.
    """
    pdf = PdfPages(register_font(embedded), fs, fs * 1.5)
    c, W, margin, lead = pdf.c, pdf.width, pdf.margin, pdf.lead
    if scanned:
        c.rect(50, 50, W - 100, pdf.height - 100, fill=1)
        return pdf.done()
    for kind, val in blocks(text or ""):
        if kind == "p":
            pdf.paragraph(str(val))
        else:
            rows = val
            ncol = max(len(r) for r in rows)
            widths = [max((len(r[j]) if j < len(r) else 0) for r in rows) * fs + 6 for j in range(ncol)]
            widths = [max(w, 14) for w in widths]
            while sum(widths) > W - 2 * margin and max(widths) > 6 * fs:  # too wide: wrap the widest column
                k = widths.index(max(widths))
                widths[k] = max(6 * fs, widths[k] * 0.8)
            pdf.y -= lead
            for row in rows:
                wrapped = [_wrap(row[j] if j < len(row) else "", int((widths[j] - 6) / fs)) for j in range(ncol)]
                height = lead * max(len(w) for w in wrapped) + 2
                pdf.room(height)
                x = margin
                for j in range(ncol):
                    c.rect(x, pdf.y - height, widths[j], height)
                    c.setFont(pdf.font, fs)
                    for k, part in enumerate(wrapped[j]):
                        c.drawString(x + 3, pdf.y - fs - 1 - k * lead, part)
                    x += widths[j]
                pdf.y -= height
            pdf.y -= lead
    return pdf.done()


def _wrap(s: str, per: int) -> list[str]:
    """A cell's text in lines of at most `per` characters (at least one line, maybe empty)."""
    per = max(1, per)
    return [s[k:k + per] for k in range(0, len(s), per)] or [""]


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


def norm_rows(rows: list[list[str]]) -> list[list[str]]:
    out = []
    for r in rows:
        cells = [collapse(x) for x in r]
        while cells and not cells[-1]:
            cells.pop()
        if any(cells):
            out.append(cells)
    return out


# ------------------------------------------------------------------ HTML


# ------------------------------------------------------------------ the shipped models, for stage tests
@functools.lru_cache(maxsize=1)
def shipped_models():
    """The models in the repository's models/ (loaded once); stages under test are given them explicitly."""
    from extractor import classify

    return classify.load_models(ROOT / "models")


def tag_facts(text, sections=None, *, exclude=()):
    """The spec facts of `text`, tagged with the shipped facts model (as the pipeline does)."""
    from extractor import narrative

    return narrative.read(text, sections, exclude=exclude, facts_model=shipped_models().facts).facts


# ------------------------------------------------------------------ scans (for OCR)
def page_images(pdf: bytes, dpi: int = 150, skew: float = 0.6, blur: float = 0.6, speckle: float = 0.002,
                seed: int = 0) -> list:
    """Each page of a PDF as a scanner would give it: turned by `skew` degrees, blurred, speckled (PIL images)."""
    import random

    import pypdfium2 as pdfium
    from PIL import Image, ImageFilter

    rng = random.Random(seed)
    out = []
    doc = pdfium.PdfDocument(pdf)
    for k in range(len(doc)):
        img = doc[k].render(scale=dpi / 72).to_pil().convert("L")
        img = img.rotate(skew * (1 if k % 2 == 0 else -1), resample=Image.BICUBIC, expand=False, fillcolor=255)
        img = img.filter(ImageFilter.GaussianBlur(blur))
        px = img.load()
        w, h = img.size
        for _ in range(int(w * h * speckle)):
            x, y = rng.randrange(w), rng.randrange(h)
            px[x, y] = 0 if px[x, y] > 128 else 255
        out.append(img)
    doc.close()
    return out


def image_pdf(images: list, dpi: int = 150) -> bytes:
    """An image-only PDF (no text layer) of the page images: what a scanner writes."""
    buf = io.BytesIO()
    images[0].save(buf, format="PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return buf.getvalue()


def png(image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()
