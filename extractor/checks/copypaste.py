"""Copy-paste: a report whose tables equal another report's cell for cell, or whose prose is nearly the same.

The same numbers year after year, or one body's report under another's
name, is what assessors complain of.  Two readings of one report (the same
file, or the same agency and year, e.g. as .html and .pdf) are not
compared.  A table counts only when it carries evidence: at least
`MIN_NONZERO` non-zero cells outside its total row and column (an empty
table 3 of a body with no requests equals every other empty one, and so
does one request, by the identities).  Prose is compared by the MinHash
signatures the records carry (`narrative.signature`); candidate pairs come
from locality-sensitive buckets (bands of the signature), so a batch is
never compared pair by pair, and at most `MAX_PAIRS` candidate pairs are
verified (a documented cap on the work).  Each report of a copied pair gets
a failing check naming the other(s).
"""
from __future__ import annotations

from itertools import combinations
from typing import Mapping

from extractor.checks.crossreport import TABLES, ReportView, cell_names
from extractor.narrative.signature import as_array, similarity
from extractor.record import Check

MIN_NONZERO = 4
NEAR_IDENTICAL = 0.9  # estimated Jaccard similarity of the prose shingles
MIN_PROSE_CHARS = 300  # shorter prose (an excerpt, a report that is nearly all tables) says too little
BAND_ROWS = 4  # signature positions per bucket key: 64 positions make 16 bands
MAX_PAIRS = 200_000
MAX_NAMED = 10  # other reports named in one check
_TOTAL_ROWS = ("total_processed",)
_TOTAL_COLS = ("total",)


def evidence(table: str, values: tuple) -> int:
    """Non-zero cells of a table outside its total row and column."""
    return sum(1 for (row, col), v in zip(cell_names(table), values)
               if isinstance(v, (int, float)) and v and row not in _TOTAL_ROWS and col not in _TOTAL_COLS)


def _same_report(a: ReportView, b: ReportView) -> bool:
    return a.sha256 == b.sha256 or (a.agency, a.year) == (b.agency, b.year)


def _table_pairs(views: Mapping[str, ReportView], table: str) -> list[tuple[str, str]]:
    groups: dict[tuple, list[str]] = {}
    for path in sorted(views):
        vals = views[path].values[table]
        if evidence(table, vals) >= MIN_NONZERO:
            groups.setdefault(vals, []).append(path)
    return [(a, b) for paths in groups.values() for a, b in combinations(paths, 2)
            if not _same_report(views[a], views[b])]


def _prose_pairs(views: Mapping[str, ReportView]) -> list[tuple[str, str, float]]:
    buckets: dict[tuple, list[str]] = {}
    for path in sorted(views):
        v = views[path]
        if v.prose_chars < MIN_PROSE_CHARS or not v.prose:
            continue
        for b in range(0, len(v.prose), BAND_ROWS):
            buckets.setdefault((b, v.prose[b:b + BAND_ROWS]), []).append(path)
    seen: set[tuple[str, str]] = set()
    out = []
    sigs = {p: as_array(views[p].prose) for paths in buckets.values() for p in paths}
    for paths in buckets.values():
        for a, b in combinations(paths, 2):
            if (a, b) in seen or _same_report(views[a], views[b]):
                continue
            if len(seen) >= MAX_PAIRS:
                return out
            seen.add((a, b))
            s = similarity(sigs[a], sigs[b])
            if s >= NEAR_IDENTICAL:
                out.append((a, b, s))
    return out


def _check(rule: str, what: str, others: list[ReportView], cells: list[str]) -> Check:
    named = sorted(others, key=lambda v: v.path)
    first = named[0]
    more = f" and {len(named) - 1} other report(s)" if len(named) > 1 else ""
    detail = f"{what} {first.agency} {first.year} ({first.path}){more}"
    return Check(rule, False, detail, cells, extra={"other": {"relation": "copy_of", "reports": [v.named() for v in named[:MAX_NAMED]]}})


def copypaste_checks(views: Mapping[str, ReportView]) -> dict[str, list[Check]]:
    """path -> the copy-paste checks that failed for it (a report copied by or from no other gets none)."""
    out: dict[str, list[Check]] = {}
    for table in TABLES:
        others: dict[str, list[str]] = {}
        for a, b in _table_pairs(views, table):
            others.setdefault(a, []).append(b)
            others.setdefault(b, []).append(a)
        for path, paths in sorted(others.items()):
            me = views[path]
            cells = [f"{table}.{r}.{c}" for (r, c), v in zip(cell_names(table), me.values[table]) if v]
            out.setdefault(path, []).append(_check(f"copypaste.{table}", f"{table} equal cell for cell to",
                                                   [views[p] for p in paths], cells))
    prose: dict[str, list[tuple[str, float]]] = {}
    for a, b, s in _prose_pairs(views):
        prose.setdefault(a, []).append((b, s))
        prose.setdefault(b, []).append((a, s))
    for path, hits in sorted(prose.items()):
        best = max(s for _, s in hits)
        out.setdefault(path, []).append(_check("copypaste.narrative", f"prose {best:.0%} the same as",
                                               [views[p] for p, _ in hits], []))
    return out
