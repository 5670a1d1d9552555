"""Panel rows from records: place, cells, indicators from the one function, year-on-year, failed cross checks."""
from __future__ import annotations

from extractor.indicators import compute
from extractor.panel.rows import panel_rows
from tests.checks.made import record


def test_a_row_carries_place_cells_and_the_records_indicators():
    rec = record("新乡市公安局", 2023, new=8, granted=6, review=2)
    rec["source"].update(url="https://e.org/r", fetched_at="2024-01-02", publisher="X")
    (row,) = panel_rows([rec])
    assert (row["province"], row["city"], row["county"]) == ("河南省", "新乡市", None)
    assert row["t3_new_total"] == 8 and row["t4_review_total"] == 2 and row["year"] == 2023
    assert row["granted_rate"] == compute(rec).values["granted_rate"] == 0.75
    assert row["url"] == "https://e.org/r" and row["source_publisher"] == "X"
    assert row["applications_new_yoy"] is None and row["cross_checks_failed"] == ""


def test_yoy_when_the_panel_holds_the_previous_year():
    rows = panel_rows([record("甲局", 2023, new=10), record("甲局", 2022, new=8), record("乙局", 2023, new=3)])
    assert [r["applications_new_yoy"] for r in rows] == [0.25, None, None]


def test_uncertain_and_failed_cross_checks_joined():
    rec = record("甲局", 2023, new=10)
    rec["checks"] += [{"rule": "copypaste.table3", "ok": False, "cells": ["table3.new.total"]},
                      {"rule": "hierarchy.sum", "ok": False, "cells": []}]
    rec.pop("indicators")  # an older record: computed by the same function
    (row,) = panel_rows([rec])
    assert row["cross_checks_failed"] == "copypaste.table3;hierarchy.sum"
    assert row["uncertain_indicators"].split(";")[:2] == ["applications_new", "applications_handled"]


def test_yoy_pairs_one_body_named_two_ways():
    """The Huai'an PDFs of ../shared name one district government 洪泽区人民政府 and 淮安市洪泽区人民政府."""
    rows = panel_rows([record("淮安市洪泽区人民政府", 2024, new=95), record("洪泽区人民政府", 2023, new=21)])
    assert rows[0]["applications_new_yoy"] == round((95 - 21) / 21, 6)
