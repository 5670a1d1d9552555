"""The front door: one seed one report, unknown layouts and mess refused, variants cover everything, fast.

Training and the corpus suites render thousands of reports from seeds, so
determinism, coverage and speed are what they rely on.
"""
from __future__ import annotations

import json
import random
import re

import pytest

from extractor.spec.labels import fold, labels
from extractor.training.generate.layout import LAYOUTS
from extractor.training.generate.mess import MESS_KINDS
from extractor.training.generate.render import render, variants
from extractor.training.generate.tables import random_tables, template_of
from tests.helpers import ROOT
from tests.training.generate.readback import (
    expect,
    printed_rows,
    table3_segments,
    values_read,
)


def test_same_seed_same_report():
    gold = random_tables(random.Random(42))
    assert random_tables(random.Random(42)) == gold
    for layout in LAYOUTS:
        a = render(gold, layout=layout, mess=MESS_KINDS, rng=random.Random(7))
        b = render(gold, layout=layout, mess=MESS_KINDS, rng=random.Random(7))
        c = render(gold, layout=layout, mess=MESS_KINDS, rng=random.Random(8))
        assert a.text == b.text and a.facts == b.facts
        assert a.text != c.text
    assert render(gold, layout="glued", seed=3).text == render(gold, layout="glued", seed=3).text
    va, vb = variants(gold, 12, seed=5), variants(gold, 12, seed=5)
    assert [v.text for v in va] == [v.text for v in vb]
    assert [v.text for v in va] != [v.text for v in variants(gold, 12, seed=6)]


def test_unknown_layout_or_mess_is_refused():
    gold = random_tables(random.Random(1))
    with pytest.raises(ValueError):
        render(gold, layout="pdf", rng=random.Random(1))
    with pytest.raises(ValueError):
        render(gold, layout="tabs", mess=("smudges",), rng=random.Random(1))


CORPUS = ROOT.parent / "shared" / "corpus" / "reports"


def _corpus_golds() -> list[tuple[str, dict]]:
    if not CORPUS.is_dir():
        return []
    return [(p.name, json.loads(p.read_text(encoding="utf-8"))) for p in sorted(CORPUS.glob("*.gold.json"))]


@pytest.mark.skipif(not _corpus_golds(), reason="shared corpus not present")
def test_variants_of_real_golds_cover_layouts_and_mess():
    L = labels()
    for name, gold in _corpus_golds():
        vs = variants(gold, 20, seed=11)
        assert len(vs) == 20
        assert {v.layout for v in vs} == set(LAYOUTS)
        assert set().union(*(v.mess for v in vs)) == set(MESS_KINDS)
        assert len({(v.layout, v.mess) for v in vs}) >= 15
        template = template_of(gold)
        for v in vs:
            assert v.gold["agency"] == gold["agency"] and v.gold["year"] == gold["year"]
            assert v.gold["table3"] == gold["table3"] and v.gold["table4"] == gold["table4"]
            assert v.template == template
            folded = fold(re.sub(r"<!--\[if !supportLists\]-->|<!--\[endif\]-->", "", v.text))
            for row in L.table3_rows:
                if template == "2019" and row.new_template_only:
                    continue
                core = row.match[0]
                if template == "2019" and row.key == "other_other":
                    continue
                assert core in folded, (name, v.layout, row.key)
            for f in v.facts:
                assert v.text[f["span"][0]:f["span"][1]] == f["text"]


@pytest.mark.skipif(not _corpus_golds(), reason="shared corpus not present")
def test_clean_renderings_of_real_golds_read_back_exactly():
    for name, gold in _corpus_golds():
        template = template_of(gold)
        for layout in LAYOUTS:
            g = render(gold, layout=layout, rng=random.Random(len(name)))
            segs = table3_segments(g.text, template)
            for key, _l, _g in printed_rows(template):
                got, _ = values_read(segs[key], layout == "glued")
                assert got == expect(gold["table3"][key], layout == "glued"), (name, layout, key)


def test_ten_variants_already_cover_every_layout_and_mess_kind():
    gold = random_tables(random.Random(21))
    vs = variants(gold, 10, seed=2)
    assert [v.layout for v in vs] == [LAYOUTS[i % 5] for i in range(10)]
    assert set().union(*(v.mess for v in vs)) == set(MESS_KINDS)
    assert len({v.text for v in vs}) == 10
    assert all(v.seed is not None for v in vs)
