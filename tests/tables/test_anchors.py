"""Row labels found however a report words, cuts or punctuates them."""
from __future__ import annotations

import pytest

import extractor
from extractor.tables.anchors import _ordinal_start
from extractor.training.gold import compare
from tests.helpers import needs_shared, read_text, report_annotations


SEEDS = [a for a in report_annotations() if a["id"].startswith("seed_")]

# (official wording, as some reports print it)
REWORDINGS = [
    ("补正后申请内容仍不明确", "补正后申请内容仍然不明确"),
    ("属于三类内部事务信息", "属三类内部事务信息"),
    ("保护第三方合法权益", "保护第三方的合法权益"),
    ("无正当理由大量反复申请", "无正当理由的大量反复申请"),
    ("要求行政机关确认或重新出具已获取信息", "要求确认或重新出具已获取的信息"),
    ("本机关不掌握相关政府信息", "本机关不掌握该政府信息"),
    ("本年新收政府信息公开申请数量", "本年新收申请数量"),
    ("上年结转政府信息公开申请数量", "上年结转申请数量"),
    ("结转下年度继续办理", "结转下年继续办理"),
    ("信访举报投诉类申请", "信访、举报、投诉类申请"),
    ("属于行政查询事项", "属于查询事项"),
    ("其他法律行政法规禁止公开", "其他法律、行政法规禁止公开"),
    ("（七）总计", "（七）合计"),
]


@needs_shared
@pytest.mark.parametrize("ann", SEEDS, ids=[a["id"] for a in SEEDS])
@pytest.mark.parametrize("official, printed", REWORDINGS, ids=[r[1] for r in REWORDINGS])
def test_reworded_label(ann, official, printed):
    text = read_text(ann)
    if official not in text:
        pytest.skip(f"{ann['id']} does not print {official}")
    rec = extractor.extract(text.replace(official, printed)).to_dict()
    cmp = compare(rec, ann["tables"])
    assert cmp["wrong"] == []


def test_an_ordinal_whose_point_ocr_dropped_at_a_line_end_starts_the_label():
    """pt003 and hb01 as scans: `…国家秘密00000002` + line break + `其他法律…`: the `2.` lost its point."""
    text = "国家秘密00000002\n其他法律行政法规禁止公开"
    label = text.index("其他")
    assert _ordinal_start(text, label, 2) == text.index("2\n")
    assert _ordinal_start(text, label, 3) == label  # not this row's number: the run's own digit
    lone = "0\n2\n其他法律"  # a cell on its own line (one value a line) is never the label's number
    assert _ordinal_start(lone, lone.index("其他"), 2) == lone.index("其他")
