"""The checks across reports as a record carries them: families, failures by family, applying and re-applying."""
from __future__ import annotations

from extractor.checks.crossreport import cross_checks_failed, family, view_of
from extractor.checks.settle import apply_cross_report
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


def test_a_failing_check_across_reports_is_a_reason_not_a_flag_and_is_undone():
    """A region that does not add up with its parts, every cell read without doubt: the agencies' figures,
    recorded as a `cross_report` reason naming the parts (issue 16's policy), the indicators it names
    uncertain (INDICATORS.md); applied again it is replaced, applied empty it is gone."""
    rec = record("甲市公安局", 2023, new=5)
    failing = Check("hierarchy.sum", False, "made up", ["table3.new.total"],
                    extra={"other": {"relation": "parts", "reports": []}})
    once = apply_cross_report(rec, [], [failing])
    assert not once["needs_review"] and "applications_new" in once["indicators"]["uncertain"]
    assert [r["reason"] for r in once["review_reasons"]] == ["cross_report"]
    twice = apply_cross_report(once, [], [failing])
    assert sum(c["rule"] == "hierarchy.sum" for c in twice["checks"]) == 1
    undone = apply_cross_report(twice, [], [])
    assert undone["checks"] == rec["checks"] and undone["indicators"] == rec["indicators"]


def test_a_failing_check_across_reports_on_a_doubted_cell_flags_the_reading():
    rec = record("甲市公安局", 2023, new=5)
    rec["tables"]["table3"]["new"]["total"]["confidence"] = 0.45
    out = apply_cross_report(rec, [], [Check("copypaste.table3", False, "x", ["table3.new.total"],
                                             extra={"other": {"relation": "copy_of", "reports": []}})])
    assert out["needs_review"] and "reading_doubt" in [r["reason"] for r in out["review_reasons"]]


def test_no_view_without_agency_and_year():
    rec = record("甲市公安局", 2023, new=5)
    rec["meta"]["year"]["value"] = None
    assert view_of(rec) is None
    assert view_of(record("甲市公安局", 2023)).place is None  # a made-up name has no place
