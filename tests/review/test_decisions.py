"""A person's decisions (extractor.review.decisions): applied to a copy, logged, the record refreshed."""
from __future__ import annotations

import copy

import pytest

from extractor.confidence import CERTAIN
from extractor.pipeline import extract_file
from extractor.record import Report
from extractor.review.decisions import (accept_cell, accept_fact, apply_correction, correct_fact, correct_meta,
                                        corrections_of, parse_value, refresh, reject_fact)
from extractor.review.frames import facts_frame
from extractor.training.gold import compare
from tests.helpers import ROOT, shipped_models
from tests.review.case import GLUED_RUN

UNDER_CONFIDENT_FACT = 0.7


@pytest.fixture(scope="module")
def certain_record() -> dict:
    """A bundled sample's record: every read cell certain, every check passing, one fact at 0.7."""
    rec = extract_file(ROOT / "samples" / "sample_00.txt", models=shipped_models()).to_dict()
    assert rec["facts"], "premise: the sample has facts"
    for f in rec["facts"]:
        f["confidence"] = CERTAIN
    rec["facts"][0]["confidence"] = UNDER_CONFIDENT_FACT
    return rec


def test_refresh_after_a_correction_does_not_flag_a_record_for_an_under_confident_fact(certain_record):
    """Issue 9: `refresh` re-derived confidence and needs_review on dicts and counted facts, which `Report`
    deliberately stopped doing, so after a person corrected a record one fact at 0.7 flagged it for review again."""
    rec = certain_record
    before = copy.deepcopy(rec)
    assert all(c["confidence"] >= CERTAIN for t in rec["tables"].values() for r in t.values() for c in r.values()
               if c["value"] is not None), "premise: every read cell is certain"
    assert all(c["ok"] for c in rec["checks"]), "premise: every check passes"
    assert Report.from_dict(rec).needs_review is False and rec["needs_review"] is False
    accepted = accept_cell(rec, "table3", "new", "total")
    assert accepted["needs_review"] is False
    assert accepted["confidence"] == rec["confidence"]  # facts do not enter the report's confidence
    cell = rec["tables"]["table2"]["licensing"]["decisions"]
    assert cell["value"] is not None, "premise: the cell was read"
    corrected = apply_correction(rec, "table2", "licensing", "decisions", cell["value"] + 1)  # no identity over it
    assert corrected["needs_review"] is False
    assert corrected["confidence"] == rec["confidence"]
    assert corrected["facts"][0]["confidence"] == UNDER_CONFIDENT_FACT  # the fact itself is left as read
    assert rec == before  # the batch's record is never changed


def test_apply_correction_sets_the_cell_logs_it_and_reruns_checks(case):
    _, _, rec, gold = case
    before = copy.deepcopy(rec)
    fixed = rec
    for col, v in GLUED_RUN.items():
        fixed = apply_correction(fixed, "table2", "normative_docs", col, str(v))
    assert rec == before  # the input record is never changed
    cells = fixed["tables"]["table2"]["normative_docs"]
    assert {c: cells[c]["value"] for c in GLUED_RUN} == GLUED_RUN
    assert all(cells[c]["confidence"] == 1.0 for c in GLUED_RUN)
    log = corrections_of(fixed)["cells"]
    assert set(log) == {f"table2.normative_docs.{c}" for c in GLUED_RUN}
    assert log["table2.normative_docs.issued"]["was"]["value"] == rec["tables"]["table2"]["normative_docs"]["issued"]["value"]
    assert compare(fixed, gold)["wrong"] == []
    amb = [i for i in fixed["issues"] if i["code"] == "table2.ambiguous"]
    assert amb and all(i.get("resolved") for i in amb)  # the ambiguity is settled by the person
    # a value the table cannot hold
    with pytest.raises(ValueError):
        apply_correction(rec, "table3", "new", "total", "2.5")
    with pytest.raises(ValueError):
        apply_correction(rec, "table3", "new", "total", "twelve")
    with pytest.raises(KeyError):
        apply_correction(rec, "table3", "no_such_row", "total", "1")
    assert parse_value("１,２３４") == 1234 and parse_value("") is None and parse_value("3.5") == 3.5
    accepted = accept_cell(rec, "table3", "new", "total")
    assert corrections_of(accepted)["cells"]["table3.new.total"]["action"] == "accepted"


def test_fact_decisions(case):
    _, _, rec, _ = case
    assert len(rec["facts"]) >= 2
    r = accept_fact(rec, 0)
    r = reject_fact(r, 1)
    assert r["facts"][0]["confidence"] == 1.0
    log = corrections_of(r)["facts"]
    assert {k: v["action"] for k, v in log.items()} == {"0": "accepted", "1": "rejected"}
    assert log["1"]["was"]["metric"] == rec["facts"][1]["metric"]
    r = correct_fact(r, 0, value="7", metric="press_conferences")
    assert r["facts"][0]["metric"] == "press_conferences" and r["facts"][0]["value"] == 7
    with pytest.raises(ValueError):
        correct_fact(r, 0, metric="no_such_metric")
    with pytest.raises(ValueError):
        correct_fact(r, 0, span=[0, 1])
    with pytest.raises(IndexError):
        accept_fact(r, 999)
    df = facts_frame(r)
    assert list(df["reviewed"][:2]) == ["corrected", "rejected"]


def test_a_meta_correction_is_logged_with_what_was_read(case):
    _, _, rec, _ = case
    fixed = correct_meta(rec, "year", "２０２１")
    assert fixed["meta"]["year"]["value"] == 2021 and fixed["meta"]["year"]["confidence"] == 1.0
    assert corrections_of(fixed)["meta"]["year"] == {"value": 2021, "was": rec["meta"]["year"]["value"]}
    assert fixed["needs_review"] == rec["needs_review"]  # meta is not part of the review policy


def test_refresh_keeps_the_checks_it_does_not_own(certain_record):
    """Agreement and cross-year checks are not re-run by review: they stay, extra keys and all."""
    rec = copy.deepcopy(certain_record)
    crossyear = {"rule": "crossyear.normative_docs", "ok": True, "detail": "d", "cells": [],
                 "previous": {"path": "last.txt"}}
    rec["checks"].append(crossyear)
    others = [c for c in rec["checks"] if not c["rule"].startswith(("table2.", "table3.", "table4."))]
    fixed = accept_cell(rec, "table3", "new", "total")
    assert [c for c in fixed["checks"] if not c["rule"].startswith(("table2.", "table3.", "table4."))] == others
    assert [c["rule"] for c in fixed["checks"]] == [c["rule"] for c in rec["checks"]]  # replaced where they stand


def test_refresh_leaves_an_untouched_record_as_the_pipeline_wrote_it(case, certain_record):
    """Asking the `Report` again gives back what the pipeline said: refresh adds nothing of its own."""
    for rec in (case.record, certain_record):
        assert refresh(copy.deepcopy(rec)) == rec
