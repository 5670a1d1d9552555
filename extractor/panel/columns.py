"""The panel's columns and its data dictionary, from data.

One list of columns (name, type, Chinese, English, source or formula)
serves the panel's writer (the types an Arrow table is built with, so
pandas and DuckDB read them back right) and the dictionary a person reads.
Cells are named `t2_ROW_COL`, `t3_ROW_COL`, `t4_GROUP_COL` (INDICATORS.md).
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache

from extractor.spec import data_text
from extractor.spec.indicators import definitions
from extractor.spec.labels import labels

PREFIX = {"table2": "t2", "table3": "t3", "table4": "t4"}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # "string" | "int" | "float" | "bool"
    zh: str
    en: str
    source: str
    cell: tuple[str, str, str] | None = None  # (table, row, col) for a cell column


def cell_column(table: str, row: str, col: str) -> str:
    return f"{PREFIX[table]}_{row}_{col}"


def _cells(names: dict) -> list[Column]:
    lab = labels()
    rows_en, cols_en = names["row_names"], names["column_names"]
    out = []
    for r in lab.table2_rows:
        for c in r.columns:
            out.append(Column(cell_column("table2", r.key, c), "float" if r.decimal else "int",
                              f"表二 {r.label} {lab.table2_column_labels[c]}", f"table 2, {rows_en[r.key]}: {cols_en[c]}",
                              f"tables.table2.{r.key}.{c}", ("table2", r.key, c)))
    for row in lab.table3_rows:
        for c, zh in zip(lab.col3, lab.col3_labels):
            out.append(Column(cell_column("table3", row.key, c), "int", f"表三 {row.label} {zh}",
                              f"table 3, {rows_en[row.key]}: {cols_en[c]}", f"tables.table3.{row.key}.{c}",
                              ("table3", row.key, c)))
    for g, gzh in zip(lab.group4, lab.group4_labels):
        for c, zh in zip(lab.col4, lab.col4_labels):
            out.append(Column(cell_column("table4", g, c), "int", f"表四 {gzh} {zh}", f"table 4, {rows_en[g]}: {cols_en[c]}",
                              f"tables.table4.{g}.{c}", ("table4", g, c)))
    return out


def _indicators() -> list[Column]:
    return [Column(i.name, "int" if i.kind == "count" else "float", i.zh, i.en, i.formula)
            for i in definitions().indicators]


@lru_cache(maxsize=1)
def columns() -> tuple[Column, ...]:
    """Every fixed column of the panel, in order (a manifest's other columns come after, as `source_<name>`)."""
    data = tomllib.loads(data_text("panel.toml"))
    head = [Column(*c) for c in data["columns"]]
    tail = [Column(*c) for c in data["tail"]]
    return tuple(head + _cells(data) + _indicators() + tail)


def manifest_column(name: str) -> Column:
    zh, en = tomllib.loads(data_text("panel.toml"))["manifest_column"]
    return Column(f"source_{name}", "string", f"{zh} {name}", f"{en}: {name}", f"source.{name}")


def dictionary_rows(extra: tuple[str, ...] = ()) -> list[dict[str, str]]:
    """The data dictionary: column, type, meaning in Chinese and English, source cells or formula."""
    cols = list(columns()) + [manifest_column(n) for n in extra]
    return [{"column": c.name, "type": c.type, "zh": c.zh, "en": c.en, "source": c.source} for c in cols]
