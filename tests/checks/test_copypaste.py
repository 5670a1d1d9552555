"""Copy-paste on constructed batches: a report copied from last year, from another body, and lookalikes that are not copies."""
from __future__ import annotations

from extractor.checks.copypaste import copypaste_checks, evidence
from extractor.checks.crossreport import view_of
from tests.checks.made import record

PROSE = ("本年度我局坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国政府信息公开条例》，"
         "围绕中心工作，进一步加强政府信息公开平台建设，规范依申请公开办理流程，全面提升政府信息公开工作质量。") * 3


def views(recs):
    return {r["source"]["path"]: view_of(r) for r in recs}


def rules(out, path):
    return [c.rule for c in out.get(path, [])]


def test_a_report_copied_from_last_year_is_flagged_naming_the_other():
    recs = [record("甲市公安局", 2022, new=37, granted=30, review=2, commercial=3), record("甲市公安局", 2023, new=37, granted=30, review=2, commercial=3)]
    out = copypaste_checks(views(recs))
    assert rules(out, "甲市公安局-2023.txt") == ["copypaste.table3"]
    check = out["甲市公安局-2023.txt"][0]
    assert not check.ok and check.extra["others"][0]["year"] == 2022 and "table3.new.total" in check.cells
    assert rules(out, "甲市公安局-2022.txt") == ["copypaste.table3"]


def test_another_bodys_table_copied_is_flagged():
    recs = [record("甲市公安局", 2023, new=37, granted=30, commercial=3), record("乙市公安局", 2023, new=37, granted=30, commercial=3)]
    assert rules(copypaste_checks(views(recs)), "乙市公安局-2023.txt") == ["copypaste.table3"]


def test_different_numbers_are_not_flagged():
    recs = [record("甲市公安局", 2022, new=37, granted=30, commercial=3), record("甲市公安局", 2023, new=37, granted=29, commercial=3)]
    assert copypaste_checks(views(recs)) == {}


def test_a_table_with_too_little_in_it_is_no_evidence():
    """One request granted equals every other such table by the identities alone."""
    recs = [record("甲市公安局", 2022, new=1), record("甲市公安局", 2023, new=1)]
    assert evidence("table3", view_of(recs[0]).values["table3"]) == 2
    assert copypaste_checks(views(recs)) == {}


def test_two_readings_of_one_report_are_not_a_copy():
    a = record("甲市公安局", 2023, new=37, granted=30, commercial=3, path="a.html")
    b = record("甲市公安局", 2023, new=37, granted=30, commercial=3, path="a.pdf")
    assert copypaste_checks(views([a, b])) == {}


def test_nearly_identical_prose_is_flagged_and_different_prose_is_not():
    recs = [record("甲市公安局", 2022, new=5, prose=PROSE), record("甲市公安局", 2023, new=9, prose=PROSE + "另有一句。"),
            record("丙县财政局", 2023, new=7, prose=PROSE[::-1])]
    out = copypaste_checks(views(recs))
    assert rules(out, "甲市公安局-2023.txt") == ["copypaste.narrative"]
    assert "丙县财政局-2023.txt" not in out


def test_short_prose_is_not_compared():
    recs = [record("甲市公安局", 2022, new=5, prose=PROSE[:100]), record("甲市公安局", 2023, new=9, prose=PROSE[:100])]
    assert copypaste_checks(views(recs)) == {}
