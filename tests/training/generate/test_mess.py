"""Each kind of mess shows where chosen, never where not, and never changes a value.

Mess is only worth generating if it really appears, and only safe if the
gold stays the answer.
"""
from __future__ import annotations

import json
import random
import re

import pytest

from extractor.spec.labels import fold, labels
from extractor.training.generate.layout import LAYOUTS
from extractor.training.generate.mess import MESS_KINDS
from extractor.training.generate.render import render
from tests.training.generate.readback import (
    big_gold,
    expect,
    has_split_label,
    printed_rows,
    table3_segments,
    values_read,
    zero_token_re,
)

MESS_SIGNS = {
    "bookmarks": lambda t: re.search(r"\[bookmark: _(GoBack|Toc\d+|Hlk\d+)\]", t),
    "word_comments": lambda t: "<!--[if !supportLists]-->" in t and "<!--[endif]-->" in t,
    "fullwidth": lambda t: re.search(r"[０-９]", t),
    "odd_spaces": lambda t: re.search(r"\u00a0\u3000?[0-9０-９/—\-无]|[0-9０-９/—\-无件]\u00a0", t),
    "crlf": lambda t: "\r\n" in t and t.count("\n") == t.count("\r\n"),
    "page_furniture": lambda t: re.search(r"— \d+ —|- \d+ -|第 ?\d+ ?页|·\d+·", t),
    "split_words": lambda t: has_split_label(t, " ?", " "),
    "broken_labels": lambda t: has_split_label(t, "\n{0,2}", "\n"),
    "thousands": lambda t: re.search(r"(?<![0-9０-９])[0-9０-９]{1,3}(?:,[0-9０-９]{3})+(?![0-9０-９])", t),
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("kind", [k for k in MESS_KINDS if k != "placeholders"])
def test_each_mess_kind_shows_in_every_layout(kind, layout):
    sign = MESS_SIGNS[kind]
    for seed in range(3):
        gold = big_gold(seed)
        clean = render(gold, layout=layout, rng=random.Random(seed))
        messy = render(gold, layout=layout, mess=(kind,), rng=random.Random(seed))
        assert not sign(clean.text), (kind, layout, seed)
        assert "\u00a0" not in clean.text
        assert sign(messy.text), (kind, layout, seed)
        assert messy.mess == (kind,)
        assert messy.gold == clean.gold


@pytest.mark.parametrize("layout", LAYOUTS)
def test_placeholders_stand_for_zero_cells_only(layout):
    glued = layout == "glued"
    zre = zero_token_re()
    for seed in range(4):
        gold = big_gold(seed)
        g = render(gold, layout=layout, mess=("placeholders",), rng=random.Random(seed))
        segs = table3_segments(g.text, "2021")
        marks = 0
        for key, _label, _group in printed_rows("2021"):
            got, m = values_read(segs[key], glued, zre)
            assert got == expect(gold["table3"][key], glued), (layout, seed, key, segs[key])
            marks += m
        assert marks > 0


def test_mess_never_changes_the_gold():
    gold = big_gold(4)
    before = json.dumps(gold, sort_keys=True)
    for layout in LAYOUTS:
        g = render(gold, layout=layout, mess=MESS_KINDS, rng=random.Random(4))
        assert {k: g.gold[k] for k in ("table2", "table3", "table4")} == {k: gold[k] for k in
                                                                          ("table2", "table3", "table4")}
    assert json.dumps(gold, sort_keys=True) == before  # the caller's gold is not mutated


def test_all_mess_at_once_still_keeps_label_cores():
    """Split words, broken lines, comments and bookmarks never destroy a label once spaces are folded."""
    L = labels()
    for seed in range(10):
        g = render(big_gold(seed), layout=LAYOUTS[seed % 5], mess=MESS_KINDS, rng=random.Random(seed))
        folded = fold(re.sub(r"<!--\[if !supportLists\]-->|<!--\[endif\]-->|\[bookmark: _\w+\]", "", g.text))
        for row in L.table3_rows:
            assert row.match[0] in folded, (seed, row.key)
