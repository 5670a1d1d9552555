"""What the facts model sees of a candidate: the rules' evidence as features, and the words around it.

Every candidate number of the prose is decided by the model (issue 12: the
rules fit the prose they were read from and missed a third of the facts in
prose nobody had read).  The rules' cues, tiers and vetoes enter as
features, not gates, beside what generalises to unseen phrasing: the last
jieba words of the clause (the whole clause as a bag of words over-fitted
in grouped CV), the nearest verb and how far it stands, the nearest
channel named before the number, the noun after the unit, the paragraph's
topic, the number's place in a list or a 其中 breakdown, and the last few
characters (robust where jieba cuts a folded or mojibake clause oddly).
All of it is cheap string work on the ~20 candidates of a report.
"""
from __future__ import annotations

import math
from functools import lru_cache

import regex as re

from extractor.classify.facts.tokens import window_tokens
from extractor.narrative.decide import tier_hits
from extractor.spec.metrics import OTHER, rules

_DIST = (0, 1, 2, 4, 8, 16)


def live(q) -> bool:
    """Candidates the model decides: all but the rules' restatements of table cells (kept for the agreement checks)."""
    return q.rule_label == OTHER or q.rule_label in rules().spec_metrics


def _bucket(d: int) -> int:
    return next((b for b in _DIST if d <= b), 99)


def _nearest(pattern, text: str) -> tuple[str, int] | None:
    """The match ending nearest the end of `text` (a reverse pattern), and its distance from the end."""
    if pattern is None:
        return None
    mm = pattern.search(text)
    return None if mm is None else (mm.group(0), len(text) - mm.end())


@lru_cache(maxsize=4)
def _reverse_union(pairs: tuple[tuple[str, str], ...]) -> re.Pattern:
    """One right-to-left pattern naming which of `pairs` (name, regex) matched: the nearest in one search."""
    return re.compile("(?r)" + "|".join(f"(?P<{name}>{body})" for name, body in pairs))


def _nearest_named(pairs: tuple[tuple[str, str], ...], text: str) -> tuple[str, int] | None:
    mm = _reverse_union(pairs).search(text)
    return None if mm is None else (mm.lastgroup, len(text) - mm.end())


_NAMED: dict[int, tuple[object, tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]] = {}


def _named_sets() -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """(channels, topics) as (name, regex) pairs of the current rules, built once per rules object."""
    R = rules()
    hit = _NAMED.get(id(R))
    if hit is None or hit[0] is not R:
        _NAMED.clear()
        hit = _NAMED[id(R)] = (R, tuple((cid, pat.pattern) for cid, pat in R.channels),
                               tuple((name, pat.pattern) for name, pat in R.topics))
    return hit[1], hit[2]


def features_at(qs, i: int) -> dict[str, float]:
    """The features of candidate `i` of a report's candidates (those before it give the context)."""
    q = qs[i]
    return features(q, qs[i - 1] if i else None, qs[q.parent] if q.parent is not None else None)


def features(q, prev=None, parent=None) -> dict[str, float]:
    """Rule evidence and the words around candidate `q` (`prev`: the candidate before it; `parent`: the number
    a 其中-part breaks down), as a sparse dict."""
    c, ctx = q.number, q.ctx
    R = rules()
    f: dict[str, float] = {
        f"rule={q.rule_label}": 1.0, f"how={q.how}": 1.0, f"unit={c.unit or '-'}": 1.0,
        f"link={q.link}": 1.0, "gap": min(q.gap, 20) / 20.0,
    }
    for h in q.hits:
        f[f"hit={h}"] = 1.0
    for tier in (2, 3):
        for h in tier_hits(q, tier)[:1]:
            f[f"hit{tier}={h[1].id}"] = 1.0
    if q.other_hit:
        f[f"oth={q.other_hit}"] = 1.0
    if c.approx:
        f["approx"] = 1.0
    if c.chinese:
        f["chinese"] = 1.0
    if parent is not None:
        f["breakdown"] = 1.0
        f[f"PAR:{parent.rule_label}"] = 1.0
    v = float(c.value)
    f[f"mag={int(math.log10(v + 1))}"] = 1.0
    if v.is_integer() and 1900 <= v <= 2100:
        f["yearlike"] = 1.0
    left = ctx.left
    lt = window_tokens(left[-16:])  # the short window: jieba's cost grows with it, and recurring windows are cached
    for t in lt[-3:]:
        f["L:" + t] = 1.0
    if lt:
        f["L1:" + lt[-1]] = 1.0
    if len(lt) > 1:
        f["L2:" + lt[-2] + lt[-1]] = 1.0
    tail = left[-4:]
    for i in range(len(tail) - 1):
        f["c2:" + tail[i:i + 2]] = 1.0
    rt = window_tokens(ctx.right[:8])
    for t in rt[:2]:
        f["R:" + t] = 1.0
    if rt:
        f[f"UR:{c.unit or '-'}|{rt[0]}"] = 1.0
    verb = _nearest(R.feature_verbs, left)
    if verb is not None:
        f["V:" + verb[0]] = 1.0
        f[f"Vd={_bucket(verb[1])}"] = 1.0
    channels, topics = _named_sets()
    ch = _nearest_named(channels, ctx.sentence_left[-60:])
    if ch is not None:
        f["CH:" + ch[0]] = 1.0
        f[f"CHd={_bucket(ch[1])}"] = 1.0
    topic = _nearest_named(topics, ctx.paragraph_left[-120:] + left)
    if topic is not None:
        f["T:" + topic[0]] = 1.0
    if R.markers.search(ctx.sentence_left):
        f["marker"] = 1.0
    if R.total_words.search(left):
        f["total_word"] = 1.0
    if prev is not None and q.link != "none":
        f[f"P:{prev.rule_label}"] = 1.0
    return f
