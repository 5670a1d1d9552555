"""Numbers as Chinese reports write them: 1424, 4.14万, 3200万余, 三场, 两个, 十余.

Kept apart from the tagger because the parsing is a job of its own with its
own tests: the tagger decides *what* a number counts, this module only says
*which* number is written.  Values come back as int when they are whole
(4.14万 → 41400, not 41400.0) so they compare equal to table cells.
"""
from __future__ import annotations

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}

CHINESE_NUMERAL_CHARS = "".join(_DIGITS) + "".join(_SMALL) + "".join(_BIG)
# The numerals section and row ordinals are written with ("二、", "（三）", "第四部分").
ORDINALS = "一二三四五六七八九十"
# No count or amount a report writes comes near this; a longer number is a
# pasted run or a code, not a quantity (unchecked, a run of 400 digits made a
# value no float can hold, and the facts model's features failed on it).
MAX_VALUE = 10 ** 15


def parse_chinese(s: str) -> int | None:
    """A Chinese numeral as an int (十 → 10, 二十三 → 23, 一百零五 → 105, 两 → 2, 一二三 → None).

    Returns None for strings that are not a well-formed numeral, so a run of
    numeral characters inside a word is not taken for a quantity.
    """
    if not s or any(ch not in _DIGITS and ch not in _SMALL and ch not in _BIG for ch in s):
        return None
    total = 0      # completed 万/亿 groups
    section = 0    # inside the current group
    digit: int | None = None
    if s in ("零", "〇"):
        return 0
    for ch in s:
        if ch in ("零", "〇") and (section or total):
            continue  # a place holder: 一百零五
        if ch in _DIGITS:
            if digit is not None:  # two digits in a row: "一二" is a list, not a number
                return None
            digit = _DIGITS[ch]
        elif ch in _SMALL:
            section += (1 if digit is None else digit) * _SMALL[ch]
            digit = None
        else:
            section += digit or 0
            digit = None
            if section == 0:
                section = 1
            total = (total + section) * _BIG[ch]
            section = 0
    section += digit or 0
    return total + section


def parse_arabic(s: str) -> int | float | None:
    """"1424", "4.14", "1,234" (thousands separators) → a number; anything else → None."""
    t = s.replace(",", "")
    if not t or t.count(".") > 1 or not t.replace(".", "").isdigit():
        return None
    if "." in t:
        return float(t)
    return int(t)


def whole(x: float) -> int | float:
    """An integral float as int (41400.0 → 41400); others rounded to 6 places against float noise."""
    if abs(x - round(x)) < 1e-6:
        return int(round(x))
    return round(x, 6)


def value_of(number: str, multiplier: str | None = None) -> int | float | None:
    """The value of a written number and its 万/亿 multiplier (4.14, 万 → 41400; 三, None → 3).

    None when it is not a number, or not a quantity (`MAX_VALUE` or more).
    """
    if len(number) > 40:  # beyond any quantity, and int() of a long run costs
        return None
    base = parse_arabic(number)
    if base is None:
        base = parse_chinese(number)
    if base is None:
        return None
    if multiplier:
        m = _BIG.get(multiplier)
        if m is None:
            return None
        base = whole(base * m)
    elif isinstance(base, float):
        base = whole(base)
    return base if abs(base) < MAX_VALUE else None
