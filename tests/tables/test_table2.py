"""Table 2 (extractor/tables/table2.py): glued runs settled by the prose, ranked by the learned prior, kept for a batch."""
from __future__ import annotations

from extractor import confidence
from extractor.classify import load_models
from extractor.pipeline import extract
from extractor.tables.table2 import narrative_hints
from tests.helpers import ROOT

HEAD = "二、主动公开政府信息情况\n第二十条第（一）项\n信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n"
TAIL = "三、收到和处理政府信息公开申请情况\n"


def _glued(run: str, prose: str = "") -> dict:
    """A report whose normative-documents row prints `run` glued, with `prose` before the table."""
    text = (f"一、总体情况\n{prose}\n" + HEAD + "规章000\n" + f"行政规范性文件{run}\n" + TAIL)
    return extract(text, models=load_models(ROOT / "models")).to_dict()


def test_the_count_before_a_passive_verb_is_a_hint():
    """hb01 (Hebei crawl): a clean-up sentence names how many were repealed (made-up numbers here)."""
    prose = "对40件规范性文件进行清理，其中31件保留、6件列入修改、3件予以废止。"
    assert narrative_hints(prose, None)[("normative_docs", "repealed")] == {3}


def test_a_verb_continuing_a_counted_clause_is_a_hint():
    """hb04 (Hebei crawl): 制发…规范性文件1件、废止1件 (made-up numbers here)."""
    hints = narrative_hints("全年制发规范性文件2件、废止5件。", None)
    assert hints[("normative_docs", "issued")] == {2} and hints[("normative_docs", "repealed")] == {5}


def test_a_glued_run_the_prose_settles():
    rec = _glued("2530", "全年制发规范性文件2件、废止5件。")
    cells = rec["tables"]["table2"]["normative_docs"]
    assert {c: (x["value"], x["confidence"]) for c, x in cells.items()} == {
        "issued": (2, confidence.NARRATIVE), "repealed": (5, confidence.NARRATIVE), "in_force": (30, confidence.NARRATIVE)}
    assert not any(i["code"] == "table2.ambiguous" for i in rec["issues"])


def test_an_unsettled_run_is_ranked_by_the_prior_says_so_and_keeps_its_readings():
    """pt001's run (693665; gold 69 | 3 | 665): the size rule showed 6 | 9 | 3665 first; the learned prior does not."""
    rec = _glued("693665")
    cells = rec["tables"]["table2"]["normative_docs"]
    assert [cells[c]["value"] for c in ("issued", "repealed", "in_force")] == [69, 3, 665]
    assert all(c["confidence"] < confidence.REVIEW_BELOW for c in cells.values()) and rec["needs_review"]
    issue = next(i for i in rec["issues"] if i["code"] == "table2.ambiguous")
    assert "the prior learned from annotated reports" in issue["message"]
    readings = rec["parsing"]["table2"]["readings"]["normative_docs"]
    values = [tuple(r["cells"][c]["value"] for c in ("issued", "repealed", "in_force")) for r in readings]
    assert values[0] == (69, 3, 665) and (6, 93, 665) in values and len(values) == len(set(values))
    assert readings[0]["plausibility"] >= max(r["plausibility"] for r in readings[1:])
    # each reading's cells point at their own digits of the run
    s, e = readings[0]["cells"]["in_force"]["span"]
    assert e - s == 3


def test_without_the_prior_the_size_rule_ranks_and_the_issue_says_so(tmp_path):
    text = "一、总体情况\n\n" + HEAD + "规章000\n行政规范性文件693665\n" + TAIL
    rec = extract(text, models=load_models(tmp_path)).to_dict()
    issue = next(i for i in rec["issues"] if i["code"] == "table2.ambiguous")
    assert "size rules" in issue["message"]
