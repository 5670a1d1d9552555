"""The input formats: one table from suffix to format name and reader.

The loader, the batch's file filter and the CLI's help all read this
table, so a new format is one reader module and one row here.  A file
whose suffix is not listed is read as plain text, unless its content is
a page (`sniff`): markup, or a report kept as an HTML string inside a
script or JSON, is read as HTML whatever the suffix.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from extractor.input.docx import read_docx
from extractor.input.document import Document
from extractor.input.html import looks_like_page, read_html
from extractor.input.image import read_image
from extractor.input.legacy import read_legacy
from extractor.input.pdf import read_pdf
from extractor.input.text import read_markdown, read_text


@dataclass(frozen=True)
class Format:
    name: str  # the record's `source.format`
    suffixes: tuple[str, ...]
    read: Callable[[bytes, str | None, str], Document]  # (data, path, sha256) -> Document, never raises
    batch: bool = True  # picked up when a batch walks a directory


FORMATS: tuple[Format, ...] = (
    Format("text", (".txt", ".text"), read_text),
    Format("markdown", (".md", ".markdown"), read_markdown),
    Format("html", (".html", ".htm", ".xhtml"), read_html),
    Format("docx", (".docx",), read_docx),
    Format("pdf", (".pdf",), read_pdf),  # `pdf-ocr` in the record when a page was read by OCR
    Format("image-ocr", (".png", ".jpg", ".jpeg", ".tif", ".tiff"), read_image),
    Format("doc", (".doc", ".wps"), read_legacy),  # unsupported binary: an error saying how to convert
)
DEFAULT = FORMATS[0]
_BY_SUFFIX = {s: f for f in FORMATS for s in f.suffixes}
_BY_NAME = {f.name: f for f in FORMATS}


def format_of(path: str | Path | None) -> Format:
    """The format a file is read as, by its suffix (plain text when unknown)."""
    return _BY_SUFFIX.get(Path(path).suffix.lower(), DEFAULT) if path else DEFAULT


# How much of a file the sniffer looks at: the report string may follow kilobytes of script data.
SNIFF_BYTES = 1 << 20


def sniff(data: bytes, form: Format) -> Format:
    """The format the content says, where the suffix only said plain text or markdown."""
    if form.name not in ("text", "markdown"):
        return form
    head = data[:SNIFF_BYTES].decode("utf-8", errors="ignore")
    return _BY_NAME["html"] if looks_like_page(head) else form


def by_name(name: str) -> Format:
    """The format of that name (plain text for a name the table does not have)."""
    return _BY_NAME.get(name, DEFAULT)


def batch_suffixes() -> tuple[str, ...]:
    """The suffixes a batch picks up when it walks a directory or a glob."""
    return tuple(s for f in FORMATS if f.batch for s in f.suffixes)
