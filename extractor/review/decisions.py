"""A person's decisions on a record: a cell corrected or accepted, a fact accepted, corrected or rejected.

Each decision returns a copy of the record (the batch's own record is never
changed) with the value set at `confidence.PERSON`, the decision logged in
the record's `review` key with what the machine had read (what
`annotate.to_annotation` writes out), and the record refreshed: its
identity checks re-run and its confidence and `needs_review` asked of a
`Report`, so a reviewed record follows the one review policy.
"""
from __future__ import annotations

import copy
import re
import unicodedata
from typing import Any

from extractor.checks.identities import expand, run_checks
from extractor.confidence import ABSENT, CERTAIN, PERSON
from extractor.record import Report
from extractor.review.frames import REVIEW_KEY, review_log
from extractor.spec.labels import labels
from extractor.spec.metrics import channel_ids, metric_ids

# The issue codes the pipeline gives a failing identity (`pipeline`): `rule: detail`.
_IDENTITY_FAILURES = (".check_failed", ".agency_error")


def parse_value(s: Any, *, decimal: bool = True) -> int | float | None:
    """A value typed by a person: '' / '∅' / 'null' → None, '1,234' / '１２３４' → 1234, '3.5' → 3.5."""
    if s is None or isinstance(s, (int, float)) and not isinstance(s, bool):
        return s
    t = unicodedata.normalize("NFKC", str(s)).strip().replace(",", "").replace(" ", "")
    if t.lower() in ("", "∅", "null", "none"):
        return None
    if re.fullmatch(r"-?\d+", t):
        return int(t)
    if decimal and re.fullmatch(r"-?\d+\.\d+", t):
        return float(t)
    raise ValueError(f"not a number: {s!r}")


def _is_decimal(table: str, row: str) -> bool:
    return table == "table2" and any(r.key == row and r.decimal for r in labels().table2_rows)


def _log(rec: dict[str, Any]) -> dict[str, Any]:
    rv = rec.setdefault(REVIEW_KEY, {"cells": {}, "facts": {}})
    rv.setdefault("cells", {})
    rv.setdefault("facts", {})
    return rv


def apply_correction(record: dict[str, Any], table: str, row: str, col: str, value: Any) -> dict[str, Any]:
    """A copy of the record with one cell set by a person, its checks re-run.

    The cell keeps its span (where it was read) and gets `confidence.PERSON`
    (1.0): a person looked.  The record's `review` key logs the decision (value,
    what the machine had read), which `to_annotation` writes out.  Raises
    KeyError for a cell the record shape does not have and ValueError for
    a value the table cannot hold (tables 3 and 4 count applications: integers).
    """
    rec = copy.deepcopy(record)
    cell = rec["tables"][table][row][col]  # KeyError: not a cell of the record
    v = parse_value(value, decimal=_is_decimal(table, row))
    if isinstance(v, float) and not _is_decimal(table, row):
        raise ValueError(f"{table}.{row}.{col} holds whole numbers, not {v}")
    if isinstance(v, (int, float)) and v < 0 and table != "table2":
        raise ValueError(f"{table}.{row}.{col} cannot be negative")
    name = f"{table}.{row}.{col}"
    rv = _log(rec)
    was = (rv["cells"].get(name) or {}).get("was", {"value": cell.get("value"), "confidence": cell.get("confidence")})
    cell["value"] = v
    cell["confidence"] = PERSON
    rv["cells"][name] = {"action": "corrected" if v != was["value"] else "accepted", "value": v, "was": was}
    return refresh(rec)


def accept_cell(record: dict[str, Any], table: str, row: str, col: str) -> dict[str, Any]:
    """A copy of the record with the cell's reading confirmed by a person (same value, confidence 1.0)."""
    return apply_correction(record, table, row, col, record["tables"][table][row][col].get("value"))


def correct_meta(record: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """A copy with meta.agency / meta.year / meta.published_on set by a person."""
    rec = copy.deepcopy(record)
    cell = rec.setdefault("meta", {}).setdefault(key, {"value": None, "confidence": ABSENT, "span": None})
    if key == "year":
        value = parse_value(value, decimal=False)
    rv = _log(rec)
    rv.setdefault("meta", {})[key] = {"value": value, "was": cell.get("value")}
    cell["value"], cell["confidence"] = value, PERSON
    return refresh(rec)


def _fact(rec: dict[str, Any], index: int) -> dict[str, Any]:
    facts = rec.get("facts") or []
    if not 0 <= index < len(facts):
        raise IndexError(f"no fact {index} (the record has {len(facts)})")
    return facts[index]


def _settle_fact(record: dict[str, Any], index: int, action: str, changes: dict[str, Any] | None = None) -> dict[str, Any]:
    """A copy with fact `index` settled by a person: logged with what it was, confidence 1.0."""
    rec = copy.deepcopy(record)
    f = _fact(rec, index)
    entry: dict[str, Any] = {"action": action}
    if changes is not None:
        entry["changes"] = changes
    entry["was"] = {k: f.get(k) for k in ("metric", "channel", "value", "confidence")}
    f.update(changes or {})
    f["confidence"] = PERSON
    _log(rec)["facts"][str(index)] = entry
    return refresh(rec)


def accept_fact(record: dict[str, Any], index: int) -> dict[str, Any]:
    """A copy with fact `index` confirmed as read (confidence 1.0)."""
    return _settle_fact(record, index, "accepted")


def correct_fact(record: dict[str, Any], index: int, **changes: Any) -> dict[str, Any]:
    """A copy with fact `index` corrected (metric, channel, value, role, approx, category, unit).

    The span is the text's and stays: a fact that is not where the machine
    says is a rejection plus a new fact.  `value` is parsed like a cell's.
    """
    bad = set(changes) - {"metric", "channel", "value", "unit", "role", "approx", "category"}
    if bad:
        raise ValueError(f"cannot change {sorted(bad)} of a fact")
    if "metric" in changes and changes["metric"] not in metric_ids():
        raise ValueError(f"unknown metric {changes['metric']!r}")
    if changes.get("channel") and changes["channel"] not in channel_ids():
        raise ValueError(f"unknown channel {changes['channel']!r}")
    if "value" in changes:
        changes["value"] = parse_value(changes["value"])
        if changes["value"] is None:
            raise ValueError("a fact has a value (reject it instead)")
    return _settle_fact(record, index, "corrected", changes)


def reject_fact(record: dict[str, Any], index: int) -> dict[str, Any]:
    """A copy with fact `index` marked as not a fact (a distractor): annotated as metric "other"."""
    return _settle_fact(record, index, "rejected")


def corrections_of(record: dict[str, Any]) -> dict[str, Any]:
    """The person's decisions carried by a reviewed record (what `to_annotation` writes)."""
    rv = review_log(record)
    return {"cells": dict(rv.get("cells", {})), "facts": dict(rv.get("facts", {})), "meta": dict(rv.get("meta", {}))}


def refresh(rec: dict[str, Any]) -> dict[str, Any]:
    """Re-run the identity checks after a person's change and ask the report for its confidence and needs_review.

    In place.  The record is rebuilt as a `Report` and asked, because the
    confidence and review policy live in `extractor.confidence` alone: a
    copy of it here, on dicts, once counted facts the report deliberately
    leaves out (issue 9), flagging a corrected record again for one fact at
    0.7.  The identity checks are run on a copy of the tables (they cap the
    confidence of the cells they name) and replace the record's identity
    checks where they stand; other checks (agreement with the prose,
    cross-year) are kept.  An identity-failure issue goes once its rule
    holds; an ambiguous run is resolved once a person settled every cell
    with readings in it.
    """
    report = Report.from_dict(rec)
    tables = copy.deepcopy(report.tables)
    certain = {(t, r, c) for t, r, c, cell in report.cells() if cell.confidence >= CERTAIN}
    fresh = {ch.rule: ch for ch in run_checks(tables, certain)}
    identities = {rule.name for rule in expand()}
    checks = []
    for ch in report.checks:
        if ch.rule not in identities:
            checks.append(ch)
        elif ch.rule in fresh:  # an identity no longer run has nothing left to check: every cell is empty
            checks.append(fresh.pop(ch.rule))
    checks.extend(fresh.values())
    holds = {ch.rule for ch in checks if ch.ok and ch.rule in identities}
    issues = [i for i in report.issues
              if not (i.code.endswith(_IDENTITY_FAILURES) and i.message.split(":")[0] in holds)]
    done = review_log(rec)["cells"]
    for issue in issues:
        if issue.code.endswith(".ambiguous"):
            inside = [f"{t}.{r}.{c}" for t, r, c, cell in report.cells() if cell.candidates
                      and (issue.span is None or (cell.span is not None and issue.span[0] <= cell.span[0] < issue.span[1]))]
            if inside and all(name in done for name in inside):
                issue.resolved = True
    report.checks, report.issues = checks, issues
    out = report.to_dict()
    for key in ("checks", "issues", "confidence", "needs_review", "indicators"):
        rec[key] = out[key]
    return rec
