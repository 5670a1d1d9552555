"""PDF files into the document text: text lines and ruled tables in reading order, page by page.

A PDF without a usable text layer (a scan, glyph codes without Unicode) is
an error that says it needs OCR, never an empty report.
"""
from __future__ import annotations

import io
import logging
import re

from extractor import budget
from extractor.input.document import Document, error_document
from extractor.input.flatten import MULTI_BLANK, cell_text, grid_lines

_CID = re.compile(r"\(cid:\d+\)")
# A page of a real report holds hundreds of characters; a scan with a stamped
# page number or header holds a handful.
SCAN_CHARS_PER_PAGE = 20
# The ruled tables of a real report page have a few hundred edges (564 at
# most in the corpus); pdfplumber's table finder grows quadratically in them,
# so a page with more is read as text lines without looking for tables (a
# fuzzed page of 26,000 edges took 3 s a page to search, 40 s a file).
MAX_EDGES = 5000


def _quiet_pdfminer() -> None:
    """pdfminer logs every oddity of real-world PDFs at WARNING; they are not ours to report."""
    for name in ("pdfminer", "pdfplumber"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _real_tables(page) -> list:
    """Ruled tables of at least 2x2 (a box drawn round the page is not a table); none on a page of `MAX_EDGES`."""
    if len(page.edges) > MAX_EDGES:
        return []
    found = []
    for t in page.find_tables():
        rows = t.extract()
        if len(rows) >= 2 and max((len(r) for r in rows), default=0) >= 2:
            found.append((t, rows))
    return found


def _inside(obj: dict, boxes: list[tuple[float, float, float, float]]) -> bool:
    cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)


def pdf_page_text(page) -> str:
    """One page: text lines and ruled tables (as tab-joined rows) in reading order, top to bottom."""
    tables = _real_tables(page)
    if not tables:
        return page.extract_text() or ""
    boxes = [t.bbox for t, _ in tables]
    rest = page.filter(lambda obj: obj.get("object_type") != "char" or not _inside(obj, boxes))
    items: list[tuple[float, int, list[str]]] = []
    for line in rest.extract_text_lines():
        items.append((line["top"], 0, [line["text"]]))
    for t, rows in tables:
        grid = [[cell_text(c) for c in row] for row in rows]
        items.append((t.bbox[1], 1, ["", *grid_lines(grid), ""]))
    items.sort(key=lambda it: (it[0], it[1]))
    return "\n".join(line for _, _, lines in items for line in lines)


def read_pdf(data: bytes, path: str | None, digest: str) -> Document:
    _quiet_pdfminer()
    try:
        import pdfplumber
        from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    except ImportError as e:  # pragma: no cover - a broken install
        return error_document(path, "pdf", digest, "input.unsupported", f"PDF support is not installed: {e}")
    if b"%PDF" not in data[:1024]:
        return error_document(path, "pdf", digest, "input.corrupt", "not a PDF file (no %PDF header)")
    pages: list[str] = []
    chars = images = 0
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                budget.extend(budget.PER_PAGE_SECONDS)
                chars += len(page.chars)
                images += len(page.images)
                pages.append(pdf_page_text(page))
                page.close()
                budget.check()
    except (PDFPasswordIncorrect, PDFEncryptionError) as e:
        return error_document(path, "pdf", digest, "input.encrypted", f"the PDF is encrypted: {type(e).__name__}")
    except Exception as e:  # pdfminer raises many types on broken files
        return error_document(path, "pdf", digest, "input.corrupt", f"not a readable PDF: {type(e).__name__}: {e}")
    if not pages:
        return error_document(path, "pdf", digest, "input.corrupt", "the PDF has no pages")
    text = MULTI_BLANK.sub("\n\n", "\n\n".join(p.strip("\n") for p in pages)).strip("\n")
    if chars == 0 or not text.strip():
        return error_document(path, "pdf", digest, "input.no_text_layer",
                      f"the PDF's {len(pages)} page(s) have no text layer (a scan?); it needs OCR first")
    if not _CID.sub("", text).strip():
        return error_document(path, "pdf", digest, "input.no_text_layer",
                      "the PDF's text has no Unicode mapping (only (cid:N) glyph codes); it needs OCR first")
    visible = len("".join(text.split()))
    if images and visible < SCAN_CHARS_PER_PAGE * len(pages):
        return error_document(path, "pdf", digest, "input.no_text_layer",
                      f"the PDF's {len(pages)} page(s) are images with only {visible} characters of text"
                      " (a scan with page numbers?); it needs OCR first")
    return Document(path, text, None, "pdf", digest)

