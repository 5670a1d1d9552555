"""`extractor check-data`: clean on annotations/, loud on broken data (run as a test)."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.training import check as C
from extractor.cli import app
from extractor.spec.labels import labels
from tests.helpers import ANNOTATIONS


runner = CliRunner()

# ---------------------------------------------------------------- a broken annotation
TEXT = ("二、主动公开政府信息情况\n第二十条第（一）项\n信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n"
        "规章\t0\t0\t0\n召开新闻发布会3次。\n")


def _tables(bad_identity: bool = False) -> dict:
    L = labels()
    t3 = {r: [0] * 7 for r in L.row3}
    t3["new"] = [2, 0, 0, 0, 0, 0, 2]
    t3["granted"] = [2, 0, 0, 0, 0, 0, 2]
    t3["total_processed"] = [2, 0, 0, 0, 0, 0, 2 if not bad_identity else 3]
    return {
        "table2": {"rules": {"issued": 0, "repealed": 0, "in_force": 0},
                   "normative_docs": {"issued": 0, "repealed": 0, "in_force": 0},
                   "licensing": 0, "punishment": 0, "coercion": 0, "fees_10k_yuan": 0},
        "table3": t3,
        "table4": {g: [0] * 5 for g in L.group4},
    }


def _write(root: Path, ann: dict) -> Path:
    (root / "texts").mkdir(parents=True, exist_ok=True)
    (root / "texts" / "r.txt").write_text(TEXT, encoding="utf-8")
    d = root / "annotations" / "reports"
    d.mkdir(parents=True, exist_ok=True)
    (d / f"{ann['id']}.json").write_text(json.dumps(ann, ensure_ascii=False), encoding="utf-8")
    return root / "annotations"


def _good() -> dict:
    i = TEXT.index("召开新闻发布会3次")
    j = TEXT.index("规章")
    return {
        "id": "r", "text": {"path": "texts/r.txt", "sha256": hashlib.sha256(TEXT.encode()).hexdigest()},
        "agency": "某局", "year": 2023, "tables": _tables(), "agency_error": False, "notes": "",
        "facts": [{"metric": "press_conferences", "channel": None, "value": 3, "unit": "次", "span": [i, i + 9],
                   "text": "召开新闻发布会3次", "role": "total", "approx": False, "category": None}],
        "fragments": [{"span": [j, j + 2], "label": "table2.rules", "text": "规章"}],
    }


def test_check_data_is_clean_on_the_annotations():
    pr = C.check_data(ANNOTATIONS)
    assert pr.errors == []
    assert pr.checked >= 13


def test_check_data_command_exits_zero_on_the_annotations():
    res = runner.invoke(app, ["check-data", "--annotations", str(ANNOTATIONS)])
    assert res.exit_code == 0, res.output
    assert "0 error(s)" in res.output


def test_a_good_annotation_in_tmp_is_clean(tmp_path):
    pr = C.check_data(_write(tmp_path, _good()))
    assert pr.errors == [] and pr.checked == 1


@pytest.mark.parametrize("breakage, expect", [
    (lambda a: a["text"].update(sha256="0" * 64), "does not match"),
    (lambda a: a["fragments"].append({"span": [5, 10_000], "label": "noise"}), "outside the text"),
    (lambda a: a["fragments"].append({"span": [0, 2], "label": "table3.no_such_row"}), "unknown label"),
    (lambda a: a["fragments"].append({"span": [TEXT.index("规章") + 1, TEXT.index("规章") + 3], "label": "noise"}), "overlap"),
    (lambda a: a.update(tables=_tables(bad_identity=True)), "identities"),
    (lambda a: a["facts"][0].update(span=[0, 4]), "not its text"),
    (lambda a: a["facts"][0].update(metric="tweets"), "unknown metric"),
    (lambda a: a["tables"]["table3"].pop("partial"), "partial"),
    (lambda a: a.pop("fragments"), "missing key 'fragments'"),
    (lambda a: a.update(uncertain=["table3.total_processed[0]"]), "is not a cell"),
])
def test_check_data_fails_on_a_broken_annotation(tmp_path, breakage, expect):
    ann = _good()
    breakage(ann)
    d = _write(tmp_path, ann)
    pr = C.check_data(d)
    assert any(expect in e for e in pr.errors), pr.errors
    res = runner.invoke(app, ["check-data", "--annotations", str(d)])
    assert res.exit_code == 1
    assert expect in res.output


def test_uncertain_cells_are_part_of_the_format(tmp_path):
    ann = _good()
    ann["uncertain"] = ["table2.normative_docs.issued", "table3.total_processed.natural_person"]
    pr = C.check_data(_write(tmp_path, ann))
    assert pr.errors == [] and pr.warnings == []


def test_agency_error_allows_failing_identities(tmp_path):
    ann = _good()
    ann["tables"] = _tables(bad_identity=True)
    ann["agency_error"] = True
    assert C.check_data(_write(tmp_path, ann)).errors == []


def test_absent_outside_text_is_skipped_with_a_message(tmp_path):
    ann = _good()
    ann["text"]["path"] = "../nowhere/shared/r.txt"
    pr = C.check_data(_write(tmp_path, ann))
    assert pr.errors == []
    assert any("not present" in w for w in pr.warnings)


def test_absent_text_inside_the_repo_is_an_error(tmp_path):
    ann = _good()
    ann["text"]["path"] = "texts/missing.txt"
    pr = C.check_data(_write(tmp_path, ann))
    assert any("not present" in e or "missing" in e for e in pr.errors)
