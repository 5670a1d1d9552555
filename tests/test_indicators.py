"""The indicators of INDICATORS.md on constructed records: one test per indicator, the null and uncertainty rules.

The records are built here (no ../shared needed), so a fresh clone tests
every formula; the same indicators on the annotated real reports are in
tests/corpus/test_indicators.py.
"""
from __future__ import annotations

from fractions import Fraction

import pytest

from extractor import confidence
from extractor.indicators import Indicators, compute, doubtful_cells, with_yoy
from extractor.record import Cell, Check, Issue, Report
from extractor.spec.indicators import definitions
from extractor.spec.labels import labels

# A made-up body's table 3 (total column) and table 4: every row a different number, so a wrong term shows.
T3 = {"new": 40, "carried_over": 10, "granted": 11, "partial": 5, "denied_state_secret": 1, "denied_third_party": 2,
      "denied_process_info": 3, "unable_no_info": 6, "unable_need_create": 2, "unable_unclear": 1,
      "rejected_complaint": 2, "rejected_repeat": 1, "rejected_publication": 1, "rejected_massive": 1,
      "other_other": 1, "total_processed": 37, "carried_forward": 13}
NEW_BY = {"natural_person": 30, "commercial": 4, "legal_service": 5, "other": 1}
T4 = {"review": {"upheld": 3, "corrected": 1, "pending": 1, "total": 5},
      "litigation_direct": {"upheld": 2, "corrected": 1, "total": 3},
      "litigation_after_review": {"corrected": 1, "other": 1, "total": 2}}

HAND = {  # worked out by hand from the numbers above
    "applications_new": 40,
    "applications_handled": 50,
    "granted_rate": Fraction(11, 37),
    "substantive_disclosure_rate": Fraction(16, 37),
    "denied_rate": Fraction(6, 37),
    "unable_rate": Fraction(9, 37),
    "not_held_share_of_unable": Fraction(6, 9),
    "rejected_rate": Fraction(5, 37),
    "vexatious_rate": Fraction(4, 37),
    "carried_forward_rate": Fraction(13, 50),
    "natural_person_share": Fraction(30, 40),
    "legal_service_share": Fraction(5, 40),
    "review_total": 5,
    "review_correction_rate": Fraction(1, 5),
    "litigation_total": 5,
    "litigation_correction_rate": Fraction(2, 5),
}


def body(t3: dict | None = None, t4: dict | None = None, conf: float = confidence.PRINTED) -> Report:
    """A report whose tables hold `t3` (total column; `new` split by NEW_BY) and `t4`, every other cell 0."""
    t3 = T3 if t3 is None else t3
    t4 = T4 if t4 is None else t4
    rep = Report(source={"path": "made-up.txt", "sha256": "0" * 64})
    lab = labels()
    for row in lab.row3:
        for col in lab.col3:
            v = t3.get(row, 0) if col == "total" else (NEW_BY.get(col, 0) if row == "new" and t3 is T3 else 0)
            rep.tables["table3"][row][col] = Cell(v, conf, (0, 1))
    for g in lab.group4:
        for col in lab.col4:
            rep.tables["table4"][g][col] = Cell(t4.get(g, {}).get(col, 0), conf, (0, 1))
    return rep


def test_every_indicator_of_the_spec_is_defined_and_tested_here():
    assert set(definitions().names) == set(HAND) | {"applications_new_yoy"}


@pytest.mark.parametrize("name", sorted(HAND))
def test_indicator_against_the_hand_value(name):
    values = compute(body().to_dict()).values
    want = HAND[name]
    assert values[name] == (round(float(want), 6) if isinstance(want, Fraction) else want)


def test_rates_are_fractions_rounded_to_six_decimals():
    v = compute(body().to_dict()).values
    assert v["granted_rate"] == 0.297297 and 0 <= v["granted_rate"] <= 1


@pytest.mark.parametrize("name,zeroed", [("granted_rate", "total_processed"), ("not_held_share_of_unable", None),
                                         ("natural_person_share", "new"), ("review_correction_rate", None),
                                         ("litigation_correction_rate", None)])
def test_a_zero_denominator_makes_the_indicator_null(name, zeroed):
    t3 = {k: v for k, v in T3.items() if k not in {"unable_no_info", "unable_need_create", "unable_unclear"}}
    if zeroed:
        t3[zeroed] = 0
    values = compute(body(t3, {}).to_dict()).values
    assert values[name] is None
    assert values["applications_handled"] is not None  # the counts are still there


def test_a_null_operand_makes_the_indicator_null_never_a_guess():
    rep = body()
    rep.tables["table3"]["denied_query"]["total"] = Cell(None, confidence.BLANK, None)
    values = compute(rep.to_dict()).values
    assert values["denied_rate"] is None
    assert values["granted_rate"] == round(11 / 37, 6)


def test_a_cell_below_the_review_line_makes_its_indicators_uncertain_but_given():
    rep = body()
    rep.tables["table3"]["partial"]["total"] = Cell(5, confidence.AMBIGUOUS, (0, 1))
    ind = compute(rep.to_dict())
    assert ind.uncertain == ["substantive_disclosure_rate"]
    assert ind.values["substantive_disclosure_rate"] == round(16 / 37, 6)


def test_a_cell_named_by_a_failing_check_makes_its_indicators_uncertain():
    rep = body()
    rep.checks.append(Check("table4.total.review", False, "made up", ["table4.review.total"]))
    ind = compute(rep.to_dict())
    assert ind.uncertain == ["review_total", "review_correction_rate"]
    assert "table4.review.total" in doubtful_cells(rep.to_dict())


def test_a_passing_check_does_not():
    rep = body()
    rep.checks.append(Check("table4.total.review", True, "made up", ["table4.review.total"]))
    assert compute(rep.to_dict()).uncertain == []


def test_an_unreadable_report_has_every_indicator_null():
    rep = body()
    rep.error = Issue("input.empty", "nothing")
    assert set(compute(rep.to_dict()).values.values()) == {None}


def test_the_record_carries_its_indicators_and_round_trips():
    rec = body().to_dict()
    assert rec["indicators"] == compute(rec).to_dict()
    assert Report.from_dict(rec).to_dict() == rec


def test_yoy_from_the_previous_year():
    now = compute(body().to_dict())
    before = Indicators({"applications_new": 32}, [])
    assert with_yoy(now, before).values["applications_new_yoy"] == 0.25
    assert with_yoy(now, None).values["applications_new_yoy"] is None
    assert with_yoy(now, Indicators({"applications_new": 0})).values["applications_new_yoy"] is None


def test_yoy_is_uncertain_when_either_year_is():
    now = compute(body().to_dict())
    before = Indicators({"applications_new": 32}, ["applications_new"])
    assert "applications_new_yoy" in with_yoy(now, before).uncertain
