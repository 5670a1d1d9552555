"""Converter-made mess with real tools: a report rendered to PDF, flattened back by PDF text extractors.

`wrapped_pdf` draws a report's tab rows as a ruled table whose label cells
wrap over several lines and whose values sit at the middle of the row, as
Word prints the official tables; a text extractor that reads by lines then
prints label pieces above and below their values — the displaced labels of
real converter output — without any help from our own generator.
`FLATTENERS` are the extractors that install from the package registries
(pdfplumber's plain and layout text, pypdfium2's text page).
"""
from __future__ import annotations

import io
from typing import Callable

from tests.helpers import PdfPages, blocks, register_font

# Characters per line of a label cell before it wraps.
WRAP = 9


def wrapped_pdf(text: str, wrap: int = WRAP, number_wrap: int | None = None) -> bytes:
    """A landscape PDF of `text`: paragraphs as lines, tab rows as ruled rows with wrapped labels
    (and numbers wrapped after `number_wrap` characters: value columns too narrow for their numbers)."""
    pdf = PdfPages(register_font(embedded=False), 6.0, 8.0)
    c, fs, lead, margin = pdf.c, pdf.fs, pdf.lead, pdf.margin
    for kind, val in blocks(text):
        if kind == "p":
            pdf.paragraph(str(val))
            continue
        rows = val
        ncol = max(len(r) for r in rows)
        widths = [min(wrap, max((len(r[j]) if j < len(r) else 0) for r in rows)) * fs + 6 for j in range(ncol)]
        widths = [max(w, 14) for w in widths]
        for row in rows:
            pieces = [_wrapped(cell, number_wrap if number_wrap and _number(cell) else wrap) for cell in row]
            n = max(len(p) for p in pieces)
            height = n * lead + 2
            pdf.room(height)
            x = margin
            for j in range(ncol):
                c.rect(x, pdf.y - height, widths[j], height)
                lines = pieces[j] if j < len(row) else [""]
                top = pdf.y - (height - len(lines) * lead) / 2  # vertically centred, as Word prints a cell
                for k, piece in enumerate(lines):
                    if piece:
                        c.setFont(pdf.font, fs)
                        c.drawString(x + 3, top - (k + 1) * lead + 2, piece)
                x += widths[j]
            pdf.y -= height
        pdf.y -= lead
    return pdf.done()


def _number(cell: str) -> bool:
    return cell.replace(".", "", 1).isdigit()


def _wrapped(cell: str, width: int) -> list[str]:
    return [cell[k:k + width] for k in range(0, len(cell), width)] or [""]


def _pdfplumber(data: bytes, layout: bool) -> str:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join((p.extract_text(layout=layout) or "") for p in pdf.pages)


def _pypdfium2(data: bytes) -> str:
    import pypdfium2

    doc = pypdfium2.PdfDocument(data)
    try:
        return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


FLATTENERS: dict[str, Callable[[bytes], str]] = {
    "pdfplumber": lambda d: _pdfplumber(d, False),
    "pdfplumber_layout": lambda d: _pdfplumber(d, True),
    "pypdfium2": _pypdfium2,
}
