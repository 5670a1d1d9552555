"""`extractor check-data`: clean on annotations/, loud on broken data (run as a test)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.training import check as C
from extractor.cli import app
from tests.training.made import TEXT, gold_tables, good_annotation
from tests.helpers import ANNOTATIONS


runner = CliRunner()


def _write(root: Path, ann: dict) -> Path:
    (root / "texts").mkdir(parents=True, exist_ok=True)
    (root / "texts" / "r.txt").write_text(TEXT, encoding="utf-8")
    d = root / "annotations" / "reports"
    d.mkdir(parents=True, exist_ok=True)
    (d / f"{ann['id']}.json").write_text(json.dumps(ann, ensure_ascii=False), encoding="utf-8")
    return root / "annotations"


def test_check_data_is_clean_on_the_annotations():
    pr = C.check_data(ANNOTATIONS)
    assert pr.errors == []
    assert pr.checked >= 13


def test_check_data_command_exits_zero_on_the_annotations():
    res = runner.invoke(app, ["check-data", "--annotations", str(ANNOTATIONS)])
    assert res.exit_code == 0, res.output
    assert "0 error(s)" in res.output


def test_a_good_annotation_in_tmp_is_clean(tmp_path):
    pr = C.check_data(_write(tmp_path, good_annotation()))
    assert pr.errors == [] and pr.checked == 1


@pytest.mark.parametrize("breakage, expect", [
    (lambda a: a["text"].update(sha256="0" * 64), "does not match"),
    (lambda a: a["fragments"].append({"span": [5, 10_000], "label": "noise"}), "outside the text"),
    (lambda a: a["fragments"].append({"span": [0, 2], "label": "table3.no_such_row"}), "unknown label"),
    (lambda a: a["fragments"].append({"span": [TEXT.index("规章") + 1, TEXT.index("规章") + 3], "label": "noise"}), "overlap"),
    (lambda a: a.update(tables=gold_tables(bad_identity=True)), "identities"),
    (lambda a: a["facts"][0].update(span=[0, 4]), "not its text"),
    (lambda a: a["facts"][0].update(metric="tweets"), "unknown metric"),
    (lambda a: a["tables"]["table3"].pop("partial"), "partial"),
    (lambda a: a.pop("fragments"), "missing key 'fragments'"),
])
def test_check_data_fails_on_a_broken_annotation(tmp_path, breakage, expect):
    ann = good_annotation()
    breakage(ann)
    d = _write(tmp_path, ann)
    pr = C.check_data(d)
    assert any(expect in e for e in pr.errors), pr.errors
    res = runner.invoke(app, ["check-data", "--annotations", str(d)])
    assert res.exit_code == 1
    assert expect in res.output


def test_agency_error_allows_failing_identities(tmp_path):
    ann = good_annotation()
    ann["tables"] = gold_tables(bad_identity=True)
    ann["agency_error"] = True
    assert C.check_data(_write(tmp_path, ann)).errors == []


def test_absent_outside_text_is_skipped_with_a_message(tmp_path):
    ann = good_annotation()
    ann["text"]["path"] = "../nowhere/shared/r.txt"
    pr = C.check_data(_write(tmp_path, ann))
    assert pr.errors == []
    assert any("not present" in w for w in pr.warnings)


def test_absent_text_inside_the_repo_is_an_error(tmp_path):
    ann = good_annotation()
    ann["text"]["path"] = "texts/missing.txt"
    pr = C.check_data(_write(tmp_path, ann))
    assert any("not present" in e or "missing" in e for e in pr.errors)
