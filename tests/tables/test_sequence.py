"""Sequence decoding: value segments in document order, placed on the official rows by a bounded DP."""
from __future__ import annotations

from extractor.spec.labels import labels
from extractor.tables.sequence import GAP, decode, label_score, segments


def _cost(_mat) -> float:
    return 0.0


def _no_evidence(_seg, _row) -> float:
    return 0.0


def test_an_ordinal_on_its_own_line_is_never_a_value():
    text = "| 5. |\n| 属于三类内部事务信息 |\n| 0 | 1 | 0 | 0 | 0 | 0 | 1 |\n"
    segs = segments(text, 0, len(text))
    assert len(segs) == 1 and [a.text for a in segs[0].atoms] == ["0", "1", "0", "0", "0", "0", "1"]
    assert "属于三类内部事务信息" in segs[0].label


def test_rows_without_labels_are_placed_by_count():
    rows = labels().table3_rows[:3]
    text = "\n".join("| " + " | ".join(str(v) for v in [k, 0, 0, 0, 0, 0, k]) + " |" for k in (4, 5, 6))
    (best, *_) = decode(segments(text, 0, len(text)), rows, 7, frozenset(), _cost, _no_evidence)
    assert best.structural == 0
    assert [best.materials[r.key].atoms[0].text for r in rows] == ["4", "5", "6"]


def test_a_missing_row_is_a_gap_placed_by_its_label():
    rows = labels().table3_rows[:3]  # new, carried_over, granted
    text = ("| 一、本年新收政府信息公开申请数量 | 4 | 0 | 0 | 0 | 0 | 0 | 4 |\n"
            "| （一）予以公开 | 6 | 0 | 0 | 0 | 0 | 0 | 6 |\n")
    segs = segments(text, 0, len(text))
    evidence = lambda seg, row: label_score(seg.label, row)  # noqa: E731
    best = decode(segs, rows, 7, frozenset(), _cost, evidence)[0]
    assert best.structural == GAP and "carried_over" not in best.materials
    assert best.materials["granted"].atoms[0].text == "6"


def test_label_evidence_never_shifts_rows_of_a_full_table():
    """A label printed one row late reads as the next row, but the count of rows of values decides."""
    rows = labels().table3_rows[:2]
    text = "| 1 | 0 | 0 | 0 | 0 | 0 | 1 |\n| 一、本年新收 |\n| 2 | 0 | 0 | 0 | 0 | 0 | 2 |\n| 二、上年结转 |\n"
    evidence = lambda seg, row: label_score(seg.label, row)  # noqa: E731
    best = decode(segments(text, 0, len(text)), rows, 7, frozenset(), _cost, evidence)[0]
    assert best.materials["new"].atoms[0].text == "1" and best.materials["carried_over"].atoms[0].text == "2"
