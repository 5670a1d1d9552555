"""What the facts model sees of a candidate: the rules' evidence and the words of its window."""
from __future__ import annotations

import math

from extractor.classify.facts.tokens import window_tokens
from extractor.spec.metrics import OTHER

def live(q) -> bool:
    """Candidates the model looks at: those any rule had something to say about."""
    return q.rule_label != OTHER or bool(q.hits) or q.other_hit is not None or q.link != "none" or q.parent is not None


def features(q) -> dict[str, float]:
    """Rule evidence and the words of the window, as a sparse feature dict."""
    c = q.number
    f: dict[str, float] = {
        f"rule={q.rule_label}": 1.0, f"how={q.how}": 1.0, f"unit={c.unit or '-'}": 1.0,
        f"link={q.link}": 1.0, "gap": min(q.gap, 20) / 20.0,
    }
    for h in q.hits:
        f[f"hit={h}"] = 1.0
    if q.other_hit:
        f[f"oth={q.other_hit}"] = 1.0
    if c.approx:
        f["approx"] = 1.0
    if c.chinese:
        f["chinese"] = 1.0
    if q.parent is not None:
        f["breakdown"] = 1.0
    v = float(c.value)
    f[f"mag={int(math.log10(v + 1))}"] = 1.0
    if v.is_integer() and 1900 <= v <= 2100:
        f["yearlike"] = 1.0
    lt = window_tokens(q.ctx.left[-16:])
    for t in lt[-4:]:
        f["L:" + t] = 1.0
    if lt:
        f["L1:" + lt[-1]] = 1.0
    for t in window_tokens(q.ctx.right[:8])[:2]:
        f["R:" + t] = 1.0
    return f

