"""Loading a file by path: the format by suffix, a Document with an error rather than an exception."""
from __future__ import annotations

from extractor.input.load import load
from tests.helpers import to_html


def test_load_by_path(tmp_path):
    p = tmp_path / "r.htm"
    p.write_bytes(to_html("一、总体情况\n行政许可\t5", "gb2312"))
    doc = load(p)
    assert doc.error is None and doc.path == str(p) and "行政许可\t5" in doc.text
