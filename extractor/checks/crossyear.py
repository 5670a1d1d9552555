"""Cross-year checks: one agency's consecutive reports must chain.

A report restates two of last year's numbers: the applications carried
over from last year (table 3) are the ones last year carried forward, and
the rules and normative documents in force (table 2) are last year's plus
this year's issued minus repealed.  A single report cannot check these, so
the pipeline does not run this family; the batch does, once it holds every
record (`crossyear_checks`), and writes the result into each record
(`apply_crossyear`).  The rules read a small view of a record (`YearView`),
kept per record while the batch runs, so the whole batch is never held.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any, Mapping

from extractor.record import Check
from extractor.spec.labels import labels

CROSSYEAR = "crossyear."

# The rows the rules read: (table, row).
_ROWS = (("table3", "carried_forward"), ("table3", "carried_over"),
         ("table2", "rules"), ("table2", "normative_docs"))


@dataclass(frozen=True, slots=True)
class YearView:
    """What the cross-year rules read of one readable record with an agency and a year."""

    path: str
    sha256: str
    agency: str  # folded: NFKC, no whitespace, so two spellings of one name meet
    year: int
    values: dict[str, tuple[Any, ...]]  # row -> its values in the label data's column order

    @property
    def key(self) -> tuple[str, int]:
        return self.agency, self.year


def _columns(table: str, row: str) -> tuple[str, ...]:
    lab = labels()
    return lab.col3 if table == "table3" else lab.row2[row]


def view_of(rec: dict[str, Any]) -> YearView | None:
    """The record's view, or None when it has no agency and year to chain on (or failed to read)."""
    meta = rec.get("meta") or {}
    agency = (meta.get("agency") or {}).get("value")
    year = (meta.get("year") or {}).get("value")
    if rec.get("error") or not isinstance(agency, str) or not agency.strip():
        return None
    try:
        year = int(year)
    except (TypeError, ValueError):
        return None
    tables = rec.get("tables") or {}
    values = {}
    for table, row in _ROWS:
        cells = (tables.get(table) or {}).get(row) or {}
        values[row] = tuple((cells.get(c) or {}).get("value") for c in _columns(table, row))
    src = rec.get("source") or {}
    return YearView(path=str(src.get("path")), sha256=src.get("sha256") or "",
                    agency="".join(unicodedata.normalize("NFKC", agency).split()), year=year, values=values)


def is_crossyear(check: dict[str, Any]) -> bool:
    """Whether a record's check is one of this family (which a later pass may replace)."""
    return str(check.get("rule", "")).startswith(CROSSYEAR)


def _num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _fmt(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _previous(prev: YearView) -> dict[str, Any]:
    return {"previous": {"path": prev.path, "sha256": prev.sha256, "year": prev.year}}


def check_carried_over(prev: YearView, cur: YearView) -> Check | None:
    """Last year's carried_forward must be this year's carried_over, column by column."""
    col3 = labels().col3
    before = dict(zip(col3, prev.values["carried_forward"]))
    now = dict(zip(col3, cur.values["carried_over"]))
    cols = [c for c in col3 if _num(now[c]) and _num(before[c])]
    if not cols:
        return None
    bad = [c for c in cols if abs(before[c] - now[c]) > 1e-9]
    parts = [f"{c} {_fmt(before[c])}{'≠' if c in bad else '='}{_fmt(now[c])}" for c in cols]
    return Check("crossyear.carried_over", not bad,
                 f"{prev.year} carried_forward vs {cur.year} carried_over: " + ", ".join(parts),
                 [f"table3.carried_over.{c}" for c in (bad or cols)], extra=_previous(prev))


def check_normative_docs(prev: YearView, cur: YearView) -> Check | None:
    """What is in force chains: last year's in_force + this year's issued - repealed = this year's in_force."""
    parts, bad_cells, all_cells = [], [], []
    for row in ("rules", "normative_docs"):
        cols = labels().row2[row]
        last, now = dict(zip(cols, prev.values[row])), dict(zip(cols, cur.values[row]))
        vals = (last["in_force"], now["issued"], now["repealed"], now["in_force"])
        if not all(_num(v) for v in vals):
            continue
        before, issued, repealed, in_force = vals
        ok = abs(before + issued - repealed - in_force) < 1e-9
        parts.append(f"{row}: {_fmt(before)}+{_fmt(issued)}-{_fmt(repealed)} {'=' if ok else '≠'} {_fmt(in_force)}")
        cells = [f"table2.{row}.{c}" for c in cols]
        all_cells += cells
        if not ok:
            bad_cells += cells
    if not parts:
        return None
    return Check("crossyear.normative_docs", not bad_cells,
                 f"{prev.year} in_force + {cur.year} issued − repealed = {cur.year} in_force; " + "; ".join(parts),
                 bad_cells or all_cells, extra=_previous(prev))


def crossyear_checks(views: Mapping[str, YearView]) -> dict[str, list[Check]]:
    """path -> the cross-year checks for that record (the later year of a consecutive pair).

    When a batch holds several records of one agency and year (the same
    report as .html and .pdf), the previous year is the first by path.
    """
    by_key: dict[tuple[str, int], str] = {}
    for path in sorted(views):
        by_key.setdefault(views[path].key, path)
    out: dict[str, list[Check]] = {}
    for path in sorted(views):
        cur = views[path]
        prev_path = by_key.get((cur.agency, cur.year - 1))
        if prev_path is None:
            continue
        prev = views[prev_path]
        checks = [c for c in (check_carried_over(prev, cur), check_normative_docs(prev, cur)) if c]
        if checks:
            out[path] = checks
    return out


def apply_crossyear(rec: dict[str, Any], checks: list[Check]) -> dict[str, Any]:
    """Replace a record's cross-year checks (idempotent) and set needs_review if one fails.

    A failing check that turned needs_review on is marked `set_needs_review`,
    so a later pass that removes the check can turn it off again.
    """
    old = [c for c in rec.get("checks") or [] if is_crossyear(c)]
    if any(c.get("set_needs_review") for c in old):
        rec["needs_review"] = False
    rec["checks"] = [c for c in rec.get("checks") or [] if not is_crossyear(c)]
    for check in checks:
        c = check.to_dict()
        if not check.ok and not rec.get("needs_review"):
            rec["needs_review"] = True
            c["set_needs_review"] = True
        rec["checks"].append(c)
    return rec
