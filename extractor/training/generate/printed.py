"""Numbers as the reports print them, before any mess: the one spelling every writer shares.

A value the gold holds as 22.53 or 41400.0 must print as a reader of the
report would see it, and the read-back tests compare against this same
spelling, so it lives in one place; prose counts and heading ordinals are
written in Chinese numerals as real reports write them.
"""
from __future__ import annotations

from extractor.text.numerals import ORDINALS

_CN_DIGITS = "零一二三四五六七八九"


def format_number(v: int | float) -> str:
    """A table value as printed: integers plain, decimals without float noise."""
    if isinstance(v, float):
        if v == int(v):
            return str(int(v))
        return repr(v)
    return str(v)


def cn_small(n: int) -> str:
    """1..99 in Chinese numerals (三场, 十二次): narrative counts are often written so."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


def cn_ordinal(i: int) -> str:
    """1 -> 一 ... 10 -> 十 for headings."""
    return ORDINALS[i - 1]
