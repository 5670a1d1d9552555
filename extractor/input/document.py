"""The document every reader produces: the text every span indexes into, and where it came from.

A file that cannot be read is still a Document, with an `error` (never an
exception), so a batch keeps one record per input.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from extractor.record import Issue


@dataclass
class PageRead:
    """How one page of a paged input was read: from its text layer, or by OCR with the engine's confidence."""

    page: int
    how: str  # "text" | "ocr"
    confidence: float | None = None  # OCR's mean recognition score over the characters read
    skew: float = 0.0  # degrees a scan was turned back before reading
    repairs: list[str] = field(default_factory=list)  # OCR lookalikes read as digits ("O->0")
    span: tuple[int, int] = (0, 0)  # where the page's text stands in the document text

    def to_dict(self) -> dict:
        d: dict = {"page": self.page, "read": self.how, "span": list(self.span)}
        if self.how == "ocr":
            d.update(ocr_confidence=round(self.confidence or 0.0, 4), skew_degrees=round(self.skew, 2),
                     repairs=list(self.repairs))
        return d


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
    # Paged inputs (PDF, images): how each page was read.
    pages: list[PageRead] = field(default_factory=list)

    def ocr_spans(self) -> list[tuple[int, int]]:
        """The stretches of the text read by OCR: a value read there is only as sure as the identities make it."""
        return [p.span for p in self.pages if p.how == "ocr"]

    @property
    def chars(self) -> int:
        return len(self.text)

    def source(self) -> dict:
        return {"path": self.path, "sha256": self.sha256, "encoding": self.encoding,
                "format": self.format, "chars": self.chars}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def error_document(path: str | None, fmt: str, digest: str, code: str, message: str,
                   encoding: str | None = None) -> Document:
    """A Document that could not be read: no text, the reason in `error`."""
    return Document(path, "", encoding, fmt, digest, Issue(code, message))


def from_text(text: str, path: str | None = None, fmt: str = "text") -> Document:
    """A Document for text already in memory (`extractor.extract(text)`)."""
    return Document(path, text, "utf-8", fmt, sha256(text.encode("utf-8", "surrogatepass")))
