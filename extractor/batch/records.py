"""One file in, exactly one record out, whatever happens to the file.

`process_path` is the per-file function every engine runs in its workers.
It never raises: a missing, unreadable or crashing file becomes a record
with an error (`error_record`), so a batch never loses an input.  It also
makes, where the record is, what the parent needs of it (`Result`: the
line, its digest `Entry`, its long-table rows), so the parent never parses
a record it wrote.
"""
from __future__ import annotations

import importlib
import json
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

from extractor.batch.inputs import file_sha256
from extractor.batch.tables import record_batch
from extractor.checks.crossreport import ReportView, family
from extractor.checks.crossreport import view_of as report_view
from extractor.checks.crossyear import CROSS_KEY, YearView, view_of
from extractor.input import registry
from extractor.input.load import load
from extractor.record import Issue, Report

DEFAULT_EXTRACT = "extractor.pipeline:extract_document"


def dumps(record: dict[str, Any]) -> bytes:
    """The record as one JSON line (compact, key order as built; lone surrogates escaped)."""
    s = json.dumps(record, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return s.encode("utf-8", "backslashreplace") + b"\n"


def status_of(record: dict[str, Any]) -> tuple[str, str | None]:
    """("ok" | "review" | "error", the error code)."""
    err = record.get("error")
    if err:
        return "error", err.get("code")
    return ("review" if record.get("needs_review") else "ok"), None


@dataclass(slots=True)
class Entry:
    """One record line of the output, as the final pass needs it (no need to parse it again)."""

    path: str
    sha256: str
    status: str
    code: str | None
    view: YearView | None  # what the cross-year checks read (None: nothing to chain on)
    has_cross: bool  # checks of a cross-report family or chain settlements a final pass made (to redo)
    report: ReportView | None = None  # what the hierarchy and copy-paste checks read
    offset: int = 0
    length: int = 0
    cells: int | None = None  # record batch number in the cells spool
    facts: int | None = None


def entry_of(rec: dict[str, Any]) -> Entry:
    src = rec.get("source") or {}
    status, code = status_of(rec)
    touched = any(family(c) for c in rec.get("checks") or []) or CROSS_KEY in (rec.get("parsing") or {})
    return Entry(path=str(src.get("path")), sha256=src.get("sha256") or "", status=status, code=code,
                 view=view_of(rec), has_cross=touched, report=report_view(rec))


@dataclass
class Result:
    """One finished input: its record line, its digest, and its long-table rows."""

    path: str
    line: bytes
    entry: Entry
    seconds: float = 0.0
    cells: Any = None  # pyarrow.RecordBatch | None
    facts: Any = None

    @property
    def status(self) -> str:
        return self.entry.status


def make_result(record: dict[str, Any], seconds: float, tables: tuple[bool, bool], line: bytes | None = None) -> Result:
    """Everything the parent needs from one record, made where the record is (in the worker).

    `line` is the record's JSON line when the caller made it already.
    """
    line = dumps(record) if line is None else line
    entry = entry_of(record)
    cells = record_batch("cells", record) if tables[0] else None
    facts = record_batch("facts", record) if tables[1] else None
    return Result(entry.path, line, entry, seconds, cells, facts)


@lru_cache(maxsize=None)
def resolve(name: str) -> Callable:
    """"module:function" -> the function (the pipeline's extract_document by default).

    By name, so a worker process imports it itself and a test can put a
    slow or crashing stand-in in its place.
    """
    module, _, func = name.partition(":")
    return getattr(importlib.import_module(module), func)


def error_record(path: str, code: str, message: str, sha: str | None = None) -> dict[str, Any]:
    """A record for an input that produced no Document (missing, timed out, crashed a worker)."""
    source = {"path": path, "sha256": file_sha256(path) if sha is None else sha, "encoding": None,
              "format": registry.format_of(path).name, "chars": 0}
    return Report(source=source, error=Issue(code, message)).to_dict()


def _record(path: str, extract: str) -> dict[str, Any]:
    try:
        doc = load(path)
    except FileNotFoundError:
        return error_record(path, "input.not_found", "no such file", "")
    except OSError as e:
        return error_record(path, "input.unreadable", str(e), "")
    report = resolve(extract)(doc)  # the pipeline carries the loader's warnings
    return report.to_dict()


def process_path(path: str, extract: str = DEFAULT_EXTRACT, tables: tuple[bool, bool] = (False, False)) -> Result:
    """Load and extract one file; never raises (every failure becomes the record's error)."""
    t0 = time.perf_counter()
    line = None
    try:
        record = _record(path, extract)
        line = dumps(record)  # inside the guard: a record that cannot be written is an internal error
    except Exception as e:  # the pipeline promises not to raise; a batch must not depend on it
        record = error_record(path, "internal.error", f"{type(e).__name__}: {e}")
    return make_result(record, time.perf_counter() - t0, tables, line)


def timeout_result(path: str, timeout: float, tables: tuple[bool, bool]) -> Result:
    """The result of a file its engine stopped: its record says so, and the batch goes on."""
    rec = error_record(path, "input.timeout", f"reading this file took longer than {timeout:g} s; it was stopped")
    return make_result(rec, timeout, tables)


def crash_result(path: str, why: str, tables: tuple[bool, bool]) -> Result:
    """The result of a file whose worker died: the record names the file, not the worker."""
    return make_result(error_record(path, "input.crashed", f"the worker reading this file died ({why})"), 0.0, tables)
