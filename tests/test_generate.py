"""The generator of messy reports: its gold must add up and its text must really carry it.

Everything the extractor is trained and tested on downstream leans on these
properties, so each test here reads the rendered text back independently
(label positions, numbers in order, spans) rather than trusting the
generator's own bookkeeping.
"""
from __future__ import annotations

import json
import random
import re
import time
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest

from extractor import generate as G
from extractor.labels import fold, labels

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "reports"
SAMPLES = ROOT / "samples"

METRICS = {
    "posts", "press_conferences", "briefings", "hearings", "interpretations", "responses",
    "training_sessions", "training_participants", "messages_received", "messages_replied",
    "reply_rate", "accounts", "applications_received", "applications_completed",
    "applications_carried_forward", "fees_collected", "readership",
}
CHANNELS = {"website", "weibo", "wechat", "douyin", "toutiao", "new_media", "gazette", "press", "other", None}


def nfkc(s: str) -> str:
    return unicodedata.normalize("NFKC", s)


# ---------------------------------------------------------------- helpers

def identity_failures(gold: dict) -> list[str]:
    """Every identity of labels.toml checked on a gold (nulls = cell absent in the template)."""
    L = labels()
    t3, t4 = gold["table3"], gold["table4"]
    cols = list(L.col3)
    fails = []
    for ident in L.identities:
        if ident.table == "table3" and ident.per == "row":
            for key, vals in t3.items():
                if vals is None or any(v is None for v in vals):
                    continue
                lhs = sum(vals[cols.index(c)] for c in ident.lhs)
                rhs = sum(vals[cols.index(c)] for c in ident.rhs)
                if lhs != rhs:
                    fails.append(f"{ident.rule} {key}")
        elif ident.table == "table3":
            rhs_rows = L.outcome_rows if ident.rhs == "outcomes" else ident.rhs
            for ci, col in enumerate(cols):
                def total(rows):
                    return sum(t3[r][ci] for r in rows if t3.get(r) is not None and t3[r][ci] is not None)
                if total(ident.lhs) != total(rhs_rows):
                    fails.append(f"{ident.rule} {col}")
        elif ident.table == "table4":
            c4 = list(L.col4)
            for g, vals in t4.items():
                if sum(vals[c4.index(c)] for c in ident.lhs) != sum(vals[c4.index(c)] for c in ident.rhs):
                    fails.append(f"{ident.rule} {g}")
    return fails


def big_gold(seed: int = 1, template: str = "2021") -> dict:
    """A random gold with at least one number >= 1000 and plenty of zeros (so every mess has a place)."""
    gold = G.random_tables(random.Random(seed), template=template)
    gold["table2"]["licensing"] = 139265
    return gold


def printed_rows(template: str) -> list[tuple[str, str, str | None]]:
    """(row key, printed label, group label printed before it or None), in table order."""
    L = labels()
    groups = L.raw["table3"]["groups"]
    old_rows = {g["old_template_row"]: g["match"][0] for g in groups if "old_template_row" in g}
    out = []
    gi = 0
    seen_outcome = False
    for r in L.table3_rows:
        if template == "2019" and r.new_template_only:
            continue
        group = None
        if r.outcome and not seen_outcome:
            group, seen_outcome = groups[0]["match"][0], True
        elif r.outcome and r.ordinal == 1:
            gi += 1
            group = groups[gi]["match"][0]
        label = old_rows[r.key] if template == "2019" and r.key in old_rows else r.label
        out.append((r.key, label, group))
    return out


def table3_segments(text: str, template: str) -> dict[str, str]:
    """The text between each table-3 row's label and the next label: where its numbers are."""
    t = nfkc(text)
    rows = printed_rows(template)
    segs = {}
    pos = 0
    end_of_table = nfkc(labels().group4_labels[0])
    for i, (key, label, _group) in enumerate(rows):
        at = t.find(nfkc(label), pos)
        assert at >= 0, f"label of {key} not found in order: {label}"
        start = at + len(nfkc(label))
        ends = []
        if i + 1 < len(rows):
            nkey, nlabel, ngroup = rows[i + 1]
            for cand in (nlabel, ngroup):
                if cand:
                    j = t.find(nfkc(cand), start)
                    if j >= 0:
                        ends.append(j)
        else:
            ends.append(t.find(end_of_table, start))
        end = min(e for e in ends if e >= 0)
        segs[key] = t[start:end]
        pos = start
    return segs


def zero_token_re() -> re.Pattern:
    L = labels()
    marks = sorted({*L.zero_marks, *(f"0{u}" for u in L.units)}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, marks)) + r"|\d+(?:\.\d+)?")


def values_read(seg: str, glued: bool, zero_re: re.Pattern | None = None) -> tuple[list | str, int]:
    """Numbers in a segment (ints, or the digit run when glued) and how many placeholders stood for 0."""
    if zero_re is None:
        toks = re.findall(r"\d+", seg)
        marks = 0
    else:
        raw = zero_re.findall(seg)
        marks = sum(1 for x in raw if not x.isdigit())
        toks = [x if x.isdigit() else "0" for x in raw]
    if glued:
        return "".join(toks), marks
    return [int(x) for x in toks], marks


def expect(vals: list, glued: bool) -> list | str:
    """What a row should read as: its printed values (a null cell is printed blank)."""
    vals = [v for v in vals if v is not None]
    return "".join(str(v) for v in vals) if glued else vals


def cjk_pattern(label: str, sep: str) -> re.Pattern:
    return re.compile(sep.join(re.escape(ch) for ch in label))


LABEL_WORDS = sorted({*labels().col3_labels, *labels().col4_labels,
                      *(r.label for r in labels().table3_rows if len(r.label) <= 12)})


def has_split_label(text: str, sep: str, must: str) -> bool:
    """Some table label printed with `must` (a space, a newline) between its characters."""
    for lab in LABEL_WORDS:
        for m in cjk_pattern(lab, sep).finditer(text):
            if must in m.group(0):
                return True
    return False


# ---------------------------------------------------------------- random gold

@pytest.mark.parametrize("template", G.TEMPLATES)
def test_random_tables_satisfy_every_identity(template):
    for seed in range(600):
        gold = G.random_tables(random.Random(seed), template=template)
        assert identity_failures(gold) == [], (seed, identity_failures(gold))


def test_identity_checker_catches_a_broken_gold():
    gold = G.random_tables(random.Random(3))
    gold["table3"]["granted"][0] += 1
    assert identity_failures(gold)


def test_random_tables_have_the_gold_shape():
    L = labels()
    gold = G.random_tables(random.Random(5))
    assert list(gold["table3"]) == list(L.row3)
    assert all(len(v) == 7 for v in gold["table3"].values())
    assert list(gold["table4"]) == list(L.group4)
    assert all(len(v) == 5 for v in gold["table4"].values())
    assert set(gold["table2"]) == {"rules", "normative_docs", "licensing", "punishment", "coercion",
                                   "fees_10k_yuan"}
    assert set(gold["table2"]["rules"]) == {"issued", "repealed", "in_force"}


def test_random_tables_look_like_real_ones():
    golds = [G.random_tables(random.Random(s)) for s in range(400)]
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
        gold = G.random_tables(random.Random(seed), template="2019")
        assert gold["table2"]["rules"]["repealed"] is None
        assert gold["table2"]["normative_docs"]["repealed"] is None
        assert gold["table2"]["fees_10k_yuan"] is None
        for key in new_only:
            assert gold["table3"][key] == [None] * 7
        assert all(isinstance(v, int) for v in gold["table3"]["other_other"])
        assert G.template_of(gold) == "2019"
    assert G.template_of(G.random_tables(random.Random(1))) == "2021"


# ---------------------------------------------------------------- the text carries the gold

@pytest.mark.parametrize("layout", G.LAYOUTS)
def test_every_table3_label_core_is_printed(layout):
    L = labels()
    for seed in range(5):
        g = G.render(G.random_tables(random.Random(seed)), layout=layout, rng=random.Random(seed))
        folded = fold(g.text)
        for row in L.table3_rows:
            assert row.match[0] in folded, (layout, row.key)
        for lab in (*L.col3_labels, *L.col4_labels, *(r.label for r in L.table2_rows)):
            assert fold(lab) in folded, (layout, lab)


@pytest.mark.parametrize("layout", G.LAYOUTS)
@pytest.mark.parametrize("template", G.TEMPLATES)
def test_table3_numbers_follow_their_labels_in_order(layout, template):
    glued = layout == "glued"
    for seed in range(12):
        gold = G.random_tables(random.Random(seed), template=template)
        g = G.render(gold, layout=layout, rng=random.Random(100 + seed))
        segs = table3_segments(g.text, template)
        for key, _label, _group in printed_rows(template):
            got, _ = values_read(segs[key], glued)
            assert got == expect(gold["table3"][key], glued), (layout, seed, key, segs[key])


@pytest.mark.parametrize("layout", G.LAYOUTS)
def test_table2_and_table4_numbers_in_order(layout):
    glued = layout == "glued"
    L = labels()
    for seed in range(12):
        gold = G.random_tables(random.Random(seed))
        g = G.render(gold, layout=layout, rng=random.Random(seed))
        t = nfkc(g.text)
        start = t.find(nfkc(L.raw["table2"]["rows"][0]["group"]))
        end = t.find(nfkc(L.raw["render"]["table3_note"]))
        t2 = gold["table2"]
        want = [*t2["rules"].values(), *t2["normative_docs"].values(), t2["licensing"], t2["punishment"],
                t2["coercion"], t2["fees_10k_yuan"]]
        printed = [G._fmt_number(v) for v in want]
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
    for layout in G.LAYOUTS:
        gold = G.random_tables(random.Random(9), template="2019")
        folded = fold(G.render(gold, layout=layout, rng=random.Random(9)).text)
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
        folded21 = fold(G.render(G.random_tables(random.Random(9)), layout=layout, rng=random.Random(9)).text)
        assert not any(m in folded21 for m in markers)


def test_sections_are_all_there_in_order():
    L = labels()
    for layout in G.LAYOUTS:
        for seed in range(10):
            t = fold(G.render(G.random_tables(random.Random(seed)), layout=layout, rng=random.Random(seed)).text)
            body = t[t.find(fold(L.raw["render"]["report_title"])):]
            pos = []
            for s in L.sections:
                hits = [body.find(m, pos[-1] if pos else 0) for m in s.match]
                hits = [h for h in hits if h >= 0]
                assert hits, (layout, seed, s.id)
                pos.append(min(hits))
            assert pos == sorted(pos)


def test_title_agency_year_and_signature():
    gold = G.random_tables(random.Random(2))
    for layout in G.LAYOUTS:
        g = G.render(gold, layout=layout, rng=random.Random(4), agency="青源市统计局", year=2022)
        assert g.gold["agency"] == "青源市统计局" and g.gold["year"] == 2022
        assert "青源市统计局2022年" in fold(g.text)
        assert fold(labels().raw["render"]["report_title"]) in fold(g.text)
        assert re.search(r"青源市统计局\s*\n?\s*\u3000*2023年\d{1,2}月\d{1,2}日", g.text), layout


# ---------------------------------------------------------------- layouts look like the real ones

def test_cells_per_line_puts_each_cell_on_its_own_tabbed_line():
    g = G.render(big_gold(), layout="cells_per_line", rng=random.Random(1))
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
        t = nfkc(G.render(G.random_tables(random.Random(seed)), layout="tabs", rng=random.Random(seed)).text)
        line = next(ln for ln in t.split("\n") if label in ln)
        if line.startswith(label):
            shifted += 1
        elif line.startswith("\t"):
            plain += 1
    assert shifted and plain


def test_pipes_collapse_empty_cells_to_bars():
    t = G.render(big_gold(), layout="pipes", rng=random.Random(3)).text
    rows = [ln for ln in t.split("\n") if " | " in ln]
    assert len(rows) > 40
    assert any(re.search(r" \| \|\|+$", ln) for ln in rows)


def test_markdown_has_real_tables():
    t = G.render(big_gold(), layout="markdown", rng=random.Random(3)).text
    seps = [ln for ln in t.split("\n") if re.fullmatch(r"\|( --- \|)+", ln)]
    assert len(seps) >= 3
    for block in re.findall(r"(?:^\|.*\|\n)+", t, flags=re.M):
        widths = {ln.count(" | ") for ln in block.strip().split("\n")}
        assert len(widths) == 1, block[:200]  # a real table: every row as wide
    assert t.startswith("# ")


def test_glued_is_a_crawler_page_with_one_body_line():
    gold = big_gold()
    for seed in range(10):
        t = G.render(gold, layout="glued", rng=random.Random(seed)).text
        head, body = t.split("正文 ====================\n")
        assert head.startswith("标题: ") and "原文链接: http" in head
        assert body.count("\n") == 1 and body.endswith("\n")
        assert fold(labels().table3_rows[0].label) + "".join(map(str, gold["table3"]["new"])) in fold(body)


def test_glued_fuses_ordinals_onto_the_previous_digits():
    hits = 0
    for seed in range(10):
        t = G.render(G.random_tables(random.Random(seed)), layout="glued", rng=random.Random(seed)).text
        hits += bool(re.search(r"\d{7}2\.其他法律行政法规禁止公开", t))
    assert hits >= 5


# ---------------------------------------------------------------- facts

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
        layout = G.LAYOUTS[seed % 5]
        mess = G.MESS_KINDS if seed % 3 == 0 else (("crlf", "thousands", "fullwidth") if seed % 3 == 1 else ())
        gold = G.random_tables(random.Random(seed))
        g = G.render(gold, layout=layout, mess=mess, rng=random.Random(seed))
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
        g = G.render(G.random_tables(random.Random(seed)), layout=G.LAYOUTS[seed % 5], rng=random.Random(seed))
        seen |= {f["metric"] for f in g.facts}
        parts = [f for f in g.facts if f["role"] == "part" and f["channel"]]
        total = [f for f in g.facts if f["metric"] == "posts" and f["role"] == "total"]
        if parts and total and not total[0]["approx"]:
            assert sum(f["value"] for f in parts) == total[0]["value"]
    assert seen == METRICS
    g = G.render(G.random_tables(random.Random(1)), layout="tabs", rng=random.Random(1), facts=False)
    assert g.facts == []


def test_distractors_are_in_the_prose_but_not_facts():
    texts = [G.render(G.random_tables(random.Random(s)), layout="tabs", rng=random.Random(s)) for s in range(10)]
    assert all("12345" in g.text for g in texts)
    assert all("〔" in g.text for g in texts)
    for g in texts:
        assert not any("12345" in f["text"] or "〔" in f["text"] for f in g.facts)


# ---------------------------------------------------------------- determinism

def test_same_seed_same_report():
    gold = G.random_tables(random.Random(42))
    assert G.random_tables(random.Random(42)) == gold
    for layout in G.LAYOUTS:
        a = G.render(gold, layout=layout, mess=G.MESS_KINDS, rng=random.Random(7))
        b = G.render(gold, layout=layout, mess=G.MESS_KINDS, rng=random.Random(7))
        c = G.render(gold, layout=layout, mess=G.MESS_KINDS, rng=random.Random(8))
        assert a.text == b.text and a.facts == b.facts
        assert a.text != c.text
    assert G.render(gold, layout="glued", seed=3).text == G.render(gold, layout="glued", seed=3).text
    va, vb = G.variants(gold, 12, seed=5), G.variants(gold, 12, seed=5)
    assert [v.text for v in va] == [v.text for v in vb]
    assert [v.text for v in va] != [v.text for v in G.variants(gold, 12, seed=6)]


# ---------------------------------------------------------------- mess

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


@pytest.mark.parametrize("layout", G.LAYOUTS)
@pytest.mark.parametrize("kind", [k for k in G.MESS_KINDS if k != "placeholders"])
def test_each_mess_kind_shows_in_every_layout(kind, layout):
    sign = MESS_SIGNS[kind]
    for seed in range(3):
        gold = big_gold(seed)
        clean = G.render(gold, layout=layout, rng=random.Random(seed))
        messy = G.render(gold, layout=layout, mess=(kind,), rng=random.Random(seed))
        assert not sign(clean.text), (kind, layout, seed)
        assert "\u00a0" not in clean.text
        assert sign(messy.text), (kind, layout, seed)
        assert messy.mess == (kind,)
        assert messy.gold == clean.gold


@pytest.mark.parametrize("layout", G.LAYOUTS)
def test_placeholders_stand_for_zero_cells_only(layout):
    glued = layout == "glued"
    zre = zero_token_re()
    for seed in range(4):
        gold = big_gold(seed)
        g = G.render(gold, layout=layout, mess=("placeholders",), rng=random.Random(seed))
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
    for layout in G.LAYOUTS:
        g = G.render(gold, layout=layout, mess=G.MESS_KINDS, rng=random.Random(4))
        assert {k: g.gold[k] for k in ("table2", "table3", "table4")} == {k: gold[k] for k in
                                                                          ("table2", "table3", "table4")}
    assert json.dumps(gold, sort_keys=True) == before  # the caller's gold is not mutated


def test_all_mess_at_once_still_keeps_label_cores():
    """Split words, broken lines, comments and bookmarks never destroy a label once spaces are folded."""
    L = labels()
    for seed in range(10):
        g = G.render(big_gold(seed), layout=G.LAYOUTS[seed % 5], mess=G.MESS_KINDS, rng=random.Random(seed))
        folded = fold(re.sub(r"<!--\[if !supportLists\]-->|<!--\[endif\]-->|\[bookmark: _\w+\]", "", g.text))
        for row in L.table3_rows:
            assert row.match[0] in folded, (seed, row.key)


def test_unknown_layout_or_mess_is_refused():
    gold = G.random_tables(random.Random(1))
    with pytest.raises(ValueError):
        G.render(gold, layout="pdf", rng=random.Random(1))
    with pytest.raises(ValueError):
        G.render(gold, layout="tabs", mess=("smudges",), rng=random.Random(1))


# ---------------------------------------------------------------- variants of real gold

def _corpus_golds() -> list[tuple[str, dict]]:
    if not CORPUS.is_dir():
        return []
    return [(p.name, json.loads(p.read_text(encoding="utf-8"))) for p in sorted(CORPUS.glob("*.gold.json"))]


@pytest.mark.skipif(not _corpus_golds(), reason="shared corpus not present")
def test_variants_of_real_golds_cover_layouts_and_mess():
    L = labels()
    for name, gold in _corpus_golds():
        vs = G.variants(gold, 20, seed=11)
        assert len(vs) == 20
        assert {v.layout for v in vs} == set(G.LAYOUTS)
        assert set().union(*(v.mess for v in vs)) == set(G.MESS_KINDS)
        assert len({(v.layout, v.mess) for v in vs}) >= 15
        template = G.template_of(gold)
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
        template = G.template_of(gold)
        for layout in G.LAYOUTS:
            g = G.render(gold, layout=layout, rng=random.Random(len(name)))
            segs = table3_segments(g.text, template)
            for key, _l, _g in printed_rows(template):
                got, _ = values_read(segs[key], layout == "glued")
                assert got == expect(gold["table3"][key], layout == "glued"), (name, layout, key)


# ---------------------------------------------------------------- HTML

class _Cells(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables = 0
        self.spans = 0
        self.cells: list[str] = []
        self._in = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables += 1
        if tag == "td":
            self._in = True
            self.cells.append("")
            self.spans += any(k in ("rowspan", "colspan") for k, _ in attrs)

    def handle_endtag(self, tag):
        if tag == "td":
            self._in = False

    def handle_data(self, data):
        if self._in:
            self.cells[-1] += data


def test_render_html_has_real_tables_with_spans():
    gold = big_gold(2)
    page = G.render_html(gold, random.Random(2), agency="东湖区教育局", year=2023)
    p = _Cells()
    p.feed(page)
    assert p.tables == 3 and p.spans >= 20
    cells = [nfkc(c).strip() for c in p.cells]
    first = cells.index(nfkc(labels().table3_rows[0].label))
    assert [int(x) for x in cells[first + 1:first + 8]] == gold["table3"]["new"]
    assert "139265" in cells
    assert "东湖区教育局2023年" in page
    assert G.render_html(gold, random.Random(2)) == G.render_html(gold, random.Random(2))


# ---------------------------------------------------------------- samples and speed

@pytest.mark.skipif(not SAMPLES.is_dir() or not list(SAMPLES.glob("sample_*")), reason="samples not built")
def test_bundled_samples():
    L = labels()
    reports = sorted(p for p in SAMPLES.glob("sample_*") if not p.name.endswith(".gold.json"))
    assert len(reports) >= 12
    assert sum(p.stat().st_size for p in SAMPLES.iterdir()) < 300_000
    layouts, templates, encodings = set(), set(), set()
    for p in reports:
        rec = json.loads(p.with_name(p.name.split(".")[0] + ".gold.json").read_text(encoding="utf-8"))
        layouts.add(rec["layout"])
        templates.add(rec["template"])
        encodings.add(rec["encoding"])
        assert identity_failures(rec) == []
        data = p.read_bytes()
        if rec["encoding"] == "gb18030":
            with pytest.raises(UnicodeDecodeError):
                data.decode("utf-8")
        text = data.decode(rec["encoding"])
        if rec["format"] == "html":
            assert "<table" in text and "rowspan" in text and "colspan" in text
            continue
        for f in rec["facts"]:
            assert text[f["span"][0]:f["span"][1]] == f["text"]
        folded = fold(text)
        assert all(r.match[0] in folded for r in L.table3_rows if not (rec["template"] == "2019" and
                                                                       (r.new_template_only or r.key == "other_other")))
    assert set(G.LAYOUTS) | {"html"} <= layouts
    assert templates == set(G.TEMPLATES)
    assert "gb18030" in encodings


def test_rendering_is_fast():
    """Training renders thousands: a report must take well under 5 ms (best of three runs, noise aside)."""
    golds = [G.random_tables(random.Random(s)) for s in range(100)]
    best = 1.0
    for _ in range(3):
        t = time.perf_counter()
        for i, gold in enumerate(golds):
            G.render(gold, layout=G.LAYOUTS[i % 5], mess=G.MESS_KINDS if i % 2 else (), rng=random.Random(i))
        best = min(best, (time.perf_counter() - t) / len(golds))
    assert best < 0.005, f"{best * 1000:.2f} ms per report"


def test_section_heading_variants_are_found_by_the_label_data():
    L = labels()
    for s in L.sections:
        for variant in L.raw["render"]["section_variants"][s.id]:
            assert any(m in fold(variant) for m in s.match), variant


def test_ten_variants_already_cover_every_layout_and_mess_kind():
    gold = G.random_tables(random.Random(21))
    vs = G.variants(gold, 10, seed=2)
    assert [v.layout for v in vs] == [G.LAYOUTS[i % 5] for i in range(10)]
    assert set().union(*(v.mess for v in vs)) == set(G.MESS_KINDS)
    assert len({v.text for v in vs}) == 10
    assert all(v.seed is not None for v in vs)
