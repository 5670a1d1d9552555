"""The one composition: stages get the models they are given; nothing raises on bad input."""
from __future__ import annotations

from extractor import classify
from extractor.classify.modelfile import Status
from extractor.pipeline import extract, table_anchors

TEXT = ("二、主动公开政府信息情况\n第二十条第（一）项\n信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n"
        "规章\t1\t0\t3\n行政规范性文件\t2\t1\t9\n三、收到和处理政府信息公开申请情况\n")


def test_the_models_given_are_the_models_used():
    none = classify.Models(None, None, Status(False, "no rows here"), Status(False, "no facts here"))
    rec = extract(TEXT, models=none).to_dict()
    issues = {i["code"]: i["message"] for i in rec["issues"]}
    assert issues["model.tables_unavailable"] == "no rows here"
    assert issues["model.facts_unavailable"] == "no facts here"
    assert rec["tables"]["table2"]["rules"]["in_force"]["value"] == 3


def test_anchors_of_a_reading():
    anchors = table_anchors(TEXT, classify.NO_MODELS)
    assert [a[0] for a in anchors["table2"]] == ["rules", "normative_docs"]
    assert all(a[3] == "exact" for a in anchors["table2"])


def test_bad_input_is_a_record_with_an_error():
    rec = extract("").to_dict()
    assert rec["error"]["code"] == "input.empty" and rec["needs_review"] and rec["confidence"] == 0.0
    rec = extract("这是一段与年度报告无关的文字。").to_dict()
    assert rec["error"]["code"] == "input.not_a_report"
