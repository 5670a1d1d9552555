"""A record as an .xlsx in the official layout: values in place, doubtful cells filled and commented."""
from __future__ import annotations

from openpyxl import load_workbook

from extractor import confidence
from extractor.review.workbook import write_workbook
from tests.checks.made import record


def test_the_three_tables_with_doubtful_cells_highlighted(tmp_path):
    rec = record("新乡市公安局", 2023, new=8, granted=6, review=2)
    rec["tables"]["table3"]["granted"]["natural_person"]["confidence"] = confidence.AMBIGUOUS
    rec["checks"].append({"rule": "hierarchy.sum", "ok": False, "detail": "x", "cells": ["table4.review.total"]})
    n = write_workbook(rec, tmp_path / "r.xlsx")
    wb = load_workbook(tmp_path / "r.xlsx")
    assert wb.sheetnames == ["report", "table2", "table3", "table4"] and n == 2
    t3, t4 = wb["table3"], wb["table4"]
    assert t3["A2"].value.endswith("本年新收政府信息公开申请数量") and t3["H2"].value == 8
    granted = t3["B4"]
    assert t3["A4"].value.endswith("予以公开") and granted.value == 6 and granted.fill.fgColor.rgb.endswith("D00000")
    assert "0.45" in granted.comment.text
    assert t4["F2"].value == 2 and "hierarchy.sum" in t4["F2"].comment.text
    assert t3["H2"].comment is None
    report = [r for r in wb["report"].iter_rows(values_only=True)]
    assert ("hierarchy.sum", "x") in [tuple(r[:2]) for r in report]
    assert any(str(r[0]).startswith("granted_rate") and r[1] == 0.75 for r in report)
