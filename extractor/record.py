"""The record every entry point returns (shared/spec/OUTPUT.md), as dataclasses.

Internally everything is built in these types; `Report.to_dict()` is the one
place the JSON shape is written, so keys cannot drift between the API, the
CLI and a batch.  `Report.from_dict` reads a record back, so a tool that
edits one (review) asks the report for its confidence and `needs_review`
instead of re-deriving them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from extractor import confidence
from extractor.indicators import compute as compute_indicators
from extractor.spec.labels import labels

SCHEMA = "gov-disclosure-report/1"


@dataclass(slots=True)
class Cell:
    """A value read from the text, with where it was read and how sure we are."""

    value: int | float | str | None
    confidence: float
    span: tuple[int, int] | None = None
    raw: str | None = None
    # Other readings of an ambiguous glued run, best first: [{"value", "confidence"}].
    candidates: list[dict[str, Any]] | None = None
    # Where a placeholder ("/", "—", "无") stands: `span` must show digits,
    # so a zero read from a mark has span null and its place here.
    raw_span: tuple[int, int] | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "value": self.value,
            "confidence": round(float(self.confidence), 4),
            "span": list(self.span) if self.span else None,
        }
        if self.raw is not None:
            d["raw"] = self.raw
        if self.candidates:
            d["candidates"] = self.candidates
        if self.raw_span is not None:
            d["raw_span"] = list(self.raw_span)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Cell":
        return cls(d.get("value"), float(d.get("confidence") or 0.0), _span(d.get("span")), d.get("raw"),
                   d.get("candidates"), _span(d.get("raw_span")))


def _span(s: Any) -> tuple[int, int] | None:
    return (int(s[0]), int(s[1])) if isinstance(s, (list, tuple)) and len(s) == 2 else None


def missing_cell() -> Cell:
    """A cell the report does not have (not read, not invented)."""
    return Cell(None, confidence.ABSENT, None)


@dataclass
class Fact:
    metric: str
    value: int | float
    unit: str | None
    span: tuple[int, int]
    text: str
    confidence: float
    channel: str | None = None
    section: str | None = None
    role: str = "total"
    approx: bool = False
    category: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "channel": self.channel,
            "value": self.value,
            "unit": self.unit,
            "section": self.section,
            "span": list(self.span),
            "text": self.text,
            "confidence": round(float(self.confidence), 4),
            "role": self.role,
            "approx": self.approx,
            "category": self.category,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Fact":
        return cls(d["metric"], d["value"], d.get("unit"), _span(d.get("span")) or (0, 0), d.get("text", ""),
                   float(d.get("confidence") or 0.0), d.get("channel"), d.get("section"), d.get("role", "total"),
                   bool(d.get("approx", False)), d.get("category"))


@dataclass
class Issue:
    code: str
    message: str
    span: tuple[int, int] | None = None
    # Set by a person in review: the doubt this issue raised is settled.
    resolved: bool = False

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"code": self.code, "message": self.message, "span": list(self.span) if self.span else None}
        if self.resolved:
            d["resolved"] = True
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Issue":
        return cls(d["code"], d.get("message", ""), _span(d.get("span")), bool(d.get("resolved", False)))


@dataclass
class Check:
    rule: str
    ok: bool
    detail: str
    cells: list[str] = field(default_factory=list)
    # "agency" when the numbers were read with certainty and still do not add
    # up (the report's own error); "reading" when our reading is in doubt.
    cause: str | None = None
    # Keys other check families add (a cross-year check names the `previous` report).
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"rule": self.rule, "ok": self.ok, "detail": self.detail, "cells": self.cells}
        if self.cause:
            d["cause"] = self.cause
        d.update(self.extra)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Check":
        known = ("rule", "ok", "detail", "cells", "cause")
        return cls(d["rule"], bool(d["ok"]), d.get("detail", ""), list(d.get("cells") or []), d.get("cause"),
                   {k: v for k, v in d.items() if k not in known})


@dataclass
class SectionSpan:
    id: str
    number: int
    title: str
    span: tuple[int, int]
    heading_span: tuple[int, int] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "number": self.number, "title": self.title, "span": list(self.span)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "SectionSpan":
        return cls(d["id"], d["number"], d.get("title", ""), _span(d["span"]) or (0, 0))


def empty_tables() -> dict[str, dict[str, dict[str, Cell]]]:
    """Every cell of the three tables present and null: the record's fixed shape."""
    L = labels()
    return {
        "table2": {r.key: {c: missing_cell() for c in r.columns} for r in L.table2_rows},
        "table3": {r: {c: missing_cell() for c in L.col3} for r in L.row3},
        "table4": {g: {c: missing_cell() for c in L.col4} for g in L.group4},
    }


@dataclass
class Report:
    """One report's record.  Built by `extractor.pipeline`; never raises to build."""

    source: dict[str, Any]
    meta: dict[str, Cell] = field(default_factory=lambda: {k: missing_cell() for k in ("agency", "year", "published_on")})
    sections: list[SectionSpan] = field(default_factory=list)
    tables: dict[str, dict[str, dict[str, Cell]]] = field(default_factory=empty_tables)
    facts: list[Fact] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    template: str | None = None
    error: Issue | None = None
    # Per-table parsing reports (layout seen, rows found, readings searched…).
    parsing: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------ derived
    def cells(self):
        """Yield (table, row, col, Cell) for every table cell."""
        for t, rows in self.tables.items():
            for r, cols in rows.items():
                for c, cell in cols.items():
                    yield t, r, c, cell

    @property
    def confidence(self) -> float:
        """The report as a whole (`confidence.report`): facts keep their own confidences and do not enter."""
        return confidence.report((c.confidence for *_, c in self.cells() if c.value is not None),
                                 check_failed=any(not ch.ok for ch in self.checks), error=self.error is not None)

    @property
    def needs_review(self) -> bool:
        """Whether a person must look (`confidence.needs_review`, the one policy)."""
        return confidence.needs_review(self)

    def to_dict(self) -> dict[str, Any]:
        issues = [i.to_dict() for i in self.issues]
        if self.error is not None and not any(i["code"] == self.error.code for i in issues):
            issues.insert(0, self.error.to_dict())
        record = {
            "schema": SCHEMA,
            "source": self.source,
            "meta": {k: v.to_dict() for k, v in self.meta.items()},
            "sections": [s.to_dict() for s in self.sections],
            "tables": {
                t: {r: {c: cell.to_dict() for c, cell in cols.items()} for r, cols in rows.items()}
                for t, rows in self.tables.items()
            },
            "facts": [f.to_dict() for f in self.facts],
            "checks": [c.to_dict() for c in self.checks],
            "confidence": round(self.confidence, 4),
            "needs_review": self.needs_review,
            "issues": issues,
            "template": self.template,
            "error": self.error.to_dict() if self.error else None,
            "parsing": self.parsing,
        }
        # Derived from the record above (INDICATORS.md), so `from_dict(r).to_dict() == r` still holds.
        record["indicators"] = compute_indicators(record).to_dict()
        return record

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Report":
        """A record read back: `Report.from_dict(r).to_dict() == r` for every record `to_dict` writes."""
        tables = empty_tables()
        for t, rows in (d.get("tables") or {}).items():
            for r, cols in rows.items():
                for c, cell in cols.items():
                    tables.setdefault(t, {}).setdefault(r, {})[c] = Cell.from_dict(cell)
        error = Issue.from_dict(d["error"]) if d.get("error") else None
        issues = [Issue.from_dict(i) for i in d.get("issues") or []]
        if error is not None and issues and issues[0].to_dict() == error.to_dict():
            issues = issues[1:]  # `to_dict` put the error first; the report keeps it apart
        return cls(
            source=dict(d.get("source") or {}),
            meta={k: Cell.from_dict(v) for k, v in (d.get("meta") or {}).items()},
            sections=[SectionSpan.from_dict(s) for s in d.get("sections") or []],
            tables=tables,
            facts=[Fact.from_dict(f) for f in d.get("facts") or []],
            checks=[Check.from_dict(c) for c in d.get("checks") or []],
            issues=issues,
            template=d.get("template"),
            error=error,
            parsing=dict(d.get("parsing") or {}),
        )
