"""The checks across reports as a record carries them: families, failures by family, applying and re-applying."""
from __future__ import annotations

import copy

from extractor.checks.crossreport import apply_families, cross_checks_failed, family, view_of
from extractor.record import Check
from tests.checks.made import record


def test_families_by_rule():
    assert [family({"rule": r}) for r in ("crossyear.carried_over", "hierarchy.sum", "copypaste.table3",
                                          "table3.balance.total")] == ["crossyear", "hierarchy", "copypaste", None]


def test_cross_checks_failed_lists_every_family_that_failed():
    rec = record("甲市公安局", 2023, new=5)
    rec["checks"] += [{"rule": "crossyear.carried_over", "ok": False}, {"rule": "hierarchy.sum", "ok": True},
                      {"rule": "copypaste.narrative", "ok": False}, {"rule": "table3.balance.total", "ok": False}]
    assert cross_checks_failed(rec) == ["crossyear.carried_over", "copypaste.narrative"]


def test_applying_a_failing_check_sets_review_and_makes_indicators_uncertain_and_is_undone():
    rec = record("甲市公安局", 2023, new=5)
    before = copy.deepcopy(rec)
    assert not rec["needs_review"]
    failing = Check("hierarchy.sum", False, "made up", ["table3.new.total"], extra={"parts": []})
    apply_families(rec, ("hierarchy",), [failing])
    assert rec["needs_review"] and "applications_new" in rec["indicators"]["uncertain"]
    apply_families(rec, ("hierarchy",), [failing])  # idempotent
    assert sum(c["rule"] == "hierarchy.sum" for c in rec["checks"]) == 1
    apply_families(rec, ("hierarchy",), [])
    assert rec == before


def test_removing_one_family_keeps_review_set_by_another():
    rec = record("甲市公安局", 2023, new=5)
    apply_families(rec, ("hierarchy",), [Check("hierarchy.sum", False, "x", [])])
    rec["checks"].append({"rule": "crossyear.carried_over", "ok": False, "detail": "", "cells": []})
    apply_families(rec, ("hierarchy",), [])
    assert rec["needs_review"]


def test_no_view_without_agency_and_year():
    rec = record("甲市公安局", 2023, new=5)
    rec["meta"]["year"]["value"] = None
    assert view_of(rec) is None
    assert view_of(record("甲市公安局", 2023)).place is None  # a made-up name has no place
