"""Plain text and markdown files: the decoded bytes are the document text."""
from __future__ import annotations

from extractor.input.decode import decode, is_binary
from extractor.input.document import Document, error_document


def read_text(data: bytes, path: str | None, digest: str, fmt: str = "text") -> Document:
    try:
        text, enc = decode(data)
    except UnicodeError as e:
        return error_document(path, fmt, digest, "input.undecodable", str(e))
    if is_binary(text):
        return error_document(path, fmt, digest, "input.binary", "the file is not text", enc)
    return Document(path, text, enc, fmt, digest)


def read_markdown(data: bytes, path: str | None, digest: str) -> Document:
    return read_text(data, path, digest, "markdown")
