"""Records in, panel rows out: one row per report, the indicators from `extractor.indicators` alone.

A row is read from the record as it stands: the cells' values, the
indicators the record carries (recomputed when an older record has none,
by the same function), the year-on-year change from the same body's
previous-year row in the panel (`indicators.with_yoy`), the place of its
agency from the gazetteer, and its failed cross-report checks by family.
"""
from __future__ import annotations

import json
import os
from typing import Any, Iterable, Iterator

from extractor.checks.crossreport import cross_checks_failed
from extractor.checks.crossyear import folded
from extractor.indicators import Indicators, compute, with_yoy
from extractor.panel.columns import columns, manifest_column
from extractor.spec.gazetteer import gazetteer

OWN_SOURCE = ("path", "sha256", "encoding", "format", "chars", "url", "fetched_at", "prose")


def read_records(paths: Iterable[str | os.PathLike]) -> Iterator[dict[str, Any]]:
    """The records of JSON Lines files, in order (lines that are not JSON objects are skipped)."""
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue
                if isinstance(rec, dict):
                    yield rec


def _meta(rec: dict[str, Any], key: str) -> Any:
    return ((rec.get("meta") or {}).get(key) or {}).get("value")


def _year(rec: dict[str, Any]) -> int | None:
    try:
        return int(_meta(rec, "year"))
    except (TypeError, ValueError):
        return None


def indicators_of(rec: dict[str, Any]) -> Indicators:
    """The record's indicators as it carries them, or computed (a record written before it carried them)."""
    return Indicators.from_dict(rec["indicators"]) if rec.get("indicators") else compute(rec)


def row_of(rec: dict[str, Any], ind: Indicators) -> dict[str, Any]:
    """One report's panel row (`ind`: its indicators, the year-on-year change included)."""
    src = rec.get("source") or {}
    agency = _meta(rec, "agency")
    place = gazetteer().place(agency if isinstance(agency, str) else None)
    row: dict[str, Any] = {
        "path": src.get("path"), "sha256": src.get("sha256"), "url": src.get("url"), "fetched_at": src.get("fetched_at"),
        "agency": agency if isinstance(agency, str) else None, "year": _year(rec),
        "province": place.province, "city": place.city, "county": place.county, "template": rec.get("template"),
        "needs_review": bool(rec.get("needs_review")), "confidence": rec.get("confidence"),
        "error": (rec.get("error") or {}).get("code"),
    }
    tables = rec.get("tables") or {}
    for col in columns():
        if col.cell is not None:
            t, r, c = col.cell
            row[col.name] = (((tables.get(t) or {}).get(r) or {}).get(c) or {}).get("value")
    row.update(ind.values)
    row["uncertain_indicators"] = ";".join(ind.uncertain)
    row["cross_checks_failed"] = ";".join(cross_checks_failed(rec))
    for k, v in src.items():
        if k not in OWN_SOURCE:  # the manifest's other columns
            row[manifest_column(k).name] = None if v is None else str(v)
    return row


def _body(rec: dict[str, Any]) -> tuple[str, ...] | None:
    """Who reported, for pairing its years: its place and kind of body where the gazetteer places it
    (洪泽区人民政府 and 淮安市洪泽区人民政府 are one body), else its folded name."""
    agency = _meta(rec, "agency")
    if not isinstance(agency, str) or not agency.strip():
        return None
    place = gazetteer().place(agency)
    if place.code is not None:
        return (place.code, place.kind)
    return (folded(agency),)


def panel_rows(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The panel's rows, in record order; the year-on-year change where the panel holds the previous year."""
    recs = list(records)
    inds = [indicators_of(r) for r in recs]
    first: dict[tuple[tuple[str, ...], int], int] = {}
    for i, rec in enumerate(recs):
        body, year = _body(rec), _year(rec)
        if body is not None and year is not None and not rec.get("error"):
            first.setdefault((body, year), i)
    rows = []
    for i, rec in enumerate(recs):
        body, year = _body(rec), _year(rec)
        prev = first.get((body, year - 1)) if body is not None and year is not None else None
        rows.append(row_of(rec, with_yoy(inds[i], inds[prev] if prev is not None else None)))
    return rows

