"""Boxes and rulings into lines and table rows: merged cells, page numbers, tables across a page break."""
from __future__ import annotations

from extractor.input.layout import Box, Edge, Page, join_pages, line_text, page_layout


def _grid(xs: list[float], ys: list[float], skip_v: set = frozenset(), skip_h: set = frozenset()) -> list[Edge]:
    """Ruling of a grid; `skip_v`/`skip_h` leave out the border at (line index, band index): merged cells."""
    edges = []
    for k, y in enumerate(ys):
        for j in range(len(xs) - 1):
            if (k, j) not in skip_h:
                edges.append(Edge(True, y, xs[j], xs[j + 1]))
    for k, x in enumerate(xs):
        for i in range(len(ys) - 1):
            if (k, i) not in skip_v:
                edges.append(Edge(False, x, ys[i], ys[i + 1]))
    return edges


def _word(text: str, x: float, y: float, size: float = 10) -> list[Box]:
    return [Box(ch, x + k * size, y, x + (k + 1) * size, y + size) for k, ch in enumerate(text)]


def test_cells_and_a_label_merged_down_two_rows_stand_in_its_top_slot():
    xs, ys = [0, 100, 200, 300], [100, 120, 140, 160]
    # the first column's rows 1-2 merged: no border between them
    edges = _grid(xs, ys, skip_h={(2, 0)})
    boxes = _word("甲", 10, 104) + _word("12", 110, 104) + _word("3", 210, 104)
    boxes += _word("乙丙", 10, 133) + _word("4", 110, 124) + _word("5", 210, 124)
    boxes += _word("6", 110, 144) + _word("7", 210, 144)
    page = page_layout(boxes, edges, 800)
    assert page.items == [("table", ["甲\t12\t3", "乙丙\t4\t5", "\t6\t7"])]


def test_a_page_number_in_the_margin_is_dropped_but_not_in_the_body():
    boxes = _word("正文", 10, 100) + _word("- 5 -", 300, 780) + _word("5", 10, 300)
    page = page_layout(boxes, [], 800)
    assert page.items == [("text", ["正文"]), ("text", ["5"])]


def _column_page(values: list[str], footer: str | None = None) -> Page:
    """A one-value-a-line page (a crawler's table) whose lines run into both margins, and maybe a bare footer."""
    boxes = [b for k, v in enumerate(values) for b in _word(v, 10, 20 + k * 190)]
    if footer is not None:
        boxes += _word(footer, 300, 785)
    return page_layout(boxes, [], 800)


def test_a_lone_cell_on_a_pages_edge_is_kept_and_bare_page_numbers_that_count_are_dropped():
    # Found on hb07 as a scan: its table's `9` ended page 1 and `0` lines began page 2, all read as page numbers.
    cells = join_pages([_column_page(["9", "甲", "1", "乙", "0"]), _column_page(["0", "丙", "5", "丁", "9"])])[0]
    assert cells.split("\n") == ["9", "甲", "1", "乙", "0", "0", "丙", "5", "丁", "9"]
    numbered = join_pages([_column_page(["甲", "1", "乙"], "3"), _column_page(["丙", "5", "丁"], "4")])[0]
    assert numbered.split("\n") == ["甲", "1", "乙", "丙", "5", "丁"]
    # only the outermost line can be a page number: a lone cell above a footer stays
    page = page_layout(_word("甲", 10, 20) + _word("7", 10, 750) + _word("3", 300, 785), [], 800)
    assert page.items == [("text", ["甲"]), ("text", ["7"]), ("number", ["3"])]


def test_gaps_make_spaces_between_digits_not_between_han():
    boxes = _word("14", 0, 0) + _word("26", 30, 0) + _word("行", 60, 0) + _word("政", 80, 0)
    assert line_text(boxes) == "14 26 行政"


def test_a_table_across_a_page_break_is_one_table_and_page_spans_are_kept():
    pages = [Page([("text", ["甲"]), ("table", ["1\t2"])]), Page([("table", ["3\t4"]), ("text", ["乙"])])]
    text, bounds = join_pages(pages)
    assert text == "甲\n\n1\t2\n3\t4\n\n乙"
    assert [text[s:e] for s, e in bounds] == ["甲\n\n1\t2", "3\t4\n\n乙"]
