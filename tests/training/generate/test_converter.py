"""The converter layouts and converter mess kinds really show up in what the generator writes."""
from __future__ import annotations

import random

from extractor.spec.labels import labels
from extractor.training.generate import random_tables, render
from extractor.training.generate.render import converter_variants


def test_shattered_tables_have_rules_lost_labels_and_a_vertical_group_label():
    texts = [render(random_tables(random.Random(s)), layout="shattered", seed=s).text for s in range(6)]
    assert all("|---" in t for t in texts)
    assert any("|  | " in t for t in texts)  # a value row whose label was lost
    group = labels().raw["table3"]["groups"][0]["match"][1]
    assert any("\n".join(group) in t for t in texts)  # one character a line


def test_ocr_tables_have_generic_headers_and_empty_applicant_tables():
    word = labels().raw["render"]["ocr"]["column_word"]
    t = render(random_tables(random.Random(1)), layout="ocr", seed=1).text
    assert f"{word}1" in t and "| - | - |" in t


def test_cr_only_has_no_line_feed_and_restarted_outline_puts_tables_after_the_prose():
    gold = random_tables(random.Random(2))
    t = render(gold, layout="shattered", mess=("cr_only",), seed=2).text
    assert "\n" not in t and "\r" in t
    t = render(gold, layout="ocr", mess=("restarted_outline",), seed=2).text
    other = labels().sections[-1].title
    assert t.index(labels().raw["table3"]["title"], t.index(other)) > t.index(other)


def test_converter_variants_keep_the_gold():
    gold = random_tables(random.Random(4))
    vs = converter_variants(gold, 5, seed=4)
    assert {v.layout for v in vs} == {"shattered", "ocr"}
    assert all(v.gold["table3"] == gold["table3"] for v in vs)
