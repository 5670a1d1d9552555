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


def test_import_excerpts_then_split_then_split_again_refuses(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(3):
        (corpus / f"Z00{i}.txt").write_text(f"全年主动公开政府信息{i + 10}条。", encoding="utf-8")
        gold = {"narrative_facts": [{"quote": f"主动公开政府信息{i + 10}条", "metric": "posts_published",
                                     "channel": None, "value": i + 10, "unit": "条"}]}
        (corpus / f"Z00{i}.gold.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    ann = tmp_path / "annotations"
    res = CliRunner().invoke(app, ["import-excerpts", str(corpus), "--annotations", str(ann)])
    assert res.exit_code == 0 and "3 annotation(s) written" in res.output, res.output
    res = CliRunner().invoke(app, ["split", "--annotations", str(ann)])
    assert res.exit_code == 0 and "2 development, 1 held-out" in res.output, res.output
    assert CliRunner().invoke(app, ["split", "--annotations", str(ann)]).exit_code == 1
    assert CliRunner().invoke(app, ["split", "--annotations", str(ann), "--add"]).exit_code == 0
