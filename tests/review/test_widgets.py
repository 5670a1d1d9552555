"""The review notebook's controls (extractor.review.widgets), clicked as a reviewer would."""
from __future__ import annotations

import json

import pytest

from extractor.review.decisions import corrections_of
from extractor.review.frames import low_cells
from extractor.review.widgets import ReviewSession, editor
from extractor.training.gold import compare
from tests.review.case import GLUED_RUN, doubtful, gold_cells_map

pytest.importorskip("ipywidgets")


def test_editor_settles_each_doubtful_cell_in_one_click_and_saves(case, tmp_path, capsys):
    """The controls as a reviewer uses them: one click per doubtful cell, one per fact, one to save."""
    path, _, rec, gold = case
    want = gold_cells_map(gold)
    session = ReviewSession(rec, tmp_path / "annotations", path)
    ed = editor(session)
    doubtful_cells = {f"{t}.{r}.{c}" for t, r, c, _ in doubtful(rec)}
    clicks = 0
    while ed.cell_pick.value in doubtful_cells and ed.cell_pick.value not in corrections_of(session.record)["cells"]:
        name = ed.cell_pick.value  # pre-selected: the picker moves on by itself
        t, r, c = name.split(".")
        right = want[(t, r, c)]
        if session.record["tables"][t][r][c]["value"] == right:
            ed.accept_cell.click()
        else:
            pick = [b for b in ed.readings.children if getattr(b, "description", "") == f"use {right}"]
            assert pick, f"the right value of {name} ({right}) is one of its readings"
            pick[0].click()
        clicks += 1
        assert session.record["tables"][t][r][c]["value"] == right
    assert clicks == len(doubtful_cells)  # one click per doubtful cell
    assert not low_cells(session.record)
    assert compare(session.record, gold)["wrong"] == []
    first = ed.fact_pick.value
    ed.accept_fact.click()
    assert corrections_of(session.record)["facts"][str(first)]["action"] == "accepted"
    ed.cell_pick.value = "table3.new.total"
    ed.cell_value.value = "x"
    ed.correct_cell.click()  # a bad value is refused, said in the status line, nothing changes
    assert "not a number" in ed.status.value and "table3.new.total" not in corrections_of(session.record)["cells"]
    ed.save.click()
    assert "check-data: ok" in ed.status.value
    saved = json.loads((tmp_path / "annotations" / "reports" / f"{path.stem}.json").read_text(encoding="utf-8"))
    assert saved["tables"]["table2"]["normative_docs"] == GLUED_RUN
    capsys.readouterr()
