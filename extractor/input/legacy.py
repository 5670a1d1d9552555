"""Old Word and WPS files (.doc, .wps): named plainly as unsupported, with how to convert them.

No well-kept package reads the old binary formats offline in Python (a
piece-table parser of our own would be a second Word reader to keep), so
such a file gets the error `input.unsupported_format` saying how to turn it
into .docx or PDF.  What agencies publish as `.doc` is often something else
under the old name: a web page, a .docx, a PDF — those are read as what
they are.
"""
from __future__ import annotations

from extractor.input.document import Document, error_document
from extractor.input.docx import read_docx
from extractor.input.html import read_html
from extractor.input.pdf import read_pdf

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HOW_TO_CONVERT = ("convert it to .docx or PDF first, e.g. `libreoffice --headless --convert-to docx FILE` "
                  "(or Save As .docx in Word or WPS), and read that")


def read_legacy(data: bytes, path: str | None, digest: str) -> Document:
    head = data[:1024].lstrip()
    if head.startswith(b"PK"):
        return read_docx(data, path, digest)
    if b"%PDF" in data[:1024]:
        return read_pdf(data, path, digest)
    if head[:1] == b"<" or b"<html" in head.lower():
        return read_html(data, path, digest)
    what = ("an old Word/WPS binary file" if data.startswith(_OLE)
            else "an RTF file" if head.startswith(b"{\\rtf") else "not a format this tool reads")
    return error_document(path, "doc", digest, "input.unsupported_format", f"{what}: {HOW_TO_CONVERT}")
