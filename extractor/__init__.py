"""extractor: annual government-information-disclosure reports into checked data.

    >>> import extractor
    >>> report = extractor.extract_file("report.txt")
    >>> report.to_dict()["tables"]["table3"]["new"]["total"]["value"]

`extract(text)` and `extract_file(path)` never raise on bad input: the record
carries the error in `issues`.  `load(path).text` is the document text that
every span indexes into.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["extract", "extract_file", "load", "Report", "Document"]
__version__ = "0.1.0"

if TYPE_CHECKING:  # pragma: no cover
    from extractor.load import Document
    from extractor.record import Report


def __getattr__(name: str) -> Any:
    # Lazy: `import extractor` stays cheap for worker processes and the CLI.
    if name in ("extract", "extract_file"):
        from extractor import pipeline
        return getattr(pipeline, name)
    if name == "load":
        from extractor.load import load
        return load
    if name == "Document":
        from extractor.load import Document
        return Document
    if name == "Report":
        from extractor.record import Report
        return Report
    raise AttributeError(name)
