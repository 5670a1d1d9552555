"""Cross-report evidence (extractor/checks/settle.py): a body's adjacent years settle its doubted glued runs.

The cases are issue 16's: a 2021 run `693665` read in doubt next to a 2022
report read with certainty (88 | 55 | 698); the Hebei crawl's 2022 run
settled by the 2023 report (hb05 by hb04); chains the agency broke; and
no chain of chains.  Reports are generated (glued where a run must be in
doubt, one cell per line where it must be certain) and read by the
pipeline, so the readings the record keeps are the reader's own.
"""
from __future__ import annotations

import copy
import json
import random

import pytest

from extractor import confidence
from extractor.batch.output import finalize
from extractor.checks.crossyear import crossyear_checks, view_of
from extractor.checks.settle import apply_cross_report, plan, settled_views, undo
from extractor.pipeline import extract
from extractor.training import generate
from tests.helpers import shipped_models

AGENCY = "甲市乙局"


def report(year: int, nd: tuple[int, int, int], *, glued: bool, seed: int = 1, agency: str = AGENCY) -> dict:
    """The record of a generated report of `year` whose normative-documents row is `nd`, glued or printed cell by cell."""
    rng = random.Random(seed)
    gold = generate.random_tables(rng)
    gold["table2"]["normative_docs"] = dict(zip(("issued", "repealed", "in_force"), nd))
    g = generate.render(gold, layout="glued" if glued else "cells_per_line", rng=rng, agency=agency, year=year,
                        facts=False)
    rec = extract(g.text, f"{year}.txt", models=shipped_models()).to_dict()
    assert (rec["meta"]["agency"]["value"], rec["meta"]["year"]["value"]) == (agency, year)
    return rec


def nd(rec: dict) -> dict[str, tuple]:
    return {c: (cell["value"], cell["confidence"]) for c, cell in rec["tables"]["table2"]["normative_docs"].items()}


def settle(*recs: dict) -> dict[int, dict]:
    """Each record after the batch's final pass over them all, by year."""
    views = {r["source"]["path"]: view_of(r) for r in recs}
    plans = plan(views)
    cross = crossyear_checks(settled_views(views, plans))
    return {r["meta"]["year"]["value"]: apply_cross_report(r, plans.get(p, []), cross.get(p, []))
            for p, r in ((r["source"]["path"], r) for r in recs)}


@pytest.fixture(scope="module")
def run2021() -> dict:
    rec = report(2021, (69, 3, 665), glued=True, seed=10)
    assert rec["needs_review"] and nd(rec)["in_force"][1] < confidence.REVIEW_BELOW  # premise: the run is in doubt
    return rec


def test_issue_16_the_certain_year_settles_what_it_can_and_is_not_flagged(run2021):
    """Issue 16: 2022 read with certainty (88, 55, 698) was flagged because 2021's `693665` was read 6 | 9 | 3665."""
    y2022 = report(2022, (88, 55, 698), glued=False)
    assert not y2022["needs_review"]
    got = settle(run2021, y2022)
    # 698 - 88 + 55 = 665: every reading of 693665 the chain fits ends in 665, so in force is settled ...
    cells = got[2021]["tables"]["table2"]["normative_docs"]
    assert cells["in_force"]["value"] == 665 and cells["in_force"]["confidence"] == confidence.CHAINED
    assert cells["in_force"]["settled"]["other"][0]["path"] == "2022.txt"
    assert cells["in_force"]["settled"]["other"][0]["relation"] == "next"
    # ... but 69 | 3 and 6 | 93 both fit: those stay in doubt, with only the fitting values as candidates
    assert [c["value"] for c in cells["issued"]["candidates"]] == [69, 6]
    assert [c["value"] for c in cells["repealed"]["candidates"]] == [3, 93]
    assert cells["issued"]["value"] == 69 and cells["issued"]["confidence"] < confidence.REVIEW_BELOW
    assert got[2021]["needs_review"] and got[2021]["review_reasons"][0]["reason"] == "reading_doubt"
    # the 2022 report: its chain now holds, and it is not flagged
    chain = [c for c in got[2022]["checks"] if c["rule"] == "crossyear.normative_docs"][0]
    assert chain["ok"] and not got[2022]["needs_review"]
    # (the made-up years' table 3 do not chain: the agency's, recorded and not flagged)
    assert {r["reason"] for r in got[2022]["review_reasons"]} <= {"cross_report"}
    assert not any("crossyear.normative_docs" in r["checks"] for r in got[2022]["review_reasons"])


def test_issue_16_both_neighbours_settle_the_whole_run(run2021):
    """With 2020 (599 in force) as well, only 69 | 3 | 665 fits both chains: the run is settled and 2021 cleared."""
    got = settle(report(2020, (10, 5, 599), glued=False), run2021, report(2022, (88, 55, 698), glued=False))
    assert nd(got[2021]) == {"issued": (69, confidence.CHAINED), "repealed": (3, confidence.CHAINED),
                             "in_force": (665, confidence.CHAINED)}
    assert {o["relation"] for o in got[2021]["tables"]["table2"]["normative_docs"]["issued"]["settled"]["other"]} \
        == {"previous", "next"}
    issue = [i for i in got[2021]["issues"] if i["code"] == "table2.ambiguous"][0]
    assert issue["resolved"] and issue["resolved_by"] == "crossyear.normative_docs"
    assert not any(got[y]["needs_review"] for y in (2020, 2021, 2022))
    # the spans point at the printed digits of the reading taken
    nd_cells = got[2021]["tables"]["table2"]["normative_docs"]
    assert nd_cells["in_force"]["span"][1] - nd_cells["in_force"]["span"][0] == 3


def test_hb05_a_run_settled_by_the_next_year_alone():
    """hb05 (2022, `5426`: 5|4|26, 5|42|6, 54|2|6) next to hb04 (2023, 1 | 1 | 26): only 5|4|26 ends where 2023 began."""
    y2022 = report(2022, (5, 4, 26), glued=True, seed=11)
    assert nd(y2022)["in_force"][1] < confidence.REVIEW_BELOW
    got = settle(y2022, report(2023, (1, 1, 26), glued=False, seed=12))
    assert {c: v for c, (v, _) in nd(got[2022]).items()} == {"issued": 5, "repealed": 4, "in_force": 26}
    doubted = [c for c, (_, k) in nd(y2022).items() if k < confidence.REVIEW_BELOW]
    assert doubted and all(nd(got[2022])[c][1] == confidence.CHAINED for c in doubted)
    assert not got[2022]["needs_review"] and not got[2023]["needs_review"]


def test_a_chain_the_agency_broke_settles_nothing(run2021):
    """The body re-counted: 2022 in force 700 - 88 + 55 = 667 fits no reading of 693665: nothing is settled."""
    got = settle(run2021, report(2022, (88, 55, 700), glued=False))
    assert nd(got[2021]) == nd(run2021) and "crossyear" not in got[2021]["parsing"]
    chain = [c for c in got[2022]["checks"] if c["rule"] == "crossyear.normative_docs"][0]
    assert not chain["ok"] and chain["cause"] == "reading"  # the other side is in doubt ...
    assert not got[2022]["needs_review"]  # ... and that is 2021's reason, not 2022's
    assert [r["reason"] for r in got[2022]["review_reasons"]] == ["cross_report"]


def test_a_chain_never_overrides_a_certain_reading():
    a, b = report(2021, (7, 1, 40), glued=False), report(2022, (3, 2, 45), glued=False)  # 40 + 3 - 2 ≠ 45
    got = settle(a, b)
    assert nd(got[2021]) == nd(a) and nd(got[2022]) == nd(b)
    chain = [c for c in got[2022]["checks"] if c["rule"] == "crossyear.normative_docs"][0]
    assert chain["cause"] == "agency" and chain["other"]["path"] == "2021.txt"
    assert not got[2021]["needs_review"] and not got[2022]["needs_review"]


def test_no_chain_of_chains(run2021):
    """2022 glued too: 2023 settles 2022, but a value a chain settled is no evidence for 2021."""
    y2022 = report(2022, (88, 55, 698), glued=True, seed=2)
    assert nd(y2022)["in_force"][1] < confidence.REVIEW_BELOW
    got = settle(run2021, y2022, report(2023, (2, 0, 700), glued=False, seed=5))
    assert nd(got[2022])["in_force"] == (698, confidence.CHAINED)
    assert nd(got[2021]) == nd(run2021)


def test_settling_is_undone_first_so_a_final_pass_can_run_again(run2021, tmp_path):
    recs = [report(2020, (10, 5, 599), glued=False), run2021, report(2022, (88, 55, 698), glued=False)]
    out = tmp_path / "out.jsonl"
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    paths = [r["source"]["path"] for r in recs]
    final = finalize(out, paths)
    assert (final.chain_settled_cells, final.chain_settled_reports, final.needs_review) == (3, 1, 0)
    once = out.read_bytes()
    finalize(out, paths)
    assert out.read_bytes() == once
    # without its neighbours the run is in doubt again, exactly as read
    finalize(out, ["2021.txt"])
    back = json.loads(out.read_text(encoding="utf-8"))
    assert back == run2021
    assert undo(copy.deepcopy(back)) == run2021


def _table3_record(path: str, year: int, solutions: list[int] | None, forward: dict | None = None) -> dict:
    """A record whose table 3 is ambiguous between joint solutions differing in carried_over's natural_person
    (or, without `solutions`, read with certainty and carrying `forward` forward)."""
    rec = report(year, (1, 0, 10), glued=False, seed=7)
    rec["source"]["path"] = path
    t3 = rec["tables"]["table3"]
    for col, v in (forward or {}).items():
        t3["carried_forward"][col]["value"] = v
    if solutions:
        cell = t3["carried_over"]["natural_person"]
        cell.update(value=solutions[0], confidence=confidence.AMBIGUOUS, candidates=[{"value": v} for v in solutions])
        rec["parsing"]["table3"]["solutions"] = {
            "anchors": {"carried_over": 1.0},
            "readings": [{"carried_over": {c: {"value": (v if c == "natural_person" else x["value"]), "span": x["span"]}
                                           for c, x in t3["carried_over"].items()}} for v in solutions]}
    return rec


def test_table3_carried_over_settled_by_last_years_carried_forward():
    """Made-up joint readings: 2 or 5 applications carried over from 2022, which carried 2 forward."""
    cur = _table3_record("b.txt", 2023, solutions=[2, 5])
    over = {c: cell["value"] for c, cell in cur["tables"]["table3"]["carried_over"].items()}
    prev = _table3_record("a.txt", 2022, None, forward={**over, "natural_person": 2})
    got = settle(prev, cur)
    cell = got[2023]["tables"]["table3"]["carried_over"]["natural_person"]
    assert (cell["value"], cell["confidence"]) == (2, confidence.CHAINED) and "candidates" not in cell
    assert cell["settled"]["by"] == "crossyear.carried_over"


def test_a_chain_that_fits_only_a_reading_ranked_lower_settles_nothing():
    """Two pieces of evidence disagree (a chain the agency broke fits a wrong reading by chance): both stay open.

    Seen in the calibration's generated bodies whose every chain is broken (benchmarks/calibration.py --broken 1).
    """
    cur = _table3_record("b.txt", 2023, solutions=[5, 2])
    over = {c: cell["value"] for c, cell in cur["tables"]["table3"]["carried_over"].items()}
    prev = _table3_record("a.txt", 2022, None, forward={**over, "natural_person": 2})
    got = settle(prev, cur)
    cell = got[2023]["tables"]["table3"]["carried_over"]["natural_person"]
    assert (cell["value"], cell["confidence"]) == (5, confidence.AMBIGUOUS) and "settled" not in cell
    assert got[2023]["needs_review"]

