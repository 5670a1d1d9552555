"""The indicators of a record (shared/spec/INDICATORS.md), computed here and nowhere else.

The record (`indicators`), the panel, the review notebook and any report
read this one function, so a rate cannot be computed two ways.  The rules,
from the spec: an indicator is null when an operand is null or a
denominator is 0 (never computed from a value nobody read); when an
operand cell needs review (below `confidence.REVIEW_BELOW`, or named by a
failing check, a cross-report one included) the value is still given and
its name listed in `uncertain`.  Rates are fractions rounded to the data's
`decimals`.  The year-on-year change needs the same body's previous year,
so it is not in a record: the panel asks `with_yoy` for it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from extractor.confidence import REVIEW_BELOW
from extractor.spec.indicators import Cell, Indicator, cells_of, definitions

Number = int | float


@dataclass
class Indicators:
    values: dict[str, Number | None]
    uncertain: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"values": dict(self.values), "uncertain": list(self.uncertain)}

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> "Indicators":
        d = d or {}
        return cls(dict(d.get("values") or {}), list(d.get("uncertain") or []))


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def doubtful_cells(record: dict[str, Any]) -> set[str]:
    """Names (table.row.col) of cells that need review: below the review line or named by a failing check."""
    out = {n for c in record.get("checks") or [] if not c.get("ok", True) for n in c.get("cells") or []}
    for t, rows in (record.get("tables") or {}).items():
        for r, cols in rows.items():
            for c, cell in cols.items():
                if cell.get("value") is not None and float(cell.get("confidence") or 0.0) < REVIEW_BELOW:
                    out.add(f"{t}.{r}.{c}")
    return out


def _sum(record: dict[str, Any], terms: Iterable[str]) -> tuple[Number | None, list[Cell]]:
    """The terms added up (None when any cell is null or not a number), and the cells read."""
    tables = record.get("tables") or {}
    total: Number = 0
    cells: list[Cell] = []
    missing = False
    for term in terms:
        for t, r, c in cells_of(term):
            cells.append((t, r, c))
            v = ((tables.get(t) or {}).get(r) or {}).get(c, {}).get("value")
            if _number(v):
                total += v
            else:
                missing = True
    return (None if missing else total), cells


def _value(ind: Indicator, record: dict[str, Any], decimals: int) -> tuple[Number | None, list[Cell]]:
    num, cells = _sum(record, ind.numerator)
    if ind.kind == "count":
        return num, cells
    den, den_cells = _sum(record, ind.denominator)
    cells += den_cells
    if num is None or den is None or den == 0:
        return None, cells
    return round(num / den, decimals), cells


def compute(record: dict[str, Any]) -> Indicators:
    """Every per-report indicator of a record (the yoy one needs two records: `with_yoy`)."""
    defs = definitions()
    doubtful = doubtful_cells(record)
    out = Indicators({})
    for ind in defs.indicators:
        if ind.kind == "yoy":
            continue
        value, cells = _value(ind, record, defs.decimals) if not record.get("error") else (None, [])
        out.values[ind.name] = value
        if any(".".join(c) in doubtful for c in cells):
            out.uncertain.append(ind.name)
    return out


def with_yoy(current: Indicators, previous: Indicators | None) -> Indicators:
    """`current` with its year-on-year indicators, from the same body's previous-year indicators (or None)."""
    defs = definitions()
    out = Indicators(dict(current.values), list(current.uncertain))
    for ind in defs.indicators:
        if ind.kind != "yoy" or ind.of is None:
            continue
        now = current.values.get(ind.of)
        before = previous.values.get(ind.of) if previous is not None else None
        ok = _number(now) and _number(before) and before != 0
        out.values[ind.name] = round((now - before) / before, defs.decimals) if ok else None
        if ind.of in current.uncertain or (previous is not None and ind.of in previous.uncertain):
            out.uncertain.append(ind.name)
    order = {n: i for i, n in enumerate(defs.names)}
    out.uncertain.sort(key=order.__getitem__)
    return out
