"""The `extractor extract` command prints the record."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from extractor.cli import app

SAMPLE = "一、总体情况\n好。\n二、主动公开政府信息情况\n第二十条第（一）项\n信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n规章\t1\t0\t5\n"


def test_extract_prints_json(tmp_path):
    p = tmp_path / "r.txt"
    p.write_text(SAMPLE, encoding="utf-8")
    res = CliRunner().invoke(app, ["extract", str(p), "--pretty"])
    assert res.exit_code == 0, res.output
    rec = json.loads(res.stdout)
    assert rec["schema"] == "gov-disclosure-report/1"
    cell = rec["tables"]["table2"]["rules"]["in_force"]
    assert cell["value"] == 5
    assert SAMPLE[cell["span"][0]:cell["span"][1]] == "5"


def test_extract_missing_file_exits_2(tmp_path):
    res = CliRunner().invoke(app, ["extract", str(tmp_path / "nope.txt")])
    assert res.exit_code == 2
