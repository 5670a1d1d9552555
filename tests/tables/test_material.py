"""A row's value material: blank slots in a layout whose cells stand blank lines apart."""
from __future__ import annotations

from extractor.tables.material import LineGaps, line_gaps, material

CELL, ROW = "\n" * 3, "\n" * 5


def _table(rows: list[list[str]]) -> str:
    """Rows as a crawler saves a Word table: a cell a line, 3 breaks between cells, 5 after a row."""
    return "".join(f"行{k}" + CELL + CELL.join(r) + ROW for k, r in enumerate(rows))


def test_line_gaps_reads_the_rhythm_of_a_table_of_blank_line_rows():
    text = _table([["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"]])
    assert line_gaps(text, 0, len(text)) == LineGaps(cell=3, row=5)


def test_line_gaps_is_none_for_single_break_and_tab_layouts():
    lines = "行甲\n1\n2\n3\n行乙\n4\n5\n6\n行丙\n7\n8\n9\n"
    tabs = "行甲\t1\t2\t3\n\n行乙\t4\t5\t6\n\n行丙\t7\t8\t9\n"
    assert line_gaps(lines, 0, len(lines)) is None
    assert line_gaps(tabs, 0, len(tabs)) is None


def _kinds(text: str, gaps: LineGaps | None) -> list[str]:
    label = text.index("\n")
    nxt = text.find("行", label)
    mat, _ = material(text, label, nxt if nxt > 0 else len(text), gaps=gaps)
    return [a.kind for a in mat.atoms]


def test_a_trailing_empty_slot_is_a_blank_cell():
    gaps = LineGaps(cell=3, row=5)
    text = "行甲" + CELL + CELL.join("000") + CELL + ROW + "行乙"
    assert _kinds(text, gaps) == ["num", "num", "num", "blank"]
    assert _kinds(text, None) == ["num", "blank", "blank", "num", "blank", "blank", "num"]


def test_a_leading_and_inner_empty_slot_are_blank_cells_and_the_rhythm_itself_is_none():
    gaps = LineGaps(cell=3, row=5)
    text = "行甲" + CELL * 2 + "1" + CELL * 2 + "2" + CELL + "3" + ROW + "行乙"
    assert _kinds(text, gaps) == ["blank", "num", "blank", "num", "num"]


def test_the_row_end_after_a_full_row_is_no_blank():
    gaps = LineGaps(cell=3, row=5)
    text = "行甲" + CELL + CELL.join("123") + ROW + "行乙"
    assert _kinds(text, gaps) == ["num", "num", "num"]


def test_a_tab_padding_a_pipe_cell_is_no_field():
    """Word's NBSP-and-tab padding (generator `odd_spaces`) inside `| 0\xa0\t |` made a blank field."""
    text = "| 0\u00a0\t | 1 | 2\t |\n"
    mat, _ = material(text, 0, len(text))
    assert [(a.kind, a.text) for a in mat.atoms] == [("num", "0"), ("num", "1"), ("num", "2")]


def test_a_number_opening_a_line_of_text_is_a_note_not_a_cell():
    """Generator `lost_column`: the number a converter moved out of its row, below the table with its note."""
    text = "| 12.5 |\n\n30（含自然失效21件）\n"
    mat, stop = material(text, 0, len(text))
    assert [a.text for a in mat.atoms if a.kind != "blank"] == ["12.5"] and text[stop:].startswith("30")


def test_empty_fields_closing_a_row_are_optional_blank_cells():
    """A tab row's trailing tab, a pipe row's empty last field: where a blank 总计 stands (hb09, issue 11c)."""
    def kinds(text: str) -> list[str]:
        return [a.kind for a in material(text, 0, len(text))[0].atoms]

    assert kinds("0\t0件\t\n") == ["num", "num", "blank"]
    assert kinds("0\t0\t\t\n") == ["num", "num", "blank", "blank"]
    assert kinds("| 0 | |\n") == ["num", "blank"]
    assert kinds("| 0 | 0 |\n") == kinds("0\t0\n") == kinds("0 0\n") == ["num", "num"]


def test_fuzz_1106_a_note_that_was_the_rows_only_value_leaves_no_row_end_to_read():
    """Fuzz case #1106 (a mutated docx): the row's one number opened a line of text, so it was taken back
    as a note; the row's end was then looked for after a value that was no longer there (IndexError)."""
    text = "\n30（含自然失效21件）\n"
    mat, stop = material(text, 0, len(text))
    assert [a for a in mat.atoms if a.kind != "blank"] == [] and text[stop:].startswith("30")


def test_a_sentence_mark_in_a_labels_bracketed_remark_does_not_end_the_row():
    """hb06 as a scan: OCR read the remark's `，` as `。`, and the row (部分公开) lost its values."""
    text = "（区分处理的，只计这一情形。不计其他情形）1000001（三）"
    mat, _ = material(text, 0, len(text))
    assert [a.text for a in mat.atoms] == ["1000001"]
    prose = "今年收到申请。共计1000001"
    assert material(prose, 0, len(prose))[0].atoms == []  # outside brackets it is still prose


def test_a_run_opening_a_line_before_a_heading_is_the_tables_last_values_not_a_note():
    """pt020 as a scan: table 4's 15 zeros wrapped over two lines, the second glued to the heading 五、."""
    text = "0000000\n00000000五、存在的主要问题"
    mat, _ = material(text, 0, len(text))
    assert [a.text for a in mat.atoms] == ["0000000", "00000000"]


def test_a_one_after_a_rows_last_pipe_is_a_stroke_only_in_ocr_text():
    """seed_002 as a scan: the row's closing `||` read as `1` or `11`."""
    text = "|0|0|0|0|0|0|0|11\n"
    assert [a.kind for a in material(text, 0, len(text), strokes=True)[0].atoms][-1] == "stroke"
    assert [a.kind for a in material(text, 0, len(text))[0].atoms][-1] == "num"
    inner = "|1|0|0|0|0|0|1|0\n"  # a 1 with a value after it on its line is a cell
    assert "stroke" not in [a.kind for a in material(inner, 0, len(inner), strokes=True)[0].atoms]
