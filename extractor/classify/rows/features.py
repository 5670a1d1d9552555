"""The classifier's features: one table (`FEATURES`), each entry a fragment in its context to a sparse dict.

A `DictVectorizer` turns the union into the design matrix; the module
docstring of `extractor.classify.rows` lists what each entry says.
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import Callable, Iterable, Sequence

from rapidfuzz import fuzz

from extractor.classify.rows.fragments import CN_ORD_AT_START, LEAD, SENTENCE, Fragment, exact_key
from extractor.spec.labels import fold, labels

@lru_cache(maxsize=None)
def _fuzzy_targets(table: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Per class of this table: the label strings a fragment is scored against."""
    L = labels()
    out: list[tuple[str, tuple[str, ...]]] = []
    if table == "table2":
        for r in L.table2_rows + L.table2_extra_rows:
            out.append((f"table2.{r.key}", tuple(dict.fromkeys([fold(r.label), *r.match]))))
    elif table == "table3":
        for r in L.table3_rows:
            core = LEAD.sub("", fold(r.label))
            out.append((f"table3.{r.key}", tuple(dict.fromkeys([core, *r.match]))))
        out.append(("group", tuple(dict.fromkeys(m for g in L.table3_groups for m in g["match"]))))
    else:
        for g, lab in zip(L.group4, L.group4_labels):
            out.append((f"table4.{g}", (fold(lab.split("·")[-1]),)))
        out.append(("table4.header", tuple(fold(x) for x in L.col4_labels)))
    return tuple(out)


@lru_cache(maxsize=200_000)
def fuzzy_scores(table: str, core: str) -> tuple[tuple[str, float, float], ...]:
    """(class, partial_ratio, ratio) / 100 of a fragment core against each class's labels."""
    out = []
    for cls, variants in _fuzzy_targets(table):
        p = max(fuzz.partial_ratio(v, core) for v in variants) if core else 0.0
        r = max(fuzz.ratio(v, core) for v in variants) if core else 0.0
        out.append((cls, p / 100.0, r / 100.0))
    return tuple(out)


# ================================================================ features
def _bucket(n: int, edges: Sequence[int]) -> str:
    for e in edges:
        if n <= e:
            return str(e)
    return f">{edges[-1]}"


def f_ngrams(frags: list[Fragment], i: int, ctx: dict) -> dict[str, float]:
    core = frags[i].core or frags[i].text
    grams = [core[k:k + n] for n in (1, 2, 3) for k in range(len(core) - n + 1)]
    if not grams:
        return {}
    w = 1.0 / math.sqrt(len(grams))
    out: dict[str, float] = {}
    for g in grams:
        out["ng=" + g] = w
    return out


def f_shape(frags: list[Fragment], i: int, ctx: dict) -> dict[str, float]:
    t = frags[i].text
    han = sum(1 for ch in t if "\u4e00" <= ch <= "\u9fff")
    return {
        "len=" + _bucket(len(t), (1, 2, 3, 4, 6, 8, 12, 20, 40)): 1.0,
        "len_log": math.log1p(len(t)) / 5.0,
        "sentence": 1.0 if SENTENCE.search(t) or len(t) > 40 else 0.0,
        "han_share": han / max(1, len(t)),
    }


def f_position(frags: list[Fragment], i: int, ctx: dict) -> dict[str, float]:
    f = frags[i]
    out = {"table=" + f.table: 1.0, f"{f.table}.pos={min(9, int(f.rel * 10))}": 1.0, "rel": f.rel}
    if f.index < 3:
        out[f"first={f.index}"] = 1.0
    if f.count - f.index <= 3:
        out[f"last={f.count - f.index}"] = 1.0
    return out


def f_digits(frags: list[Fragment], i: int, ctx: dict) -> dict[str, float]:
    f = frags[i]
    return {
        "dig_after=" + _bucket(f.digits_after, (0, 1, 3, 6, 7, 8, 14, 30)): 1.0,
        "cells_after=" + _bucket(f.cells_after, (0, 1, 2, 3, 5, 7, 9)): 1.0,
        "dig_before=" + _bucket(f.digits_before, (0, 1, 3, 7, 14)): 1.0,
        "dig_in": 1.0 if any(ch.isdigit() for ch in f.text) else 0.0,
    }


def f_ordinal(frags: list[Fragment], i: int, ctx: dict) -> dict[str, float]:
    f = frags[i]
    out: dict[str, float] = {}
    if f.ordinal:
        out["ord_ar=" + f.ordinal] = 1.0
        out["ord_ar"] = 1.0
    m = CN_ORD_AT_START.match(f.text)
    if m:
        out["ord_cn=" + (m.group(1) or m.group(2))] = 1.0
        out["ord_cn_paren" if m.group(1) else "ord_cn_dun"] = 1.0
    return out


def f_furniture(frags: list[Fragment], i: int, ctx: dict) -> dict[str, float]:
    k = frags[i].furniture
    return {"furn=" + k: 1.0} if k else {}


def f_neighbours(frags: list[Fragment], i: int, ctx: dict) -> dict[str, float]:
    keys = ctx["exact"]
    n = len(frags)
    out = {
        "prev1=" + (keys[i - 1] if i > 0 else "^"): 1.0,
        "next1=" + (keys[i + 1] if i + 1 < n else "$"): 1.0,
        "prev2=" + (keys[i - 2] if i > 1 else "^"): 1.0,
        "next2=" + (keys[i + 2] if i + 2 < n else "$"): 1.0,
    }
    out["prevrow=" + ctx["prevrow"][i]] = 1.0
    out["nextrow=" + ctx["nextrow"][i]] = 1.0
    out["self_exact=" + keys[i]] = 1.0
    return out


def f_fuzzy(frags: list[Fragment], i: int, ctx: dict) -> dict[str, float]:
    f = frags[i]
    scores = fuzzy_scores(f.table, f.core or f.text)
    out: dict[str, float] = {}
    best = sorted(((max(p, r), cls) for cls, p, r in scores), reverse=True)
    for cls, p, r in scores:
        out["fz_p=" + cls] = p
        out["fz_r=" + cls] = r
    if best:
        out["fz_best=" + best[0][1]] = 1.0
        out["fz_top"] = best[0][0]
        out["fz_margin"] = best[0][0] - (best[1][0] if len(best) > 1 else 0.0)
    return out


# name, what it says, the function: THE feature table (see the module docstring).
FEATURES: tuple[tuple[str, str, Callable[[list[Fragment], int, dict], dict[str, float]]], ...] = (
    ("ngrams", "character 1-3-grams of the folded fragment, ordinals stripped", f_ngrams),
    ("shape", "length bucket and log, sentence punctuation, share of Han", f_shape),
    ("position", "table; tenth of the table region; first/last fragments", f_position),
    ("digits", "digits and cells of the value material after/before; digits inside", f_digits),
    ("ordinal", "printed Arabic ordinal before it; Chinese ordinal at its start", f_ordinal),
    ("furniture", "header / group match of labels.toml", f_furniture),
    ("neighbours", "exact-match labels of neighbours and of the nearest row-naming neighbours", f_neighbours),
    ("fuzzy", "rapidfuzz partial_ratio / ratio against each class's official labels and variants", f_fuzzy),
)


def context(frags: list[Fragment]) -> dict:
    """What features of one fragment read from the others, computed once for the table: each fragment's
    exact-match key, and the nearest row-naming key before and after it (searched per fragment, that was
    quadratic: 3 s on a fuzzed table region of 3,800 fragments none of which names a row)."""
    keys = [exact_key(f) for f in frags]
    prev, last = [], "^"
    for k in keys:
        prev.append(last)
        last = k if k.startswith("table") else last
    nxt, last = [], "$"
    for k in reversed(keys):
        nxt.append(last)
        last = k if k.startswith("table") else last
    return {"exact": keys, "prevrow": prev, "nextrow": nxt[::-1]}


def featurize(frags: list[Fragment], idx: Iterable[int] | None = None, ctx: dict | None = None) -> list[dict[str, float]]:
    """Feature dicts of the fragments at `idx` (all by default)."""
    ctx = ctx or context(frags)
    out = []
    for i in (range(len(frags)) if idx is None else idx):
        d: dict[str, float] = {}
        for _name, _what, fn in FEATURES:
            d.update(fn(frags, i, ctx))
        out.append(d)
    return out

