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
    order = ["printed", "printed_unchecked", "solved", "placeholder", "preferred", "agreed", "chained", "narrative",
             "second", "blank", "ambiguous", "unsolved", "absent"]
    assert [cells[n] for n in order] == sorted((cells[n] for n in order), reverse=True)
    # a reading the identities contradict is no longer a claim of being right, but not yet a doubt
    # a chain with another report settles a doubt, but is not a claim of being right either
    assert confidence.REVIEW_BELOW <= confidence.CHAINED < confidence.CERTAIN
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


def _kinds(rep: Report) -> list[tuple[str, bool]]:
    return [(r["reason"], r["review"]) for r in confidence.review_reasons(rep)]


def test_review_reasons_name_what_a_person_acts_on():
    doubt = _report(0.45, issues=[Issue("table2.ambiguous", "x")])
    assert confidence.review_reasons(doubt) == [{"reason": "reading_doubt", "review": True,
                                                 "cells": ["table3.new.total"], "issues": ["table2.ambiguous"]}]
    agency = _report(0.99, checks=[Check("table3.balance.total", False, "1 ≠ 2", ["table3.new.total"], "agency")])
    assert _kinds(agency) == [("agency_inconsistent", True)] and confidence.needs_review(agency)
    reading = _report(0.99, checks=[Check("table3.balance.total", False, "1 ≠ 2", ["table3.new.total"], "reading")])
    assert _kinds(reading) == [("reading_doubt", True)]
    broken = _report(0.99, checks=[Check("table3.balance.total", False, "1 ≠ 2", ["table3.new.total"], "agency")])
    broken.error = Issue("input.too_slow", "stopped")
    assert _kinds(broken) == [("input", True), ("agency_inconsistent", True)]
    assert _kinds(_report(0.99, issues=[Issue("input.truncated", "nested too deeply")])) == [("input", True)]


def test_a_chain_broken_between_certain_readings_is_recorded_and_does_not_flag():
    """Issue 16: a certain 2022 report was flagged only because the same body's 2021 run was doubted."""
    other = {"path": "2021.txt", "sha256": "ab", "year": 2021, "relation": "previous"}
    chain = Check("crossyear.carried_over", False, "2021 carried_forward vs 2022 carried_over: total 4≠5",
                  ["table3.new.total"], "agency", extra={"other": other})
    certain = _report(0.99, checks=[chain])
    assert confidence.review_reasons(certain) == [{"reason": "cross_report", "review": False, "checks":
                                                   ["crossyear.carried_over"], "cells": ["table3.new.total"],
                                                   "reports": [other]}]
    assert not confidence.needs_review(certain) and certain.confidence == 0.99
    # settled by the report's own prose (not a claim of certainty, but not in doubt): still the agency's break
    assert _kinds(_report(confidence.NARRATIVE, checks=[chain])) == [("cross_report", False)]
    # where this report's own cell is in doubt, the break is part of that doubt
    assert _kinds(_report(confidence.AMBIGUOUS, checks=[chain])) == [("reading_doubt", True)]


def _readme_reasons() -> list[tuple[str, bool, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### Why a record is flagged"):]
    rows = []
    for line in section[:section.index("\n## ")].splitlines():
        m = re.match(r"^\| `([a-z_]+)` \| (yes|no) \| (.+) \|$", line)
        if m:
            rows.append((m.group(1), m.group(2) == "yes", m.group(3).strip()))
    return rows


def test_the_readme_reasons_table_is_the_policy():
    assert _readme_reasons() == [(r.kind, r.review, r.when) for r in confidence.REASONS]


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
