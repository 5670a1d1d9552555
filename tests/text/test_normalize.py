"""Normalisation: every kind of mess cleaned, every character traceable to its source."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from extractor.text.normalize import normalize


@pytest.mark.parametrize(
    "source, expected",
    [
        ("行政许可\t[bookmark: _GoBack]8", "行政许可\t8"),
        ("[bookmark: _Toc3296]一、总体情况", "一、总体情况"),
        ("<!--[if !supportLists]-->1.<!--[endif]-->属于国家秘密", "1.属于国家秘密"),
        ("１６５８", "1658"),
        ("a\u3000b\u00a0c", "a b c"),
        ("x\r\ny", "x\ny"),
        ("0\n— 3 —\n0", "0\n0"),
        ("0\n第 2 页 共 6 页\n0", "0\n0"),
        ("本年度办 理结果", "本年度办理结果"),
        ("自 然 人", "自然人"),
        ("科研\n机构", "科研机构"),
        ("行政许可 139,265 件", "行政许可 139265 件"),
        ("（七）总计", "(七)总计"),
        ("2 0", "2 0"),  # never joined: may be two cells
        ("| 结果 | 总计 |\n| --- | :---: |\n| 0 | 0 |\n", "| 结果 | 总计 |\n| 0 | 0 |\n"),
        ("1,2,3", "1,2,3"),  # not thousands groups
    ],
)
def test_mess_cleaned(source, expected):
    assert normalize(source).text == expected


def test_offsets_point_back_to_the_printed_digits():
    src = "行政许可\t[bookmark: _GoBack]１３９,２６５\r\n"
    n = normalize(src)
    i = n.text.index("139265")
    s, e = n.to_source(i, i + 6)
    assert src[s:e] == "１３９,２６５"


def test_expanding_compatibility_characters_keep_their_source():
    src = "㈠予以公开"
    n = normalize(src)
    assert n.text == "(一)予以公开"
    assert n.to_source(0, 3) == (0, 1)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_maps_back(src):
    n = normalize(src)
    assert len(n.offsets) == len(n.text)
    assert all(0 <= o < len(src) for o in n.offsets)
    assert n.offsets == sorted(n.offsets)
