"""Reading the tables of a text: layouts and mess a real report showed, one case each."""
from __future__ import annotations

import extractor
from extractor import confidence
from extractor.spec.labels import labels
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


def _report_with_table3_row(values: str) -> str:
    rows = "\n".join(f"{r.label}\t0\t0\t0\t0\t0\t0\t0" for r in labels().table3_rows if r.key != "new")
    return ("三、收到和处理政府信息公开申请情况\n申请人情况\t自然人\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t总计\n"
            f"一、本年新收政府信息公开申请数量\t{values}\n{rows}\n四、政府信息公开行政复议、行政诉讼情况\n")


def test_a_row_whose_search_is_capped_is_flagged_and_never_claimed():
    """Issue 10: a glued run too long to search is read with what was found, flagged, below the review line."""
    rec = extractor.extract(_report_with_table3_row("3141592653589793238462643383279502884197")).to_dict()
    codes = [i["code"] for i in rec["issues"]]
    assert "table3.search_capped" in codes and rec["needs_review"]
    cells = rec["tables"]["table3"]["new"]
    assert all(c["confidence"] <= confidence.CAPPED for c in cells.values() if c["value"] is not None)


@needs_shared
def test_hb10_table4_with_blank_cells_reads_each_blank_slot():
    """hb10 (2019 template, CR line ends, real blank cells): table 4's blanks made 20,000+ readings, and the
    first version read a wrong cell at 0.99; then the capped search flagged the table.  Now the layout's rhythm
    (3 breaks between cells, 5 after a row) places each empty slot: every cell right, the blanks flagged."""
    import json

    from tests.helpers import SHARED

    path = SHARED / "corpus" / "reports" / "hb10.txt"
    rec = extractor.extract_file(path).to_dict()
    gold = json.loads(path.with_name("hb10.gold.json").read_text(encoding="utf-8"))
    result = compare(rec, gold)
    assert result["wrong"] == [] and result["silent"] == []
    assert "table4.search_capped" not in [i["code"] for i in rec["issues"]]
    review = rec["tables"]["table4"]["review"]
    assert review["upheld"]["value"] is None and review["upheld"]["confidence"] <= confidence.BLANK
    assert review["total"]["value"] == 0


@needs_shared
def test_hb09_trailing_blank_total_of_carried_over_is_a_blank_cell():
    """hb09 (CR-only line ends, one cell a line; issue 11): the blank 总计 of 二、上年结转 is an empty slot after
    the row's six 0s (3 breaks between cells, 5 after a row, 8 here).  Trailing slots were never cells, so the
    six 0s were spread over seven cells and a 0 read as the total.  Now the slot is the blank total."""
    import json

    from tests.helpers import SHARED

    path = SHARED / "corpus" / "reports" / "hb09.txt"
    rec = extractor.extract_file(path).to_dict()
    gold = json.loads(path.with_name("hb09.gold.json").read_text(encoding="utf-8"))
    assert compare(rec, gold)["wrong"] == []
    row = rec["tables"]["table3"]["carried_over"]
    assert row["total"]["value"] is None and row["total"]["confidence"] <= confidence.BLANK
    assert row["other"]["value"] == 0 and rec["needs_review"]


def test_fuzz_a_pasted_digit_run_in_a_table3_row_reads_no_giant_value():
    """benchmarks/fuzz (issue 10), seed 1: digits pasted into a table-3 row made a 1,501-digit cell value."""
    rec = extractor.extract(_report_with_table3_row("12\t" + "7" * 1501 + "\t0\t0\t0\t0\t12")).to_dict()
    values = [c["value"] for t in rec["tables"].values() for r in t.values() for c in r.values()]
    assert all(v is None or abs(v) < 10 ** 12 for v in values)
    assert any(i["code"] in ("table3.unsolved", "table3.search_capped") for i in rec["issues"])


def _report_2019_licensing(row: str) -> str:
    return ("二、主动公开政府信息情况\n第二十条第（五）项\n信息内容\t上一年项目数量\t本年增/减\t处理决定数量\n"
            f"行政许可\t{row}\n三、收到和处理政府信息公开申请情况\n四、政府信息公开行政复议、行政诉讼情况\n")


def test_fuzz_a_minus_sign_in_a_kept_table2_column_is_no_negative_count():
    """benchmarks/fuzz (issue 10), seed 1 (#18772 of the long run): in an older-template (2019) table 2,
    where only the unkept 本年增/减 column is signed, "—0-30" was read as —|0|-30 and the kept 处理决定数量
    got -30 (check_record: the span shows 30).  A reading with a negative kept count is no reading."""
    rec = extractor.extract(_report_2019_licensing("—\t0\t-30")).to_dict()
    assert rec["template"] == "2019"
    assert rec["tables"]["table2"]["licensing"]["decisions"]["value"] is None
    assert "table2.unsolved" in [i["code"] for i in rec["issues"]]
    signed = extractor.extract(_report_2019_licensing("5\t-2\t3")).to_dict()  # the signed column still reads
    assert signed["tables"]["table2"]["licensing"]["decisions"]["value"] == 3


def _report_table2(rows: str) -> str:
    return ("二、主动公开政府信息情况\n| 第二十条第（一）项 |\n| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n"
            f"{rows}\n| 第二十条第（八）项 |\n| 信息内容 | 本年收费金额（单位：万元） |\n| 行政事业性收费 | 12.5 |\n\n"
            "30（含自然失效21件）\n\n三、收到和处理政府信息公开申请情况\n四、政府信息公开行政复议、行政诉讼情况\n")


def test_a_table2_row_with_a_number_lost_is_flagged_not_cut():
    """Generator `lost_column` (issue 11 kind 4): `| 行政规范性文件 | 13 | 4 |` for three columns was read
    1|3|4 at 0.97 (a cut of a number printed apart).  The row is flagged; the loose note below the table
    (`30（含自然失效21件）`) is not read as the fee."""
    rec = extractor.extract(_report_table2("| 规章 | 0 | 0 | 0 |\n| 行政规范性文件 | 13 | 4 |")).to_dict()
    t2 = rec["tables"]["table2"]
    assert "table2.lost_cell" in [i["code"] for i in rec["issues"]] and rec["needs_review"]
    assert all(c["confidence"] <= confidence.UNSOLVED for c in t2["normative_docs"].values())
    assert t2["rules"]["in_force"]["value"] == 0 and t2["rules"]["in_force"]["confidence"] >= 0.9
    assert t2["fees"]["amount"]["value"] == 12.5


def test_a_hybrid_report_says_which_template_parts_it_printed():
    """Issue 11 kind 7 (the 洪泽区 PDFs of ../shared/corpus/pdf): a 2021 report whose table 3 keeps the 2019
    single （六）其他处理 row was called a 2019 report.  It is a 2021 report with one older part."""
    import random

    from extractor.training.generate import random_tables, render
    from extractor.training.gold import compare

    gold = random_tables(random.Random(301), template="hybrid")
    for layout in ("tabs", "markdown", "shattered"):
        g = render(gold, layout=layout, rng=random.Random(1))
        rec = extractor.extract(g.text).to_dict()
        assert rec["template"] == "2021"
        assert rec["parsing"]["template_parts"] == {"table2": "2021", "table3": "2019"}
        assert compare(rec, g.gold)["wrong"] == []


def test_a_2019_table2_row_with_a_signed_value_and_a_number_lost_is_flagged():
    """Converter variant seed 9009 (`lost_column`, 2019 template): `0 | -2` for three columns was read
    0|—|2, a decision count of 2 at 0.97.  A signed value is one printed value: the row lacks one."""
    rec = extractor.extract(_report_2019_licensing("0\t-2")).to_dict()
    cell = rec["tables"]["table2"]["licensing"]["decisions"]
    assert cell["confidence"] <= confidence.UNSOLVED and rec["needs_review"]
    assert "table2.lost_cell" in [i["code"] for i in rec["issues"]]
    assert rec["tables"]["table2"]["licensing"]["decisions"] is not None
    signed = extractor.extract(_report_2019_licensing("5\t-2\t3")).to_dict()  # three values: read as printed
    assert signed["tables"]["table2"]["licensing"]["decisions"]["value"] == 3
