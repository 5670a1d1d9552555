"""The long tables (`--cells`, `--facts`): one row per table cell or fact of every record.

A worker turns its record into Arrow rows (`record_batch`) where the record
already is, so the parent never parses a record it wrote.  The rows are
spooled to a temporary Arrow file in completion order (`Spool`) and copied
out in path order at the end (`write_long_table`), so memory stays flat in
the number of reports.  Whether a row needs review is the one review line,
`confidence.REVIEW_BELOW`.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from extractor.confidence import REVIEW_BELOW

CELL_COLUMNS = ("report", "sha256", "table", "row", "col", "value", "raw", "confidence",
                "needs_review", "span_start", "span_end", "report_needs_review")
FACT_COLUMNS = ("report", "sha256", "metric", "channel", "value", "unit", "role", "approx", "category",
                "section", "span_start", "span_end", "text", "confidence", "needs_review")


def _num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _float(v: Any) -> float | None:
    return float(v) if _num(v) else None


def _span(s: Any) -> tuple[int | None, int | None]:
    return (s[0], s[1]) if isinstance(s, list) and len(s) == 2 else (None, None)


def cell_columns(rec: dict[str, Any]) -> dict[str, list[Any]]:
    """The record's table cells as long-table columns.

    A cell needs review when it is uncertain, named by a reason that asks a
    person to act (`confidence.review_reasons`: a failed check that doubts
    the reading or is the agency's own arithmetic; not a year chain the
    agency broke between certain readings) or its report failed to read.
    """
    src = rec.get("source") or {}
    flagged = {n for r in rec.get("review_reasons") or [] if r.get("review") for n in r.get("cells") or []}
    broken, report_review = bool(rec.get("error")), bool(rec.get("needs_review"))
    # Built column by column (this runs for each of a record's 200-odd cells, in every batch worker);
    # the columns that are the same for every cell of the record are filled once at the end.
    table_, row_, col_, value_, raw_, conf_, review_, start_, end_ = ([] for _ in range(9))
    for table, rows in (rec.get("tables") or {}).items():
        for row, cells in rows.items():
            for col, cell in cells.items():
                value, conf = cell.get("value"), float(cell.get("confidence") or 0.0)
                s, e = _span(cell.get("span"))
                raw = cell.get("raw")
                table_.append(table)
                row_.append(row)
                col_.append(col)
                value_.append(_float(value))
                raw_.append(raw if raw is not None else value if isinstance(value, str) else None)
                conf_.append(conf)
                review_.append(broken or f"{table}.{row}.{col}" in flagged or (value is not None and conf < REVIEW_BELOW))
                start_.append(s)
                end_.append(e)
    n = len(table_)
    cols = {"report": [src.get("path")] * n, "sha256": [src.get("sha256")] * n, "table": table_, "row": row_,
            "col": col_, "value": value_, "raw": raw_, "confidence": conf_, "needs_review": review_,
            "span_start": start_, "span_end": end_, "report_needs_review": [report_review] * n}
    return {c: cols[c] for c in CELL_COLUMNS}


def fact_columns(rec: dict[str, Any]) -> dict[str, list[Any]]:
    """The record's facts as long-table columns (a fact's own confidence says whether it needs a look)."""
    src = rec.get("source") or {}
    cols: dict[str, list[Any]] = {c: [] for c in FACT_COLUMNS}
    for f in rec.get("facts") or []:
        s, e = _span(f.get("span"))
        conf = float(f.get("confidence") or 0.0)
        for k, v in (("report", src.get("path")), ("sha256", src.get("sha256")), ("metric", f.get("metric")),
                     ("channel", f.get("channel")), ("value", _float(f.get("value"))), ("unit", f.get("unit")),
                     ("role", f.get("role")), ("approx", bool(f.get("approx"))), ("category", f.get("category")),
                     ("section", f.get("section")), ("span_start", s), ("span_end", e), ("text", f.get("text")),
                     ("confidence", conf), ("needs_review", conf < REVIEW_BELOW)):
            cols[k].append(v)
    return cols


@lru_cache(maxsize=None)
def arrow_schema(kind: str) -> Any:
    """The pyarrow schema of the "cells" or "facts" table (typed, so an all-null column keeps its type)."""
    import pyarrow as pa

    columns = CELL_COLUMNS if kind == "cells" else FACT_COLUMNS
    types = {"value": pa.float64(), "confidence": pa.float64(), "needs_review": pa.bool_(),
             "report_needs_review": pa.bool_(), "approx": pa.bool_(),
             "span_start": pa.int64(), "span_end": pa.int64()}
    return pa.schema([(c, types.get(c, pa.string())) for c in columns])


def record_batch(kind: str, rec: dict[str, Any]) -> Any:
    """The record's rows for one long table as an Arrow record batch (None when it has none)."""
    import pyarrow as pa

    cols = cell_columns(rec) if kind == "cells" else fact_columns(rec)
    if not cols["report"]:
        return None
    return pa.record_batch([cols[c] for c in arrow_schema(kind).names], schema=arrow_schema(kind))


class Spool:
    """Long-table rows as Arrow record batches in a temporary file, one batch per record.

    Rows arrive in completion order; the final tables are written in path
    order by reading batches back by number, so nothing is held in memory.
    """

    def __init__(self, kind: str, directory: Path, prefix: str) -> None:
        import pyarrow as pa

        self.kind = kind
        fd, name = tempfile.mkstemp(prefix=f".{prefix}.{kind}-", suffix=".arrow", dir=directory)
        os.close(fd)
        self.path = Path(name)
        self._sink = pa.OSFile(str(self.path), "wb")
        self._writer = pa.ipc.new_file(self._sink, arrow_schema(kind))
        self.count = 0
        self._reader: Any = None

    def add(self, batch: Any) -> int | None:
        """Spool one record's rows; returns their batch number (None when it has no rows)."""
        if batch is None or batch.num_rows == 0:
            return None
        self._writer.write_batch(batch)
        self.count += 1
        return self.count - 1

    def reader(self) -> Any:
        import pyarrow as pa

        if self._reader is None:
            self._writer.close()
            self._sink.close()
            # Read by pread, not mapped: a mapped spool of a long batch counts whole in the RSS (hundreds of MB
            # at 10,000 reports, charged to the process that writes the tables), however little is in use.
            self._reader = pa.ipc.open_file(pa.OSFile(str(self.path), "rb"))
        return self._reader

    def remove(self) -> None:
        """Throw the spool away; quietly, since it runs while a write fault (a full disk) may be on its way up."""
        try:
            if self._reader is None:
                with contextlib.suppress(Exception):
                    self._writer.close()
                with contextlib.suppress(Exception):
                    self._sink.close()
        finally:
            self._reader = None
            with contextlib.suppress(OSError):
                self.path.unlink(missing_ok=True)


def long_table_kind(path: Path) -> str:
    """"parquet" or "csv" by the suffix; a ValueError before any work for anything else."""
    kind = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv"}.get(Path(path).suffix.lower())
    if kind is None:
        raise ValueError(f"{path}: a long table must be .parquet or .csv")
    return kind


def write_long_table(target: Path, spool: Spool, numbers: Iterable[int | None], chunk_rows: int = 200_000) -> int:
    """Copy the spooled batches, in the given order, to .parquet or .csv (atomically); returns rows.

    Atomic even when the disk fills up: the rows go to a temporary file that
    replaces the target only once it is whole (closing it writes the last
    bytes, so a failing close is a failed write too), and it is removed on
    any failure.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    kind = long_table_kind(target)
    schema = arrow_schema(spool.kind)
    reader = spool.reader()
    tmp = target.with_name(f".{target.name}.tmp{os.getpid()}")
    writer = pq.ParquetWriter(tmp, schema) if kind == "parquet" else pacsv.CSVWriter(str(tmp), schema)
    rows, pending, pending_rows = 0, [], 0
    try:
        for n in numbers:
            if n is None:
                continue
            batch = reader.get_batch(n)
            pending.append(batch)
            pending_rows += batch.num_rows
            if pending_rows >= chunk_rows:
                writer.write_table(pa.Table.from_batches(pending, schema))
                rows, pending, pending_rows = rows + pending_rows, [], 0
        if pending or rows == 0:
            writer.write_table(pa.Table.from_batches(pending, schema))
            rows += pending_rows
        writer.close()
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(Exception):
            writer.close()
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise
    return rows
