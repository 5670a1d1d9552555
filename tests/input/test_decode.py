"""Decoding honestly: truncated files and UTF-16 without a BOM still decode, never with replacement characters."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("enc", ["utf-8", "gb18030", "utf-16", "utf-8-sig"])
def test_truncated_text_still_decodes(enc):
    """A download cut mid-character loses that character only, not the file."""
    from extractor.input.decode import decode

    text = "政府信息公开工作年度报告\n行政许可\t2439825\n本年新收申请五十七件。"
    data = text.encode(enc)
    for cut in (1, 2, 3):
        got, used = decode(data[:-cut])
        assert text.startswith(got) and len(got) >= len(text) - 2, (enc, cut, got)


@pytest.mark.parametrize("enc", ["utf-16-le", "utf-16-be"])
def test_chinese_utf16_without_bom(enc):
    """Chinese UTF-16 has few NUL bytes (only around digits and ASCII), still detected."""
    from extractor.input.decode import decode

    text = "兴宁市公安局2023年政府信息公开工作年度报告\n一、总体情况\n" + "依申请公开政府信息" * 30
    got, used = decode(text.encode(enc))
    assert (got, used) == (text, enc)
