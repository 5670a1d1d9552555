"""The panel written by suffix and read back with its types; the dictionary file covers every column."""
from __future__ import annotations

import csv

import pandas as pd
import pytest

from extractor.panel.rows import panel_rows
from extractor.panel.write import panel_kind, write_dictionary, write_panel
from tests.checks.made import record


def rows():
    recs = [record("新乡市公安局", 2022, new=8, granted=6), record("新乡市公安局", 2023, new=10, granted=5)]
    recs[1]["source"]["publisher"] = "X"
    recs[0]["tables"]["table3"]["denied_query"]["total"]["value"] = None  # a null cell stays null
    return panel_rows(recs)


def test_the_suffix_says_the_format():
    assert [panel_kind(f"p.{s}") for s in ("csv", "parquet", "xlsx")] == ["csv", "parquet", "xlsx"]
    with pytest.raises(ValueError):
        panel_kind("p.json")


def test_parquet_keeps_the_types(tmp_path):
    write_panel(rows(), tmp_path / "p.parquet")
    df = pd.read_parquet(tmp_path / "p.parquet", dtype_backend="numpy_nullable")
    assert str(df["t3_new_total"].dtype) == "Int64" and str(df["granted_rate"].dtype) == "Float64"
    assert str(df["needs_review"].dtype) == "boolean" and df["t3_denied_query_total"].isna().tolist() == [True, False]
    assert df["applications_new_yoy"].tolist()[1] == 0.25 and df["source_publisher"].isna().tolist() == [True, False]


def test_the_dictionary_lists_the_manifest_columns_too(tmp_path):
    r = rows()
    n = write_dictionary(r, tmp_path / "d.csv")
    with open(tmp_path / "d.csv", encoding="utf-8-sig") as fh:
        cols = [row["column"] for row in csv.DictReader(fh)]
    assert n == len(cols) and set(cols) == set(r[0]) | set(r[1])
