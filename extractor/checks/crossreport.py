"""What the checks across reports share: the families, a small view of a record, and applying checks to one.

A batch runs three families across its records (`crossyear` year chains,
`hierarchy` a region against its parts, `copypaste` reports equal to
another), each writing `checks` entries whose rule starts with the family
name and which name the other report(s) in `other` (shape: `checks.crossyear`).
`checks.settle.apply_cross_report` writes them into a record, replacing a
former pass's, and asks the record again why it needs review.  Whatever reads them (the panel's
`cross_checks_failed`, the review) goes by family here, so a new family is
one name in `FAMILIES` and one module.  The hierarchy and copy-paste rules
read `ReportView`, kept per record while the batch runs, so the whole batch
is never held.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from extractor.checks.crossyear import agency_year, folded
from extractor.spec.gazetteer import gazetteer
from extractor.spec.labels import labels

FAMILIES = ("crossyear", "hierarchy", "copypaste")
TABLES = ("table2", "table3", "table4")


@lru_cache(maxsize=None)
def cell_names(table: str) -> tuple[tuple[str, str], ...]:
    """(row, col) of every cell of a table, in the label data's order (a view's values follow it)."""
    lab = labels()
    if table == "table2":
        return tuple((r.key, c) for r in lab.table2_rows for c in r.columns)
    if table == "table3":
        return tuple((r, c) for r in lab.row3 for c in lab.col3)
    return tuple((g, c) for g in lab.group4 for c in lab.col4)


def family(check: dict[str, Any]) -> str | None:
    """The cross-report family of a record's check (None for a per-report check)."""
    head = str(check.get("rule", "")).split(".", 1)[0]
    return head if head in FAMILIES else None


def cross_checks_failed(record: dict[str, Any]) -> list[str]:
    """The rules of the cross-report checks that failed for this record, every family, in record order."""
    return list(dict.fromkeys(c["rule"] for c in record.get("checks") or [] if family(c) and not c.get("ok", True)))


@dataclass(frozen=True, slots=True)
class ReportView:
    """What the hierarchy and copy-paste rules read of one readable record with an agency and a year."""

    path: str
    sha256: str
    agency: str  # folded: NFKC, no whitespace
    year: int
    place: str | None  # the gazetteer division the agency names
    kind: str  # the kind of body (the rest of the name), "" for the region itself
    values: dict[str, tuple[Any, ...]]  # table -> its cells in `cell_names` order
    prose: tuple[int, ...]  # the prose signature (narrative.signature)
    prose_chars: int

    def named(self) -> dict[str, Any]:
        """The report as another report's check names it."""
        return {"path": self.path, "sha256": self.sha256, "agency": self.agency, "year": self.year}


def view_of(rec: dict[str, Any]) -> ReportView | None:
    """The record's view, or None when it failed to read or has no agency and year."""
    found = agency_year(rec)
    if found is None:
        return None
    agency, year = found
    tables = rec.get("tables") or {}
    values = {t: tuple(((tables.get(t) or {}).get(r) or {}).get(c, {}).get("value") for r, c in cell_names(t))
              for t in TABLES}
    place = gazetteer().place(agency)
    prose = (rec.get("parsing") or {}).get("prose") or {}
    src = rec.get("source") or {}
    return ReportView(str(src.get("path")), src.get("sha256") or "", folded(agency),
                      year, place.code, place.kind, values, tuple(prose.get("minhash") or ()), int(prose.get("chars") or 0))
