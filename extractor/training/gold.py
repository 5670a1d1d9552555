"""Compare a record's tables with gold tables in the corpus shape.

The corpus gold (`shared/corpus/README.md`) writes table 2 with a flat
`fees_10k_yuan` and single-valued rows, and tables 3/4 as lists in the
official column order; this module maps that shape onto the record's cells
so tests, evaluation and the review notebook all compare the same way.
"""
from __future__ import annotations

from typing import Any, Callable, Iterator

from extractor.spec.labels import labels


def gold_cells(gold: dict[str, Any]) -> Iterator[tuple[str, str, str, Any]]:
    """Yield (table, row, col, value) for every gold cell."""
    lab = labels()
    t2 = gold.get("table2") or {}
    for row in lab.table2_rows:
        key = "fees_10k_yuan" if row.key == "fees" else row.key
        if key not in t2:
            continue
        v = t2[key]
        if isinstance(v, dict):
            for col in row.columns:
                yield "table2", row.key, col, v.get(col)
        else:
            yield "table2", row.key, row.columns[0], v
    for row, vals in (gold.get("table3") or {}).items():
        for col, v in zip(lab.col3, vals):
            yield "table3", row, col, v
    for g, vals in (gold.get("table4") or {}).items():
        for col, v in zip(lab.col4, vals):
            yield "table4", g, col, v


def gold_value(gold: dict[str, Any]) -> Callable[[str, str, str], Any]:
    """A "value of this cell" function over gold tables, for the identities (`checks.identities`)."""
    cells = {(t, r, c): v for t, r, c, v in gold_cells(gold)}
    return lambda t, r, c: cells.get((t, r, c))


def same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 1e-9


def compare(record: dict[str, Any], gold: dict[str, Any], threshold: float = 0.9) -> dict[str, Any]:
    """Cell-by-cell: right, wrong-but-flagged, silent errors (wrong at ≥ threshold or unflagged)."""
    tables = record["tables"]
    right, wrong, silent, high_wrong = [], [], [], []
    for t, r, c, v in gold_cells(gold):
        cell = tables[t][r][c]
        name = f"{t}.{r}.{c}"
        if same(cell["value"], v):
            right.append(name)
            continue
        wrong.append((name, cell["value"], v, cell["confidence"]))
        if cell["confidence"] >= threshold:
            high_wrong.append(name)
        if not record["needs_review"] or cell["confidence"] >= threshold:
            silent.append(name)
    return {"right": len(right), "wrong": wrong, "silent": silent, "high_conf_wrong": high_wrong,
            "cells": len(right) + len(wrong)}
