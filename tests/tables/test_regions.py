"""Where each table stands: found by its first header, even when a converter broke that header."""
from __future__ import annotations

from extractor.tables.regions import regions
from extractor.text.sections import find_sections


def test_a_table3_header_broken_over_cells_and_lines_still_starts_the_table():
    """Generated shattered layout, seed 7013 (issue 11): 勾稽关系, 申请人情况 and 本年新收 were each broken
    over pipe cells (`申请人 |  |\\n| 情况`), so table 3 was "not found" though every row was printed."""
    text = ("三、收到和处理政府信息公开申请情况\n\n| 申请人 |  |  |\n| 情况 |\n| 一、本 |\n| 年新收政府信息公开申请数量 |\n"
            "| 1 | 0 | 0 | 0 | 0 | 0 | 1 |\n\n四、政府信息公开行政复议、行政诉讼情况\n")
    t3 = regions(text, find_sections(text))["table3"]
    assert t3 is not None and text[t3[0]:].startswith("申请人 |")
