"""Bytes in, the document text out: the text every span indexes into.

Decoding is honest: a file is decoded with the encoding it was written in
(recorded in `Document.encoding`), never with replacement characters, and a
file that cannot be read yields a Document with an `error` rather than an
exception, so a batch never loses a record.
"""
from __future__ import annotations

import codecs
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from extractor.record import Issue

# Larger inputs are refused: no real report is anywhere near this.
MAX_BYTES = 50 * 1024 * 1024

TEXT_SUFFIXES = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown"}

# Characters every report uses in either script; used to choose between
# encodings that both decode a file without error (GB18030 vs Big5).
_COMMON = set("政府信息公开開年度报報告申请請情况況工作的本和处理處行复複议議诉訴讼訟主动動")


@dataclass
class Document:
    path: str | None
    text: str
    encoding: str | None
    format: str
    sha256: str
    error: Issue | None = None
    # Things the loader noticed that do not stop reading (a declared charset that lied).
    warnings: list[Issue] = field(default_factory=list)

    @property
    def chars(self) -> int:
        return len(self.text)

    def source(self) -> dict:
        return {"path": self.path, "sha256": self.sha256, "encoding": self.encoding,
                "format": self.format, "chars": self.chars}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _cjk_score(text: str) -> float:
    if not text:
        return 0.0
    return sum(ch in _COMMON for ch in text) / len(text)


def _looks_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: NULs in every other byte.

    ASCII-heavy text has a NUL in nearly every other byte; Chinese text has
    them only around digits, tabs and newlines (and in characters like 一
    U+4E00), so for it the byte order whose decoding reads most like a
    report wins, if either does.
    """
    if len(data) < 4:  # an odd length is a truncated file, still UTF-16
        return None
    sample = data[:4000]
    sample = sample[: len(sample) // 2 * 2]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    if odd > 0.2 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.2 * half and odd < 0.05 * half:
        return "utf-16-be"
    if odd + even < max(4, 0.02 * half):
        return None
    best: tuple[float, str | None] = (0.01, None)
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = sample.decode(enc)
        except UnicodeDecodeError:
            continue
        if not _is_binary(text):
            best = max(best, (_cjk_score(text), enc), key=lambda x: x[0])
    return best[1]


def _is_binary(text: str) -> bool:
    """Decoded text that is mostly control characters is a binary file that decoded by chance."""
    if not text:
        return False
    sample = text[:20000]
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f\v") or ch == "\ufffd")
    return bad > max(8, 0.01 * len(sample))


def _decode_cut(data: bytes, enc: str) -> str:
    """Decode strictly, except that the bytes may end inside a character.

    Downloads and crawler dumps are often cut mid-character; the incomplete
    trailing sequence (at most 3 bytes) is dropped, nothing is replaced, and
    any invalid byte elsewhere still raises UnicodeDecodeError.
    """
    return codecs.getincrementaldecoder(enc)(errors="strict").decode(data, final=False)


def decode(data: bytes) -> tuple[str, str]:
    """Decode report bytes; returns (text, encoding).  Raises UnicodeError if nothing fits."""
    if data.startswith(codecs.BOM_UTF8):
        return _decode_cut(data[len(codecs.BOM_UTF8):], "utf-8"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_cut(data, "utf-16"), "utf-16"
    u16 = _looks_utf16(data)
    if u16:
        try:
            return _decode_cut(data, u16), u16
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:8000]:
        raise UnicodeError("binary content (NUL bytes)")
    try:
        return _decode_cut(data, "utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    decoded: list[tuple[float, str, str]] = []
    for enc in ("gb18030", "big5"):
        try:
            t = _decode_cut(data, enc)
        except UnicodeDecodeError:
            continue
        decoded.append((_cjk_score(t), enc, t))
    if decoded:
        decoded.sort(key=lambda x: (-x[0], x[1] != "gb18030"))
        _, enc, t = decoded[0]
        return t, enc
    from charset_normalizer import from_bytes  # only for the rare leftovers

    best = from_bytes(data).best()
    if best is None:
        raise UnicodeError("no known encoding decodes this file")
    return str(best), best.encoding


def load_bytes(data: bytes, path: str | None = None, fmt: str | None = None) -> Document:
    """A Document from bytes; the format comes from `fmt` or the path's suffix."""
    digest = sha256(data)
    suffix = Path(path).suffix.lower() if path else ""
    fmt = fmt or TEXT_SUFFIXES.get(suffix) or _format_by_suffix(suffix)
    if not data:
        return Document(path, "", None, fmt, digest, Issue("input.empty", "the file is empty"))
    if len(data) > MAX_BYTES:
        return Document(path, "", None, fmt, digest,
                        Issue("input.too_large", f"{len(data)} bytes is over the {MAX_BYTES} byte limit"))
    if fmt in ("html", "docx", "pdf"):
        from extractor import formats  # the structured loaders

        return formats.load_structured(data, path, fmt, digest)
    try:
        text, enc = decode(data)
    except UnicodeError as e:
        return Document(path, "", None, fmt, digest, Issue("input.undecodable", str(e)))
    if _is_binary(text):
        return Document(path, "", enc, fmt, digest, Issue("input.binary", "the file is not text"))
    return Document(path, text, enc, fmt, digest)


def _format_by_suffix(suffix: str) -> str:
    return {".html": "html", ".htm": "html", ".xhtml": "html", ".docx": "docx", ".pdf": "pdf"}.get(suffix, "text")


def load(path: str | os.PathLike) -> Document:
    """Read a file into a Document; never raises for a bad file, only for a missing one."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            return Document(str(path), "", None, _format_by_suffix(p.suffix.lower()), "",
                            Issue("input.too_large", f"{size} bytes is over the {MAX_BYTES} byte limit"))
        data = p.read_bytes()
    except IsADirectoryError:
        return Document(str(path), "", None, "text", "", Issue("input.unreadable", "a directory, not a file"))
    except PermissionError as e:
        return Document(str(path), "", None, "text", "", Issue("input.unreadable", str(e)))
    return load_bytes(data, str(path))


def from_text(text: str, path: str | None = None, fmt: str = "text") -> Document:
    """A Document for text already in memory (`extractor.extract(text)`)."""
    return Document(path, text, "utf-8", fmt, sha256(text.encode("utf-8", "surrogatepass")))
