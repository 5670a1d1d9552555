"""Hierarchy: a region's (or parent body's) figures must equal the sum of its parts' for the same year.

People who assess these reports find a region's report that does not add
up with its parts.  Which reports are a parent's parts comes either from a
list a person gives (pairs of agency names, `--hierarchy FILE`) or from the
gazetteer: the reports of the same kind of body (公安局, or the region
itself) in every division directly under the parent's division.  The check
runs only where the parent and every one of its parts are in the batch for
that year (with a part missing the sum cannot match), over the cells of
tables 3 and 4 that the parent and every part printed.  The check is the
parent's, and names its parts.
"""
from __future__ import annotations

from typing import Iterable, Mapping

from extractor.checks.crossreport import ReportView, cell_names
from extractor.record import Check
from extractor.spec.gazetteer import fold, gazetteer

RULE = "hierarchy.sum"
COMPARED = ("table3", "table4")  # counts of requests and cases add up across bodies; table 2's stock does not
MAX_LISTED = 8  # mismatching cells spelled out in the detail (all are named in `cells`)


def _num(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def child_divisions(code: str) -> tuple[str, ...]:
    """The divisions directly under `code`; a municipality's city level (same name) is looked through."""
    g = gazetteer()
    out: list[str] = []
    for c in g.children.get(code, ()):
        out += g.children.get(c, ()) if g.by_code[c].name == g.by_code[code].name else [c]
    return tuple(out)


def parts_by_gazetteer(views: Mapping[str, ReportView]) -> dict[str, list[str]]:
    """Parent path -> its parts' paths, where every division under the parent has a report of its kind."""
    first: dict[tuple[str, str, int], str] = {}
    for path in sorted(views):
        v = views[path]
        if v.place:
            first.setdefault((v.place, v.kind, v.year), path)
    out: dict[str, list[str]] = {}
    for path in sorted(views):
        v = views[path]
        kids = child_divisions(v.place) if v.place else ()
        parts = [first.get((k, v.kind, v.year)) for k in kids]
        if parts and all(parts) and first.get((v.place, v.kind, v.year)) == path:
            out[path] = [p for p in parts if p]
    return out


def parts_by_pairs(views: Mapping[str, ReportView], pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Parent path -> its parts' paths from (parent agency, child agency) pairs, each year where all are present."""
    children: dict[str, list[str]] = {}
    for parent, child in pairs:
        children.setdefault(fold(parent), []).append(fold(child))
    first: dict[tuple[str, int], str] = {}
    for path in sorted(views):
        first.setdefault((views[path].agency, views[path].year), path)
    out: dict[str, list[str]] = {}
    for (agency, year), path in first.items():
        parts = [first.get((c, year)) for c in children.get(agency, ())]
        if parts and all(parts):
            out[path] = [p for p in parts if p]
    return out


def check_sum(parent: ReportView, parts: list[ReportView]) -> Check | None:
    """The parent's cells against the sum of its parts' (None when no cell is printed by all)."""
    compared, bad = 0, []
    for table in COMPARED:
        for i, (row, col) in enumerate(cell_names(table)):
            p = parent.values[table][i]
            kids = [v.values[table][i] for v in parts]
            if not (_num(p) and all(_num(k) for k in kids)):
                continue
            compared += 1
            total = sum(kids)
            if abs(p - total) > 1e-9:
                bad.append((f"{table}.{row}.{col}", p, total))
    if not compared:
        return None
    listed = ", ".join(f"{n} {p:g}≠{s:g}" for n, p, s in bad[:MAX_LISTED]) + (
        f" and {len(bad) - MAX_LISTED} more" if len(bad) > MAX_LISTED else "")
    detail = (f"{parent.year}: {compared} cells against the sum of {len(parts)} parts: "
              + (listed if bad else "all equal"))
    return Check(RULE, not bad, detail, [n for n, _, _ in bad], extra={"parts": [v.named() for v in parts]})


def hierarchy_checks(views: Mapping[str, ReportView],
                     pairs: Iterable[tuple[str, str]] | None = None) -> dict[str, list[Check]]:
    """path -> the hierarchy check of each parent record; parts from `pairs` when given, else the gazetteer."""
    parts = parts_by_pairs(views, pairs) if pairs is not None else parts_by_gazetteer(views)
    out: dict[str, list[Check]] = {}
    for path, kids in parts.items():
        check = check_sum(views[path], [views[k] for k in kids])
        if check is not None:
            out[path] = [check]
    return out
