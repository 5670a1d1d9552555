"""The five layouts look like the real flattenings they stand for.

Each test checks a trait of the real source (Word cells a line, PDF tab
shifts, collapsed pipes, markdown tables, the glued crawler page) in the
text itself.
"""
from __future__ import annotations

import random
import re

from extractor.spec.labels import fold, labels
from extractor.training.generate.render import render
from extractor.training.generate.tables import random_tables
from tests.training.generate.readback import big_gold, nfkc


def test_cells_per_line_puts_each_cell_on_its_own_tabbed_line():
    g = render(big_gold(), layout="cells_per_line", rng=random.Random(1))
    t = g.text
    i = t.find("\t" + labels().table3_rows[0].label)
    block = t[i:i + 200].split("\n\n")[0].split("\n")
    assert block[0] == "\t" + labels().table3_rows[0].label
    assert [int(x.strip()) for x in block[1:8]] == big_gold()["table3"]["new"]
    assert "\t139265\n" in t


def test_tabs_shift_values_like_pdf_text():
    """Some value rows lose their leading blanks (the label at line start, values shifted)."""
    label = nfkc(labels().table3_rows[3].label)  # a row printed after a merged group cell
    shifted = plain = 0
    for seed in range(40):
        t = nfkc(render(random_tables(random.Random(seed)), layout="tabs", rng=random.Random(seed)).text)
        line = next(ln for ln in t.split("\n") if label in ln)
        if line.startswith(label):
            shifted += 1
        elif line.startswith("\t"):
            plain += 1
    assert shifted and plain


def test_pipes_collapse_empty_cells_to_bars():
    t = render(big_gold(), layout="pipes", rng=random.Random(3)).text
    rows = [ln for ln in t.split("\n") if " | " in ln]
    assert len(rows) > 40
    assert any(re.search(r" \| \|\|+$", ln) for ln in rows)


def test_markdown_has_real_tables():
    t = render(big_gold(), layout="markdown", rng=random.Random(3)).text
    seps = [ln for ln in t.split("\n") if re.fullmatch(r"\|( --- \|)+", ln)]
    assert len(seps) >= 3
    for block in re.findall(r"(?:^\|.*\|\n)+", t, flags=re.M):
        widths = {ln.count(" | ") for ln in block.strip().split("\n")}
        assert len(widths) == 1, block[:200]  # a real table: every row as wide
    assert t.startswith("# ")


def test_glued_is_a_crawler_page_with_one_body_line():
    gold = big_gold()
    for seed in range(10):
        t = render(gold, layout="glued", rng=random.Random(seed)).text
        head, body = t.split("正文 ====================\n")
        assert head.startswith("标题: ") and "原文链接: http" in head
        assert body.count("\n") == 1 and body.endswith("\n")
        assert fold(labels().table3_rows[0].label) + "".join(map(str, gold["table3"]["new"])) in fold(body)


def test_glued_fuses_ordinals_onto_the_previous_digits():
    hits = 0
    for seed in range(10):
        t = render(random_tables(random.Random(seed)), layout="glued", rng=random.Random(seed)).text
        hits += bool(re.search(r"\d{7}2\.其他法律行政法规禁止公开", t))
    assert hits >= 5
