"""Loose numbers in table 2 (extractor/tables/loose.py): a value torn over the lines of a wrapped cell.

The shapes are those of PDF text extractors reading a ruled table by lines
(tests/corpus/pdf_converters.py; hb04's fee amount was the case): the numbers
here are made up.
"""
from __future__ import annotations

import extractor
from extractor import confidence
from extractor.tables.loose import loose_numbers, pieces, torn_readings, torn_tail
from extractor.tables.material import material

HEAD = "二、主动公开政府信息情况\n第二十条第（一）项\n信息内容\n本年制发件数\n本年废止件数\n现行有效件数\n规章\n1\n0\n4\n"
FEES = "第二十条第（八）项\n信息内容\n本年收费金额（单位：万元）\n"
TAIL = "三、收到和处理政府信息公开申请情况\n"


def _t2(body: str) -> dict:
    return extractor.extract(HEAD + body + TAIL).to_dict()


def _values(cell: dict) -> list:
    return [c["value"] for c in cell.get("candidates") or []]


def test_a_fee_amount_whose_first_line_stands_above_its_label_is_rejoined_and_flagged():
    """pdfplumber: the wrapped cell is centred, so `12.34567` prints above the label and `8` below it."""
    rec = _t2(FEES + "12.34567\n行政事业性收费\n8\n")
    cell = rec["tables"]["table2"]["fees"]["amount"]
    assert cell["value"] == 12.345678 and cell["confidence"] == confidence.AMBIGUOUS and rec["needs_review"]
    assert sorted(_values(cell)) == [8, 12.34567, 12.345678]
    assert "table2.loose_number" in [i["code"] for i in rec["issues"]]
    assert rec["tables"]["table2"]["rules"]["in_force"]["confidence"] >= 0.9  # the other rows stand


def test_a_fee_amount_torn_over_two_lines_after_its_label_is_rejoined_and_flagged():
    """pypdfium2: both lines of the wrapped cell after the label (no reading of two pieces as one cell)."""
    rec = _t2(FEES + "行政事业性收费\n12.34567\n8\n")
    cell = rec["tables"]["table2"]["fees"]["amount"]
    assert cell["value"] == 12.345678 and cell["confidence"] < confidence.REVIEW_BELOW
    assert sorted(_values(cell)) == [8, 12.34567, 12.345678]


def test_a_loose_last_line_doubts_the_next_row_too():
    """A row's surplus line may be the next row's first line (its cell centred above its label)."""
    body = ("第二十条第（六）项\n信息内容\n本年处理决定数量\n行政处罚\n81\n1\n行政强制\n2\n")
    t2 = _t2(body)["tables"]["table2"]
    assert t2["punishment"]["decisions"]["confidence"] < confidence.REVIEW_BELOW
    assert t2["coercion"]["decisions"]["confidence"] < confidence.REVIEW_BELOW
    assert 2 in _values(t2["coercion"]["decisions"]) and 12 in _values(t2["coercion"]["decisions"])


def test_rows_printed_one_value_a_line_are_no_loose_numbers():
    rec = _t2(FEES + "行政事业性收费\n12.5\n")
    cell = rec["tables"]["table2"]["fees"]["amount"]
    assert cell["value"] == 12.5 and cell["confidence"] >= 0.9
    assert not any(i["code"] == "table2.loose_number" for i in rec["issues"])
    assert rec["tables"]["table2"]["rules"]["in_force"]["value"] == 4


def test_loose_numbers_are_on_lines_of_numbers_only():
    text = "a\n 12.5 \n| 3 | 4 |\n4 件\n2023\n7.\n"
    loose = loose_numbers(text, 0, len(text))
    assert [x.text for x in loose] == ["12.5", "3", "4", "2023", "7."]
    assert [x.before for x in loose] == ["strong", "strong", "weak", "strong", "strong"]


def test_torn_readings_place_each_lines_pieces_then_leave_a_lone_piece_out():
    """`15` / `3 5` / `6`: the third cell wrapped and centred, the others on its middle line (hb07 in
    narrow cells); the centred placings come first (the prior ranks equals in the record)."""
    text = "15\n3 5\n6\n"
    mat, _ = material(text, 0, len(text))
    assert pieces(mat) == 4
    rs = torn_readings(text, mat.atoms, 3, decimal=False, negative=False, accept=lambda cells: True)
    values = [r.values for r in rs]
    assert set(values[:3]) == {(3, 5, 156), (3, 156, 5), (156, 3, 5)} and rs[0].cost == rs[2].cost < rs[3].cost
    assert (15, 3, 5) in values and (3, 5, 6) in values  # a lone piece left out
    assert len(values) == len(set(values))


def test_a_decimal_torn_at_its_point_is_one_number():
    text = "39\n7.\n61\n9\n"
    mat, pos = material(text, 0, len(text))
    loose = torn_tail(text, mat, pos, len(text))
    rs = torn_readings(text, loose, 1, decimal=True, negative=False, accept=lambda cells: True)
    assert rs[0].values == (397.619,)


def test_a_row_torn_over_the_label_line_reads_the_centred_placing_the_prior_prefers():
    """hb07 in narrow cells (pdfplumber): in force 156 wrapped as `15` above the label line and `6` below,
    so the `15` follows the row above; both rows are flagged."""
    text = (HEAD.split("规章")[0] + "规章 0 0 0\n15\n行政规范性文件 3 5\n6\n" + FEES + "行政事业性收费\n12.5\n" + TAIL)
    rec = extractor.extract(text).to_dict()
    t2 = rec["tables"]["table2"]
    cells = t2["normative_docs"]
    assert [cells[c]["value"] for c in ("issued", "repealed", "in_force")] == [3, 5, 156]
    assert all(c["confidence"] < confidence.REVIEW_BELOW for c in cells.values())
    assert cells["in_force"]["span"] is None and cells["in_force"]["raw_span"]  # other cells stand between
    assert [t2["rules"][c]["value"] for c in ("issued", "repealed", "in_force")] == [0, 0, 0]
    assert t2["rules"]["in_force"]["confidence"] < confidence.REVIEW_BELOW
