"""The composed report: sections in order, title, agency, year and signature, heading variants.

The section finder and the record's agency and year lean on these, so the
generated report must carry them as real ones do.
"""
from __future__ import annotations

import random
import re

from extractor.spec.labels import fold, labels
from extractor.training.generate.layout import LAYOUTS
from extractor.training.generate.render import render
from extractor.training.generate.tables import random_tables


def test_sections_are_all_there_in_order():
    L = labels()
    for layout in LAYOUTS:
        for seed in range(10):
            t = fold(render(random_tables(random.Random(seed)), layout=layout, rng=random.Random(seed)).text)
            body = t[t.find(fold(L.raw["render"]["report_title"])):]
            pos = []
            for s in L.sections:
                hits = [body.find(m, pos[-1] if pos else 0) for m in s.match]
                hits = [h for h in hits if h >= 0]
                assert hits, (layout, seed, s.id)
                pos.append(min(hits))
            assert pos == sorted(pos)


def test_title_agency_year_and_signature():
    gold = random_tables(random.Random(2))
    for layout in LAYOUTS:
        g = render(gold, layout=layout, rng=random.Random(4), agency="青源市统计局", year=2022)
        assert g.gold["agency"] == "青源市统计局" and g.gold["year"] == 2022
        assert "青源市统计局2022年" in fold(g.text)
        assert fold(labels().raw["render"]["report_title"]) in fold(g.text)
        assert re.search(r"青源市统计局\s*\n?\s*\u3000*2023年\d{1,2}月\d{1,2}日", g.text), layout


def test_section_heading_variants_are_found_by_the_label_data():
    L = labels()
    for s in L.sections:
        for variant in L.raw["render"]["section_variants"][s.id]:
            assert any(m in fold(variant) for m in s.match), variant
