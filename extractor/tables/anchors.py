"""Where a table's labels stand in the text: the anchors its value material is cut between.

The layout-agnostic idea: whatever the flattening (one cell per line, tab
rows, pipes, markdown, one glued line), a row's numbers stand after its
label and before the next label or piece of table furniture.  So we find
anchors — row labels in their official order (exact variants, then the
row classifier or fuzzy matching for the rows still missing), headers and
group labels anywhere — and `material` cuts the text between them.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Protocol, Sequence


import regex as re
from rapidfuzz import fuzz

from extractor.confidence import FUZZY_MIN
from extractor.spec.labels import Row
from extractor.tables.material import placeholder_words
from extractor.text.numerals import ORDINALS


class RowClassifier(Protocol):
    """What anchoring asks of the trained row classifier (`extractor.classify.rows`)."""

    def fill_rows(self, text: str, start: int, end: int, table: str, rows: Sequence[Row],
                  found: list["Anchor | None"], blocked: list["Anchor"], make_anchor: Callable[..., "Anchor"]) -> None: ...

    def span_probabilities(self, text: str, table: str, spans: Sequence[tuple[int, int]]) -> list[dict[str, float]]:
        """For each span of label text, what the last fragment in it that reads as a row is accepted as (the
        labels and their probabilities; {} when none reads as a row)."""
        ...

@dataclass(slots=True)
class Anchor:
    key: str  # row key, or "furniture"
    start: int
    end: int
    how: str  # "exact" | "fuzzy" | "model" | "ordered" | "order_uncertain" | "header" | "group" | "heading"
    score: float = 100.0
    group: dict | None = None


@lru_cache(maxsize=None)
def _compiled(patterns: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in sorted(patterns, key=len, reverse=True)))


def furniture(text: str, start: int, end: int, patterns: tuple[str, ...], literals: tuple[str, ...] = ()) -> list[Anchor]:
    """Headers and group labels: never values, and they end a row's material."""
    out: list[Anchor] = []
    if patterns:
        for m in _compiled(patterns).finditer(text, start, end):
            out.append(Anchor("furniture", m.start(), m.end(), "header"))
    for lit in literals:
        for m in _literal(lit).finditer(text, start, end):
            out.append(Anchor("furniture", m.start(), m.end(), "group"))
    return out


@lru_cache(maxsize=None)
def _literal(lit: str) -> re.Pattern:
    """A group label as a compiled pattern: compiled once, not looked up per table."""
    return re.compile(re.escape(lit))


def _overlaps(a: int, b: int, spans: list[Anchor]) -> bool:
    return any(x.start < b and a < x.end for x in spans)


def _ordinal_start(text: str, s: int, ordinal: int | None) -> int:
    """Extend an anchor back over its printed ordinal ("2." of "2.重复申请").

    Glued text fuses that ordinal onto the previous row's digits
    (`00000002.其他法律…`); it belongs to the label only when punctuation
    follows it, so a bare digit is never taken from a value.
    """
    if ordinal is None:
        m = _CN_ORDINAL.search(text[max(0, s - 6):s])
        return s - (len(text[max(0, s - 6):s]) - m.start()) if m else s
    m = _ordinal_rx(ordinal).search(text[max(0, s - 5):s])
    if m is None:
        # Misnumbered ("00000003.其他法律…" for 2.): a digit and "."/"、" right
        # before a label is its number, never a cell value.
        m = _ANY_ORDINAL.search(text[max(0, s - 5):s])
    return s - (len(text[max(0, s - 5):s]) - m.start()) if m else s


_ANY_ORDINAL = re.compile(r"[(]?\d[.、)]\s*$")


# "二、" / "(一)" before a row label: part of the label, never a value.
_CN_ORDINAL = re.compile(rf"(?:[{ORDINALS}]{{1,2}}、|\([{ORDINALS}]{{1,2}}\))\s*$")


@lru_cache(maxsize=None)
def _ordinal_rx(ordinal: int) -> re.Pattern:
    """The row's own ordinal before its label; also glued to a run of digits and ending a line without its
    point (`00000008` + line break + `属于行政查询事项`: OCR drops a point at a line's end).  If that digit
    was the run's, the run lacks a digit and the row's identities fail: flagged, never silent."""
    return re.compile(rf"[(]?{ordinal}[.、)]\s*$|(?<=\d){ordinal}\n$")


def find_rows(text: str, start: int, end: int, table: str, rows: tuple[Row, ...], blocked: list[Anchor],
              optional: frozenset[str] = frozenset(), row_classifier: RowClassifier | None = None) -> list[Anchor | None]:
    """Row anchors in official order; None for a row not found.

    Exact variant matches first, searched from the previous anchor on and
    skipping furniture; rows still missing are anchored by the row
    classifier (fuzzy matching alone without one) in the gap their
    neighbours leave.
    """
    found: list[Anchor | None] = []
    cursor = start
    for row in rows:
        best: Anchor | None = None
        for v in row.match:
            pos = cursor
            while True:
                i = text.find(v, pos, end)
                if i < 0:
                    break
                if not _overlaps(i, i + len(v), blocked):
                    if best is None or i < best.start or (i == best.start and i + len(v) > best.end):
                        best = Anchor(row.key, i, i + len(v), "exact")
                    break
                pos = i + 1
        if best is not None:
            best.start = label_start(text, best.start, best.end, row, start)
            cursor = best.end
        found.append(best)
    # The classifier and fuzzy matching are for rows the report must have;
    # a row its template lacks (`optional`) is allowed to be missing.
    if any(a is None and row.key not in optional for row, a in zip(rows, found)):
        if row_classifier is None:
            _fuzzy_only(text, start, end, rows, found, blocked)
        else:
            row_classifier.fill_rows(text, start, end, table, rows, found, blocked, Anchor)
    return found


# Words of a reworded label left in front of the variant that matched
# ("5.属三类…" found at "三类…"): Han characters and label punctuation, never
# the placeholders 无/空, never a digit or a cell boundary.
@lru_cache(maxsize=1)
def _remnant() -> re.Pattern:
    w = placeholder_words()
    return re.compile(rf"(?:[{w}](?=[\u4e00-\u9fff])|(?![{w}])[\u4e00-\u9fff“”\"、,()]){{1,12}}$")


def label_start(text: str, s: int, e: int, row: Row, floor: int) -> int:
    """Where a row label found at [s, e) really starts: with its cut-off words, remnants and ordinal."""
    s = _extend_back(text, s, row.match[0], text[s:e], floor)
    s = _remnant_start(text, s, row.ordinal)
    return max(floor, _ordinal_start(text, s, row.ordinal))


def _remnant_start(text: str, s: int, ordinal: int | None) -> int:
    """Take in a reworded label's leading words, when an ordinal (or a boundary) stands before them."""
    m = _remnant().search(text[max(0, s - 12):s])
    if not m:
        return s
    r = s - (len(text[max(0, s - 12):s]) - m.start())
    if ordinal is not None:
        return r if _ordinal_start(text, r, ordinal) < r else s
    before = text[r - 1] if r > 0 else "\n"
    return r if before in " \t\n|" else s


def _extend_back(text: str, s: int, full: str, matched: str, floor: int) -> int:
    """Take in the part of a label a line break or space cut off before the match.

    "4.无\n正当理由大量反复申请" is found by its variant "大量反复申请"; the
    remnant "无\n正当理由" (and its ordinal) belongs to the label, not to the
    previous row's values.
    """
    k = full.find(matched)
    if k <= 0:
        return s
    prefix = full[:k]
    i, j = s - 1, len(prefix) - 1
    while j >= 0 and i >= floor:
        ch = text[i]
        if ch in " \t\n、,":
            i -= 1
            continue
        if ch != prefix[j]:
            return s
        i -= 1
        j -= 1
    return i + 1 if j < 0 else s


def _fuzzy_only(text: str, start: int, end: int, rows: tuple[Row, ...], found: list[Anchor | None], blocked: list[Anchor]) -> None:
    for i, row in enumerate(rows):
        if found[i] is not None:
            continue
        lo = next((found[k].end for k in range(i - 1, -1, -1) if found[k]), start)
        hi = next((found[k].start for k in range(i + 1, len(rows)) if found[k]), end)
        gap = text[lo:hi]
        if not gap.strip() or hi - lo > 400:
            continue
        label = row.match[0]
        al = fuzz.partial_ratio_alignment(label, gap, score_cutoff=FUZZY_MIN)
        if al is None or len(label) < 3:
            continue
        s, e = lo + al.dest_start, lo + al.dest_end
        if any(ch.isdigit() for ch in text[s:e]) or _overlaps(s, e, blocked):
            continue
        found[i] = Anchor(row.key, label_start(text, s, e, row, lo), e, "fuzzy", al.score)


def dedupe(anchors: list[Anchor]) -> list[Anchor]:
    """Keep the longest of overlapping furniture matches."""
    anchors.sort(key=lambda a: (a.start, -(a.end - a.start)))
    kept: list[Anchor] = []
    for a in anchors:
        if kept and a.start < kept[-1].end:
            continue
        kept.append(a)
    return kept
