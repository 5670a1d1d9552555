"""Cross-year checks: one body's consecutive reports must chain.

A report restates two of last year's numbers: the applications carried
over from last year (table 3) are the ones last year carried forward, and
the rules and normative documents in force (table 2) are last year's plus
this year's issued minus repealed.  A single report cannot check these, so
the pipeline does not run this family; the batch does, once it holds every
record: first the chains settle what they can of doubted readings
(`checks.settle`), then they are checked (`crossyear_checks`) and written
into each record.  The rules read a small view of a record (`YearView`),
kept per record while the batch runs, so the whole batch is never held.

Agencies break these chains on their own (re-counts, documents lapsing or
revised): a chain broken between figures both reports read without doubt
(at or above `REVIEW_BELOW`: printed, solved, or settled by the report's
own prose) is the agency's, cause "agency", and flags neither report;
where a side was read in doubt, cause "reading" (that side is flagged for
its doubt anyway).

The shape of a cross-report check entry (in the record's `checks`; the
other cross-report families — hierarchy, copy-paste — write the same)::

    {"rule": "crossyear.normative_docs",      # family.name
     "ok": false, "detail": "…",
     "cells": ["table2.normative_docs.issued", …],   # this report's cells the check compares
     "cause": "agency" | "reading",           # failing checks only (see above)
     "other": {"path", "sha256", "agency", "year", "relation"},   # the other report; relation
                                              # "previous" (its year before) or "next"; a family comparing
                                              # several reports writes {"relation", "reports": [...]} instead
                                              # (hierarchy: "parts", copy-paste: "copy_of")
     "other_cells": ["table2.normative_docs.in_force"],   # the other report's cells it compares
     "previous": {"path", "sha256", "year"}}  # this family's older name for `other`

A check entry is cross-report exactly when it has `other`
(`record.Check.other`); the review policy reads its cells to tell this
report's doubt from the other's (`confidence.review_reasons`).  The check
sits in the later report of the pair.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Mapping

from extractor.confidence import ABSENT, PERSON, REVIEW_BELOW
from extractor.record import Check
from extractor.spec.labels import labels
from extractor.spec.metrics import rules

# Where a later pass keeps what the cross-report evidence changed in a record (`checks.settle`).
CROSS_KEY = "crossyear"

# The rows the rules read: (table, row).
ROWS = (("table3", "carried_forward"), ("table3", "carried_over"),
        ("table2", "rules"), ("table2", "normative_docs"))
TABLE2_CHAINS = ("rules", "normative_docs")


@dataclass(frozen=True)
class YearView:
    """What the cross-year rules read of one readable record with an agency and a year.

    Values are the report's own reading, before any chain settled it (a
    later pass undoes its settlements, `checks.settle`); `readings` holds,
    for a doubted glued run, the values of each equally cheap reading
    (table-2 rows by row key; table 3 under "table3": each joint solution's
    carried rows, a row absent where the solutions agree on it).
    """

    path: str
    sha256: str
    agency: str  # folded: NFKC, no whitespace, so two spellings of one name meet
    year: int
    values: dict[str, tuple[Any, ...]]  # row -> its values in the label data's column order
    confidence: dict[str, tuple[float, ...]] = field(default_factory=dict)
    template: str | None = None
    readings: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    settled: frozenset[str] = frozenset()  # rows a chain settled (`checks.settle`): not evidence for another

    @property
    def key(self) -> tuple[str, int]:
        return self.agency, self.year

    def ref(self, relation: str) -> dict[str, Any]:
        """The other report, as a cross-report check names it."""
        return {"path": self.path, "sha256": self.sha256, "agency": self.agency, "year": self.year,
                "relation": relation}

    def cells(self, row: str) -> dict[str, tuple[Any, float]]:
        """col -> (value, confidence) of one row."""
        return {c: (v, k) for c, v, k in zip(columns(row), self.values[row],
                                             self.confidence.get(row) or (PERSON,) * len(self.values[row]))}

    def with_row(self, row: str, values: tuple[Any, ...], confs: tuple[float, ...]) -> "YearView":
        return replace(self, values={**self.values, row: values}, confidence={**self.confidence, row: confs},
                       settled=self.settled | {row})


def columns(row: str) -> tuple[str, ...]:
    lab = labels()
    return lab.col3 if row in ("carried_forward", "carried_over") else lab.row2[row]


def _table(row: str) -> str:
    return "table3" if row in ("carried_forward", "carried_over") else "table2"


def original_cells(rec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """cell name -> the cell as the report read it, where a chain since changed it (else absent)."""
    return ((rec.get("parsing") or {}).get(CROSS_KEY) or {}).get("was") or {}


def agency_year(rec: dict[str, Any]) -> tuple[str, int] | None:
    """The agency and year a record was read as, or None when it failed to read or lacks either: every check
    across reports pairs reports by them."""
    meta = rec.get("meta") or {}
    agency = (meta.get("agency") or {}).get("value")
    year = (meta.get("year") or {}).get("value")
    if rec.get("error") or not isinstance(agency, str) or not agency.strip():
        return None
    try:
        return agency, int(year)
    except (TypeError, ValueError):
        return None


def folded(agency: str) -> str:
    """An agency name as reports are paired by it: compatibility forms folded, no whitespace."""
    return "".join(unicodedata.normalize("NFKC", agency).split())


def view_of(rec: dict[str, Any]) -> YearView | None:
    """The record's view, or None when it has no agency and year to chain on (or failed to read)."""
    found = agency_year(rec)
    if found is None:
        return None
    agency, year = found
    tables = rec.get("tables") or {}
    was = original_cells(rec)
    values, confs = {}, {}
    for table, row in ROWS:
        cells = (tables.get(table) or {}).get(row) or {}
        got = [was.get(f"{table}.{row}.{c}") or cells.get(c) or {} for c in columns(row)]
        values[row] = tuple(g.get("value") for g in got)
        confs[row] = tuple(float(g.get("confidence", ABSENT)) for g in got)
    src = rec.get("source") or {}
    return YearView(path=str(src.get("path")), sha256=src.get("sha256") or "",
                    agency=folded(agency), year=year, values=values,
                    confidence=confs, template=rec.get("template"), readings=_readings(rec))


def _readings(rec: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    """The values of each equally cheap reading of the doubted runs the chains may settle (see `YearView`)."""
    parsing = rec.get("parsing") or {}
    out: dict[str, tuple[Any, ...]] = {}
    for row, readings in ((parsing.get("table2") or {}).get("readings") or {}).items():
        if row in TABLE2_CHAINS:
            out[row] = tuple(tuple((r["cells"].get(c) or {}).get("value") for c in columns(row)) for r in readings)
    solutions = (parsing.get("table3") or {}).get("solutions")
    if solutions:
        out["table3"] = tuple({row: tuple((sol[row].get(c) or {}).get("value") for c in columns(row))
                               for row in ("carried_over", "carried_forward") if row in sol}
                              for sol in solutions["readings"])
    return out


def num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _fmt(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _names(prev: YearView, relation: str = "previous") -> dict[str, Any]:
    return {"other": prev.ref(relation), "previous": {"path": prev.path, "sha256": prev.sha256, "year": prev.year}}


def _cause(confs: list[float]) -> str:
    """A broken chain is the agency's where every figure it compares was read without doubt."""
    return "agency" if all(c >= REVIEW_BELOW for c in confs) else "reading"


def check_carried_over(prev: YearView, cur: YearView) -> Check | None:
    """Last year's carried_forward must be this year's carried_over, column by column."""
    before, now = prev.cells("carried_forward"), cur.cells("carried_over")
    cols = [c for c in labels().col3 if num(now[c][0]) and num(before[c][0])]
    if not cols:
        return None
    bad = [c for c in cols if abs(before[c][0] - now[c][0]) > 1e-9]
    parts = [f"{c} {_fmt(before[c][0])}{'≠' if c in bad else '='}{_fmt(now[c][0])}" for c in cols]
    named = bad or cols
    cause = _cause([before[c][1] for c in bad] + [now[c][1] for c in bad]) if bad else None
    return Check("crossyear.carried_over", not bad,
                 f"{prev.year} carried_forward vs {cur.year} carried_over: " + ", ".join(parts),
                 [f"table3.carried_over.{c}" for c in named], cause,
                 extra={**_names(prev), "other_cells": [f"table3.carried_forward.{c}" for c in named]})


def chain_holds(before: Any, issued: Any, repealed: Any, in_force: Any) -> bool:
    """Last year's in force + this year's issued − repealed = this year's in force."""
    return abs(before + issued - repealed - in_force) < 1e-9


def table2_chains(prev: YearView, cur: YearView) -> bool:
    """Whether the table-2 chain compares like with like: the older template's 对外公开总数量 is not 现行有效."""
    return prev.template == cur.template == "2021" or (prev.template is None and cur.template is None)


def check_normative_docs(prev: YearView, cur: YearView) -> Check | None:
    """What is in force chains: last year's in_force + this year's issued - repealed = this year's in_force."""
    if not table2_chains(prev, cur):
        return None
    parts, bad_cells, all_cells, other_bad, other_all, doubt = [], [], [], [], [], []
    for row in TABLE2_CHAINS:
        last, now = prev.cells(row), cur.cells(row)
        vals = (last["in_force"][0], now["issued"][0], now["repealed"][0], now["in_force"][0])
        if not all(num(v) for v in vals):
            continue
        ok = chain_holds(*vals)
        parts.append(f"{row}: {_fmt(vals[0])}+{_fmt(vals[1])}-{_fmt(vals[2])} {'=' if ok else '≠'} {_fmt(vals[3])}")
        cells = [f"table2.{row}.{c}" for c in columns(row)]
        all_cells += cells
        other_all.append(f"table2.{row}.in_force")
        if not ok:
            bad_cells += cells
            other_bad.append(f"table2.{row}.in_force")
            doubt += [last["in_force"][1]] + [now[c][1] for c in ("issued", "repealed", "in_force")]
    if not parts:
        return None
    return Check("crossyear.normative_docs", not bad_cells,
                 f"{prev.year} in_force + {cur.year} issued − repealed = {cur.year} in_force; " + "; ".join(parts),
                 bad_cells or all_cells, _cause(doubt) if bad_cells else None,
                 extra={**_names(prev), "other_cells": other_bad or other_all})


@lru_cache(maxsize=1)
def _short():
    return rules().meta["agency_short"]


def same_bodies(names: set[str]) -> dict[str, str]:
    """name -> the name it chains under: a short form ("省教育厅") under the one longer name of the batch that
    ends with it ("河北省教育厅"); a short form several names end with (two provinces) stays apart."""
    out = {n: n for n in names}
    for short in names:
        if _short().search(short):
            longer = [n for n in names if n != short and n.endswith(short)]
            if len(longer) == 1:
                out[short] = longer[0]
    return out


def neighbours(views: Mapping[str, YearView]) -> dict[str, tuple[str | None, str | None]]:
    """path -> (the path of the same body's previous year, of its next year) in the batch.

    When a batch holds several records of one body and year (the same
    report as .html and .pdf), the first by path stands for that year.
    """
    body = same_bodies({v.agency for v in views.values()})
    by_key: dict[tuple[str, int], str] = {}
    for path in sorted(views):
        by_key.setdefault((body[views[path].agency], views[path].year), path)
    return {path: (by_key.get((body[v.agency], v.year - 1)), by_key.get((body[v.agency], v.year + 1)))
            for path, v in views.items()}


def crossyear_checks(views: Mapping[str, YearView]) -> dict[str, list[Check]]:
    """path -> the cross-year checks for that record (the later year of a consecutive pair)."""
    out: dict[str, list[Check]] = {}
    near = neighbours(views)
    for path in sorted(views):
        prev_path = near[path][0]
        if prev_path is None:
            continue
        prev, cur = views[prev_path], views[path]
        checks = [c for c in (check_carried_over(prev, cur), check_normative_docs(prev, cur)) if c]
        if checks:
            out[path] = checks
    return out
