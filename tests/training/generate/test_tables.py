"""Random gold tables: every identity holds, the gold shape is the corpus's, the numbers look like real ones.

Every generated report inherits its gold from here, so a gold that breaks
an identity would teach and test the extractor against a wrong answer.
"""
from __future__ import annotations

import random

import pytest

from extractor.spec.labels import labels
from extractor.training.generate.tables import TEMPLATES, random_tables, template_of
from tests.training.generate.readback import identity_failures


@pytest.mark.parametrize("template", TEMPLATES)
def test_random_tables_satisfy_every_identity(template):
    for seed in range(600):
        gold = random_tables(random.Random(seed), template=template)
        assert identity_failures(gold) == [], (seed, identity_failures(gold))


def test_identity_checker_catches_a_broken_gold():
    gold = random_tables(random.Random(3))
    gold["table3"]["granted"][0] += 1
    assert identity_failures(gold)


def test_random_tables_have_the_gold_shape():
    L = labels()
    gold = random_tables(random.Random(5))
    assert list(gold["table3"]) == list(L.row3)
    assert all(len(v) == 7 for v in gold["table3"].values())
    assert list(gold["table4"]) == list(L.group4)
    assert all(len(v) == 5 for v in gold["table4"].values())
    assert set(gold["table2"]) == {"rules", "normative_docs", "licensing", "punishment", "coercion",
                                   "fees_10k_yuan"}
    assert set(gold["table2"]["rules"]) == {"issued", "repealed", "in_force"}


def test_random_tables_look_like_real_ones():
    golds = [random_tables(random.Random(s)) for s in range(400)]
    cells = [v for g in golds for row in g["table3"].values() for v in row]
    assert sum(v == 0 for v in cells) / len(cells) > 0.7          # mostly zeros
    assert any(g["table2"]["licensing"] >= 100000 for g in golds)  # sometimes huge
    fees = [g["table2"]["fees_10k_yuan"] for g in golds]
    assert sum(f == 0 for f in fees) > 100
    assert any(isinstance(f, float) and f != int(f) for f in fees)  # decimals like 22.53
    assert any(all(v == 0 for row in g["table3"].values() for v in row) for g in golds)
    assert any(g["table3"]["new"][-1] >= 1000 for g in golds)
    assert any(any(v for v in g["table4"]["review"]) for g in golds)


def test_2019_gold_leaves_absent_cells_null():
    L = labels()
    new_only = [r.key for r in L.table3_rows if r.new_template_only]
    for seed in range(50):
        gold = random_tables(random.Random(seed), template="2019")
        assert gold["table2"]["rules"]["repealed"] is None
        assert gold["table2"]["normative_docs"]["repealed"] is None
        assert gold["table2"]["fees_10k_yuan"] is None
        for key in new_only:
            assert gold["table3"][key] == [None] * 7
        assert all(isinstance(v, int) for v in gold["table3"]["other_other"])
        assert template_of(gold) == "2019"
    assert template_of(random_tables(random.Random(1))) == "2021"


def test_hybrid_tables_are_a_2021_table2_with_a_2019_table3():
    import random

    from extractor.training.generate.tables import table2_template

    gold = random_tables(random.Random(5), template="hybrid")
    assert template_of(gold) == "2019" and table2_template(gold) == "2021"
    assert gold["table2"]["fees_10k_yuan"] is not None and gold["table3"]["other_overdue_fee"] == [None] * 7
