"""What a candidate number counts, by the tiers of `metrics.toml`.

The clause before a number and the phrase after its unit are matched
against each metric's cue words (the nearest cue wins); a number with no
cue of its own inherits from what it continues: a breakdown (其中…) the
number it breaks down, a 、-list or glued list the number before it.  The
first tier that speaks labels the number; `other` rules (strong and weak)
claim quantities that are not spec facts.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

import re as stdre

import regex as re

from extractor import budget, confidence
from extractor.narrative.numbers import WrittenNumber, Context
from extractor.spec.metrics import OTHER, MetricRule, Rules, rules

_HAN = re.compile(r"\p{Han}")


@dataclass
class Quantity:
    """A candidate with what the rules (and the model) made of it."""

    number: WrittenNumber
    ctx: Context
    label: str = OTHER
    how: str = "none"            # cue | right | breakdown | list | comma | posts | other-strong | other-weak | none
    gap: int = 99
    hits: tuple[str, ...] = ()   # every tier-1 metric whose cue was seen
    other_hit: str | None = None
    link: str = "none"           # how it joins the previous number: list | comma | glued | none
    parent: int | None = None    # index of the number a breakdown part belongs to
    channel: str | None = None
    channel_how: str = "none"    # named | inherited | none
    role: str = "total"
    category: str | None = None
    phrase: tuple[int, int] = (0, 0)
    confidence: float = 0.0
    rule_label: str = OTHER
    tiers: dict = field(default_factory=dict)   # tier -> its hits, found once (the rules and the model both ask)


def _unit_ok(m: MetricRule, unit: str | None) -> bool:
    return (unit or "") in m.units


def _best_cue(pats: Sequence[re.Pattern], left: str, max_gap: int) -> tuple[int, int] | None:
    """(gap, -length) of the cue match ending nearest the number, or None."""
    best: tuple[int, int] | None = None
    for p in pats:
        mm = p.search(left, max(0, len(left) - max_gap - 40))
        if mm is not None:
            gap = len(left) - mm.end()
            if gap <= max_gap:
                key = (gap, -(mm.end() - mm.start()))
                if best is None or key < best:
                    best = key
    return best


def topic_of(paragraph_left: str) -> str | None:
    """The topic named last before a number (申请 → applications; 留言/来信 → messages)."""
    best, where = None, -1
    for name, pat in rules().topics:
        for mm in pat.finditer(paragraph_left):
            if mm.start() > where:
                best, where = name, mm.start()
    return best


@dataclass(frozen=True)
class _Tier:
    """The metrics of one tier (with their order in the file) and a cheap test for whether any can match."""

    metrics: tuple[tuple[int, MetricRule], ...]
    any_cue: re.Pattern | None     # None: no shortcut, search every metric
    any_right: re.Pattern | None


_TIERS: dict[int, tuple[Rules, dict[int, _Tier]]] = {}


def _union(pats: Iterable[re.Pattern]) -> re.Pattern | None:
    """One pattern matching wherever any of `pats` matches, or None when joining them could change meaning.

    Whether a clause holds any cue of a tier is one search; most clauses hold
    none, and then the per-metric searches are skipped (they would all fail).
    """
    bodies = [p.pattern.removeprefix("(?r)") for p in pats]
    if not bodies or any(stdre.search(r"\(\?[a-zA-Z]|\\\d", b) for b in bodies):
        return None  # inline flags, named groups or backreferences: keep the plain per-metric path
    try:
        return re.compile("|".join(f"(?:{b})" for b in bodies))
    except re.error:
        return None


def _tier(tier: int) -> _Tier:
    """The tier's plan for the current rules (rebuilt when the rules object changes)."""
    R = rules()
    cached = _TIERS.get(id(R))
    if cached is None or cached[0] is not R:
        cached = (R, {})
        _TIERS.clear()
        _TIERS[id(R)] = cached
    plans = cached[1]
    if tier not in plans:
        ms = tuple((order, m) for order, m in enumerate(R.metrics) if m.tier == tier)
        plans[tier] = _Tier(ms, _union(p for _, m in ms for p in m.cues), _union(p for _, m in ms for p in m.right))
    return plans[tier]


def tier_hits(q: Quantity, tier: int) -> list[tuple[tuple[int, int, int], MetricRule, str]]:
    """The metrics of a tier whose cue (before the number or after its unit) fits it, nearest first."""
    found = q.tiers.get(tier)
    if found is None:
        found = q.tiers[tier] = _find_tier_hits(q, tier)
    return found


def _find_tier_hits(q: Quantity, tier: int) -> list[tuple[tuple[int, int, int], MetricRule, str]]:
    c, ctx = q.number, q.ctx
    plan = _tier(tier)
    cue_possible = plan.any_cue is None or plan.any_cue.search(ctx.left) is not None
    right_possible = plan.any_right is None or plan.any_right.search(ctx.right) is not None
    if not cue_possible and not right_possible:
        return []
    topic: list[str | None] = []  # the paragraph's topic, found at most once
    found = []
    for order, m in plan.metrics:
        if not _unit_ok(m, c.unit):
            continue
        key = _best_cue(m.cues, ctx.left, m.max_gap) if cue_possible else None
        how = "cue"
        if key is None and right_possible and any(p.search(ctx.right) for p in m.right):
            key, how = (2, 0), "right"
        if key is None:
            continue
        if m.veto is not None and (m.veto.search(ctx.left) or (how == "right" and m.veto.search(ctx.right))):
            continue
        if m.topic is not None:
            if not topic:
                topic.append(topic_of(ctx.paragraph_left + ctx.left))
            if topic[0] != m.topic:
                continue
        found.append(((key[0], key[1], order), m, how))
    return sorted(found, key=lambda x: x[0])


def _other_hit(q: Quantity, strong: bool) -> str | None:
    c, ctx = q.number, q.ctx
    for o in rules().others:
        if o.strong != strong or (o.units is not None and (c.unit or "") not in o.units):
            continue
        if _best_cue(o.cues, ctx.left, 16) is not None or any(p.search(ctx.right) for p in o.right):
            return o.name
    return None


def _other_gap(q: Quantity) -> tuple[int, int] | None:
    """(gap, -length) of the nearest weak not-a-fact cue (文件, 报道 …), or None."""
    best = None
    for o in rules().others:
        if o.strong or (o.units is not None and (q.number.unit or "") not in o.units):
            continue
        key = _best_cue(o.cues, q.ctx.left, 16)
        if key is None and any(p.search(q.ctx.right) for p in o.right):
            key = (2, 0)
        if key is not None and (best is None or key < best):
            best = key
    return best


def _link(text: str, prev: Quantity | None, q: Quantity) -> str:
    """How a number joins the one before it in the same sentence: 、-list, comma list, glued, or not at all."""
    if prev is None or prev.number.end < q.ctx.sentence_start:
        return "none"
    nxt = text[prev.number.end:prev.number.end + 1]
    if nxt in ("、", "和", "及", "与"):
        return "list"
    if nxt == ",":
        return "comma"
    if q.ctx.clause_start == prev.number.end and _HAN.match(nxt or " "):
        return "glued"
    return "none"


def _marker_pos(q: Quantity) -> int | None:
    """Where the last breakdown marker (其中 …) of the number's sentence stands, or None."""
    last = None
    for mm in rules().markers.finditer(q.ctx.sentence_left):
        last = mm
    return None if last is None else q.ctx.sentence_start + last.start()


def _breakdown_parent(qs: list[Quantity], i: int, text: str) -> int | None:
    """The number a 其中-part breaks down: the last one before the marker, if the marker is in this sentence."""
    pos = _marker_pos(qs[i])
    if pos is None:
        return None
    for j in range(i - 1, -1, -1):
        if qs[j].number.end <= pos:
            return j if pos - qs[j].number.end <= 60 else None
    return None


def in_breakdown_of_same(qs: list[Quantity], i: int) -> bool:
    """After a 其中-marker that follows a number of the same metric (within 200 characters)."""
    q = qs[i]
    pos = _marker_pos(q)
    if pos is None:
        return False
    for j in range(i - 1, -1, -1):
        p = qs[j]
        if p.number.end > pos:
            continue
        if pos - p.number.end > 200:
            return False
        if _group(p.label) == _group(q.label):
            return True
    return False


def _group(label: str) -> str:
    m = rules().by_id.get(label)
    return (m.group if m is not None and m.group else label)


def _inherits(label: str, q: Quantity, src: Quantity) -> bool:
    """Whether a cue-less number may take the label of the number it continues."""
    if label == OTHER:
        return (q.number.unit or "") == (src.number.unit or "")
    m = rules().by_id.get(label)
    if m is None or not _unit_ok(m, q.number.unit):
        return False
    return m.parts is None or bool(m.parts.search(q.ctx.left))


def decide_all(qs: list[Quantity], text: str) -> None:
    """Label every number by the tiers of metrics.toml (see its header), in order.

    In order because a list inherits the final label of the number before
    it; each label is kept as `rule_label` (what the facts model sees) with
    the confidence the rule alone earns.
    """
    for i, q in enumerate(qs):
        if not i % 64:
            budget.check()
        _decide_rules(qs, i, text)
        _reply_after_received(q)
        q.rule_label = q.label
        q.confidence = confidence.RULE_FACT.get(q.how, confidence.RULE_FACT_OTHER) if q.label != OTHER else 0.0


# The verb right before a number says what was done with it, whatever a list or an earlier cue in the
# clause suggests: "收到群众来信1254件，已回复1170件" counts replies, "…解答、维权等诉求累计受理4355件"
# counts messages received.
_REPLY_WINDOW = 6
_FLIP = {"messages_received": "messages_replied", "messages_replied": "messages_received"}


def _reply_after_received(q: Quantity) -> None:
    other = _FLIP.get(q.label)
    if other is None:
        return
    own, flip = rules().by_id.get(q.label), rules().by_id.get(other)
    near = q.ctx.left[-_REPLY_WINDOW:]
    if flip is not None and flip.verbs and flip.verbs.search(near) and not (
            own is not None and own.verbs and own.verbs.search(near)):
        q.label, q.how = other, "cue"


def _continues_list(text: str, prev: Quantity, q: Quantity) -> bool:
    """Whether `q` opens the next item of a ;-separated list right after `prev` ("其中:A8条;B3条;C30条")."""
    return prev.number.end < q.ctx.sentence_start and text[prev.number.end:q.ctx.sentence_start].strip() == ";"


def _decide_rules(qs: list[Quantity], i: int, text: str) -> None:
    """The tiers of metrics.toml, in order; the first that speaks labels the number."""
    q = qs[i]
    prev = qs[i - 1] if i > 0 else None
    q.link = _link(text, prev, q)
    hits = tier_hits(q, 1)
    q.hits = tuple(h[1].id for h in hits)
    strong = _other_hit(q, True)
    q.other_hit = strong or _other_hit(q, False)
    parent = _breakdown_parent(qs, i, text)
    if parent is None and prev is not None and prev.parent is not None and _continues_list(text, prev, q):
        parent = prev.parent
    q.parent = parent
    if hits:
        key, m, how = hits[0]
        q.label, q.how, q.gap = m.id, how, key[0]
        if m.family and prev is not None and q.link != "none" and prev.label != m.id:
            pm = rules().by_id.get(prev.label)
            if pm is not None and pm.family == m.family and not (m.verbs and m.verbs.search(q.ctx.left)):
                q.label, q.how = prev.label, "list"
        return
    if strong:
        q.label, q.how = OTHER, "other-strong"
        return
    if parent is not None and _inherits(qs[parent].label, q, qs[parent]):
        q.label, q.how = qs[parent].label, "breakdown"
        return
    if prev is not None and q.link in ("list", "glued") and _inherits(prev.label, q, prev):
        q.label, q.how = prev.label, "list"
        return
    posts = tier_hits(q, 2)
    weak = _other_gap(q)
    if weak is not None and (not posts or posts[0][0][:2] >= weak):
        q.label, q.how = OTHER, "other-weak"
        return
    if posts:
        key, m, how = posts[0]
        q.label, q.how, q.gap = m.id, "posts" if how == "cue" else "right", key[0]
        return
    if prev is not None and q.link == "comma" and _inherits(prev.label, q, prev):
        q.label, q.how = prev.label, "comma"
        return
    bare = tier_hits(q, 3)
    if bare:
        q.label, q.how, q.gap = bare[0][1].id, "posts", 0
        return
    q.label, q.how = OTHER, "none"

