"""Numbers as Chinese reports write them."""
from __future__ import annotations

import pytest

from extractor.text.numerals import parse_chinese, value_of


# ------------------------------------------------------------- numbers as written
@pytest.mark.parametrize("s, v", [("三", 3), ("两", 2), ("十", 10), ("十二", 12), ("二十", 20), ("二十三", 23),
                                  ("一百零五", 105), ("一千二百", 1200), ("三万", 30000), ("一二", None), ("", None)])
def test_parse_chinese(s: str, v) -> None:
    assert parse_chinese(s) == v


@pytest.mark.parametrize("n, m, v", [("4.14", "万", 41400), ("3200", "万", 32000000), ("196.4", "萬", 1964000),
                                     ("1,234", None, 1234), ("22.53", None, 22.53), ("三", None, 3)])
def test_value_of(n: str, m, v) -> None:
    assert value_of(n, m) == v


def test_fuzz_a_pasted_run_of_400_digits_is_no_quantity() -> None:
    """benchmarks/fuzz (issue 10), seed 1: a run of digits pasted before a measure word in the prose
    became a value no float can hold, and the facts model's features raised OverflowError on it."""
    assert value_of("7" * 400) is None
    assert value_of("7" * 400 + ".5") is None
    assert value_of("9" * 12, "亿") is None
    assert value_of("9" * 14) == int("9" * 14)
