"""The record's cell for a cell read (extractor.tables.cells.make_cell): value, printed text, span or raw span."""
from __future__ import annotations

from extractor.tables.cells import make_cell
from extractor.tables.readings import CellRead
from extractor.text.normalize import normalize


def _torn(src: str, value: int, raw: str):
    norm = normalize(src)
    first, last = norm.text.index(raw[:2]), norm.text.rindex(raw[2:])
    return make_cell(norm, src, CellRead(value, first, last + len(raw) - 2, raw, "number", pieces=2), 0.5)


def test_torn_pieces_with_only_text_between_keep_their_span():
    cell = _torn("17\n行政许可\n5043", 175043, "175043")
    assert cell.span is not None and cell.raw_span is None


def test_fuzz_seed_2_case_9234_a_compatibility_digit_between_torn_pieces_moves_the_span_to_raw_span():
    """Fuzz seed 2 case #9234 (a mutated docx, `unicode` mutation): a `⅓` stood between the pieces of a torn
    number 17|5043; the span showed digits 17 1 3 5043 to any reader that folds compatibility forms
    (check_record does), not 175043."""
    cell = _torn("17\t⅓第二项\n行政许可\n5043", 175043, "175043")
    assert cell.value == 175043 and cell.span is None and cell.raw_span is not None
