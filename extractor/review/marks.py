"""What a view of a report marks, and in which colour: one Mark per cell, fact, meta value and issue.

The source view, the tables and the model comparison all speak of a value
by its confidence band, so the bands are defined once, here, on the
confidence module's own lines: a colour means what `needs_review` means.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any, Sequence

from extractor.confidence import ABSENT, BLANK, CERTAIN, REVIEW_BELOW
from extractor.review.frames import flagged_cells, record_cells, review_log

# Confidence bands, lowest first: (lower bound, name, colour).  Red/orange are
# below REVIEW_BELOW (a person must look), yellow is "probably right", green
# the claim of being right (CERTAIN); below BLANK sit the ambiguous and
# unsolved readings.
BANDS: tuple[tuple[float, str, str], ...] = (
    (ABSENT, f"doubtful (< {BLANK})", "#ff9b9b"),
    (BLANK, f"low (< {REVIEW_BELOW})", "#ffc982"),
    (REVIEW_BELOW, f"probable (< {CERTAIN})", "#fff08a"),
    (CERTAIN, f"certain (≥ {CERTAIN})", "#bfe8c4"),
)
PERSON_COLOUR = "#a9cbff"  # a value a person set or accepted
FLAG_COLOUR = "#d00000"  # a cell named by a failing check


@dataclass(frozen=True)
class Mark:
    """A highlighted stretch of the source: one cell, fact or issue."""

    start: int
    end: int
    kind: str  # "cell" | "placeholder" | "fact" | "meta" | "issue"
    key: str  # table.row.col, fact[i], meta.agency, issue code
    label: str  # the tooltip
    confidence: float | None
    flagged: bool = False
    person: bool = False


def band(confidence: float | None) -> tuple[str, str]:
    """(name, colour) of the confidence band a value falls in."""
    c = ABSENT if confidence is None else float(confidence)
    name, colour = BANDS[0][1], BANDS[0][2]
    for lo, n, col in BANDS:
        if c >= lo:
            name, colour = n, col
    return name, colour


def shown(v: Any) -> str:
    """A value as the views print it: ∅ for none, 1424 not 1424.0."""
    if v is None:
        return "∅"
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def cell_label(name: str, cell: dict[str, Any], flags: Sequence[str] = (), person: str | None = None) -> str:
    """The tooltip of a cell: its value and confidence, as printed, its readings, what fails, what or who settled it."""
    s = f"{name} = {shown(cell.get('value'))} (confidence {cell.get('confidence', ABSENT):.2f})"
    if cell.get("raw") is not None:
        s += f" printed {cell['raw']!r}"
    if cell.get("candidates"):
        s += " · readings: " + " / ".join(shown(c.get("value")) for c in cell["candidates"])
    if flags:
        s += " · failing: " + ", ".join(flags)
    if cell.get("settled"):
        others = ", ".join(f"{o.get('path')} ({o.get('year')})" for o in cell["settled"].get("other") or [])
        s += f" · settled by {cell['settled'].get('by')} with {others}"
    if person:
        s += f" · {person} by a person"
    return s


def _fact_name(i: int, f: dict[str, Any]) -> str:
    ch = f".{f['channel']}" if f.get("channel") else ""
    return f"fact[{i}] {f.get('metric')}{ch}"


def marks(record: dict[str, Any]) -> list[Mark]:
    """Every cell, fact, meta value and issue span of the record as a Mark (what gets highlighted)."""
    flags = flagged_cells(record)
    rv = review_log(record)
    out: list[Mark] = []
    for t, r, c, cell in record_cells(record):
        name = f"{t}.{r}.{c}"
        span, kind = cell.get("span"), "cell"
        if not span and cell.get("raw_span"):
            span, kind = cell["raw_span"], "placeholder"
        if not span:
            continue
        person = (rv["cells"].get(name) or {}).get("action")
        out.append(Mark(span[0], span[1], kind, name, cell_label(name, cell, flags.get(name, ()), person),
                        cell.get("confidence"), bool(flags.get(name)), bool(person)))
    for k, cell in (record.get("meta") or {}).items():
        if cell and cell.get("span"):
            name = f"meta.{k}"
            out.append(Mark(cell["span"][0], cell["span"][1], "meta", name, cell_label(name, cell),
                            cell.get("confidence")))
    for i, f in enumerate(record.get("facts") or []):
        if not f.get("span"):
            continue
        act = (rv["facts"].get(str(i)) or {}).get("action")
        lab = f"{_fact_name(i, f)} = {shown(f.get('value'))} (confidence {f.get('confidence', ABSENT):.2f})"
        if f.get("role") == "part":
            lab += " part" + (f" of {f['category']}" if f.get("category") else "")
        if act:
            lab += f" · {act} by a person"
        out.append(Mark(f["span"][0], f["span"][1], "fact", f"fact[{i}]", lab, f.get("confidence"),
                        False, bool(act)))
    for iss in record.get("issues") or []:
        if iss.get("span") and not iss.get("resolved"):
            out.append(Mark(iss["span"][0], iss["span"][1], "issue", iss["code"],
                            f"{iss['code']}: {iss['message']}", None))
    return out


def anchor_id(record: dict[str, Any], key: str) -> str:
    """The HTML id of a mark, unique per report so two views on one page do not collide."""
    rid = hashlib.sha1(str((record.get("source") or {}).get("path")).encode()).hexdigest()[:8]
    return f"rv-{rid}-" + re.sub(r"[^A-Za-z0-9_-]+", "-", key).strip("-")
