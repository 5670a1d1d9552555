"""The three official tables: every label printed, every gold number after its label, in order.

Read back from the text in every layout and both templates, not from the
writer's bookkeeping, so a grid that drops or reorders a cell fails here.
"""
from __future__ import annotations

import random
import re

import pytest

from extractor.spec.labels import fold, labels
from extractor.training.generate.layout import LAYOUTS
from extractor.training.generate.printed import format_number
from extractor.training.generate.render import render
from extractor.training.generate.tables import TEMPLATES, random_tables
from tests.training.generate.readback import (
    expect,
    nfkc,
    printed_rows,
    table3_segments,
    values_read,
)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_table3_label_core_is_printed(layout):
    L = labels()
    for seed in range(5):
        g = render(random_tables(random.Random(seed)), layout=layout, rng=random.Random(seed))
        folded = fold(g.text)
        for row in L.table3_rows:
            assert row.match[0] in folded, (layout, row.key)
        for lab in (*L.col3_labels, *L.col4_labels, *(r.label for r in L.table2_rows)):
            assert fold(lab) in folded, (layout, lab)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("template", TEMPLATES)
def test_table3_numbers_follow_their_labels_in_order(layout, template):
    glued = layout == "glued"
    for seed in range(12):
        gold = random_tables(random.Random(seed), template=template)
        g = render(gold, layout=layout, rng=random.Random(100 + seed))
        segs = table3_segments(g.text, template)
        for key, _label, _group in printed_rows(template):
            got, _ = values_read(segs[key], glued)
            assert got == expect(gold["table3"][key], glued), (layout, seed, key, segs[key])


@pytest.mark.parametrize("layout", LAYOUTS)
def test_table2_and_table4_numbers_in_order(layout):
    glued = layout == "glued"
    L = labels()
    for seed in range(12):
        gold = random_tables(random.Random(seed))
        g = render(gold, layout=layout, rng=random.Random(seed))
        t = nfkc(g.text)
        start = t.find(nfkc(L.raw["table2"]["rows"][0]["group"]))
        end = t.find(nfkc(L.raw["render"]["table3_note"]))
        t2 = gold["table2"]
        want = [*t2["rules"].values(), *t2["normative_docs"].values(), t2["licensing"], t2["punishment"],
                t2["coercion"], t2["fees_10k_yuan"]]
        printed = [format_number(v) for v in want]
        got = re.findall(r"\d+(?:\.\d+)?", t[start:end])
        if glued:
            assert "".join(got) == "".join(printed), (seed, t[start:end])
        else:
            assert got == printed, (layout, seed, t[start:end])
        problems = min(i for i in (t.find(m, end) for m in L.sections[4].match) if i >= 0)
        seg = t[t.rfind(nfkc(L.col4_labels[-1]), 0, problems) + len(L.col4_labels[-1]):problems]
        want4 = [v for grp in L.group4 for v in gold["table4"][grp]]
        got4, _ = values_read(seg, glued)
        assert got4 == expect(want4, glued), (layout, seed, seg)


def test_2019_template_renders_its_own_markers():
    L = labels()
    t19 = L.raw["render"]["t2019"]
    markers = [fold(m) for m in L.old_template["markers"]]
    new_only = [r for r in L.table3_rows if r.new_template_only]
    for layout in LAYOUTS:
        gold = random_tables(random.Random(9), template="2019")
        folded = fold(render(gold, layout=layout, rng=random.Random(9)).text)
        for word in (*t19["rules_headers"], *t19["decision_headers"], t19["procurement_group"],
                     *(r["match"][0] for r in L.raw["table2"]["extra_rows"])):
            assert fold(word) in folded, (layout, word)
        assert sum(m in folded for m in markers) >= 4
        old_group = next(g for g in L.raw["table3"]["groups"] if "old_template_row" in g)
        assert fold(old_group["match"][0]) in folded
        for r in new_only:
            assert r.match[-1] not in folded, (layout, r.key)  # the two new （六） rows are absent
        assert fold(L.table2_column_labels["repealed"]) not in folded
        # and the 2021 template does not print the old headers
        folded21 = fold(render(random_tables(random.Random(9)), layout=layout, rng=random.Random(9)).text)
        assert not any(m in folded21 for m in markers)
