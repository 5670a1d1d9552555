"""Planted facts: spans point at their text, the number in the text is their value, distractors are not facts.

The narrative tagger is trained and scored on these facts, so each is
checked against the rendered text independently.
"""
from __future__ import annotations

import random
import re

import pytest

from extractor.training.generate.layout import LAYOUTS
from extractor.training.generate.mess import MESS_KINDS
from extractor.training.generate.render import render
from extractor.training.generate.tables import random_tables
from tests.training.generate.readback import CHANNELS, METRICS, nfkc


def _number_in(text: str) -> float:
    t = nfkc(text).replace(",", "")
    m = re.search(r"(\d+(?:\.\d+)?)(万)?", t)
    if m:
        return float(m.group(1)) * (10000 if m.group(2) else 1)
    m = re.search(r"([一二三四五六七八九十]+)", t)
    cn = m.group(1)
    digits = "一二三四五六七八九"
    if "十" in cn:
        tens, _, ones = cn.partition("十")
        return (digits.index(tens) + 1 if tens else 1) * 10 + (digits.index(ones) + 1 if ones else 0)
    return digits.index(cn) + 1


def test_fact_spans_point_at_their_text():
    n = 0
    for seed in range(60):
        layout = LAYOUTS[seed % 5]
        mess = MESS_KINDS if seed % 3 == 0 else (("crlf", "thousands", "fullwidth") if seed % 3 == 1 else ())
        gold = random_tables(random.Random(seed))
        g = render(gold, layout=layout, mess=mess, rng=random.Random(seed))
        for f in g.facts:
            s, e = f["span"]
            assert g.text[s:e] == f["text"], (seed, f)
            assert f["metric"] in METRICS and f["channel"] in CHANNELS
            assert {"metric", "channel", "value", "unit", "text", "span"} <= set(f)
            assert _number_in(f["text"]) == pytest.approx(f["value"]), f
            n += 1
        by = {f["metric"]: f for f in g.facts}
        if "applications_received" in by:
            assert by["applications_received"]["value"] == gold["table3"]["new"][-1]
    assert n > 300


def test_facts_cover_the_metrics_and_can_be_turned_off():
    seen = set()
    for seed in range(80):
        g = render(random_tables(random.Random(seed)), layout=LAYOUTS[seed % 5], rng=random.Random(seed))
        seen |= {f["metric"] for f in g.facts}
        parts = [f for f in g.facts if f["role"] == "part" and f["channel"]]
        total = [f for f in g.facts if f["metric"] == "posts" and f["role"] == "total"]
        if parts and total and not total[0]["approx"]:
            assert sum(f["value"] for f in parts) == total[0]["value"]
    assert seen == METRICS
    g = render(random_tables(random.Random(1)), layout="tabs", rng=random.Random(1), facts=False)
    assert g.facts == []


def test_distractors_are_in_the_prose_but_not_facts():
    texts = [render(random_tables(random.Random(s)), layout="tabs", rng=random.Random(s)) for s in range(10)]
    assert all("12345" in g.text for g in texts)
    assert all("〔" in g.text for g in texts)
    for g in texts:
        assert not any("12345" in f["text"] or "〔" in f["text"] for f in g.facts)
