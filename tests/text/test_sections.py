"""The six parts found even when renamed, unnumbered, glued or listed in an introduction."""
from __future__ import annotations

import pytest

import extractor
from extractor.text.normalize import normalize
from extractor.text.sections import find_sections
from tests.helpers import needs_shared, read_text, report_annotations, text_path

ANNS = report_annotations()
# Parts a report really does not have (its text checked by hand).
LACKS = {"hb10": ("other",)}  # the 2019 report of the Hebei crawl ends with its part five


@needs_shared
@pytest.mark.parametrize("ann", ANNS, ids=[a["id"] for a in ANNS])
def test_real_reports_have_their_sections_in_order(ann):
    text = read_text(ann)
    rec = extractor.extract_file(text_path(ann)).to_dict()
    ids = [s["id"] for s in rec["sections"]]
    parts = ["overview", "proactive", "requests", "review_litigation", "problems", "other"]
    assert ids == [p for p in parts if p not in LACKS.get(ann["id"], ())]
    for s in rec["sections"]:
        a, b = s["span"]
        assert 0 <= a < b <= len(text)


def test_intro_listing_the_parts_does_not_steal_headings():
    text = ("全文包含总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况等。\n"
            "总体情况\n本年度……\n二、主动公开政府信息情况\n表\n三、收到和处理政府信息公开申请情况\n")
    found = find_sections(normalize(text).text)
    assert [f.id for f in found] == ["overview", "proactive", "requests"]
    assert found[0].start == normalize(text).text.index("总体情况本年度")


def test_renamed_and_glued_headings():
    text = ("工作。一、总体情况做了工作。二、主动公开政府信息情况第二十条。三、收到和处理政府信息公开申请情况表。"
            "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况表。五、当前存在的主要问题及下步改进措施一是。六、其他需要报告的事项无。")
    found = find_sections(normalize(text).text)
    assert [f.number for f in found] == [1, 2, 3, 4, 5, 6]


def test_missing_sections_are_absent_not_invented():
    found = find_sections(normalize("一、总体情况\n好。\n六、其他需要报告的事项\n无。").text)
    assert [f.id for f in found] == ["overview", "other"]


def test_misnumbered_headings_still_found_in_order():
    text = ("一、总体情况\n好。\n二、主动公开政府信息情况\n表\n二、收到和处理政府信息公开申请情况\n表\n"
            "三、政府信息公开行政复议、行政诉讼情况\n表\n五、存在的主要问题及改进情况\n无。\n七、其他需要报告的事项\n无。")
    found = find_sections(normalize(text).text)
    assert [f.id for f in found] == ["overview", "proactive", "requests", "review_litigation", "problems", "other"]
