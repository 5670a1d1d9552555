"""PDF files into the document text: text lines and ruled tables in reading order, page by page.

The text layer is read with pypdfium2 (PDFium): every character with its
box, every ruling line from the page's paths, handed to `layout` — about
as fast as PDFium's own plain text extraction (`benchmarks/bench_pdf.py`),
where pdfplumber cost 30 times that.  A page whose text cannot be used is
read through OCR (`ocr`, shipped models, offline): a scan (an image and
next to no text), glyph codes without Unicode (`(cid:NN)` garbage: the
issue `pdf.unmapped_glyphs` says so), or a large picture on a text page
(a table pasted as an image: only the picture is read).  The document says
which pages were OCR'd, with the engine's confidence, and its format is
`pdf-ocr` when any was.  Bold faked by drawing each character twice is
read once.
"""
from __future__ import annotations

import ctypes

from extractor import budget
from extractor.input import layout, ocr
from extractor.input.document import Document, PageRead, error_document
from extractor.record import Issue

# A page of a real report holds hundreds of characters; a scan with a stamped
# page number or header holds a handful.
SCAN_CHARS_PER_PAGE = 20
# A picture covering this share of a page is read by OCR (a table pasted as an image).
PICTURE_SHARE = 0.15
# A page whose characters lack a Unicode mapping beyond this share is read by OCR.
UNMAPPED_SHARE = 0.3
# Pages are rendered for OCR at this many pixels per point (150 dpi).
RENDER_SCALE = 150 / 72
# pdfium's error codes for a password (FPDF_ERR_PASSWORD) and a security handler (FPDF_ERR_SECURITY).
_ENCRYPTED = (4, 5)
_PATH, _IMAGE = 2, 3
_LINETO, _MOVETO = 0, 2


def _chars(textpage, height: float) -> tuple[list[layout.Box], int]:
    """The page's characters with their font boxes, top-down; duplicates drawn over themselves (faked bold) once."""
    import pypdfium2.raw as pdfium_c

    raw = textpage.raw
    n = pdfium_c.FPDFText_CountChars(raw)
    text = textpage.get_text_range(0, n) if n else ""
    if len(text) != n:  # characters outside the BMP: one code point each, read one by one
        text = "".join(chr(pdfium_c.FPDFText_GetUnicode(raw, i)) for i in range(n))
    text = _whole_characters(text)
    rect = pdfium_c.FS_RECTF()
    boxes: list[layout.Box] = []
    seen: set[tuple[str, int, int]] = set()
    unmapped = 0
    loose_box = pdfium_c.FPDFText_GetLooseCharBox
    map_error = pdfium_c.FPDFText_HasUnicodeMapError
    for i, ch in enumerate(text):
        if map_error(raw, i) == 1:  # first: a glyph code without Unicode often comes out as a control character
            unmapped += 1
            continue
        if ch < " " or ch == " " and pdfium_c.FPDFText_IsGenerated(raw, i) == 1:
            continue  # line ends, and spaces pdfium made up: the layout finds those from the gaps
        loose_box(raw, i, rect)
        x0, x1, top, bottom = rect.left, rect.right, height - rect.top, height - rect.bottom
        size = max(1.0, bottom - top)
        key = (ch, round(x0 / size * 4), round(top / size * 4))
        if key in seen:
            continue  # the same character again within a quarter em: faked bold
        seen.add(key)
        boxes.append(layout.Box(ch, x0, top, x1, bottom))
    return boxes, unmapped


def _whole_characters(text: str) -> str:
    """One character per pdfium index: a surrogate pair joined at its first index (the second left as a control
    character, skipped), a lone half (a glyph mapped to no character) made a control character too: the text must
    encode (fuzz case #193 of seed 10, a mutant PDF)."""
    out = list(text)
    for i, ch in enumerate(out):
        if "\ud800" <= ch <= "\udbff" and i + 1 < len(out) and "\udc00" <= out[i + 1] <= "\udfff":
            out[i], out[i + 1] = (ch + out[i + 1]).encode("utf-16-le", "surrogatepass").decode("utf-16-le"), "\0"
        elif "\ud800" <= ch <= "\udfff":
            out[i] = "\0"
    return "".join(out)


def _path_edges(obj, height: float, out: list[layout.Edge]) -> None:
    """A path's axis-aligned segments (a thin filled rectangle is one segment)."""
    import pypdfium2.raw as pdfium_c

    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top)
    l, b, r, t = left.value, bottom.value, right.value, top.value
    if r - l <= 3 or t - b <= 3:
        if r - l >= t - b:
            out.append(layout.Edge(True, height - (t + b) / 2, l, r))
        else:
            out.append(layout.Edge(False, (l + r) / 2, height - t, height - b))
        return
    m = pdfium_c.FS_MATRIX()
    pdfium_c.FPDFPageObj_GetMatrix(obj, m)
    n = pdfium_c.FPDFPath_CountSegments(obj)
    x, y = ctypes.c_float(), ctypes.c_float()
    start = prev = None
    for k in range(n):
        seg = pdfium_c.FPDFPath_GetPathSegment(obj, k)
        pdfium_c.FPDFPathSegment_GetPoint(seg, x, y)
        pt = (m.a * x.value + m.c * y.value + m.e, m.b * x.value + m.d * y.value + m.f)
        kind = pdfium_c.FPDFPathSegment_GetType(seg)
        if kind == _LINETO and prev is not None:
            _segment(prev, pt, height, out)
        if kind == _MOVETO:
            start = pt
        prev = pt
        if pdfium_c.FPDFPathSegment_GetClose(seg) and start is not None:
            _segment(pt, start, height, out)
            prev = start


def _segment(a: tuple[float, float], b: tuple[float, float], height: float, out: list[layout.Edge]) -> None:
    if abs(a[1] - b[1]) <= 1.0 and abs(a[0] - b[0]) > 1.0:
        out.append(layout.Edge(True, height - (a[1] + b[1]) / 2, min(a[0], b[0]), max(a[0], b[0])))
    elif abs(a[0] - b[0]) <= 1.0 and abs(a[1] - b[1]) > 1.0:
        out.append(layout.Edge(False, (a[0] + b[0]) / 2, height - max(a[1], b[1]), height - min(a[1], b[1])))


def _objects(page, height: float) -> tuple[list[layout.Edge], list[tuple[float, float, float, float]]]:
    """The page's ruling segments, and the boxes (top-down) of its pictures."""
    import pypdfium2.raw as pdfium_c

    edges: list[layout.Edge] = []
    pictures = []
    raw = page.raw
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    for k in range(pdfium_c.FPDFPage_CountObjects(raw)):
        obj = pdfium_c.FPDFPage_GetObject(raw, k)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == _PATH:
            if len(edges) <= layout.MAX_EDGES:
                _path_edges(obj, height, edges)
        elif kind == _IMAGE:
            pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top)
            pictures.append((left.value, height - top.value, right.value, height - bottom.value))
    return edges, pictures


def _ocr_page(page, region: tuple[float, float, float, float] | None) -> tuple[ocr.OcrPage, list[layout.Box], list[layout.Edge]]:
    """OCR of a page (or of one region of it), boxes and rules back in page points."""
    import numpy as np

    bitmap = page.render(scale=RENDER_SCALE, grayscale=False)
    img = np.asarray(bitmap.to_pil().convert("RGB"))
    x0 = y0 = 0.0
    if region is not None:
        x0, y0 = max(0.0, region[0]), max(0.0, region[1])
        img = img[int(y0 * RENDER_SCALE):int(region[3] * RENDER_SCALE), int(x0 * RENDER_SCALE):int(region[2] * RENDER_SCALE)]
    read = ocr.read_image(np.ascontiguousarray(img))
    k = RENDER_SCALE
    boxes = [layout.Box(b.text, x0 + b.x0 / k, y0 + b.top / k, x0 + b.x1 / k, y0 + b.bottom / k) for b in read.boxes]
    edges = [layout.Edge(e.horizontal, (y0 if e.horizontal else x0) + e.at / k,
                         (x0 if e.horizontal else y0) + e.lo / k, (x0 if e.horizontal else y0) + e.hi / k) for e in read.edges]
    return read, boxes, edges


def _overlaps(b: layout.Box, region: tuple[float, float, float, float]) -> bool:
    return region[0] <= b.cx <= region[2] and region[1] <= b.cy <= region[3]


def read_page(page, number: int) -> tuple[layout.Page, PageRead, list[Issue]]:
    """One page: its text layer, or OCR where the text layer is missing, garbage, or a picture covers a part."""
    width, height = page.get_size()
    textpage = page.get_textpage()
    boxes, unmapped = _chars(textpage, height)
    edges, pictures = _objects(page, height)
    issues: list[Issue] = []
    area = max(1.0, width * height)
    big = [p for p in pictures if (p[2] - p[0]) * (p[3] - p[1]) >= PICTURE_SHARE * area]
    info = PageRead(number, "text")
    if unmapped > UNMAPPED_SHARE * (unmapped + len(boxes)):
        issues.append(Issue("pdf.unmapped_glyphs", f"page {number}: {unmapped} glyph codes have no Unicode mapping"
                                                   " ((cid:NN) text); the page is read by OCR"))
        read, boxes, edges = _ocr_page(page, None)
        info = PageRead(number, "ocr", read.confidence, read.skew, read.repairs)
    elif big:
        scan = len(boxes) < SCAN_CHARS_PER_PAGE
        region = None if scan else _union(big)
        # A picture under a text layer of its own (a searchable scan) is read from its text.
        if scan or sum(_overlaps(b, region) for b in boxes) < SCAN_CHARS_PER_PAGE:
            read, got, got_edges = _ocr_page(page, region)
            if scan:
                boxes, edges = got, got_edges
            else:
                boxes = [b for b in boxes if not _overlaps(b, region)] + got
                edges = [e for e in edges if not _edge_in(e, region)] + got_edges
            info = PageRead(number, "ocr", read.confidence, read.skew, read.repairs)
    return layout.page_layout(boxes, edges, height), info, issues


def _union(boxes: list[tuple[float, float, float, float]]) -> tuple[float, float, float, float]:
    return min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)


def _edge_in(e: layout.Edge, region: tuple[float, float, float, float]) -> bool:
    x = e.at if not e.horizontal else (e.lo + e.hi) / 2
    y = e.at if e.horizontal else (e.lo + e.hi) / 2
    return region[0] <= x <= region[2] and region[1] <= y <= region[3]


def read_pdf(data: bytes, path: str | None, digest: str) -> Document:
    import pypdfium2 as pdfium

    if b"%PDF" not in data[:1024]:
        return error_document(path, "pdf", digest, "input.corrupt", "not a PDF file (no %PDF header)")
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        if getattr(e, "err_code", None) in _ENCRYPTED:
            return error_document(path, "pdf", digest, "input.encrypted", f"the PDF is encrypted: {e}")
        return error_document(path, "pdf", digest, "input.corrupt", f"not a readable PDF: {e}")
    pages: list[layout.Page] = []
    reads: list[PageRead] = []
    issues: list[Issue] = []
    chars = 0
    try:
        for k in range(len(pdf)):
            budget.extend(budget.PER_PAGE_SECONDS)
            page = pdf[k]
            laid, info, found = read_page(page, k + 1)
            pages.append(laid)
            reads.append(info)
            issues.extend(found)
            page.close()
            chars += sum(len(line) for _, lines in laid.items for line in lines)
            if chars > budget.MAX_TEXT_CHARS:
                # Stop at the limit rather than read thousands of pages only to refuse their text.
                return error_document(path, "pdf", digest, "input.too_large",
                                      f"over {budget.MAX_TEXT_CHARS} characters of text in the first {k + 1} "
                                      f"of {len(pdf)} pages")
            budget.check()
    except pdfium.PdfiumError as e:
        return error_document(path, "pdf", digest, "input.corrupt", f"not a readable PDF: {e}")
    finally:
        pdf.close()
    if not pages:
        return error_document(path, "pdf", digest, "input.corrupt", "the PDF has no pages")
    text, bounds = layout.join_pages(pages)
    for info, span in zip(reads, bounds):
        info.span = span
    ocred = any(r.how == "ocr" for r in reads)
    if not text.strip() or ocred and len("".join(text.split())) < SCAN_CHARS_PER_PAGE * len(pages):
        what = "they are images in which OCR found no text" if ocred else "and no images to read by OCR"
        return error_document(path, "pdf", digest, "input.no_text_layer",
                              f"the PDF's {len(pages)} page(s) have no text layer: {what}")
    return Document(path, text, None, "pdf-ocr" if ocred else "pdf", digest, warnings=issues, pages=reads)
