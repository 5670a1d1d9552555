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


def test_fuzz_a_vulgar_fraction_glued_to_a_number_is_not_expanded_into_its_digits():
    """benchmarks/fuzz (issue 10), seed 2 (#971, #1594, #1704 of a discovery run): ⅓ pasted after a
    table cell's 94 was expanded by NFKC to 1⁄3, and 941 was read from "94⅓", a span that does not show it."""
    assert normalize("94⅓").text == "94⅓"
    assert normalize("½\t㉑\t⑽").text == "½\t㉑\t⑽"
    assert normalize("⑴①").text == "(1)1"  # one digit: every number read from it shows that digit


def test_fuzz_a_bookmark_with_digits_inside_a_number_splits_it():
    """benchmarks/fuzz (issue 10), seed 1 (#7722, #10742 of the long run): label soup put a Word
    bookmark between two digits; deleting it glued "3" and "0" into 30, whose span showed
    "3[bookmark: _Toc631091931]0".  Junk holding digits between digits is a cell boundary."""
    src = "3[bookmark: _Toc631091931]0\t7[bookmark: _GoBack]\t[bookmark: _Toc1]12"
    n = normalize(src)
    assert n.text == "3\t0\t7\t12"
    assert src[slice(*n.to_source(1, 2))] == "["
    assert normalize("1[bookmark: _GoBack]2").text == "12"  # no digits in it: nothing to show wrongly


def _glue_fraction(text: str) -> str:
    return "\n".join(line + "⅓" if line.strip().isdigit() else line for line in text.splitlines())


def _bookmark_inside(text: str) -> str:
    return "\n".join(line[:-1] + "[bookmark: _Toc631091931]" + line[-1] if line.strip().isdigit() and len(line.strip()) > 1
                     else line for line in text.splitlines())


@pytest.mark.parametrize("damage", [_glue_fraction, _bookmark_inside])
def test_fuzz_every_cell_span_shows_its_value(damage):
    """The same cases through the whole reader: each table value's span shows that number (NFKC digits)."""
    import unicodedata

    import extractor
    from tests.helpers import ROOT

    text = damage((ROOT / "samples" / "sample_00.txt").read_text(encoding="utf-8"))
    rec = extractor.extract(text).to_dict()
    for table in rec["tables"].values():
        for row in table.values():
            for cell in row.values():
                if cell["value"] is not None and cell["span"] is not None:
                    shown = unicodedata.normalize("NFKC", text[slice(*cell["span"])])
                    assert float("".join(c for c in shown if c.isdigit() or c == ".")) == cell["value"], shown
