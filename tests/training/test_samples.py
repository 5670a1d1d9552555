"""The texts the row classifier learns from: converter layouts labelled by the generator, grouped by their gold."""
from __future__ import annotations

import random

from extractor.training import train as T
from extractor.training.generate import random_tables
from extractor.training.samples import Sample, converter_samples


def _gold_sample(s: int) -> Sample:
    gold = random_tables(random.Random(s))
    return Sample(f"r{s}", f"r{s}", "", [], gold, "real")


def test_converter_samples_keep_their_report_group_so_cv_never_splits_a_report():
    out = converter_samples([_gold_sample(1), _gold_sample(2)], 3, seed=5)
    assert [s.group for s in out] == ["r1"] * 3 + ["r2"] * 3
    assert len({s.id for s in out}) == 6 and {s.kind for s in out} == {"converter"}
    assert all(s.fragments and s.gold["table3"] == random_tables(random.Random(int(s.group[1:])))["table3"]
               for s in out)
    assert converter_samples([_gold_sample(1)], 3, seed=5)[0].text == out[0].text  # seeded
    assert converter_samples([_gold_sample(1)], 0, seed=5) == []


def test_a_converter_fragment_trains_under_its_own_row_and_form():
    """The candidate fragments of a converter layout take the generator's labels: broken header pieces are
    headers, displaced labels their own rows, not noise."""
    data = T.dataset(converter_samples([_gold_sample(3)], 2, seed=9))
    pairs = set(zip(data.forms, data.y))
    assert ("broken_header", "header") in pairs
    assert any(f == "displaced" and y.startswith("table3.") for f, y in pairs)
    assert sum(y == "noise" for y in data.y) < 0.1 * len(data.y)
