"""Arbitrary text and bytes never raise, and the record always conforms."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import extractor
from extractor.input.load import load_bytes
from extractor.pipeline import extract_document
from tests.helpers import HAVE_SHARED, conformance_problems

pytestmark = pytest.mark.skipif(not HAVE_SHARED, reason="../shared not present: check_record unavailable")

# Text drawn from the characters reports are made of, so the reader's
# branches are exercised and not only its early exits.
_ALPHABET = st.sampled_from(list("0123456789 \t\n|/—-无件.,") + list("一二三四五六七八九十、（）()总计其他规章行政许可予以公开部分本年新收结转上年维持纠正复议诉讼情况第条项") + ["二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况", "1.属于国家秘密", "（七）总计", "第二十条第（一）项", "结果维持"])
report_like = st.lists(_ALPHABET, max_size=300).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=2000), report_like))
def test_any_text_gives_a_conforming_record(text):
    rec = extractor.extract(text).to_dict()
    assert conformance_problems(rec, text) == []
    assert rec["error"] is None or rec["error"]["code"] != "internal.error", rec["error"]


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=3000))
def test_any_bytes_give_a_record(data):
    doc = load_bytes(data, "x.txt")
    rec = extract_document(doc).to_dict()
    assert conformance_problems(rec, doc.text) == []
    if doc.error is not None:
        assert rec["error"]["code"].startswith("input.")
        assert all(c["value"] is None for t in rec["tables"].values() for r in t.values() for c in r.values())


@pytest.mark.parametrize(
    "text",
    ["", "   \n", "今天天气很好，市民纷纷外出踏青。记者 王某 报道。2023年4月1日",
     "某某公司2023年年度财务报告\n营业收入 1,234 万元，净利润 56 万元。"],
)
def test_not_a_report_is_said_and_nothing_invented(text):
    rec = extractor.extract(text).to_dict()
    assert rec["error"] is not None
    assert rec["error"]["code"] in ("input.empty", "input.not_a_report")
    assert rec["needs_review"] is True
    assert all(c["value"] is None for t in rec["tables"].values() for r in t.values() for c in r.values())
