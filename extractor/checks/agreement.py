"""Where the prose restates a table value, a check that they agree.

A disagreement flags the report: either the prose or the reading is wrong,
and a person must say which.  What a prose total restates (table cells and
how they combine) is data: `[restated]` in `metrics.toml`.
"""
from __future__ import annotations

import logging
from typing import Any, Sequence

from extractor.confidence import CERTAIN
from extractor.narrative.tag import Restatement
from extractor.record import Cell, Check, Fact
from extractor.spec.metrics import rules

log = logging.getLogger(__name__)


def _cell_value(tables: dict, path: str) -> tuple[Any, float]:
    t, r, c = path.split(".")
    cell = tables.get(t, {}).get(r, {}).get(c)
    if cell is None:
        return None, 0.0
    if isinstance(cell, Cell):
        return cell.value, cell.confidence
    if isinstance(cell, dict):
        return cell.get("value"), float(cell.get("confidence", 1.0))
    return cell, 1.0


def agreement_checks(facts: Sequence[Fact], tables: dict, restatements: Sequence[Restatement] = ()) -> list[Check]:
    """One check per restated metric: the record's facts and the prose's other restatements against the tables.

    `facts` are the record's facts (their totals restate table 3);
    `restatements` the prose totals that restate table 4 and carried-over
    applications without being spec facts (`narrative.tag.Prose`).
    """
    out: list[Check] = []
    restated = rules().restated
    try:
        items: list[tuple[str, int | float, tuple[int, int], float]] = [
            (f.metric, f.value, tuple(f.span), f.confidence) for f in facts
            if f.role == "total" and f.metric in restated]
        items += [(r.metric, r.value, tuple(r.span), r.confidence) for r in restatements]
        by_metric: dict[str, list[tuple[int | float, tuple[int, int], float]]] = {}
        for metric, value, span, conf in items:
            by_metric.setdefault(metric, []).append((value, span, conf))
        for metric, stated in by_metric.items():
            check = _agree(metric, stated, tables, restated[metric])
            if check is not None:
                out.append(check)
    except Exception:
        log.exception("agreement_checks failed")
    return out


def _agree(metric: str, stated: list[tuple[int | float, tuple[int, int], float]], tables: dict,
           restates: tuple[tuple[str, ...], ...]) -> Check | None:
    """One check per restated metric: ok when any prose total equals the table's value.

    Any, not all: a second "total" is more often a restatement of a subset
    than a contradiction, and a false alarm flags the whole report.
    """
    readings = []
    for paths in restates:
        vals = [_cell_value(tables, p) for p in paths]
        if any(v is None or isinstance(v, str) for v, _ in vals):
            continue
        readings.append((paths, sum(v for v, _ in vals), min(c for _, c in vals)))
    if not readings:
        return None
    for value, span, _ in stated:
        for paths, total, _ in readings:
            if abs(total - value) < 1e-9:
                return Check(f"narrative.{metric}", True, f"prose {value} vs table {total} ({' + '.join(paths)})",
                             [f"fact@{span[0]}-{span[1]}", *paths])
    paths, total, tconf = readings[0]
    conf = min(c for _, _, c in stated)
    said = ", ".join(str(v) for v, _, _ in stated)
    cause = "agency" if tconf >= CERTAIN and conf >= CERTAIN else "reading"
    return Check(f"narrative.{metric}", False, f"prose {said} vs table {total} ({' + '.join(paths)})",
                 [f"fact@{s}-{e}" for _, (s, e), _ in stated] + list(paths), cause=cause)

