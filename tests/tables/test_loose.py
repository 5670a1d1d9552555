"""Loose numbers in table 2 (extractor/tables/loose.py): a value torn over the lines of a wrapped cell.

The shapes are those of PDF text extractors reading a ruled table by lines
(tests/corpus/pdf_converters.py; hb04's fee amount was the case): the numbers
here are made up.
"""
from __future__ import annotations

import extractor
from extractor import confidence
from extractor.tables.loose import lone_numbers, pieces, torn_readings
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


def test_lone_numbers_are_numbers_alone_on_their_lines():
    text = "a\n 12.5 \n| 3 |\n4 件\n2023\n"
    assert [x.text for x in lone_numbers(text, 0, len(text))] == ["12.5", "3", "2023"]


def test_torn_readings_join_first_then_leave_a_lone_piece_out():
    text = "1\n0\n26\n5\n"
    mat, _ = material(text, 0, len(text))
    assert pieces(mat) == 4
    rs = torn_readings(text, [], mat, 3, decimal=False, negative=False, accept=lambda cells: True)
    values = [r.values for r in rs]
    assert (1, 0, 265) in values and (1, 0, 26) in values and (0, 26, 5) in values
    assert values.index((1, 0, 265)) < values.index((1, 0, 26))
    assert all(r.cost == 0 for r in rs)
