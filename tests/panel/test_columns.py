"""The panel's columns and data dictionary: every column described in Chinese and English, cells named as the spec says."""
from __future__ import annotations

import re

from extractor.panel.columns import cell_column, columns, dictionary_rows
from extractor.spec.indicators import definitions
from extractor.spec.labels import labels

_HAN = re.compile(r"[\u4e00-\u9fff]")


def test_the_spec_columns_in_order():
    names = [c.name for c in columns()]
    assert names[:13] == ["path", "sha256", "url", "fetched_at", "agency", "year", "province", "city", "county",
                          "template", "needs_review", "confidence", "error"]
    assert names[-2:] == ["uncertain_indicators", "cross_checks_failed"]
    assert {"t2_normative_docs_in_force", "t3_new_total", "t4_review_corrected"} <= set(names)
    assert set(definitions().names) <= set(names)
    assert len(names) == len(set(names))


def test_every_cell_of_the_record_is_a_column():
    lab = labels()
    cells = {c.cell for c in columns() if c.cell}
    assert len(cells) == sum(len(r.columns) for r in lab.table2_rows) + len(lab.row3) * 7 + 3 * 5
    assert cell_column("table3", "new", "total") == "t3_new_total"


def test_the_dictionary_describes_every_column_in_both_languages():
    rows = dictionary_rows(("publisher",))
    assert [r["column"] for r in rows] == [c.name for c in columns()] + ["source_publisher"]
    for r in rows:
        assert _HAN.search(r["zh"]) and r["en"] and not _HAN.search(r["en"]), r
        assert r["type"] in ("string", "int", "float", "bool") and r["source"]
    by = {r["column"]: r for r in rows}
    assert by["granted_rate"]["zh"] == "予以公开率" and by["granted_rate"]["source"] == "t3.granted / t3.total_processed"
    assert "一、本年新收政府信息公开申请数量" in by["t3_new_total"]["zh"] and "总计" in by["t3_new_total"]["zh"]
