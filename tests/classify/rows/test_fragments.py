"""The candidate label fragments of a table region."""
from __future__ import annotations

from extractor.classify.rows.fragments import segment


def test_segmenting_glued_text_isolates_labels():
    text = "第二十条第(一)项信息内容本年制发件数本年废止件数现行有效件数规章000行政规范性文件808第二十条第(五)项"
    frags = segment(text, "table2", 0, len(text))
    assert [f.text for f in frags if not f.furniture] == ["规章", "行政规范性文件"]
    t3 = "(三)不予公开1.属于国家秘密00000002.其他法律行政法规禁止公开0000000"
    fr = segment(t3, "table3", 0, len(t3))
    assert [(f.text, f.furniture, f.ordinal) for f in fr] == [
        ("(三)不予公开", "group", ""), (".属于国家秘密", "", "1"), (".其他法律行政法规禁止公开", "", "2")]
    assert fr[1].digits_after == 7 and fr[1].anchor_start() == t3.index("1.属于")
