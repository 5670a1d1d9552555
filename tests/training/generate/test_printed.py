"""Numbers as printed: the spelling every writer and the read-back tests share.

A table-2 fee of 22.53 or a count held as 41400.0 must print as the report
would show it, or the readers are scored against a text no report has.
"""
from __future__ import annotations

from extractor.training.generate.printed import cn_ordinal, cn_small, format_number


def test_format_number_prints_values_without_float_noise():
    assert format_number(139265) == "139265"
    assert format_number(41400.0) == "41400"
    assert format_number(22.53) == "22.53"
    assert format_number(0) == "0"


def test_small_counts_in_chinese_numerals():
    assert [cn_small(n) for n in (3, 10, 12, 20, 99)] == ["三", "十", "十二", "二十", "九十九"]


def test_heading_ordinals():
    assert [cn_ordinal(i) for i in (1, 6, 10)] == ["一", "六", "十"]
