"""The record: `to_dict` the one writer of the shape, `Report.from_dict` reads it back."""
from __future__ import annotations

import json

import pytest

import extractor
from extractor.record import Cell, Check, Issue, Report
from tests.corpus.golden import cases


@pytest.mark.parametrize("name,path", [(n, p) for n, p, _ in cases()], ids=[n for n, _, _ in cases()])
def test_every_record_round_trips(name, path):
    if not path.exists():
        pytest.skip(f"{path} not present (../shared absent)")
    rec = extractor.extract_file(path).to_dict()
    back = Report.from_dict(json.loads(json.dumps(rec, ensure_ascii=False)))
    assert back.to_dict() == rec
    assert (back.confidence, back.needs_review) == (rec["confidence"], rec["needs_review"])


def test_an_error_record_round_trips_without_doubling_the_error():
    rec = Report(source={"path": "x.txt"}, error=Issue("input.empty", "the file is empty")).to_dict()
    assert [i["code"] for i in rec["issues"]] == ["input.empty"]
    assert Report.from_dict(rec).to_dict() == rec


def test_keys_other_check_families_add_survive():
    rep = Report(source={"path": None})
    rep.checks.append(Check("crossyear.carried_over", False, "3 ≠ 4", ["table3.carried_over.total"],
                            extra={"previous": {"path": "a", "year": 2021}}))
    d = rep.to_dict()
    assert d["checks"][0]["previous"] == {"path": "a", "year": 2021}
    assert Report.from_dict(d).to_dict() == d


def test_a_resolved_issue_is_written_only_when_resolved():
    assert "resolved" not in Issue("table2.ambiguous", "x").to_dict()
    assert Issue("table2.ambiguous", "x", resolved=True).to_dict()["resolved"] is True


def test_cell_keeps_printed_text_and_placeholder_place():
    c = Cell(0, 0.95, None, "/", raw_span=(3, 4))
    assert c.to_dict() == {"value": 0, "confidence": 0.95, "span": None, "raw": "/", "raw_span": [3, 4]}
    assert Cell.from_dict(c.to_dict()) == c
