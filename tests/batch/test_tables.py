"""The long tables: one row per cell or fact (extractor/batch/tables.py)."""
from __future__ import annotations

import pytest

from extractor.batch.tables import (
    CELL_COLUMNS,
    FACT_COLUMNS,
    cell_columns,
    fact_columns,
    long_table_kind,
)
from extractor.confidence import REVIEW_BELOW
from extractor.record import Cell, Fact, Report


def test_long_tables(mixed):
    import pandas as pd

    d, _, _, records = mixed
    cells = pd.read_parquet(d / "out" / "cells.parquet")
    assert len(cells) == 15 * 200
    row = cells[(cells.report.str.endswith("report.pdf")) & (cells.row == "new") & (cells.col == "total")]
    assert row.value.tolist() == [57.0] and row.table.tolist() == ["table3"]
    assert set(cells.columns) >= {"report", "sha256", "table", "row", "col", "value", "confidence", "needs_review"}
    assert cells[cells.report.str.endswith("scan.pdf")].needs_review.all()
    facts = pd.read_csv(d / "out" / "facts.csv")
    assert list(facts.columns[:4]) == ["report", "sha256", "metric", "channel"]
    assert len(facts) == sum(len(r["facts"]) for r in records.values())


def test_needs_review_is_the_one_review_line():
    """A cell or fact just under `confidence.REVIEW_BELOW` needs a look; one at it does not."""
    r = Report(source={"path": "p", "sha256": "s", "encoding": "utf-8", "format": "text", "chars": 1})
    r.tables["table3"]["new"]["total"] = Cell(1, REVIEW_BELOW, (0, 1))
    r.tables["table3"]["new"]["other"] = Cell(2, REVIEW_BELOW - 0.01, (0, 1))
    r.facts = [Fact("m", 1, None, (0, 1), "1", REVIEW_BELOW), Fact("m", 2, None, (0, 1), "2", REVIEW_BELOW - 0.01)]
    rec = r.to_dict()
    cols = cell_columns(rec)
    assert list(cols) == list(CELL_COLUMNS) and len(cols["report"]) == 200
    review = {(t, row, c): n for t, row, c, n in zip(cols["table"], cols["row"], cols["col"], cols["needs_review"])}
    assert review[("table3", "new", "total")] is False and review[("table3", "new", "other")] is True
    assert review[("table3", "carried_over", "total")] is False  # null: nothing to doubt
    facts = fact_columns(rec)
    assert list(facts) == list(FACT_COLUMNS) and facts["needs_review"] == [False, True]


def test_long_table_kind():
    assert [long_table_kind(p) for p in ("a.parquet", "b.PQ", "c.csv")] == ["parquet", "parquet", "csv"]
    with pytest.raises(ValueError):
        long_table_kind("x.xlsx")
