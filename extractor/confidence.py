"""What a confidence means, in one place: the named levels, how they combine, the review line.

A confidence is a claim about how often a value is wrong, so it must mean
the same thing wherever it is written.  Every level a value can be given is
a row of `LEVELS` (name, value, what it applies to, when); the stages ask
for a level by name, and nothing else in the package writes a confidence
literal.  The README's confidence table is checked against `LEVELS` by a
test, and `benchmarks/calibration.py` measures how often each level was
wrong.

The two combinations:

- a cell: the level its reading earned, never above its row's anchor
  (`cell`, with `anchor` for the anchor's own confidence), and capped at
  `check_failed` when an identity naming it fails;
- a report: its least certain table cell, at most `report_check_failed`
  while a check that flags it fails, 0 when nothing was read (`report`).

The review policy is reasons, not one bit (`REASONS`, `review_reasons`):
a record says why a person should look — a reading in doubt (a table cell
below `REVIEW_BELOW`, an open issue such as a row blank, missing, ambiguous
or unsolved and not settled by a person, a failing check of cause
`reading`), the report's own figures disagreeing though read without doubt
(`agency` cause), another report of the batch disagreeing with figures read
without doubt, or an input that could not be read — and `needs_review` is
true when one of those reasons asks a person to act.  A year chain broken
between two readings without doubt is a fact about the agency's figures
(re-counts, 自然失效, 修订), recorded as `cross_report` and not a flag.  A
fact's confidence alone is no reason: measured, the facts model is
under-confident (README), so it would flag nearly every record.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Protocol


class _Reviewable(Protocol):
    """What the review policy reads of a report (`record.Report`, which imports this module).

    A check of `checks` has `rule`, `ok`, `cells`, `cause` and `other` (the
    other report a cross-report check names, else None); an issue has
    `code`, `resolved`.
    """

    error: Any
    checks: list
    issues: list

    def cells(self) -> Iterator[tuple[str, str, str, Any]]: ...


@dataclass(frozen=True)
class Level:
    name: str
    value: float
    applies_to: str  # "cell" | "anchor" | "report" | "fact" | "meta"
    when: str


LEVELS: tuple[Level, ...] = (
    # ---- table cells: how the value was read
    Level("printed", 0.99, "cell", "printed as its own cell, and the identities covering it hold"),
    Level("printed_unchecked", 0.97, "cell", "printed as its own cell where no identity covers it (table 2)"),
    Level("solved", 0.96, "cell", "cut out of a glued run (or a torn number re-joined), and exactly one reading of the whole table satisfies the identities"),
    Level("placeholder", 0.95, "cell", "a placeholder (`/`, `—`, `无`) read as 0"),
    Level("preferred", 0.93, "cell", "glued; several readings satisfy the identities and this one is clearly the cheapest (fewest repairs)"),
    Level("agreed", 0.90, "cell", "a cell every equally cheap reading of an ambiguous table-2 run reads the same"),
    Level("chained", 0.88, "cell", "a doubted glued run settled by a year chain (结转, 现行有效) with another report of the batch whose cells are read without doubt: the one reading that fits; `settled` names the other report"),
    Level("narrative", 0.85, "cell", "a table-2 glued run settled by a number the narrative states"),
    Level("check_failed", 0.85, "cell", "the cap of a cell named by a failing identity"),
    Level("second", 0.75, "cell", "glued; a clear-second reading differs on this cell"),
    Level("blank", 0.50, "cell", "printed blank (the value is null)"),
    Level("ambiguous", 0.45, "cell", "several readings fit equally; `candidates` lists them"),
    Level("capped", 0.40, "cell", "the search for readings hit its cap: the cheapest reading found, not proved"),
    Level("unsolved", 0.30, "cell", "no reading satisfies the identities, or many equally cheap readings differ here"),
    Level("absent", 0.00, "cell", "not read: the report does not have the cell, or it was not found"),
    Level("person", 1.00, "cell", "set or accepted by a person in review"),
    Level("ocr_proved", 0.88, "cell", "read by OCR, and every identity naming it holds: above the review line, never a claim of certainty"),
    Level("ocr", 0.75, "cell", "read by OCR where no identity proves it (none covers it, or one naming it fails)"),
    # ---- row anchors: how sure the numbers belong to their row
    Level("exact_label", 1.00, "anchor", "the row's label (or a variant of it) printed intact"),
    Level("fuzzy_floor", 0.50, "anchor", "a fuzzy label match at the acceptance cut-off (`FUZZY_MIN`)"),
    Level("fuzzy_top", 0.85, "anchor", "a perfect fuzzy match: fuzzy matching alone never reaches `CERTAIN`"),
    Level("ordered", 0.92, "anchor", "placed by the order of the table's value rows (labels broken or displaced): every row took one row of values, none skipped, and the identities hold"),
    Level("order_uncertain", 0.60, "anchor", "placed by order with a row gap or stray values: the order alone does not prove which row is which"),
    # ---- the report
    Level("report_check_failed", 0.50, "report", "the most a report can claim while one of its checks fails"),
    # ---- narrative facts read by rules alone (no model): all below the review line
    Level("rule_cue", 0.76, "fact", "a cue word of the metric before the number"),
    Level("rule_right", 0.74, "fact", "a cue word after the number's unit"),
    Level("rule_breakdown", 0.72, "fact", "a part of a breakdown (其中…) of a fact"),
    Level("rule_list", 0.72, "fact", "a number in a list continuing a fact"),
    Level("rule_posts", 0.72, "fact", "a count of posts by a weaker cue"),
    Level("rule_comma", 0.66, "fact", "a number after a comma continuing a fact"),
    Level("rule_other", 0.60, "fact", "labelled by a rule of any other kind"),
    Level("fact_unseen", 0.50, "fact", "a metric the facts model never saw in training"),
    Level("restatement", 0.70, "fact", "a prose total restating a table value, not a spec fact"),
    # ---- meta read from the title, header and signature
    Level("title_year", 0.95, "meta", "the year in the report's title"),
    Level("title_agency", 0.90, "meta", "the agency before the year in the title"),
    Level("header_date", 0.90, "meta", "a publication date in the crawler's header"),
    Level("agency_line_before", 0.85, "meta", "the agency on the line above the title"),
    Level("period_year", 0.90, "meta", "the year of the statistics period (统计期限…1月1日) where no title gives one"),
    Level("signature_date", 0.80, "meta", "the signature date at the end"),
    Level("agency_after_year", 0.70, "meta", "the agency between the year and 政府信息公开 in the title"),
    Level("overview_agency", 0.70, "meta", "the body named at the start of the overview (2023年，省教育厅坚持…) where no title names it"),
    Level("agency_junk", 0.30, "meta", "an agency name that reads like site furniture (Latin runs, 官网)"),
)

_BY_NAME = {level.name: level for level in LEVELS}


def value(name: str) -> float:
    """The value of a named level (KeyError for a name the table does not have)."""
    return _BY_NAME[name].value


# A value at or above this is one we claim is right (README: how often it was not).
CERTAIN = 0.9
# Below this, a person must look.
REVIEW_BELOW = 0.8
# Fuzzy label matches below this score (0-100, rapidfuzz) are not anchors.
FUZZY_MIN = 82.0
# Issue codes that keep a record under review until a person settles them.
OPEN_ISSUES = (".blank", ".missing", ".ambiguous", ".unsolved", ".search_capped")

PRINTED = value("printed")
PRINTED_UNCHECKED = value("printed_unchecked")
SOLVED = value("solved")
PLACEHOLDER = value("placeholder")
PREFERRED = value("preferred")
AGREED = value("agreed")
NARRATIVE = value("narrative")
CHAINED = value("chained")
CHECK_FAILED = value("check_failed")
SECOND = value("second")
BLANK = value("blank")
AMBIGUOUS = value("ambiguous")
CAPPED = value("capped")
UNSOLVED = value("unsolved")
ABSENT = value("absent")
PERSON = value("person")

# What each way a rule labels a fact earns without the model (`narrative.decide` names the ways).
RULE_FACT = {how: value(f"rule_{how}") for how in ("cue", "right", "breakdown", "list", "comma", "posts")}
RULE_FACT_OTHER = value("rule_other")

# Where every calibration (cells, facts, classifier probabilities) cuts its
# bins: the review line, the certainty line, and the levels above it; the
# last bin holds a 1.0.
CALIBRATION_EDGES = (ABSENT, BLANK, REVIEW_BELOW, CERTAIN, PLACEHOLDER, PRINTED, math.nextafter(1.0, math.inf))


def anchor(how: str, score: float) -> float:
    """How sure we are a row's numbers belong to it.

    1.0 for an exact label match; the calibrated classifier probability for
    a classifier anchor (`score` = 100 p); fuzzy-only, the match's margin
    over the cut-off scaled from `fuzzy_floor` to `fuzzy_top`, never
    reaching `CERTAIN`, since a fuzzy match alone does not tell two similar
    labels apart.  Identities do not raise it: two outcome rows swapped keep
    every sum.  A row placed by order (sequence decoding) gets `ordered`
    when nothing was skipped, `order_uncertain` otherwise.
    """
    if how == "model":
        return max(0.0, min(1.0, score / 100.0))
    if how in ("ordered", "order_uncertain"):
        return value(how)
    if how == "fuzzy":
        floor, top = value("fuzzy_floor"), value("fuzzy_top")
        x = (score - FUZZY_MIN) / (100.0 - FUZZY_MIN)
        return floor + (top - floor) * max(0.0, min(1.0, x))
    return value("exact_label")


def cell(reading: float, anchor_confidence: float = 1.0) -> float:
    """A cell is never more certain than its row's anchor."""
    return min(reading, anchor_confidence)


def ocr_cell(reading: float, proved: bool) -> float:
    """A cell read by OCR: below the review line unless every identity naming it holds (`proved`).

    OCR misreads digits (`8`/`3`, a dropped digit, a speck read as a
    point), so what it read is evidence only as far as the sums confirm it;
    even then a misread the sums cannot see (two that cancel) stays
    possible, so a proved OCR cell is kept under `CERTAIN`.
    """
    return min(reading, value("ocr_proved") if proved else value("ocr"))


def report(cell_confidences: Iterable[float], *, check_failed: bool, error: bool) -> float:
    """The report as a whole: its least certain table cell (one doubtful number is enough to need a look)."""
    confs = list(cell_confidences)
    if error or not confs:
        return 0.0
    c = min(confs)
    if check_failed:
        c = min(c, value("report_check_failed"))
    return c


@dataclass(frozen=True)
class Reason:
    """A kind of reason for a look: whether it asks a person to act (sets `needs_review`), and when it is given."""

    kind: str
    review: bool
    when: str


REASONS: tuple[Reason, ...] = (
    Reason("input", True, "the input, or a part of it, could not be read (the record's `error`, or an issue of `INPUT_ISSUES`)"),
    Reason("reading_doubt", True, "a table cell below the review line, an open issue of the reading (a row blank, missing, ambiguous, unsolved or capped; `OPEN_ISSUES`), or a failing check of cause `reading` (a cross-report one where a cell of this report it names is below the review line)"),
    Reason("agency_inconsistent", True, "the report's own figures disagree though every cell involved was read without doubt: a failing identity or prose total of cause `agency`"),
    Reason("cross_report", False, "another report of the batch disagrees with figures of this one read without doubt (at or above the review line; a year chain the agency's own figures break): recorded and named, not a doubt about the reading"),
)
_REASON = {r.kind: r for r in REASONS}
# Issue codes of an input read only in part.
INPUT_ISSUES = ("input.truncated",)


def _named_cells(check: Any) -> list[str]:
    """The table cells a check names (`table.row.col`; prose totals name `fact@s-e` too)."""
    return [c for c in check.cells if c.startswith("table")]


def _doubts(check: Any, confidence_of: dict[str, float]) -> bool:
    """Whether a failing check doubts this report's reading.

    A per-report check says so by its cause.  A cross-report check is
    attached to one report but compares two: it doubts this one's reading
    only where a cell of this report it names was read in doubt (below the review line)
    (the other report's doubts are that report's own reasons).
    """
    if check.other is None:
        return check.cause != "agency"
    return any(confidence_of.get(c, ABSENT) < REVIEW_BELOW for c in _named_cells(check))


def review_reasons(rep: _Reviewable) -> list[dict[str, Any]]:
    """Why a person should look at a report: one entry per kind of `REASONS` that applies, in that order.

    Each entry is {"reason": kind, "review": whether it asks a person to
    act, ...} with what it is about: `cells` (table.row.col), `issues`
    (codes), `checks` (rules) and, for `cross_report`, `reports` (the other
    reports named).
    """
    found: dict[str, dict[str, list]] = {}

    def add(kind: str, key: str, *items: Any) -> None:
        bucket = found.setdefault(kind, {}).setdefault(key, [])
        bucket.extend(i for i in items if i not in bucket)

    if rep.error is not None:
        add("input", "issues", rep.error.code)
    confidence_of: dict[str, float] = {}
    for table, row, col, c in rep.cells():
        name = f"{table}.{row}.{col}"
        confidence_of[name] = c.confidence if c.value is not None else PERSON
        if c.value is not None and c.confidence < REVIEW_BELOW:
            add("reading_doubt", "cells", name)
    for issue in rep.issues:
        if issue.resolved:
            continue
        if issue.code in INPUT_ISSUES:
            add("input", "issues", issue.code)
        elif issue.code.endswith(OPEN_ISSUES):
            add("reading_doubt", "issues", issue.code)
    for check in rep.checks:
        if check.ok:
            continue
        if _doubts(check, confidence_of):
            kind = "reading_doubt"
        else:
            kind = "agency_inconsistent" if check.other is None else "cross_report"
        add(kind, "checks", check.rule)
        add(kind, "cells", *_named_cells(check))
        if check.other is not None:
            add(kind, "reports", check.other)
    return [{"reason": r.kind, "review": r.review, **found[r.kind]} for r in REASONS if r.kind in found]


def needs_review(rep: _Reviewable, reasons: list[dict[str, Any]] | None = None) -> bool:
    """Whether a person must act on a report: one of its reasons (`review_reasons`, or given) asks it."""
    return any(_REASON[r["reason"]].review for r in (review_reasons(rep) if reasons is None else reasons))


def check_flags(reasons: list[dict[str, Any]]) -> bool:
    """Whether a failing check flags the report (the report's confidence is then capped, `report`)."""
    return any(r["review"] and r.get("checks") for r in reasons)
