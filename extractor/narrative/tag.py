"""The prose of a report as facts: what was published, held, received, answered.

Written numbers come cheaply (`numbers`), are labelled by the rules of
`data/metrics.toml` (`decide`), then, when a trained facts model is given,
re-decided by it (its probability is the fact's confidence); channel, role
and phrase follow the final labels (`roles`).  Without the model every
confidence stays below the review threshold.

Only numbers in the prose are read: spans passed as `exclude` (the tables)
are skipped, and bare numbers standing between separators (table cells) are
never candidates.  `read` also returns the prose totals that restate a
table value without being spec facts (table 4, carried-over applications),
for the agreement checks.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol, Sequence

from extractor import confidence
from extractor.narrative.numbers import context_of, find_numbers
from extractor.narrative.decide import Quantity, decide_all
from extractor.narrative.roles import attach
from extractor.narrative.view import View, make_view
from extractor.record import Fact, SectionSpan
from extractor.spec.metrics import rules

log = logging.getLogger(__name__)

class FactsModel(Protocol):
    """What the tagger asks of a trained facts model (`extractor.classify.facts`)."""

    def decide(self, qs: list[Quantity]) -> None: ...


class Restatement(NamedTuple):
    """A prose total that restates table cells without being a spec fact (table 4, carried-over applications)."""

    metric: str
    value: int | float
    span: tuple[int, int]
    confidence: float


@dataclass
class Prose:
    """What the narrative says: its spec facts, and the totals that restate table cells."""

    facts: list[Fact] = field(default_factory=list)
    restatements: list[Restatement] = field(default_factory=list)


def _overlaps(spans: Sequence[tuple[int, int]], a: int, b: int) -> bool:
    return any(s < b and a < e for s, e in spans)


def analyse(text: str, exclude: Sequence[tuple[int, int]] = (), facts_model: FactsModel | None = None
            ) -> tuple[View, list[Quantity]]:
    """Every candidate number of `text` with its label, channel, role and phrase.

    The rules label every candidate first; the facts model (when given) may
    then relabel them; channel, role and phrase follow the final labels,
    since a list inherits from the number before it.
    """
    view = make_view(text)
    vt = view.text
    qs: list[Quantity] = []
    prev_end = 0
    for c in find_numbers(view):
        if exclude and _overlaps(exclude, *view.to_source(c.num_start, c.num_end)):
            continue
        qs.append(Quantity(c, context_of(vt, c, prev_end)))
        prev_end = c.end
    decide_all(qs, vt)
    if facts_model is not None:
        facts_model.decide(qs)
    attach(vt, qs)
    return view, qs


def _section_of(sections: Sequence[SectionSpan] | None, pos: int) -> str | None:
    for s in sections or ():
        if s.span[0] <= pos < s.span[1]:
            return s.id
    return None


def _to_fact(text: str, view: View, q: Quantity, sections: Sequence[SectionSpan] | None) -> Fact:
    s, e = view.to_source(*q.phrase)
    ns, _ = view.to_source(q.number.num_start, q.number.num_end)
    unit_text = None
    if q.number.unit_span is not None:
        us, ue = view.to_source(*q.number.unit_span)
        unit_text = text[us:ue]
    return Fact(metric=q.label, value=q.number.value, unit=unit_text, span=(s, e), text=text[s:e],
                confidence=round(max(0.0, min(1.0, q.confidence)), 4), channel=q.channel,
                section=_section_of(sections, ns), role=q.role, approx=q.number.approx, category=q.category)


def tag(text: str, sections: Sequence[SectionSpan] | None = None, *, exclude: Sequence[tuple[int, int]] = (),
        facts_model: FactsModel | None = None) -> Prose:
    """The spec facts of `text` and its restatements of table cells; raises on bugs, unlike `read`."""
    view, qs = analyse(text, tuple(tuple(x) for x in exclude), facts_model)
    R = rules()
    spec = R.spec_metrics
    facts = [_to_fact(text, view, q, sections) for q in qs if q.label in spec]
    restated = [Restatement(q.label, q.number.value, view.to_source(*q.phrase), q.confidence or confidence.value("restatement"))
                for q in qs if q.label in R.restated and q.label not in spec and q.role == "total"]
    return Prose(facts, restated)


def read(text: str, sections: Sequence[SectionSpan] | None = None, *, exclude: Sequence[tuple[int, int]] = (),
         facts_model: FactsModel | None = None) -> Prose:
    """What the prose states; never raises (a failure yields nothing and is logged)."""
    try:
        if not isinstance(text, str) or not text:
            return Prose()
        return tag(text, sections, exclude=exclude, facts_model=facts_model)
    except Exception:  # the record must not be lost to a tagging bug
        log.exception("narrative tagging failed")
        return Prose()
