"""Table 3's rows (extractor/tables/rows3.py): a row one cell short is read with a blank placed."""
from __future__ import annotations

import extractor
from extractor import confidence
from extractor.spec.labels import labels
from extractor.tables.material import material
from extractor.tables.rows3 import lost_blank


def _row(text: str) -> list[tuple]:
    return [r.values for r in lost_blank(material(text, 0, len(text))[0], 7)]


def test_a_row_one_cell_short_reads_a_blank_at_each_place_its_total_allows_the_end_first():
    assert _row("0\t0\t0\t0\t0\t0\n") == [(0, 0, 0, 0, 0, 0, None)] + [
        tuple(None if j == k else 0 for j in range(7)) for k in range(5, -1, -1)]
    # a blank 总计 would have to be the sum of the others: only the inner places fit
    values = _row("1\t2\t0\t0\t0\t3\n")
    assert (1, 2, 0, 0, 0, None, 3) in values and all(v[6] == 3 for v in values)


def test_a_row_with_a_blank_field_already_is_not_one_short():
    assert _row("0\t\t0\t0\t0\t0\t0\n") == []


def _report(carried_over: str) -> str:
    rows = "\n".join(f"{r.label}\t" + ("\t".join(["0"] * 7) if r.key != "carried_over" else carried_over)
                     for r in labels().table3_rows)
    return ("三、收到和处理政府信息公开申请情况\n申请人情况\t自然人\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t总计\n"
            f"{rows}\n四、政府信息公开行政复议、行政诉讼情况\n")


def test_hb09_lost_blank_total_of_a_row_of_zeros_is_never_certain():
    """hb09's generated variants (test_generated, issue 11c): 二、上年结转 prints six 0s and a blank 总计.  Where
    the layout loses the blank (no trailing field) every placement satisfies every identity, so no cell of the
    row may be certain; before, the row was read with a placeholder split or not at all."""
    rec = extractor.extract(_report("0\t0\t0\t0\t0\t0")).to_dict()
    row = rec["tables"]["table3"]["carried_over"]
    assert row["total"]["value"] is None  # the row's end first: where an editor strips an empty field
    assert all(c["confidence"] <= confidence.AMBIGUOUS for c in row.values()) and rec["needs_review"]
    assert all({x["value"] for x in c["candidates"]} == {0, None} for c in row.values())
    assert rec["tables"]["table3"]["new"]["total"]["confidence"] >= 0.9  # the other rows stand


def test_hb09_trailing_tab_of_a_blank_total_with_a_dash_pair_flags_the_total():
    """hb09, test_generated tabs variant 16: `0 | —— | —— | 0 | 0件 | 0件 | ` with its trailing tab; `——` split in
    two read the total as 0 at 0.99 (silent).  The trailing field is now a reading too: the total is flagged."""
    rec = extractor.extract(_report("0\t——\t——\t0\t0件\t0件\t")).to_dict()
    total = rec["tables"]["table3"]["carried_over"]["total"]
    assert total["confidence"] < confidence.REVIEW_BELOW and {x["value"] for x in total["candidates"]} == {0, None}


def test_rows_read_from_the_memo_as_when_searched_and_each_material_searched_once(monkeypatch):
    """Issue 14: `table3_order` tries several placements of mostly the same rows; a row's material is searched once."""
    from extractor.tables import rows3

    lab = labels()
    texts = {r.key: "1\t2\t0\t0\t0\t3\n" if i % 3 == 0 else "0\t0\t0\t0\t0\t0\t0\n" if i % 3 == 1 else "12\t0\t0\t0\t0\t0\t12\n"
             for i, r in enumerate(lab.table3_rows)}
    mats = {k: material(t, 0, len(t))[0] for k, t in texts.items()}
    plain = rows3.Rows3(materials=dict(mats))
    solved = rows3.solve_rows(plain)
    searched = []
    real = rows3.read_row
    monkeypatch.setattr(rows3, "read_row", lambda key, st, ncols: (searched.append(key), real(key, st, ncols)))
    memo: rows3.RowMemo = {}
    for _ in range(3):
        st = rows3.Rows3(materials=dict(mats))
        again = rows3.solve_rows(st, memo)
        assert (st.status, st.forced) == (plain.status, plain.forced)
        assert {k: [r.values for r in rs] for k, rs in st.readings.items()} == \
               {k: [r.values for r in rs] for k, rs in plain.readings.items()}
        assert (again.status, again.complete) == (solved.status, solved.complete)
    assert len(searched) == len(set(map(str, texts.values()))) == 3  # one search per distinct material
    assert {st.status[k] for k in texts} >= {"lost_blank", "ok"}
