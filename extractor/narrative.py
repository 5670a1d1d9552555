"""The prose of a report as facts: what was published, held, received, answered.

Candidates come cheaply: one regex over the folded text finds every written
number with its measure word (1424条, 三场, 4.14万, 3200万余次, 100%).  Each
is then read from its words: the clause before it and the phrase after its
unit are matched against the cue words of `data/metrics.toml` (the nearest
cue wins; breakdowns and lists inherit what they break down).  When the
trained model (`models/facts.skops`, see `extractor.facts_model`) loads, it
decides the label over those rule features and jieba tokens of the window
and gives the confidence; without it the rules decide and every confidence
stays below the review threshold, so the record asks for a look.

Only numbers in the prose are read: spans passed as `exclude` (the tables)
are skipped, and bare numbers standing between separators (table cells) are
never candidates.
"""
from __future__ import annotations

import bisect
import logging
import math
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable, Sequence

import re as stdre

import regex as re

from extractor.normalize import Normalized, delete_matches, normalize
from extractor.numerals import CHINESE_NUMERAL_CHARS, value_of
from extractor.record import Cell, Check, Fact, SectionSpan, missing_cell

log = logging.getLogger(__name__)

DATA_FILE = "metrics.toml"
OTHER = "other"

# Confidence ceilings without the model: below REVIEW_BELOW (0.8), so a
# record read by rules alone is always looked at.
_RULE_CONF = {"cue": 0.76, "right": 0.74, "breakdown": 0.72, "list": 0.72, "comma": 0.66, "posts": 0.72}

_CLAUSE_DELIMS = frozenset(",。;:!?\n\t|")
_SENTENCE_DELIMS = frozenset("。;!?\n")
_OPEN = frozenset("([【")
_CLOSE = frozenset(")]】")
_HAN = re.compile(r"\p{Han}")
_MAX_CLAUSE = 40
_MAX_PHRASE_LEFT = 26
_MAX_RIGHT = 20


# ====================================================================== data
@dataclass(frozen=True)
class MetricRule:
    id: str
    tier: int
    spec: bool
    units: frozenset[str]
    cues: tuple[re.Pattern, ...]
    right: tuple[re.Pattern, ...]
    veto: re.Pattern | None
    max_gap: int
    topic: str | None
    family: str | None
    verbs: re.Pattern | None
    inherit_channel: bool
    parts: re.Pattern | None = None
    group: str | None = None


@dataclass(frozen=True)
class OtherRule:
    name: str
    strong: bool
    units: frozenset[str] | None
    cues: tuple[re.Pattern, ...]
    right: tuple[re.Pattern, ...]


@dataclass(frozen=True)
class Distractor:
    name: str
    number: re.Pattern | None
    before: re.Pattern | None
    after: re.Pattern | None


@dataclass(frozen=True)
class Rules:
    metrics: tuple[MetricRule, ...]
    others: tuple[OtherRule, ...]
    distractors: tuple[Distractor, ...]
    channels: tuple[tuple[str, re.Pattern], ...]
    units: tuple[str, ...]
    candidate: stdre.Pattern
    stopwords: re.Pattern
    approx_after: frozenset[str]
    markers: re.Pattern
    applicants: re.Pattern
    category_markers: re.Pattern
    category_strip: re.Pattern
    category_verbs: re.Pattern
    category_generic: frozenset[str]
    total_words: re.Pattern
    topics: tuple[tuple[str, re.Pattern], ...]
    fold: dict[int, str]
    meta: dict[str, re.Pattern]

    by_id: dict[str, MetricRule] = field(default_factory=dict)       # the first (main) rule of each id
    spec_metrics: frozenset[str] = frozenset()
    # distractors that test only the text before (or only after) the number, as one search each
    before_only: re.Pattern | None = None
    after_only: re.Pattern | None = None


def _alt(words: Iterable[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


def _compile_all(pats: Iterable[str]) -> tuple[re.Pattern, ...]:
    """One reverse-searching alternation (empty tuple when there is none).

    Searching from the right finds the cue that ends nearest the number in
    one call; put longer alternatives first where two end at the same place.
    """
    pats = list(pats)
    if not pats:
        return ()
    return (re.compile("(?r)(?:" + "|".join(f"(?:{p})" for p in pats) + ")"),)


def parse_rules(raw: dict[str, Any]) -> Rules:
    """Build `Rules` from the parsed TOML (separate from loading so tests can feed edited data)."""
    num = raw["numbers"]
    units = tuple(sorted({u for u in num["units"] if u}, key=len, reverse=True))
    unit_alt = "|".join(re.escape(u) for u in units)
    candidate = stdre.compile(
        rf"(?P<pre>{_alt(num['approx_before'])})?"
        rf"(?P<num>\d+(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|[{CHINESE_NUMERAL_CHARS}]+(?=(?:余|多)?(?:{unit_alt})))"
        r"(?P<mult>[万亿](?!元))?(?P<ap1>余|多)?"
        rf"(?P<unit>{unit_alt})?(?P<ap2>以上|余|多|左右)?"
    )
    metrics = tuple(
        MetricRule(
            id=m["id"], tier=int(m.get("tier", 1)), spec=bool(m.get("spec", True)),
            units=frozenset(m.get("units", [])), cues=_compile_all(m.get("cues", [])),
            right=_compile_all(m.get("right", [])),
            veto=re.compile("|".join(m["not"])) if m.get("not") else None,
            max_gap=int(m.get("max_gap", 16)), topic=m.get("topic"), family=m.get("family"),
            verbs=re.compile(m["verbs"]) if m.get("verbs") else None,
            inherit_channel=bool(m.get("inherit_channel", False)),
            parts=re.compile(m["parts"]) if m.get("parts") else None,
            group=m.get("group") or m.get("family"),
        )
        for m in raw["metric"]
    )
    others = tuple(
        OtherRule(o["name"], bool(o.get("strong", False)),
                  frozenset(o["units"]) if o.get("units") else None,
                  _compile_all(o.get("cues", [])), _compile_all(o.get("right", [])))
        for o in raw["other"]
    )
    distractors = tuple(
        Distractor(d["name"], *(re.compile(d[k]) if d.get(k) else None for k in ("number", "before", "after")))
        for d in raw["distractor"]
    )
    channels = tuple((c["id"], re.compile(_alt(c["words"]))) for c in raw["channel"])
    bd = raw["breakdown"]
    fold = raw["fold"]
    if len(fold["traditional"]) != len(fold["simplified"]):
        raise ValueError("metrics.toml [fold]: traditional and simplified differ in length")
    by_id: dict[str, MetricRule] = {}
    for m in metrics:
        by_id.setdefault(m.id, m)
    only_before = [d for d in raw["distractor"] if set(d) & {"number", "before", "after"} == {"before"}]
    only_after = [d for d in raw["distractor"] if set(d) & {"number", "before", "after"} == {"after"}]
    rest = {d["name"] for d in raw["distractor"]} - {d["name"] for d in only_before + only_after}
    return Rules(
        by_id=by_id, spec_metrics=frozenset(m.id for m in metrics if m.spec),
        before_only=re.compile("|".join(f"(?:{d['before']})" for d in only_before)) if only_before else None,
        after_only=re.compile("|".join(f"(?:{d['after']})" for d in only_after)) if only_after else None,
        metrics=metrics, others=others, distractors=tuple(d for d in distractors if d.name in rest), channels=channels, units=units,
        candidate=candidate, stopwords=re.compile(_alt(num["chinese_stopwords"])),
        approx_after=frozenset(num["approx_after"]),
        markers=re.compile("|".join(bd["markers"])),
        applicants=re.compile(rf"(?:{_alt(bd['applicants'])})[^,。;\d]{{0,5}}$"),
        category_markers=re.compile("|".join(bd["category_markers"])),
        category_strip=re.compile(rf"^(?:{_alt(bd['category_strip_before'])})+"),
        category_verbs=re.compile(_alt(bd["category_verbs"])),
        category_generic=frozenset(bd["category_generic"]),
        total_words=re.compile(_alt(bd["total_words"])),
        topics=tuple((k, re.compile(v)) for k, v in raw["topics"].items()),
        fold={ord(t): s for t, s in zip(fold["traditional"], fold["simplified"]) if t != s},
        meta={k: re.compile(v, re.M) for k, v in raw["meta"].items()},
    )


@lru_cache(maxsize=1)
def rules() -> Rules:
    """The shipped rules, parsed once per process."""
    text = resources.files("extractor").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    return parse_rules(tomllib.loads(text))


def spec_metrics() -> frozenset[str]:
    return rules().spec_metrics


# ====================================================================== view
# The folded text the rules read, with each character's source offset: the
# same shape (and offset mapping) as the normaliser's output.
View = Normalized


# Beyond the shared normalisation: pinyin glosses of mirror sites ("開(kāi)"),
# spaces beside digits ("2098 条"), and a line break inside "信息\n636\n条".
_PINYIN = r"\([a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*\)"


@lru_cache(maxsize=1)
def _extra_junk() -> re.Pattern:
    unit_alt = "|".join(re.escape(u) for u in rules().units)
    return re.compile(
        rf"{_PINYIN}|(?<!\d) +| +(?!\d)"
        rf"|(?<=[\p{{Han}}\d])[ \t]*\n[ \t]*(?=\d)|(?<=\d)[ \t]*\n[ \t]*(?=(?:{unit_alt}))"
    )


def make_view(text: str) -> View:
    """Normalise (shared step), drop what only hides numbers, fold traditional characters one for one."""
    norm = normalize(text)
    t, offs = delete_matches(norm.text, norm.offsets, _extra_junk())
    return View(t.translate(rules().fold), offs, len(text))


# ================================================================ candidates
@dataclass
class Candidate:
    """A written number with its measure word, in view coordinates."""

    start: int          # where the match starts (an approx prefix included)
    end: int            # after the unit and any 余/以上
    num_start: int
    num_end: int        # after the number and its 万/亿
    number: str
    value: int | float
    unit: str | None
    approx: bool
    chinese: bool
    unit_span: tuple[int, int] | None = None


def _stop_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in rules().stopwords.finditer(text)]


def _inside(spans: list[tuple[int, int]], a: int, b: int) -> bool:
    i = bisect.bisect_right(spans, (a, 10**9)) - 1
    return i >= 0 and spans[i][0] <= a and b <= spans[i][1]


_NUMERIC_NEIGHBOUR = frozenset("0123456789.-/:#@~·_%")


def _is_distractor(view: str, m: re.Match, start: int) -> str | None:
    """The name of the distractor rule a number falls under, or None."""
    before = view[max(0, start - 24):start]
    after_pos = m.end("ap1") if m.group("ap1") else (m.end("mult") if m.group("mult") else m.end("num"))
    after = view[after_pos:after_pos + 24]
    R = rules()
    if R.before_only is not None and R.before_only.search(before):
        return "before"
    if R.after_only is not None and R.after_only.search(after):
        return "after"
    for d in R.distractors:
        if d.number is not None and not d.number.search(m.group("num")):
            continue
        if d.before is not None and not d.before.search(before):
            continue
        if d.after is not None and not d.after.search(after):
            continue
        return d.name
    return None


def _han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def _glued(left: str, after: str) -> bool:
    """A bare number standing between words ("政策文件20转载"), not between separators (a table cell)."""
    return (_han(left) or left in "”》") and (not after or _han(after) or after in ",。;、“")


def find_candidates(view: View) -> list[Candidate]:
    """Every number that could be a count in the prose (distractors, years and table cells left out)."""
    text = view.text
    n = len(text)
    stops: list[tuple[int, int]] | None = None
    out: list[Candidate] = []
    for m in rules().candidate.finditer(text):
        number, unit = m.group("num"), m.group("unit")
        start, end = m.start(), m.end()
        ns, ne = m.span("num")
        left = text[start - 1] if start > 0 else ""
        if not unit:
            if not number[0].isdigit() or not _glued(left, text[end:end + 1]):
                continue
        chinese = not number[0].isdigit()
        nxt = text[ne] if ne < n else ""
        if left and (left in _NUMERIC_NEIGHBOUR or left.isascii() and left.isalpha()):
            continue
        if nxt and (nxt in "-/:#@~·_" or nxt.isascii() and nxt.isalpha() or (nxt == "." and not unit)):
            continue
        if chinese:
            if stops is None:
                stops = _stop_spans(text)
            if unit == "%" or _inside(stops, ns, ne):
                continue
        if _is_distractor(text, m, start):
            continue
        mult, ap1 = m.group("mult"), m.group("ap1")
        value = value_of(number, mult)
        if value is None:
            continue
        num_end = m.end("ap1") if ap1 else (m.end("mult") if mult else ne)
        out.append(Candidate(start, end, ns, num_end, number, value, unit,
                             bool(m.group("pre") or ap1 or m.group("ap2")), chinese,
                             m.span("unit") if unit else None))
    return out


# ================================================================== context
@dataclass
class Context:
    """The words around a candidate that decide what it counts."""

    clause_start: int
    sentence_start: int
    paragraph_start: int
    left: str           # clause before the number
    right: str          # phrase after the unit
    sentence_left: str
    paragraph_left: str


def _clause_start(text: str, pos: int, floor: int) -> int:
    """Start of the clause a number stands in: after the nearest delimiter outside brackets."""
    depth = 0
    lo = max(floor, pos - _MAX_CLAUSE)
    i = pos - 1
    while i >= lo:
        ch = text[i]
        if ch in _CLOSE:
            depth += 1
        elif ch in _OPEN:
            if depth == 0:
                return i + 1
            depth -= 1
        elif depth == 0 and ch in _CLAUSE_DELIMS:
            return i + 1
        i -= 1
    return lo


def _back_to(text: str, pos: int, delims: frozenset[str], limit: int) -> int:
    """Just after the nearest delimiter before pos (at most `limit` back)."""
    lo = max(0, pos - limit)
    return max([text.rfind(d, lo, pos) + 1 for d in delims] + [lo])


def _right_phrase(text: str, pos: int) -> str:
    out = []
    for ch in text[pos:pos + _MAX_RIGHT]:
        if ch in _CLAUSE_DELIMS or ch in "(、":
            break
        out.append(ch)
    return "".join(out)


def context_of(text: str, c: Candidate, prev_end: int) -> Context:
    cs = _clause_start(text, c.start, prev_end)
    ss = _back_to(text, c.start, _SENTENCE_DELIMS, 400)
    ps = _back_to(text, c.start, frozenset("\n"), 400)
    return Context(cs, ss, ps, text[cs:c.start], _right_phrase(text, c.end), text[ss:c.start], text[ps:c.start])


# ================================================================ decisions
@dataclass
class Quantity:
    """A candidate with what the rules (and the model) made of it."""

    cand: Candidate
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


def _topic(paragraph_left: str) -> str | None:
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


def _tier_hits(q: Quantity, tier: int) -> list[tuple[tuple[int, int, int], MetricRule, str]]:
    c, ctx = q.cand, q.ctx
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
                topic.append(_topic(ctx.paragraph_left + ctx.left))
            if topic[0] != m.topic:
                continue
        found.append(((key[0], key[1], order), m, how))
    return sorted(found, key=lambda x: x[0])


def _other_hit(q: Quantity, strong: bool) -> str | None:
    c, ctx = q.cand, q.ctx
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
        if o.strong or (o.units is not None and (q.cand.unit or "") not in o.units):
            continue
        key = _best_cue(o.cues, q.ctx.left, 16)
        if key is None and any(p.search(q.ctx.right) for p in o.right):
            key = (2, 0)
        if key is not None and (best is None or key < best):
            best = key
    return best


def _link(text: str, prev: Quantity | None, q: Quantity) -> str:
    """How a number joins the one before it in the same sentence: 、-list, comma list, glued, or not at all."""
    if prev is None or prev.cand.end < q.ctx.sentence_start:
        return "none"
    nxt = text[prev.cand.end:prev.cand.end + 1]
    if nxt in ("、", "和", "及", "与"):
        return "list"
    if nxt == ",":
        return "comma"
    if q.ctx.clause_start == prev.cand.end and _HAN.match(nxt or " "):
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
        if qs[j].cand.end <= pos:
            return j if pos - qs[j].cand.end <= 60 else None
    return None


def _in_breakdown_of_same(qs: list[Quantity], i: int) -> bool:
    """After a 其中-marker that follows a number of the same metric (within 200 characters)."""
    q = qs[i]
    pos = _marker_pos(q)
    if pos is None:
        return False
    for j in range(i - 1, -1, -1):
        p = qs[j]
        if p.cand.end > pos:
            continue
        if pos - p.cand.end > 200:
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
        return (q.cand.unit or "") == (src.cand.unit or "")
    m = rules().by_id.get(label)
    if m is None or not _unit_ok(m, q.cand.unit):
        return False
    return m.parts is None or bool(m.parts.search(q.ctx.left))


def _decide(qs: list[Quantity], i: int, text: str) -> None:
    """Label one number by the tiers of metrics.toml (see its header)."""
    _decide_rules(qs, i, text)
    _reply_after_received(qs[i])


# A number right behind a reply verb ("收到群众来信1254件，已回复1170件") counts
# the replies, whatever a list or an earlier cue in the clause suggests.
_REPLY_WINDOW = 6


def _reply_after_received(q: Quantity) -> None:
    if q.label != "messages_received":
        return
    replied = rules().by_id.get("messages_replied")
    received = rules().by_id.get("messages_received")
    near = q.ctx.left[-_REPLY_WINDOW:]
    if replied is not None and replied.verbs and replied.verbs.search(near) and not (
            received is not None and received.verbs and received.verbs.search(near)):
        q.label, q.how = "messages_replied", "cue"


def _decide_rules(qs: list[Quantity], i: int, text: str) -> None:
    """The tiers of metrics.toml, in order; the first that speaks labels the number."""
    q = qs[i]
    prev = qs[i - 1] if i > 0 else None
    q.link = _link(text, prev, q)
    hits = _tier_hits(q, 1)
    q.hits = tuple(h[1].id for h in hits)
    strong = _other_hit(q, True)
    q.other_hit = strong or _other_hit(q, False)
    parent = _breakdown_parent(qs, i, text)
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
    posts = _tier_hits(q, 2)
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
    bare = _tier_hits(q, 3)
    if bare:
        q.label, q.how, q.gap = bare[0][1].id, "posts", 0
        return
    q.label, q.how = OTHER, "none"


# ================================================================== channel
def _channels_in(window: str) -> list[str]:
    """Channels named in a stretch of text; a stretch claimed by an earlier channel is not seen again."""
    found: list[str] = []
    work = window
    for cid, pat in rules().channels:
        hit = False
        for mm in pat.finditer(work):
            hit = True
            work = work[:mm.start()] + "□" * (mm.end() - mm.start()) + work[mm.end():]
        if hit:
            found.append(cid)
    return found


_NEW_MEDIA = frozenset({"wechat", "weibo", "douyin", "toutiao", "new_media"})
_PARENS = re.compile(r"\([^()]*\)|“[^”]*”")


def combine_channels(found: list[str]) -> str | None:
    """One channel, several new-media ones (new_media), or a mix (null: an overall figure)."""
    kinds = list(dict.fromkeys(found))
    if not kinds:
        return None
    if len(kinds) == 1:
        return kinds[0]
    if all(k in _NEW_MEDIA for k in kinds):
        return "new_media"
    return None


def _channel(text: str, qs: list[Quantity], i: int) -> None:
    """The channel named in the stretch since the previous number, else the one it continues."""
    q = qs[i]
    prev = qs[i - 1] if i > 0 else None
    lo = q.ctx.sentence_start
    if prev is not None and prev.cand.end > lo:
        lo = prev.cand.end
    window = text[lo:q.cand.start]
    if q.how == "right" or len(q.ctx.left.strip(",、 ")) <= 2:
        window += "|" + q.ctx.right
    found = _named(window)
    if found:
        q.channel, q.channel_how = combine_channels(found), "named"
        return
    src = _channel_source(qs, i)
    if src is not None and src.channel is not None:
        q.channel, q.channel_how = src.channel, "inherited"


def _named(window: str) -> list[str]:
    """Channels named in a window; names inside brackets or quotes count only when nothing outside does."""
    outside = _PARENS.sub("", window)
    found = _channels_in(outside)
    if not found and outside != window:
        found = _channels_in(window)
    return found


def _channel_source(qs: list[Quantity], i: int) -> Quantity | None:
    """Whose channel a number without one takes: what precedes it in its sentence or breakdown."""
    q = qs[i]
    prev = qs[i - 1] if i > 0 else None
    m = rules().by_id.get(q.label)
    if prev is not None and prev.cand.end >= q.ctx.sentence_start:
        if m is not None and m.inherit_channel and not rules().total_words.search(q.ctx.left):
            return prev
        if q.link != "none" and prev.label == q.label:
            return prev
    if q.parent is not None and qs[q.parent].label == q.label:
        for j in range(i - 1, q.parent - 1, -1):
            if qs[j].label == q.label:
                return qs[j]
    return None


# ===================================================================== role
def _category(q: Quantity, text: str) -> str | None:
    """The name of the breakdown a part counts (通知公告, 工作动态, 自然人 …), cleaned of verbs and channels."""
    R = rules()
    left = q.ctx.left
    if q.label == "applications_received":
        mm = R.applicants.search(left)
        return re.sub(r"(?:申请件?|件)+$", "", left[mm.start():]) if mm else None
    quoted = re.search(r"“([^”]{2,12})”(?:栏目|专栏|版块|板块)", left)
    if quoted:
        return quoted.group(1)
    s = R.category_strip.sub("", left)
    verbs = list(R.category_verbs.finditer(s))
    if verbs and len(s) - verbs[-1].end() >= 2:
        s = s[verbs[-1].end():]
    for _, pat in R.channels:
        s = pat.sub("", s)
    s = re.sub(r"^(?:通过|在|依托|利用|共|累计|各类|发布|公开|主动公开|的|\d{4}年度?)+", "", s)
    s = re.sub(r"(?:类信息|类|信息|条目|内容|数|共|共计|计|达)+$", "", s)
    s = s.strip("“”\"()、,: ")
    if len(s) < 2 or s in R.category_generic:
        return None
    return s


def _role(text: str, qs: list[Quantity], i: int) -> None:
    q = qs[i]
    R = rules()
    if q.label == OTHER:
        return
    prev = qs[i - 1] if i > 0 else None
    if _in_breakdown_of_same(qs, i):
        q.role = "part"
    elif q.label == "posts" and R.category_markers.search(q.ctx.left):
        q.role = "part"
    elif q.label == "applications_received" and R.applicants.search(q.ctx.left):
        q.role = "part"
    elif prev is not None and q.link in ("list", "glued") and prev.label == q.label and prev.role == "part":
        q.role = "part"
    elif q.label in ("posts", "accounts") and q.channel is not None and _under_total(qs, i):
        q.role = "part"
    if q.role == "part" and q.label == "posts" and q.channel is None:
        _channel_since_last_fact(text, qs, i)
    if q.role == "part" and q.label in ("posts", "applications_received") and (
            q.channel is None or q.label == "applications_received" or R.category_markers.search(q.ctx.left)):
        q.category = _category(q, text)


def _channel_since_last_fact(text: str, qs: list[Quantity], i: int) -> None:
    """A category part whose channel was named since the last fact ("局门户网站的信息公开…。一是…类信息11条")."""
    q = qs[i]
    lo = q.ctx.paragraph_start
    for j in range(i - 1, -1, -1):
        if qs[j].label in spec_metrics():
            lo = max(lo, qs[j].cand.end)
            break
    kinds = list(dict.fromkeys(_named(text[lo:q.ctx.clause_start])))
    if len(kinds) == 1:
        q.channel, q.channel_how = kinds[0], "inherited"


def _under_total(qs: list[Quantity], i: int) -> bool:
    """A channel figure after an overall one of the same metric in its paragraph, and not larger."""
    q = qs[i]
    for j in range(i - 1, -1, -1):
        p = qs[j]
        if p.cand.end < q.ctx.paragraph_start:
            return False
        if p.label == q.label and p.channel is None and p.role == "total":
            return q.cand.value <= p.cand.value
    return False


# =================================================================== phrase
def _phrase(text: str, q: Quantity) -> tuple[int, int]:
    """The words of a fact as a reviewer reads them: the clause up to the unit (and the noun after it)."""
    s = max(q.ctx.clause_start, q.cand.start - _MAX_PHRASE_LEFT)
    while s > q.ctx.clause_start and (text[s - 1].isdigit() or text[s - 1].isascii() and text[s - 1].isalpha()):
        s -= 1
    while s < q.cand.start and (text[s].isspace() or text[s] in ",。;:、!?|)"):
        s += 1
    e = q.cand.end
    if q.how == "right" or (q.label != OTHER and len(q.ctx.left.strip()) <= 2 and q.ctx.right):
        e += len(q.ctx.right)
    while e > q.cand.end and text[e - 1] in " \t\n“(":
        e -= 1
    return s, e


# ================================================================= analysis
def _overlaps(spans: Sequence[tuple[int, int]], a: int, b: int) -> bool:
    return any(s < b and a < e for s, e in spans)


def analyse(text: str, exclude: Sequence[tuple[int, int]] = (), decide: Any = None) -> tuple[View, list[Quantity]]:
    """Every candidate number of `text` with its label, channel, role and phrase.

    The rules label every candidate first; `decide` (the model's, when one is
    given) may then relabel them; channel, role and phrase follow the final
    labels, since a list inherits from the number before it.
    """
    view = make_view(text)
    vt = view.text
    qs: list[Quantity] = []
    prev_end = 0
    for c in find_candidates(view):
        if exclude and _overlaps(exclude, *view.to_source(c.num_start, c.num_end)):
            continue
        qs.append(Quantity(c, context_of(vt, c, prev_end)))
        prev_end = c.end
    for i, q in enumerate(qs):
        _decide(qs, i, vt)
        q.rule_label = q.label
        q.confidence = _RULE_CONF.get(q.how, 0.6) if q.label != OTHER else 0.0
    if decide is not None:
        decide(qs)
    for i, q in enumerate(qs):
        _channel(vt, qs, i)
        _role(vt, qs, i)
        q.phrase = _phrase(vt, q)
    return view, qs


def _section_of(sections: Sequence[SectionSpan] | None, pos: int) -> str | None:
    for s in sections or ():
        if s.span[0] <= pos < s.span[1]:
            return s.id
    return None


def _to_fact(text: str, view: View, q: Quantity, sections: Sequence[SectionSpan] | None) -> Fact:
    s, e = view.to_source(*q.phrase)
    ns, _ = view.to_source(q.cand.num_start, q.cand.num_end)
    unit_text = None
    if q.cand.unit_span is not None:
        us, ue = view.to_source(*q.cand.unit_span)
        unit_text = text[us:ue]
    return Fact(metric=q.label, value=q.cand.value, unit=unit_text, span=(s, e), text=text[s:e],
                confidence=round(max(0.0, min(1.0, q.confidence)), 4), channel=q.channel,
                section=_section_of(sections, ns), role=q.role, approx=q.cand.approx, category=q.category)


def quantities(text: str, exclude: Sequence[tuple[int, int]] = (), model: Any = "default") -> tuple[View, list[Quantity]]:
    """`analyse` with the trained model deciding where it loads (`model=None`: rules only)."""
    from extractor import facts_model

    if model == "default":
        model = facts_model.current()
    # The pipeline asks twice per report (facts, then their agreement with
    # the tables): analyse once.  Callers must not mutate the result.
    key = (text, tuple(tuple(x) for x in exclude), id(model))
    if _LAST.get("key") != key:
        _LAST["key"], _LAST["value"] = key, analyse(text, exclude, model.decide if model is not None else None)
    return _LAST["value"]


_LAST: dict[str, Any] = {}


def tag_with(text: str, sections: Sequence[SectionSpan] | None = None, *,
             exclude: Sequence[tuple[int, int]] = (), model: Any = "default") -> list[Fact]:
    """The spec facts of `text` read with a given model (None: rules only); raises on bugs, unlike `tag_facts`."""
    view, qs = quantities(text, tuple(tuple(x) for x in exclude), model)
    spec = spec_metrics()
    return [_to_fact(text, view, q, sections) for q in qs if q.label in spec]


def tag_facts(text: str, sections: Sequence[SectionSpan] | None = None, *,
              exclude: Sequence[tuple[int, int]] = ()) -> list[Fact]:
    """The spec facts stated in the prose; never raises (a failure yields no facts and is logged)."""
    try:
        if not isinstance(text, str) or not text:
            return []
        return tag_with(text, sections, exclude=exclude)
    except Exception:  # the record must not be lost to a tagging bug
        log.exception("tag_facts failed")
        return []


def model_status() -> dict[str, Any]:
    """Whether the facts model is in use: {"ok", "mode", "message", …} for the pipeline's issues."""
    from extractor import facts_model

    return facts_model.status()


def train_facts(annotation_dir: str, out_dir: str, seed: int = 0) -> dict[str, Any]:
    """Train the facts model on the annotations (see `extractor.facts_model.train`)."""
    from extractor import facts_model

    return facts_model.train(annotation_dir, out_dir, seed=seed)


# ===================================================================== meta
_YEAR_TITLE = re.compile(r"((?:19|20)\d{2})\s*年度?")
_DATE_CN = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
# A signature date stands on a line of its own at the end ("　　2024年1月19日").
_SIGNATURE = re.compile(r"(?m)^[ \t\u3000]*((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日[ \t\u3000]*$")
_AGENCY_JUNK = re.compile(r"[A-Za-z_]{3,}|网上娱乐|官网|平台网址")


def _date(y: str, m: str, d: str) -> str | None:
    yi, mi, di = int(y), int(m), int(d)
    if not (1990 <= yi <= 2100 and 1 <= mi <= 12 and 1 <= di <= 31):
        return None
    return f"{yi:04d}-{mi:02d}-{di:02d}"


def _clean_agency(s: str) -> str:
    s = re.sub(_PINYIN, "", s)
    s = re.sub(r"^[#>*\s]+|[\s:：,，]+$", "", s)
    return re.sub(r"\s+", "", s)


def _title_meta(text: str, head: str) -> tuple[Cell, Cell]:
    """Agency and year from the report's title line (or the line before it, or a 标题: header)."""
    R = rules()
    hm = R.meta["header_title"].search(head)
    lines: list[tuple[int, str]] = []
    if hm:
        lines.append((hm.start(1), hm.group(1)))
    pos = 0
    for line in head.split("\n"):
        lines.append((pos, line))
        pos += len(line) + 1
    for k, (at, line) in enumerate(lines):
        nxt = lines[k + 1][1] if k + 1 < len(lines) else ""
        joined = re.sub(_PINYIN, "", line + nxt).replace(" ", "")
        ym = _YEAR_TITLE.search(line)
        if not ym or not R.meta["title"].search(joined):
            continue
        year = Cell(int(ym.group(1)), 0.95, (at + ym.start(1), at + ym.end(1)))
        before = line[:ym.start()]
        agency_raw, a_at, conf = before, at, 0.9
        if not _clean_agency(before):
            after = line[ym.end():]
            cut = re.search(r"(?:政府信息|信息公开|政务公开)", after)
            agency_raw = after[:cut.start()] if cut else ""
            a_at, conf = at + ym.end(), 0.7
            if not _clean_agency(agency_raw) and k > 0:
                j = k - 1
                while j > 0 and not lines[j][1].strip():
                    j -= 1
                agency_raw, a_at, conf = lines[j][1], lines[j][0], 0.85
        agency = _clean_agency(agency_raw)
        if not agency or len(agency) > 40:
            return missing_cell(), year
        if _AGENCY_JUNK.search(agency):
            conf = 0.3
        lead = len(agency_raw) - len(agency_raw.lstrip("#>* \t\u3000"))
        body = agency_raw.rstrip(" \t\u3000:：,，")
        return Cell(agency, conf, (a_at + lead, a_at + len(body))), year
    return missing_cell(), missing_cell()


def read_meta(text: str) -> dict[str, Cell]:
    """agency, year, published_on from the title, a crawler header, or the signature date; never raises."""
    out = {"agency": missing_cell(), "year": missing_cell(), "published_on": missing_cell()}
    try:
        if not isinstance(text, str) or not text:
            return out
        head = text[:1500]
        out["agency"], out["year"] = _title_meta(text, head)
        if out["agency"].span is not None:
            s, e = out["agency"].span
            if text[s:e].strip() and _clean_agency(text[s:e]) != out["agency"].value:
                out["agency"] = Cell(out["agency"].value, out["agency"].confidence, None)
        out["published_on"] = _published(text, head)
    except Exception:
        log.exception("read_meta failed")
    return out


def _published(text: str, head: str) -> Cell:
    hd = rules().meta["header_date"].search(head)
    if hd:
        d = _date(*hd.groups())
        if d:
            return Cell(d, 0.9, hd.span(1)[:1] + (hd.end(3),))
    tail_at = max(0, len(text) - 400)
    last = None
    for m in _SIGNATURE.finditer(text, tail_at):
        last = m
    if last is not None:
        d = _date(*last.groups())
        if d:
            return Cell(d, 0.8, (last.start(1), last.end()))
    return missing_cell()


# =================================================================== checks
# prose metric → (table cells it restates, how the values combine)
_RESTATED = {
    "applications_received": (("table3.new.total",), ("table3.new.total", "table3.carried_over.total")),
    "applications_completed": (("table3.total_processed.total",),),
    "applications_carried_forward": (("table3.carried_forward.total",),),
    "applications_carried_over": (("table3.carried_over.total",),),
    "reviews": (("table4.review.total",),),
    "lawsuits": (("table4.litigation_direct.total", "table4.litigation_after_review.total"),),
}


def _cell_value(tables: dict, path: str) -> tuple[Any, float]:
    t, r, c = path.split(".")
    cell = tables.get(t, {}).get(r, {}).get(c)
    if cell is None:
        return None, 0.0
    if isinstance(cell, Cell):
        return cell.value, cell.confidence
    if isinstance(cell, dict):
        return cell.get("value"), float(cell.get("confidence", 1.0))
    return cell, 1.0


def agreement_checks(facts: Sequence[Fact], tables: dict, *, text: str | None = None,
                     exclude: Sequence[tuple[int, int]] = ()) -> list[Check]:
    """Where the prose restates a table value, a check that they agree (a disagreement flags the report).

    `facts` are the record's facts; with `text` the prose's restatements of
    table 4 and of carried-over applications (not spec facts) are checked too.
    """
    out: list[Check] = []
    try:
        items: list[tuple[str, int | float, tuple[int, int], float]] = [
            (f.metric, f.value, tuple(f.span), f.confidence) for f in facts
            if f.role == "total" and f.metric in _RESTATED]
        if text:
            view, qs = quantities(text, tuple(tuple(x) for x in exclude))
            for q in qs:
                if q.label in _RESTATED and q.label not in spec_metrics() and q.role == "total":
                    items.append((q.label, q.cand.value, view.to_source(*q.phrase), q.confidence or 0.7))
        by_metric: dict[str, list[tuple[int | float, tuple[int, int], float]]] = {}
        for metric, value, span, conf in items:
            by_metric.setdefault(metric, []).append((value, span, conf))
        for metric, stated in by_metric.items():
            check = _agree(metric, stated, tables)
            if check is not None:
                out.append(check)
    except Exception:
        log.exception("agreement_checks failed")
    return out


def _agree(metric: str, stated: list[tuple[int | float, tuple[int, int], float]], tables: dict) -> Check | None:
    """One check per restated metric: ok when any prose total equals the table's value.

    Any, not all: a second "total" is more often a restatement of a subset
    than a contradiction, and a false alarm flags the whole report.
    """
    readings = []
    for paths in _RESTATED[metric]:
        vals = [_cell_value(tables, p) for p in paths]
        if any(v is None or isinstance(v, str) for v, _ in vals):
            continue
        readings.append((paths, sum(v for v, _ in vals), min(c for _, c in vals)))
    if not readings:
        return None
    for value, span, _ in stated:
        for paths, total, _ in readings:
            if abs(total - value) < 1e-9:
                return Check(f"narrative.{metric}", True, f"prose {value} vs table {total} ({' + '.join(paths)})",
                             [f"fact@{span[0]}-{span[1]}", *paths])
    paths, total, tconf = readings[0]
    conf = min(c for _, _, c in stated)
    said = ", ".join(str(v) for v, _, _ in stated)
    cause = "agency" if tconf >= 0.9 and conf >= 0.9 else "reading"
    return Check(f"narrative.{metric}", False, f"prose {said} vs table {total} ({' + '.join(paths)})",
                 [f"fact@{s}-{e}" for _, (s, e), _ in stated] + list(paths), cause=cause)
