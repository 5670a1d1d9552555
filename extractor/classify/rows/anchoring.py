"""Anchoring the rows exact matching missed, with the classifier.

The gap between the found neighbours is cut into candidate fragments
(`segment`); the classifier says what each is; missing rows are assigned to
fragments in official order by a monotone matching that maximises the
summed log-odds over `ACCEPT`.  Exact anchors the classifier contradicts are
dropped first (`_veto_exact`).
"""
from __future__ import annotations

import math
from typing import Any, Callable, Iterable, Sequence

from extractor.classify.rows.features import context, featurize
from extractor.classify.rows.fragments import Fragment, row_label, segment

# A classifier anchor is accepted at this probability (the label is more likely than all others together).
ACCEPT = 0.5
# An exact anchor the classifier calls noise below this probability is dropped (see `_veto_exact`).
VETO = 0.05


def _monotone_assign(in_gap: list[int], rows: list[int], gain: Callable[[int, int], float]) -> list[tuple[int, int]]:
    """Max-gain matching of rows to candidates, both in order; pairs with gain <= 0 never used."""
    n, m = len(in_gap), len(rows)
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    move = [[0] * (m + 1) for _ in range(n + 1)]
    for a in range(n - 1, -1, -1):
        for b in range(m - 1, -1, -1):
            opts = [(best[a + 1][b], 1), (best[a][b + 1], 2)]
            g = gain(in_gap[a], rows[b])
            if g > 0:
                opts.append((best[a + 1][b + 1] + g, 3))
            best[a][b], move[a][b] = max(opts, key=lambda x: (x[0], x[1]))
    out, a, b = [], 0, 0
    while a < n and b < m:
        mv = move[a][b]
        if mv == 3:
            out.append((in_gap[a], rows[b]))
            a, b = a + 1, b + 1
        elif mv == 1:
            a += 1
        else:
            b += 1
    return out


class _LazyProbs:
    """The classifier's probabilities for a table's fragments, computed only where asked.

    Anchoring reads few of them — the fragments under exact anchors, those
    between an exact anchor and the previous row, and those in the gaps the
    missing rows leave — so featurising and classifying every fragment of
    the table would be wasted.  A fragment's features and probabilities do
    not depend on which others are classified, so the results are the same.
    """

    def __init__(self, m: Any, frags: list[Fragment]):
        self.model = m
        self.frags = frags
        self.ctx = context(frags)
        self.done: dict[int, dict[str, float]] = {}

    def need(self, idx: Iterable[int]) -> None:
        """Classify, in one batch, those of the fragments at `idx` not classified yet."""
        todo = sorted({k for k in idx if k not in self.done})
        if todo:
            self.done.update(zip(todo, self.model.proba(featurize(self.frags, todo, self.ctx))))

    def __getitem__(self, k: int) -> dict[str, float]:
        if k not in self.done:
            self.need([k])
        return self.done[k]


def fill_rows(m: Any, text: str, start: int, end: int, table: str, rows: Sequence[Any], found: list, blocked: list,
              make_anchor: Callable[..., Any]) -> None:
    """Anchor the rows exact matching missed, with the classifier `m`.

    `found` (row anchors in official order, None where missing) is changed in
    place: implausible exact anchors dropped (`_veto_exact`), missing rows
    given `make_anchor(key, s, e, "model", 100 * p)` by a monotone
    assignment of rows to candidate fragments.  Anchors are the caller's
    type (`tables.anchors.Anchor`); only their key, span and `how` are read.
    """
    if all(a is not None for a in found):
        return
    frags = segment(text, table, start, end)
    if not frags:
        return
    probs = _LazyProbs(m, frags)
    _veto_exact(table, frags, probs, rows, found, start)
    taken = [a for a in found if a is not None]

    def free(f: Fragment) -> bool:
        s, e = f.anchor_start(), f.end
        return not any(x.start < e and s < x.end for x in blocked) and not any(x.start < e and s < x.end for x in taken)

    i = 0
    while i < len(rows):
        if found[i] is not None:
            i += 1
            continue
        j = i
        while j + 1 < len(rows) and found[j + 1] is None:
            j += 1
        # Rows i..j are missing: the gap their found neighbours leave.
        lo = next((found[k].end for k in range(i - 1, -1, -1) if found[k]), start)
        hi = next((found[k].start for k in range(j + 1, len(rows)) if found[k]), end)
        rws = list(range(i, j + 1))
        i = j + 1
        in_gap = [k for k, f in enumerate(frags) if f.anchor_start() >= lo and f.end <= hi and free(f)]
        probs.need(in_gap)

        def gain(k: int, r: int) -> float:
            p = probs[k].get(row_label(table, rows[r].key), 0.0)
            return math.log(p / ACCEPT) if p >= ACCEPT else -1.0

        for k, r in _monotone_assign(in_gap, rws, gain):
            lab = row_label(table, rows[r].key)
            # A label split over lines ("5.属于三类内" / "部事务信息"): start at its first piece.
            first = k
            while (first - 1 in in_gap and frags[first].digits_before == 0
                   and max(probs[first - 1], key=probs[first - 1].get) == lab):
                first -= 1
            found[r] = make_anchor(rows[r].key, frags[first].anchor_start(), frags[k].end, "model", 100.0 * probs[k][lab])


def _veto_exact(table: str, frags: list[Fragment], probs: "_LazyProbs", rows: Sequence[Any],
                found: list, start: int) -> None:
    """Drop exact anchors the classifier contradicts (only called when some row is missing).

    Exact matching searches forward from the previous row, so a variant
    found in a note after the table ("备注：因开展行政规范性文件清理…")
    takes every later row with it.  An exact anchor goes when its fragment
    is noise at p(row) < VETO, or when p(row) < ACCEPT there while a fragment
    between it and the previous row reads as this row at p >= ACCEPT.
    """
    where = [next((k for k, f in enumerate(frags) if f.start < a.end <= f.end), None)
             if a is not None and a.how == "exact" else None for a in found]
    probs.need([k for k in where if k is not None])
    for r, a in enumerate(found):
        if a is None or a.how != "exact":
            continue
        k = where[r]
        if k is None:
            continue
        lab = row_label(table, rows[r].key)
        pe = probs[k].get(lab, 0.0)
        if pe >= ACCEPT:
            continue
        if pe < VETO and max(probs[k], key=probs[k].get) == "noise":
            found[r] = None
            continue
        lo = next((found[q].end for q in range(r - 1, -1, -1) if found[q]), start)
        between = [j for j, f in enumerate(frags) if f.anchor_start() >= lo and f.end <= a.start]
        probs.need(between)
        if any(probs[j].get(lab, 0.0) >= ACCEPT for j in between):
            found[r] = None

