"""The confidence levels and how they combine: one table, and the README says what it says."""
from __future__ import annotations

import re

import pytest

from extractor import confidence
from extractor.record import Cell, Check, Issue, Report
from tests.helpers import ROOT


def test_anchor_confidence_levels():
    assert confidence.anchor("exact", 100.0) == 1.0
    assert confidence.anchor("model", 73.0) == pytest.approx(0.73)
    low = confidence.anchor("fuzzy", confidence.FUZZY_MIN)
    high = confidence.anchor("fuzzy", 100.0)
    assert low == pytest.approx(confidence.value("fuzzy_floor")) and high < confidence.CERTAIN and low < high


def test_a_cell_is_never_above_its_anchor():
    assert confidence.cell(confidence.PRINTED, 0.6) == 0.6
    assert confidence.cell(confidence.SECOND, 1.0) == confidence.SECOND


def test_the_levels_are_named_once_and_ordered_as_the_claims_they_make():
    names = [lv.name for lv in confidence.LEVELS]
    assert len(names) == len(set(names))
    cells = {lv.name: lv.value for lv in confidence.LEVELS if lv.applies_to == "cell"}
    order = ["printed", "printed_unchecked", "solved", "placeholder", "preferred", "agreed", "narrative",
             "second", "blank", "ambiguous", "unsolved", "absent"]
    assert [cells[n] for n in order] == sorted((cells[n] for n in order), reverse=True)
    # a reading the identities contradict is no longer a claim of being right, but not yet a doubt
    assert confidence.REVIEW_BELOW <= confidence.CHECK_FAILED < confidence.CERTAIN
    # rules alone never claim a fact: below the review line, so a person looks
    assert max(confidence.RULE_FACT.values()) < confidence.REVIEW_BELOW


def test_report_confidence_is_its_least_certain_cell_and_capped_by_a_failing_check():
    assert confidence.report([0.99, 0.93], check_failed=False, error=False) == 0.93
    assert confidence.report([0.99], check_failed=True, error=False) == confidence.value("report_check_failed")
    assert confidence.report([], check_failed=False, error=False) == 0.0
    assert confidence.report([0.99], check_failed=False, error=True) == 0.0


def _report(conf: float, *, checks=(), issues=()) -> Report:
    rep = Report(source={"path": None})
    rep.tables["table3"]["new"]["total"] = Cell(5, conf, (0, 1))
    rep.checks, rep.issues = list(checks), list(issues)
    return rep


def test_needs_review_policy():
    assert not confidence.needs_review(_report(0.99))
    assert confidence.needs_review(_report(0.79))
    assert confidence.needs_review(_report(0.99, checks=[Check("table3.balance.total", False, "1 ≠ 2")]))
    assert confidence.needs_review(_report(0.99, issues=[Issue("table2.ambiguous", "x")]))
    assert not confidence.needs_review(_report(0.99, issues=[Issue("table2.ambiguous", "x", resolved=True)]))
    assert not confidence.needs_review(_report(0.99, issues=[Issue("template.2019", "older template")]))


def _readme_levels() -> list[tuple[str, float, str, str]]:
    """The rows of the README's confidence table: | name | value | applies to | when |."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Confidence"):]
    section = section[:section.index("\n## ", 1)]
    rows = []
    for line in section.splitlines():
        m = re.match(r"^\| `([a-z_]+)` \| ([0-9.]+) \| (\w+) \| (.+) \|$", line)
        if m:
            rows.append((m.group(1), float(m.group(2)), m.group(3), m.group(4).strip()))
    return rows


def test_the_readme_confidence_table_is_the_confidence_module():
    assert _readme_levels() == [(lv.name, lv.value, lv.applies_to, lv.when) for lv in confidence.LEVELS]
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"below {confidence.REVIEW_BELOW}" in text and f"at or above {confidence.CERTAIN}" in text
