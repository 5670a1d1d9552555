"""Cross-report evidence: a body's adjacent years settle the doubted glued runs of its reports.

A glued run nothing in its own report decides (`693665` in table 2, or
two joint readings of table 3 that satisfy every identity) is often
decided by the same body's other years: what was in force last year plus
this year's issued minus repealed is what is in force now (现行有效), and
what one year carried forward the next carried over (结转).  In a batch,
before the cross-year checks run, each doubted run is tried against the
chains to its neighbours:

- only a neighbour read without doubt is evidence (its chain cells at or
  above `REVIEW_BELOW`, and not themselves settled by a chain: no chains
  of chains), and a chain never touches a reading that is not in doubt;
- the readings considered are the equally cheap ones the reader kept
  (`parsing.table2.readings`, `parsing.table3.solutions`, in the reader's
  order: cheapest, then most plausible); those every available chain fits
  exactly are kept, and they must include the reader's first: none
  fitting means the agency's chain is broken (or its reading is not among
  them), and a chain fitting only readings ranked lower is evidence
  against evidence (a broken chain can fit a wrong reading by chance);
  either way nothing changes;
- a cell every fitting reading agrees on is settled at `confidence.CHAINED`
  (never above its row's anchor), with `settled` naming the rule and the
  other report; where fitting readings still differ, the cell stays in
  doubt with only their values as `candidates`, the reader's first shown.

Everything it changes is kept under `parsing.crossyear.was` and undone
first, so a batch's final pass can run again (resume) and give the same
record.  Chains are no proof (agencies break them), hence a level below
`CERTAIN` of its own, measured by `benchmarks/calibration.py`.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from extractor.checks.crossreport import family
from extractor.checks.crossyear import (CROSS_KEY, TABLE2_CHAINS, YearView, chain_holds, columns,
                                        neighbours, num, original_cells, table2_chains)
from extractor.confidence import CHAINED, REVIEW_BELOW
from extractor.record import Check, Report


@dataclass(frozen=True)
class Settlement:
    """What the chains decided for one doubted run of one report."""

    table: str  # "table2" | "table3"
    row: str | None  # the table-2 row; None for table 3's joint solutions
    fits: tuple[int, ...]  # indexes of the readings (or solutions) every chain fits, in the reader's order
    rule: str
    others: tuple[dict[str, Any], ...]  # the other reports the chains ran to (`YearView.ref`)


def _solid(view: YearView, row: str, cols: tuple[str, ...]) -> bool:
    """A neighbour's cells are evidence: read, without doubt, not settled by a chain themselves."""
    cells = view.cells(row)
    return row not in view.settled and all(num(cells[c][0]) and cells[c][1] >= REVIEW_BELOW for c in cols)


def _doubted(view: YearView, row: str) -> bool:
    return any(k < REVIEW_BELOW for v, k in zip(view.values[row], view.confidence.get(row) or ()) if v is not None)


def _confirms(fits: tuple[int, ...], readings: tuple) -> bool:
    """The chains narrow the readings and keep the one the reader put first (cheapest, then most plausible).

    A chain the agency broke can fit a wrong reading by chance (a few in a
    thousand generated reports whose every chain is broken); one that
    fits only a reading the reader ranked lower is two pieces of evidence
    disagreeing, and settles nothing.
    """
    return bool(fits) and fits[0] == 0 and len(fits) < len(readings)


def _table2(view: YearView, row: str, prev: YearView | None, nxt: YearView | None) -> Settlement | None:
    readings = view.readings.get(row)
    if not readings or len(readings) < 2 or not _doubted(view, row):
        return None
    tests: list[Callable[[dict[str, Any]], bool]] = []
    others = []
    if prev is not None and table2_chains(prev, view) and _solid(prev, row, ("in_force",)):
        before = prev.cells(row)["in_force"][0]
        tests.append(lambda r: chain_holds(before, r["issued"], r["repealed"], r["in_force"]))
        others.append(prev.ref("previous"))
    if nxt is not None and table2_chains(view, nxt) and _solid(nxt, row, ("issued", "repealed", "in_force")):
        after = {c: v for c, (v, _) in nxt.cells(row).items()}
        tests.append(lambda r: chain_holds(r["in_force"], after["issued"], after["repealed"], after["in_force"]))
        others.append(nxt.ref("next"))
    if not tests:
        return None
    cols = columns(row)
    fits = tuple(i for i, values in enumerate(readings)
                 if all(num(v) for v in values) and all(t(dict(zip(cols, values))) for t in tests))
    if not _confirms(fits, readings):
        return None
    return Settlement("table2", row, fits, "crossyear.normative_docs", tuple(others))


def _table3(view: YearView, prev: YearView | None, nxt: YearView | None) -> Settlement | None:
    solutions = view.readings.get("table3")
    if not solutions or len(solutions) < 2:
        return None
    cols = columns("carried_over")
    # (this report's row, the neighbour, its row): carried over from last year's forward, and forward into next year's over
    pairs = [(row, other, other_row, rel) for row, other, other_row, rel in
             (("carried_over", prev, "carried_forward", "previous"), ("carried_forward", nxt, "carried_over", "next"))
             if other is not None and _solid(other, other_row, tuple(c for c in cols if other.cells(other_row)[c][0] is not None))
             and any(v is not None for v in other.values[other_row])]
    if not pairs or not any(_doubted(view, row) for row in ("carried_over", "carried_forward")):
        return None

    def fits_all(sol: dict[str, tuple]) -> bool:
        for row, other, other_row, _ in pairs:
            mine = sol.get(row, view.values[row])
            theirs = other.values[other_row]
            if any(t is not None and (not num(m) or abs(m - t) > 1e-9) for m, t in zip(mine, theirs)):
                return False
        return True

    fits = tuple(i for i, sol in enumerate(solutions) if fits_all(sol))
    if not _confirms(fits, solutions):
        return None
    return Settlement("table3", None, fits, "crossyear.carried_over", tuple(o.ref(rel) for _, o, _, rel in pairs))


def plan(views: Mapping[str, YearView]) -> dict[str, list[Settlement]]:
    """path -> what the chains settle in that record, decided on every record's own reading (no chains of chains)."""
    near = neighbours(views)
    out: dict[str, list[Settlement]] = {}
    for path in sorted(views):
        view = views[path]
        prev, nxt = (views[p] if p else None for p in near[path])
        found = [_table2(view, row, prev, nxt) for row in TABLE2_CHAINS] + [_table3(view, prev, nxt)]
        if any(found):
            out[path] = [s for s in found if s]
    return out


def settled_views(views: Mapping[str, YearView], plans: Mapping[str, list[Settlement]]) -> dict[str, YearView]:
    """The views as the records read once settled: what the cross-year checks compare."""
    out = dict(views)
    for path, settlements in plans.items():
        view = out[path]
        for s in settlements:
            if s.table == "table2":
                rows = {s.row: [view.readings[s.row][i] for i in s.fits]}
            else:
                sols = [view.readings["table3"][i] for i in s.fits]
                rows = {r: [sol.get(r, view.values[r]) for sol in sols] for r in ("carried_over", "carried_forward")}
            for row, fitting in rows.items():
                confs = tuple(CHAINED if old < REVIEW_BELOW and len({f[k] for f in fitting}) == 1 else old
                              for k, old in enumerate(view.confidence[row]))
                view = view.with_row(row, tuple(fitting[0]), confs)
        out[path] = view
    return out


# ------------------------------------------------------------------ the record
def undo(rec: dict[str, Any]) -> dict[str, Any]:
    """The record as the report read it: every cell and issue a chain changed put back (in place)."""
    for name, cell in original_cells(rec).items():
        table, row, col = name.split(".")
        rec["tables"][table][row][col] = cell
    for issue in rec.get("issues") or []:
        if issue.pop("resolved_by", None):
            issue.pop("resolved", None)
    (rec.get("parsing") or {}).pop(CROSS_KEY, None)
    return rec


def _put(rec: dict[str, Any], table: str, row: str, fitting: list[dict[str, Any]], anchor: float,
         s: Settlement) -> list[str]:
    """Put the first fitting reading of a row in place; returns the cells it settled."""
    was = rec.setdefault("parsing", {}).setdefault(CROSS_KEY, {}).setdefault("was", {})
    settled = []
    for col, shown in fitting[0].items():
        name = f"{table}.{row}.{col}"
        old = rec["tables"][table][row][col]
        values = list(dict.fromkeys(f[col].get("value") for f in fitting))
        cell = dict(shown)
        if old.get("confidence", 0.0) >= REVIEW_BELOW:
            continue  # not in doubt: a chain never touches it (the readings kept agree on such a cell)
        if len(values) == 1:
            cell["confidence"] = min(CHAINED, anchor)
            cell["settled"] = {"by": s.rule, "other": list(s.others)}
            settled.append(name)
        else:
            cell["confidence"] = old.get("confidence", 0.0)
            cell["candidates"] = [{"value": v} for v in values]
        was.setdefault(name, old)
        rec["tables"][table][row][col] = {k: cell[k] for k in ("value", "confidence", "span", "raw", "candidates",
                                                                "raw_span", "settled") if k in cell}
    return settled


def _apply(rec: dict[str, Any], s: Settlement) -> None:
    parsing = rec.get("parsing") or {}
    if s.table == "table2":
        readings = parsing["table2"]["readings"][s.row]
        fitting = [readings[i] for i in s.fits]
        _put(rec, "table2", s.row, [r["cells"] for r in fitting], fitting[0].get("anchor", 1.0), s)
        code = "table2.ambiguous"
    else:
        solutions = parsing["table3"]["solutions"]
        fitting = [solutions["readings"][i] for i in s.fits]
        for row in fitting[0]:
            _put(rec, "table3", row, [f[row] for f in fitting], solutions["anchors"].get(row, 1.0), s)
        code = "table3.ambiguous"
    _resolve(rec, code, s.rule)


def _resolve(rec: dict[str, Any], code: str, rule: str) -> None:
    """An ambiguity issue is settled once no cell with candidates is left in doubt where it stands."""
    table = code.split(".")[0]
    cells = [c for cols in rec["tables"][table].values() for c in cols.values()]
    for issue in rec.get("issues") or []:
        if issue.get("code") != code or issue.get("resolved"):
            continue
        span = issue.get("span")
        inside = [c for c in cells if c.get("span") and (span is None or span[0] <= c["span"][0] < span[1])]
        if not any(c.get("candidates") and c.get("confidence", 0.0) < REVIEW_BELOW for c in inside):
            issue["resolved"], issue["resolved_by"] = True, rule


def apply_cross_report(rec: dict[str, Any], settlements: list[Settlement], checks: list[Check]) -> dict[str, Any]:
    """The record with the chains' settlements and cross-year checks, its confidence, reasons and
    `needs_review` asked of the report again (`confidence`, the one policy).  Idempotent: what a
    former pass did is undone first."""
    rec = undo(copy.deepcopy(rec))
    for s in settlements:
        _apply(rec, s)
    rec["checks"] = [c for c in rec.get("checks") or [] if family(c) is None] + [c.to_dict() for c in checks]
    return Report.from_dict(rec).to_dict() | {k: v for k, v in rec.items() if k not in _REPORT_KEYS}


_REPORT_KEYS = frozenset(Report(source={}).to_dict())
