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


def test_cells_read_by_ocr_are_under_the_review_line_unless_the_identities_prove_them():
    """Issue 13: an OCR cell is `ocr_proved` where every identity naming it holds, `ocr` elsewhere
    (table 2, which no identity covers), and a failing identity there is never the agency's arithmetic."""
    from extractor import confidence
    from extractor.input.document import PageRead, from_text
    from extractor.pipeline import extract_document
    from tests.helpers import seed_text, shipped_models

    text = seed_text()
    doc = from_text(text, "scan.pdf", fmt="pdf-ocr")
    doc.pages = [PageRead(1, "ocr", 0.97, span=(0, len(text)))]
    rep = extract_document(doc, models=shipped_models())
    t2 = [c.confidence for t, *_, c in rep.cells() if t == "table2" and c.value is not None]
    t3 = [c.confidence for t, *_, c in rep.cells() if t == "table3" and c.value is not None]
    assert t2 and max(t2) == confidence.value("ocr") < confidence.REVIEW_BELOW
    assert t3 and set(t3) == {confidence.value("ocr_proved")}
    assert rep.needs_review and rep.to_dict()["parsing"]["pages"][0]["ocr_confidence"] == 0.97
    # the same text from a text layer keeps its levels
    plain = extract_document(from_text(text, "seed.pdf", fmt="pdf"), models=shipped_models())
    assert max(c.confidence for *_, c in plain.cells()) > confidence.value("ocr_proved")
    assert "pages" not in plain.to_dict()["parsing"]
