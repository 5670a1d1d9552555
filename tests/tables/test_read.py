"""Reading the tables of a text: layouts and mess a real report showed, one case each."""
from __future__ import annotations

import extractor
from extractor.training.gold import compare
from tests.helpers import needs_shared, read_text, report_annotations


ANNS = report_annotations()


def test_table4_printed_a_row_per_group():
    text = ("四、政府信息公开行政复议、行政诉讼情况\n"
            "| | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |\n"
            "| 行政复议 | 1 | 0 | 0 | 1 | 2 |\n"
            "| 未经复议直接起诉 | 0 | 0 | 0 | 0 | 0 |\n"
            "| 复议后起诉 | 3 | 0 | 0 | 0 | 3 |\n"
            "五、存在的主要问题及改进情况\n无。")
    rec = extractor.extract(text).to_dict()
    t4 = rec["tables"]["table4"]
    assert [t4["review"][c]["value"] for c in ("upheld", "pending", "total")] == [1, 1, 2]
    assert [t4["litigation_after_review"][c]["value"] for c in ("upheld", "total")] == [3, 3]
    assert t4["review"]["total"]["confidence"] >= 0.9


def test_blank_fee_cell_followed_by_a_dated_note_reads_no_year():
    """A blank cell must never borrow a year from the note after the table."""
    text = ("二、主动公开政府信息情况\n第二十条第（八）项\n信息内容\t本年收费金额（单位：万元）\n"
            "行政事业性收费\t\n注：本表数据截至2023年12月31日\n三、收到和处理政府信息公开申请情况\n")
    rec = extractor.extract(text).to_dict()
    assert rec["tables"]["table2"]["fees"]["amount"]["value"] is None
    assert rec["needs_review"]


@needs_shared
def test_torn_number_in_a_tab_row_is_rejoined_by_the_identities():
    """'5 7' printed for 57: eight pieces for seven cells; only the join satisfies the identities."""
    ann = next(a for a in ANNS if a["id"] == "seed_001_22879b8c46a5464c")
    text = read_text(ann)
    i = text.index("一、本年新收政府信息公开申请数量")
    j = text.index("\n", i)
    torn = text[:i] + text[i:j].replace("\t57\t", "\t5 7\t", 1) + text[j:]
    rec = extractor.extract(torn).to_dict()
    cell = rec["tables"]["table3"]["new"]["natural_person"]
    assert cell["value"] == 57 and cell["raw"] == "5 7"
    assert torn[cell["span"][0]:cell["span"][1]] == "5 7"
    assert compare(rec, ann["tables"])["wrong"] == []
