"""extractor: annual government-information-disclosure reports into checked data.

    >>> import extractor
    >>> report = extractor.extract_file("report.txt")
    >>> report.to_dict()["tables"]["table3"]["new"]["total"]["value"]

`extract(text)` and `extract_file(path)` never raise on bad input: the record
carries the error in `issues`.  `load(path).text` is the document text that
every span indexes into.
"""
from extractor.input.document import Document
from extractor.input.load import load
from extractor.pipeline import extract, extract_document, extract_file
from extractor.record import Report

__all__ = ["extract", "extract_file", "extract_document", "load", "Report", "Document"]
__version__ = "0.1.0"
