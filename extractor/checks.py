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
from extractor.record import Check

# Cells named by a failing identity can be right (the agency erred) but
# are no longer "certain".
FAILED_CAP = 0.85


def _num(v: int | float | str | None) -> int | float:
    """A cell value as a number for the sums: anything not a number counts 0."""
    return v if isinstance(v, (int, float)) else 0


def _show(v: int | float | str | None) -> str:
    return "∅" if v is None else f"{v:g}" if isinstance(v, float) else str(v)


def _fmt(values: list) -> str:
    return "+".join([_show(v) for v in values])


def _check(rule: str, table: str, lhs: tuple, rhs: tuple, names: list[str], tables: dict, certain: set) -> Check | None:
    t = tables[table]
    # Work on the values (read once per cell): this runs 42 times per report.
    lv = [t[r][c].value for r, c in lhs]
    rv = [t[r][c].value for r, c in rhs]
    if all(v is None for v in lv) and all(v is None for v in rv):
        return None
    ok = abs(sum([_num(v) for v in lv]) - sum([_num(v) for v in rv])) < 1e-9
    detail = f"{_fmt(lv)} = {_fmt(rv)}" if ok else f"{_fmt(lv)} ≠ {_fmt(rv)}"
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
