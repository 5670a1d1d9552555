"""`extractor panel` over the annotated real reports: CSV, parquet and xlsx read back by pandas and DuckDB with their types.

The records are extracted at test time from the texts in ../shared (skips
without them); the dictionary written beside the panel covers every column.
"""
from __future__ import annotations

import csv
import json

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from extractor.cli import app
from tests.corpus.test_indicators import extracted
from tests.helpers import HAVE_SHARED, needs_shared, report_annotations

pytestmark = needs_shared


@pytest.fixture(scope="module")
def panel_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("panel")
    ids = [a["id"] for a in report_annotations()] if HAVE_SHARED else []
    records = d / "records.jsonl"
    records.write_text("".join(json.dumps(extracted(i), ensure_ascii=False) + "\n" for i in ids), encoding="utf-8")
    out = {}
    for suffix in ("csv", "parquet", "xlsx"):
        out[suffix] = d / f"panel.{suffix}"
        args = ["panel", str(records), "--out", str(out[suffix])] + (["--dictionary", str(d / "dict.csv")]
                                                                    if suffix == "csv" else [])
        res = CliRunner().invoke(app, args)
        assert res.exit_code == 0, res.output
    return ids, out, d / "dict.csv"


def _check_frame(df: pd.DataFrame, ids: list[str]) -> None:
    assert len(df) == len(ids) and "pt001" in ids  # one row per annotated report
    assert pd.api.types.is_integer_dtype(df["t3_new_total"]) and pd.api.types.is_integer_dtype(df["year"])
    assert pd.api.types.is_float_dtype(df["granted_rate"]) and pd.api.types.is_bool_dtype(df["needs_review"])
    by = df.set_index(df["path"].str.extract(r"([^/]+)\.(?:txt|md|html|pdf)$")[0])
    assert by.loc["pt001", "t3_new_total"] == 70 and by.loc["pt001", "granted_rate"] == round(30 / 69, 6)
    assert by.loc["pt001", "litigation_total"] == 12
    assert by.loc["001_22879b8c46a5464c", "province"] == "河南省"
    assert by.loc["001_22879b8c46a5464c", "city"] == "新乡市"
    assert "granted_rate" in str(by.loc["pt014", "uncertain_indicators"])


def test_pandas_reads_the_csv(panel_files):
    ids, out, _ = panel_files
    _check_frame(pd.read_csv(out["csv"]), ids)


def test_pandas_reads_the_parquet(panel_files):
    ids, out, _ = panel_files
    _check_frame(pd.read_parquet(out["parquet"]), ids)


def test_pandas_reads_the_xlsx(panel_files):
    ids, out, _ = panel_files
    _check_frame(pd.read_excel(out["xlsx"]), ids)


@pytest.mark.parametrize("suffix,reader", [("csv", "read_csv_auto"), ("parquet", "read_parquet")])
def test_duckdb_reads_it_with_the_types(panel_files, suffix, reader):
    ids, out, _ = panel_files
    con = duckdb.connect()
    types = {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM {reader}('{out[suffix]}')").fetchall()}
    assert types["t3_new_total"] == "BIGINT" and types["granted_rate"] == "DOUBLE"
    assert types["needs_review"] == "BOOLEAN" and types["agency"] == "VARCHAR"
    n, total = con.execute(f"SELECT count(*), sum(t3_new_total) FROM {reader}('{out[suffix]}')").fetchone()
    assert n == len(ids) and total == sum(extracted(i)["indicators"]["values"]["applications_new"] or 0 for i in ids)


def test_the_dictionary_covers_every_column(panel_files):
    _, out, dictionary = panel_files
    with open(dictionary, encoding="utf-8-sig") as fh:
        described = [r["column"] for r in csv.DictReader(fh)]
    assert described == list(pd.read_parquet(out["parquet"]).columns)
