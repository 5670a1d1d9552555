"""The prose restating a table value must agree with it."""
from __future__ import annotations

from extractor import narrative
from extractor.record import Cell
from extractor.checks.agreement import agreement_checks
from tests.helpers import shipped_models, tag_facts


def _tables(new: int, processed: int, forward: int, review: int) -> dict:
    return {"table3": {"new": {"total": Cell(new, 0.99)}, "carried_over": {"total": Cell(0, 0.99)},
                       "total_processed": {"total": Cell(processed, 0.99)},
                       "carried_forward": {"total": Cell(forward, 0.99)}},
            "table4": {"review": {"total": Cell(review, 0.99)}}}


def test_agreement_with_tables() -> None:
    text = "我局共接到依申请公开57件。年内共办结54件，结转下年度继续办理3件。因政府信息公开的行政复议1件。"
    prose = narrative.read(text, facts_model=shipped_models().facts)
    checks = agreement_checks(prose.facts, _tables(57, 54, 3, 1), prose.restatements)
    assert {c.rule for c in checks} == {"narrative.applications_received", "narrative.applications_completed",
                                         "narrative.applications_carried_forward", "narrative.reviews"}
    assert all(c.ok for c in checks)
    bad = agreement_checks(prose.facts, _tables(58, 54, 3, 0), prose.restatements)
    failed = {c.rule for c in bad if not c.ok}
    assert failed == {"narrative.applications_received", "narrative.reviews"}
    assert any("prose 57 vs table 58" in c.detail for c in bad)


def test_agreement_skips_missing_cells() -> None:
    facts = tag_facts("共收到依申请公开5件。")
    assert agreement_checks(facts, {"table3": {"new": {"total": Cell(None, 0.0)}}}) == []
