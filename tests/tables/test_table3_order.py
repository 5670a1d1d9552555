"""Table 3 by row order: labels lost or displaced, the identities prove the placement."""
from __future__ import annotations

import random

import extractor
from extractor import confidence
from extractor.training.generate import random_tables, render
from extractor.training.gold import compare


def test_shattered_markdown_with_displaced_labels_is_read_by_order():
    rng = random.Random(3)
    g = render(random_tables(rng), layout="shattered", mess=("displaced_labels",), rng=rng)
    rec = extractor.extract(g.text).to_dict()
    cmp = compare(rec, g.gold)
    assert rec["parsing"]["table3"]["strategy"] == "sequence"
    assert [w for w in cmp["wrong"] if w[0].startswith("table3.")] == []
    confs = {c["confidence"] for row in rec["tables"]["table3"].values() for c in row.values()}
    assert max(confs) <= 1.0 and min(confs) >= confidence.value("order_uncertain") or rec["needs_review"]


def test_labels_all_lost_rows_are_ordered_and_claimed():
    from extractor.spec.labels import labels

    rows = labels().table3_rows
    vals = {r.key: [0] * 7 for r in rows}
    vals["new"] = [5, 0, 0, 0, 0, 1, 6]
    vals["granted"] = [5, 0, 0, 0, 0, 1, 6]
    vals["total_processed"] = [5, 0, 0, 0, 0, 1, 6]
    body = "\n".join("|  | " + " | ".join(map(str, vals[r.key])) + " |" for r in rows)
    text = ("三、收到和处理政府信息公开申请情况\n| 申请人情况 | 自然人 | 总计 |\n" + body
            + "\n四、政府信息公开行政复议、行政诉讼情况\n")
    rec = extractor.extract(text).to_dict()
    t3 = rec["tables"]["table3"]
    assert rec["parsing"]["table3"]["strategy"] == "sequence"
    assert [c["value"] for c in t3["granted"].values()] == vals["granted"]
    assert t3["granted"]["natural_person"]["confidence"] == confidence.value("ordered")
