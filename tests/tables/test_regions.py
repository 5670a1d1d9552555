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


def test_fuzz_a_table_whose_successor_is_never_found_stops_at_max_region_on_a_line_end():
    """benchmarks/fuzz (issue 10), seed 4 #40988: a 512 KB report pasted over itself; table 3's region ran
    from its header to the end of the document (342,702 characters, no table 4 after it), and classifying
    its lines cost 2 s.  A region now ends at the last line end within `MAX_REGION` characters."""
    from extractor.tables.regions import MAX_REGION

    head = "三、收到和处理政府信息公开申请情况\n申请人情况\t自然人\t总计\n"
    text = head + "其他说明\t1\t2\n" * (3 * MAX_REGION // 9)
    start, end = regions(text, find_sections(text))["table3"]
    assert text[start:].startswith("申请人情况") and text[end] == "\n"
    assert MAX_REGION - 9 <= end - start <= MAX_REGION
    one_line = head.rstrip("\n") + "\t" + "1\t" * MAX_REGION  # no line end to cut at: cut at the limit
    start, end = regions(one_line, find_sections(one_line))["table3"]
    assert end - start == MAX_REGION
