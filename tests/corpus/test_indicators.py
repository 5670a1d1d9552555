"""Every indicator against values worked out by hand on annotated real reports.

The hand values below were computed from the printed tables (the gold of
../shared/corpus/reports); each case reads the gold file at test time and
checks that its operands give the hand value, then extracts the report from
its text and checks the record's indicator.  Skips without ../shared.
Cases cover a zero denominator (seed_000's empty table 3, seed_001's
lawsuits) and a flagged operand (pt014: the agency's own table 3 does not
add up, so its indicators are given but listed as uncertain).
"""
from __future__ import annotations

import functools
import json
from fractions import Fraction as F

import pytest

import extractor
from extractor.indicators import compute
from extractor.spec.indicators import definitions
from extractor.training.gold import gold_cells
from tests.helpers import ANNOTATIONS, SHARED, needs_shared, text_path

HAND = {
    "pt001": {"applications_new": 70, "applications_handled": 70, "granted_rate": F(30, 69),
              "substantive_disclosure_rate": F(35, 69), "denied_rate": F(8, 69), "unable_rate": F(25, 69),
              "not_held_share_of_unable": F(25, 25), "rejected_rate": F(0, 69), "vexatious_rate": F(0, 69),
              "carried_forward_rate": F(1, 70), "natural_person_share": F(64, 70), "legal_service_share": F(0, 70),
              "review_total": 3, "review_correction_rate": F(0, 3), "litigation_total": 12,
              "litigation_correction_rate": F(0, 12)},
    "seed_001_22879b8c46a5464c": {"granted_rate": F(25, 54), "substantive_disclosure_rate": F(28, 54),
                                  "denied_rate": F(4, 54), "unable_rate": F(18, 54), "rejected_rate": F(1, 54),
                                  "carried_forward_rate": F(3, 57), "natural_person_share": F(57, 57),
                                  "review_total": 1, "litigation_total": 0, "litigation_correction_rate": None},
    "pt024": {"applications_new": 30, "natural_person_share": F(29, 30), "substantive_disclosure_rate": F(4, 30),
              "not_held_share_of_unable": F(26, 26), "review_total": 2, "review_correction_rate": F(1, 2)},
    "pt020": {"denied_rate": F(36, 58), "substantive_disclosure_rate": F(12, 58), "unable_rate": F(10, 58)},
    "seed_000_92c2aee800684aca": {"applications_new": 0, "granted_rate": None, "natural_person_share": None,
                                  "carried_forward_rate": None, "review_total": 11, "review_correction_rate": F(0, 11),
                                  "litigation_total": 9, "litigation_correction_rate": F(0, 9)},
    "pt014": {"applications_new": 1, "granted_rate": F(0, 1), "carried_forward_rate": F(1, 1)},
}
CASES = [(rid, name, want) for rid, vals in HAND.items() for name, want in vals.items()]


def _want(v):
    return round(float(v), 6) if isinstance(v, F) else v


def _annotation(rid: str) -> dict:
    return json.loads((ANNOTATIONS / "reports" / f"{rid}.json").read_text(encoding="utf-8"))


def gold_record(rid: str) -> dict:
    """The gold file of ../shared as a record's tables (every cell certain)."""
    gold = json.loads((SHARED / "corpus" / "reports" / f"{rid}.gold.json").read_text(encoding="utf-8"))
    tables: dict = {}
    for t, r, c, v in gold_cells(gold):
        tables.setdefault(t, {}).setdefault(r, {})[c] = {"value": v, "confidence": 1.0}
    return {"tables": tables, "checks": []}


@functools.lru_cache(maxsize=None)
def extracted(rid: str) -> dict:
    path = text_path(_annotation(rid))
    if not path.exists():
        pytest.skip(f"{path} not present (../shared absent)")
    return extractor.extract_file(path).to_dict()


def test_every_indicator_has_a_hand_value_on_a_real_report():
    per_report = {n for n in definitions().names if definitions().get(n).kind != "yoy"}
    assert {name for _, name, _ in CASES} == per_report


@needs_shared
@pytest.mark.parametrize("rid,name,want", CASES, ids=[f"{r}-{n}" for r, n, _ in CASES])
def test_hand_value_from_the_gold_file(rid, name, want):
    assert compute(gold_record(rid)).values[name] == _want(want)


@needs_shared
@pytest.mark.parametrize("rid,name,want", CASES, ids=[f"{r}-{n}" for r, n, _ in CASES])
def test_hand_value_in_the_extracted_record(rid, name, want):
    assert extracted(rid)["indicators"]["values"][name] == _want(want)


@needs_shared
def test_pt014_agency_error_keeps_the_indicators_and_lists_them_uncertain():
    """pt014's own table 3 does not add up (corpus README): kept as printed, so its rates are doubtful."""
    ind = extracted("pt014")["indicators"]
    assert ind["values"]["granted_rate"] == 0.0
    assert {"granted_rate", "applications_new", "carried_forward_rate"} <= set(ind["uncertain"])


@needs_shared
def test_a_clean_report_has_no_uncertain_indicator():
    assert extracted("seed_001_22879b8c46a5464c")["indicators"]["uncertain"] == []
