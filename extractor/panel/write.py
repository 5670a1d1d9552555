"""The panel written as .csv, .parquet or .xlsx (by the suffix), typed, and its data dictionary as CSV.

The rows become one Arrow table with the column types of `columns` (counts
as 64-bit integers that may be null, rates as doubles, flags as booleans),
so parquet keeps the types, and a CSV or a sheet holds plain numbers that
pandas and DuckDB read back as numbers.  Written atomically, as the batch's
tables are.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from extractor.panel.columns import Column, columns, dictionary_rows, manifest_column

KINDS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".xlsx": "xlsx"}
_ARROW = {"string": "string", "int": "int64", "float": "float64", "bool": "bool_"}


def panel_kind(path: str | os.PathLike) -> str:
    """"csv", "parquet" or "xlsx" by the suffix; a ValueError before any work for anything else."""
    kind = KINDS.get(Path(path).suffix.lower())
    if kind is None:
        raise ValueError(f"{path}: the panel must be .csv, .parquet or .xlsx")
    return kind


def all_columns(rows: list[dict[str, Any]]) -> list[Column]:
    """The fixed columns and, after them, the manifest's other columns any row has."""
    fixed = columns()
    names = {c.name for c in fixed}
    extra = sorted({k for r in rows for k in r if k not in names})
    return list(fixed) + [manifest_column(k.removeprefix("source_")) for k in extra]


def _value(col: Column, v: Any) -> Any:
    if v is None:
        return None
    if col.type == "int":
        return int(v) if float(v).is_integer() else None  # a count that is not whole is not a count
    if col.type == "float":
        return float(v)
    if col.type == "bool":
        return bool(v)
    return str(v)


def arrow_table(rows: list[dict[str, Any]]) -> Any:
    """The panel as a typed Arrow table."""
    import pyarrow as pa

    cols = all_columns(rows)
    schema = pa.schema([(c.name, getattr(pa, _ARROW[c.type])()) for c in cols])
    data = [[_value(c, r.get(c.name)) for r in rows] for c in cols]
    return pa.table(data, schema=schema)


def write_panel(rows: list[dict[str, Any]], target: str | os.PathLike) -> int:
    """Write the rows to `target` (.csv/.parquet/.xlsx); returns the number of rows."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    target = Path(target)
    kind = panel_kind(target)
    table = arrow_table(rows)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp{os.getpid()}")
    try:
        if kind == "parquet":
            pq.write_table(table, tmp)
        elif kind == "csv":
            pacsv.write_csv(table, tmp)
        else:
            table.to_pandas(types_mapper=_pandas_types).to_excel(tmp, index=False, sheet_name="panel", engine="openpyxl")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return table.num_rows


def _pandas_types(arrow_type: Any) -> Any:
    import pandas as pd
    import pyarrow as pa

    return pd.Int64Dtype() if pa.types.is_integer(arrow_type) else None


def write_dictionary(rows: list[dict[str, Any]], target: str | os.PathLike) -> int:
    """The data dictionary of the panel these rows make (every column, manifest ones included) as CSV."""
    import csv

    extra = tuple(c.name.removeprefix("source_") for c in all_columns(rows)[len(columns()):])
    entries = dictionary_rows(extra)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", encoding="utf-8-sig", newline="") as fh:  # with a BOM, so a spreadsheet reads it as UTF-8
        w = csv.DictWriter(fh, fieldnames=["column", "type", "zh", "en", "source"])
        w.writeheader()
        w.writerows(entries)
    return len(entries)
