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


def test_a_line_of_empty_pipe_fields_after_the_values_is_a_blank_row():
    text = ("| 申请人情况 |  |  |  |  |  |  |  |\n"  # the header's empty fields: never a blank row
            "| 1 | 0 | 0 | 0 | 0 | 0 | 1 |\n|  |  |  |  |  |  |  |\n| 2 | 0 | 0 | 0 | 0 | 0 | 2 |\n")
    segs = segments(text, 0, len(text), blank_row=7)
    assert len(segs) == 1 and [line[0].kind for line in segs[0].lines] == ["num", "blank", "num"]
    assert [a.kind for a in segs[0].lines[1]] == ["blank"] * 7
    rows = labels().table3_rows[:3]
    best = decode(segs, rows, 7, frozenset(), _cost, _no_evidence)[0]
    assert best.structural == 0 and best.materials["carried_over"].empty()
    assert best.materials["granted"].atoms[0].text == "2"


def test_rows_of_values_run_on_over_rows_the_older_template_lacks():
    """pt018 shattered (issue 11): a 2019 table's 其他处理 row printed in one block with the rows before it
    and after it; the newer template's two 其他处理 sub-rows between them take no values."""
    lab = labels()
    rows = lab.table3_rows
    free = frozenset(r.key for r in rows if r.new_template_only)
    lines = [" | ".join(str(v) for v in [k, 0, 0, 0, 0, 0, k]) for k in range(1, 24)]
    text = "| " + " |\n| ".join(lines) + " |\n"
    best = decode(segments(text, 0, len(text)), rows, 7, free, _cost, _no_evidence)[0]
    assert best.structural == 0
    assert not free & set(best.materials)
    assert best.materials["other_other"].atoms[0].text == "21"


def test_stray_numbers_are_left_out_but_a_glued_row_is_not():
    """An OCR header's 数据1 … 数据6 are numbers standing apart: never a row, left out of the DP (its cost)."""
    rows = labels().table3_rows[:2]
    text = "|  | 数据1 | 数据2 | 总计 |\n| 1 | 0 | 0 | 0 | 0 | 0 | 1 |\n| 二、上年结转 | 2000002 |\n"
    segs = segments(text, 0, len(text))
    best = decode(segs, rows, 7, frozenset(), _cost, _no_evidence)[0]
    assert best.structural == 0
    assert best.materials["new"].atoms[0].text == "1" and best.materials["carried_over"].atoms[0].text == "2000002"


def test_a_segments_label_span_covers_every_label_since_the_last_values():
    """pt012 rendered to PDF and flattened by pdfplumber (issue 11d): a row's label wraps over lines, the group
    label `(六)其他处理` is printed on its values' line, and the next rows' labels follow with no values (blank).
    The classifier's evidence (`label_span`) reads every label since the last values, so the first row's label
    counts; fuzzy similarity (`label`) reads the fragment right before the values, as before."""
    text = ("| 1 | 0 | 0 | 0 | 0 | 0 | 1 |\n1.申请人无正当理由逾期不补正、行政\n(六)其他处理 0 0 0 0 0 0 0\n"
            "2.申请人逾期未按收费通知要求缴纳费用\n3.其他\n(七)总计 1 0 0 0 0 0 1\n")
    segs = segments(text, 0, len(text))
    assert [s.label.strip() for s in segs] == ["", "(六)其他处理", "(七)总计"]
    assert [text[slice(*s.label_span)].split("\n")[0] for s in segs[1:]] == ["1.申请人无正当理由逾期不补正、行政",
                                                                           "2.申请人逾期未按收费通知要求缴纳费用"]
