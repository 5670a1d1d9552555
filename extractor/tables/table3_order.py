"""Table 3 read by the order of its value rows, where label anchoring could not read it.

`sequence` aligns the region's value segments to the official rows; here
each placement it proposes (cheapest first) is read and solved exactly as
label anchoring's rows are (`rows3`), and the first whose identities hold
is kept.  Where a placed row starts where label anchoring found that row's
label, the row keeps its label anchor; otherwise it is `ordered` (every row
took one row of values, none skipped, and the identities hold: the order
proves it) or `order_uncertain` (a gap or stray values: the order alone
does not say which row is which).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from extractor import budget
from extractor.spec.labels import Row, labels
from extractor.tables.anchors import Anchor, RowClassifier
from extractor.tables.cells import row_total_ok
from extractor.tables.material import RowMaterial
from extractor.tables.readings import enumerate_readings, forced_reading
from extractor.tables.rows3 import RowMemo, Rows3, settled, solve_rows
from extractor.tables.sequence import TOTAL_FAILS, Placement, Segment, decode, label_scores, segments
from extractor.tables.solve import MAX_WORK, Solved

# Steps one row's check of its total may take while placements are scored (a glued run is searched).
ROW_CHECK_STEPS = 2_000


@dataclass
class ByOrder:
    """What sequence decoding found: the rows and solution it settled on (or None), and a report."""

    chosen: tuple[Rows3, Solved] | None = None
    # The one-to-one placement (every row one row of values, none skipped, each row's total adding up)
    # when no placement satisfies the identities: the agency's own arithmetic, or a misreading; never proved.
    unproved: tuple[Rows3, Solved] | None = None
    report: dict = field(default_factory=dict)
    best: Placement | None = None  # the cheapest placement, settled or not

    def disagreeing(self, by_labels: Rows3) -> list[str]:
        """Rows label anchoring read from other values than the cheapest placement by order."""
        if self.best is None:
            return []
        out = []
        for key, m in by_labels.materials.items():
            if m.empty():
                continue
            span = self.best.spans.get(key)
            if span is None or not m.atoms or m.atoms[0].start != span[0]:
                out.append(key)
        return out


def _keeps_values(p: Placement, by_labels: Rows3, ncols: int) -> bool:
    """Every row of values label anchoring read is placed on some row (a displaced label may name another).

    A row's worth means at least `ncols` printed characters: a lone number
    (a page number before the next label) may be left out as stray.
    """
    placed = {a.start for m in p.materials.values() for a in m.atoms if a.kind != "blank"}
    return all(_first_value(m) in placed for m in by_labels.materials.values()
               if sum(len(a.text) for a in m.atoms if a.kind != "blank") >= ncols)


def _first_value(m: RowMaterial) -> int:
    return next(a.start for a in m.atoms if a.kind != "blank")


def _row_cost(mat: RowMaterial) -> float:
    """A row of values whose total cannot add up costs; a readable one is free."""
    if mat.empty():
        return 0.0  # a row printed blank
    ncols = len(labels().col3)
    fast = forced_reading(mat, ncols)
    if fast is not None:
        return 0.0 if row_total_ok(fast.cells) else TOTAL_FAILS
    rs, _ = enumerate_readings(mat, ncols, accept=row_total_ok, limit=1, max_steps=ROW_CHECK_STEPS)
    return 0.0 if rs else TOTAL_FAILS


def _free_gaps(text: str, start: int, end: int, template: str) -> frozenset[str]:
    """The newer template's rows a 2019 (or hybrid) table lacks, unless their labels are printed."""
    new_only = [r for r in labels().table3_rows if r.new_template_only]
    if template != "2019" and any(v in text[start:end] for r in new_only for v in r.match if len(v) >= 4):
        return frozenset()
    return frozenset(r.key for r in new_only)


def _evidence(classifier_probs: dict[tuple[int, int], dict[str, float]], rows: tuple[Row, ...]):
    """Label evidence for a segment's first row: fuzzy similarity, or the classifier's probability.

    A fragment's similarity to every row is worked out at once, the first time it is asked.
    """
    index = {row.key: i for i, row in enumerate(rows)}
    fuzzy: dict[str, list[float]] = {}

    def evidence(seg: Segment, row: Row) -> float:
        if seg.label not in fuzzy:
            fuzzy[seg.label] = label_scores(seg.label, rows)
        p = classifier_probs.get(seg.label_span, {}).get(f"table3.{row.key}", 0.0)
        return max(fuzzy[seg.label][index[row.key]], p)
    return evidence


def read_by_order(text: str, start: int, end: int, template: str, row_classifier: RowClassifier | None,
                  by_labels: Rows3) -> ByOrder:
    """Table 3 placed by row order (see the module docstring)."""
    lab = labels()
    rows = lab.table3_rows
    segs = segments(text, start, end, blank_row=len(lab.col3))
    out = ByOrder(report={"segments": len(segs), "placements": 0, "status": "none"})
    if not segs:
        return out
    probs: dict[tuple[int, int], dict[str, float]] = {}
    if row_classifier is not None:
        spans = [s.label_span for s in segs if s.label_span[1] > s.label_span[0]]
        probs = dict(zip(spans, row_classifier.span_probabilities(text, "table3", spans)))
    free = _free_gaps(text, start, end, template)
    placements = decode(segs, rows, len(lab.col3), free, _row_cost, _evidence(probs, tuple(rows)))
    out.best = placements[0] if placements else None
    memo: RowMemo = {}  # placements share most rows' material: each is read once
    work = budget.Steps(MAX_WORK)  # and one joint-search budget (the corpus needs under 100 steps a table)
    for p in placements:
        out.report["placements"] += 1
        st = Rows3(materials=p.materials, spans=p.spans)
        how = "ordered" if p.structural == 0 else "order_uncertain"
        for key, (s, e) in p.spans.items():
            a, m = by_labels.anchors.get(key), by_labels.materials.get(key)
            agrees = a is not None and a.how == "exact" and m is not None and bool(m.atoms) and m.atoms[0].start == s
            st.anchors[key] = a if agrees else Anchor(key, s, e, how)
        if not _keeps_values(p, by_labels, len(lab.col3)):
            continue
        solved = solve_rows(st, memo, work)
        if settled(st, solved):
            out.chosen = (st, solved)
            out.report["status"] = how
            return out
        if p.structural == 0 and out.unproved is None:
            for key, (s, e) in p.spans.items():
                if st.anchors[key].how == "ordered":
                    st.anchors[key] = Anchor(key, s, e, "order_uncertain")
            out.unproved = (st, solved)
    return out

