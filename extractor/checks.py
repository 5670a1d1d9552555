"""The accounting identities (勾稽关系), checked on the cells as read.

Every identity in `data/labels.toml` becomes one `Check` per row, column or
group, naming its cells.  A failure is told apart by cause: "agency" when
every cell involved was printed as its own cell and read with certainty (the
report's own arithmetic), "reading" otherwise.  Either way the record needs
review, and the cells involved are capped below the "certain" level.
"""
from __future__ import annotations

from functools import lru_cache

from extractor.labels import Identity, labels
from extractor.record import Cell, Check

# Cells named by a failing identity can be right (the agency erred) but
# are no longer "certain".
FAILED_CAP = 0.85


def _num(c: Cell) -> int | float:
    return c.value if isinstance(c.value, (int, float)) else 0


def _fmt(cells: list[Cell]) -> str:
    return "+".join("∅" if c.value is None else f"{c.value:g}" if isinstance(c.value, float) else str(c.value) for c in cells)


def _check(rule: str, table: str, lhs: tuple, rhs: tuple, names: list[str], tables: dict, certain: set) -> Check | None:
    t = tables[table]
    lc = [t[r][c] for r, c in lhs]
    rc = [t[r][c] for r, c in rhs]
    if all(c.value is None for c in lc) and all(c.value is None for c in rc):
        return None
    ok = abs(sum(map(_num, lc)) - sum(map(_num, rc))) < 1e-9
    detail = f"{_fmt(lc)} = {_fmt(rc)}" if ok else f"{_fmt(lc)} ≠ {_fmt(rc)}"
    cause = None
    if not ok:
        cause = "agency" if all((table, r, c) in certain for r, c in lhs + rhs) else "reading"
    return Check(rule, ok, detail, list(names), cause)


def _expand(ident: Identity) -> list[tuple[str, list[tuple[str, str]], list[tuple[str, str]]]]:
    lab = labels()
    out = []
    if ident.table == "table3" and ident.per == "row":
        for r in lab.row3:
            out.append((f"{ident.rule}.{r}", [(r, c) for c in ident.lhs], [(r, c) for c in ident.rhs]))
    elif ident.table == "table3" and ident.per == "column":
        rhs_rows = lab.outcome_rows if ident.rhs == "outcomes" else ident.rhs
        for c in lab.col3:
            out.append((f"{ident.rule}.{c}", [(r, c) for r in ident.lhs], [(r, c) for r in rhs_rows]))
    elif ident.table == "table4":
        for g in lab.group4:
            out.append((f"{ident.rule}.{g}", [(g, c) for c in ident.lhs], [(g, c) for c in ident.rhs]))
    return out


@lru_cache(maxsize=1)
def _all_rules() -> tuple:
    """Every (rule, table, lhs, rhs, cell names) the identities expand to: static, built once."""
    out = []
    for ident in labels().identities:
        for rule, lhs, rhs in _expand(ident):
            names = [f"{ident.table}.{r}.{c}" for r, c in lhs + rhs]
            out.append((rule, ident.table, tuple(lhs), tuple(rhs), names))
    return tuple(out)


def run_checks(tables: dict, certain: set) -> list[Check]:
    """All identity checks; caps the confidence of cells a failing check names."""
    checks: list[Check] = []
    for rule, table, lhs, rhs, names in _all_rules():
        ch = _check(rule, table, lhs, rhs, names, tables, certain)
        if ch is not None:
            checks.append(ch)
    for ch in checks:
        if ch.ok:
            continue
        for name in ch.cells:
            table, row, col = name.split(".")
            cell = tables[table][row][col]
            cell.confidence = min(cell.confidence, FAILED_CAP)
    return checks
