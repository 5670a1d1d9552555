"""Pictures of a report (.png, .jpg, .tif; a multi-page TIFF page by page) into the document text, by OCR.

Read as a scanned PDF page is (`ocr`, then `layout`): the document's text
is the OCR text, every span indexes into it, its format is `image-ocr`,
and each page says how sure OCR was.
"""
from __future__ import annotations

import io

from extractor import budget
from extractor.input import layout, ocr
from extractor.input.document import Document, PageRead, error_document

# A picture over this many pixels is refused (`input.too_large`): an A4 page at 600 dpi has 35 million.
MAX_PIXELS = 80_000_000
# The most pages of a multi-page TIFF read.
MAX_PAGES = 200


def read_image(data: bytes, path: str | None, digest: str) -> Document:
    import numpy as np
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        picture = Image.open(io.BytesIO(data))
        if picture.width * picture.height > MAX_PIXELS:
            return error_document(path, "image-ocr", digest, "input.too_large",
                                  f"a {picture.width} x {picture.height} picture is over {MAX_PIXELS} pixels")
        pages: list[layout.Page] = []
        reads: list[PageRead] = []
        for k, frame in enumerate(ImageSequence.Iterator(picture)):
            if k >= MAX_PAGES:
                break
            budget.extend(budget.PER_PAGE_SECONDS)
            read = ocr.read_image(np.asarray(frame.convert("RGB")))
            pages.append(layout.page_layout(read.boxes, read.edges, read.height))
            reads.append(PageRead(k + 1, "ocr", read.confidence, read.skew, read.repairs))
            budget.check()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as e:
        return error_document(path, "image-ocr", digest, "input.corrupt", f"not a readable picture: {type(e).__name__}: {e}")
    text, bounds = layout.join_pages(pages)
    for info, span in zip(reads, bounds):
        info.span = span
    if not text.strip():
        return error_document(path, "image-ocr", digest, "input.no_text_layer", "OCR found no text in the picture")
    return Document(path, text, None, "image-ocr", digest, pages=reads)
