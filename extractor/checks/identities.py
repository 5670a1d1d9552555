"""The accounting identities (勾稽关系), expanded once and evaluated on any cells.

Every identity in `data/labels.toml` expands once into one rule per row,
column or group (`expand`): its name, the cells on either side.  `evaluate`
takes a "value of this cell" function, so records, gold files and reviewed
records all share the one expansion.  On a report (`run_checks`), a failure
is told apart by cause: "agency" when every cell involved was printed as its
own cell and read with certainty (the report's own arithmetic), "reading"
otherwise.  Either way the record needs review, and the cells involved are
capped at the `check_failed` level.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Iterator

from extractor import confidence
from extractor.record import Check
from extractor.spec.labels import labels

# A cell by (table, row, col); its value, or None where there is none.
CellValue = Callable[[str, str, str], Any]


@dataclass(frozen=True)
class Rule:
    """One expanded identity: the sum of `lhs` cells equals the sum of `rhs` cells."""

    name: str  # e.g. "table3.balance.total"
    table: str
    lhs: tuple[tuple[str, str], ...]  # (row, col)
    rhs: tuple[tuple[str, str], ...]
    cells: tuple[str, ...]  # "table.row.col" of lhs then rhs


@dataclass(frozen=True)
class Result:
    rule: Rule
    lhs: list[Any]
    rhs: list[Any]

    @property
    def ok(self) -> bool:
        return abs(sum(_num(v) for v in self.lhs) - sum(_num(v) for v in self.rhs)) < 1e-9


def _num(v: Any) -> int | float:
    """A cell value as a number for the sums: anything not a number counts 0."""
    return v if isinstance(v, (int, float)) else 0


@lru_cache(maxsize=1)
def expand() -> tuple[Rule, ...]:
    """Every rule the identities expand to: static, built once."""
    lab = labels()
    out: list[Rule] = []
    for ident in lab.identities:
        if ident.table == "table3" and ident.per == "row":
            pairs = [(f"{ident.rule}.{r}", [(r, c) for c in ident.lhs], [(r, c) for c in ident.rhs]) for r in lab.row3]
        elif ident.table == "table3" and ident.per == "column":
            rhs_rows = lab.outcome_rows if ident.rhs == "outcomes" else ident.rhs
            pairs = [(f"{ident.rule}.{c}", [(r, c) for r in ident.lhs], [(r, c) for r in rhs_rows]) for c in lab.col3]
        elif ident.table == "table4":
            pairs = [(f"{ident.rule}.{g}", [(g, c) for c in ident.lhs], [(g, c) for c in ident.rhs]) for g in lab.group4]
        else:
            pairs = []
        for name, lhs, rhs in pairs:
            out.append(Rule(name, ident.table, tuple(lhs), tuple(rhs),
                            tuple(f"{ident.table}.{r}.{c}" for r, c in lhs + rhs)))
    return tuple(out)


def evaluate(value: CellValue) -> Iterator[Result]:
    """Every rule with its values, skipping those whose cells are all empty."""
    for rule in expand():
        lv = [value(rule.table, r, c) for r, c in rule.lhs]
        rv = [value(rule.table, r, c) for r, c in rule.rhs]
        if all(v is None for v in lv) and all(v is None for v in rv):
            continue
        yield Result(rule, lv, rv)


def _show(v: int | float | str | None) -> str:
    return "∅" if v is None else f"{v:g}" if isinstance(v, float) else str(v)


def _fmt(values: list) -> str:
    return "+".join([_show(v) for v in values])


def run_checks(tables: dict, certain: set) -> list[Check]:
    """All identity checks on a report's cells; caps the confidence of cells a failing check names.

    `certain` holds the (table, row, col) read with certainty: a failure
    among those alone is the agency's own arithmetic.
    """
    def value(t: str, r: str, c: str) -> Any:
        return tables[t][r][c].value

    checks: list[Check] = []
    for res in evaluate(value):
        ok = res.ok
        detail = f"{_fmt(res.lhs)} = {_fmt(res.rhs)}" if ok else f"{_fmt(res.lhs)} ≠ {_fmt(res.rhs)}"
        cause = None
        if not ok:
            rule = res.rule
            cause = "agency" if all((rule.table, r, c) in certain for r, c in rule.lhs + rule.rhs) else "reading"
        checks.append(Check(res.rule.name, ok, detail, list(res.rule.cells), cause))
    for ch in checks:
        if ch.ok:
            continue
        for name in ch.cells:
            table, row, col = name.split(".")
            cell = tables[table][row][col]
            cell.confidence = min(cell.confidence, confidence.CHECK_FAILED)
    return checks


def gold_failures(value: CellValue) -> list[str]:
    """The identities a set of gold cells breaks, as `rule: lhs ≠ rhs` (null counts as 0)."""
    out = []
    for res in evaluate(value):
        if not res.ok:
            out.append(f"{res.rule.name}: {sum(_num(v) for v in res.lhs):g} ≠ {sum(_num(v) for v in res.rhs):g}")
    return out
