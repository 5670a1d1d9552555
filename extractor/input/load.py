"""Bytes in, the document text out: the text every span indexes into.

Decoding is honest (`decode`): a file is decoded with the encoding it was
written in (recorded in `Document.encoding`), never with replacement
characters.  A file that cannot be read yields a Document with an `error`
rather than an exception, so a batch never loses a record.  Which reader a
file goes to is the registry's (`registry.FORMATS`).
"""
from __future__ import annotations

import os
from pathlib import Path

from extractor.input import registry
from extractor.input.document import Document, error_document, sha256

# Larger inputs are refused: no real report is anywhere near this.
MAX_BYTES = 50 * 1024 * 1024


def load_bytes(data: bytes, path: str | None = None, fmt: str | None = None) -> Document:
    """A Document from bytes; the format comes from `fmt`, or the path's suffix and the content (`registry.sniff`)."""
    digest = sha256(data)
    form = registry.by_name(fmt) if fmt else registry.sniff(data, registry.format_of(path))
    if not data:
        return error_document(path, form.name, digest, "input.empty", "the file is empty")
    if len(data) > MAX_BYTES:
        return error_document(path, form.name, digest, "input.too_large",
                              f"{len(data)} bytes is over the {MAX_BYTES} byte limit")
    try:
        return form.read(data, path, digest)
    except RecursionError:
        return error_document(path, form.name, digest, "input.corrupt", "the file is nested too deeply to read")
    except MemoryError:
        return error_document(path, form.name, digest, "input.too_large", "the file needs more memory than allowed to read")


def load(path: str | os.PathLike) -> Document:
    """Read a file into a Document; never raises for a bad file, only for a missing one."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            return error_document(str(path), registry.format_of(p).name, "", "input.too_large",
                                  f"{size} bytes is over the {MAX_BYTES} byte limit")
        data = p.read_bytes()
    except IsADirectoryError:
        return error_document(str(path), "text", "", "input.unreadable", "a directory, not a file")
    except PermissionError as e:
        return error_document(str(path), "text", "", "input.unreadable", str(e))
    return load_bytes(data, str(path))
