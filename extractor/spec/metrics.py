"""The narrative's language data as compiled rules: `data/metrics.toml` parsed once.

The cue words, channels, distractors, units and breakdown markers of the
fact tagger are human-edited data; this module only turns them into
compiled patterns (`Rules`), so the tagger, the facts model and the
annotation checks read one vocabulary.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable

import re as stdre

import regex as re

from extractor.spec import data_text
from extractor.text.numerals import CHINESE_NUMERAL_CHARS

DATA_FILE = "metrics.toml"
OTHER = "other"

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
    has_channel: bool = True


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
    written_number: stdre.Pattern
    stopwords: re.Pattern
    approx_after: frozenset[str]
    markers: re.Pattern
    applicants: re.Pattern
    category_markers: re.Pattern
    category_strip: re.Pattern
    category_verbs: re.Pattern
    category_generic: frozenset[str]
    total_words: re.Pattern
    applicant_tail: re.Pattern
    quoted_column: re.Pattern
    category_lead: re.Pattern
    category_tail: re.Pattern
    topics: tuple[tuple[str, re.Pattern], ...]
    fold: dict[int, str]
    meta: dict[str, re.Pattern]
    # metric -> the table readings a prose total of it may restate (each a tuple of cells summed)
    restated: dict[str, tuple[tuple[str, ...], ...]]

    by_id: dict[str, MetricRule] = field(default_factory=dict)       # the first (main) rule of each id
    spec_metrics: frozenset[str] = frozenset()
    # distractors that test only the text before (or only after) the number, as one search each
    before_only: re.Pattern | None = None
    after_only: re.Pattern | None = None
    # the verbs the facts model reads (searched from the right: the nearest before a number)
    feature_verbs: re.Pattern | None = None


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
    written_number = stdre.compile(
        rf"(?P<pre>{_alt(num['approx_before'])})?"
        rf"(?P<num>\d+(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|[{CHINESE_NUMERAL_CHARS}]+(?=(?:余|多)?(?:{unit_alt})))"
        r"(?:(?P<ap0>余|多)(?=[万亿](?!元)))?(?P<mult>[万亿](?!元))?(?P<ap1>余|多)?"
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
            has_channel=bool(m.get("channel", True)),
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
        feature_verbs=re.compile("(?r)" + _alt(raw["features"]["verbs"])) if raw.get("features") else None,
        metrics=metrics, others=others, distractors=tuple(d for d in distractors if d.name in rest), channels=channels, units=units,
        written_number=written_number, stopwords=re.compile(_alt(num["chinese_stopwords"])),
        approx_after=frozenset(num["approx_after"]),
        markers=re.compile("|".join(bd["markers"])),
        applicants=re.compile(rf"(?:{_alt(bd['applicants'])})[^,。;\d]{{0,5}}$"),
        category_markers=re.compile("|".join(bd["category_markers"])),
        category_strip=re.compile(rf"^(?:{_alt(bd['category_strip_before'])})+"),
        category_verbs=re.compile(_alt(bd["category_verbs"])),
        category_generic=frozenset(bd["category_generic"]),
        total_words=re.compile(_alt(bd["total_words"])),
        applicant_tail=re.compile(bd["applicant_tail"]),
        quoted_column=re.compile(bd["quoted_column"]),
        category_lead=re.compile(bd["category_lead"]),
        category_tail=re.compile(bd["category_tail"]),
        topics=tuple((k, re.compile(v)) for k, v in raw["topics"].items()),
        fold={ord(t): s for t, s in zip(fold["traditional"], fold["simplified"]) if t != s},
        meta={k: re.compile(v, re.M) for k, v in raw["meta"].items()},
        restated={m: tuple(tuple(paths) for paths in readings) for m, readings in raw["restated"].items()},
    )


@lru_cache(maxsize=1)
def raw() -> dict[str, Any]:
    """metrics.toml as parsed TOML (the annotation checks read its metric and channel ids)."""
    return tomllib.loads(data_text(DATA_FILE))


@lru_cache(maxsize=1)
def rules() -> Rules:
    """The shipped rules, parsed once per process."""
    return parse_rules(raw())


def spec_metrics() -> frozenset[str]:
    return rules().spec_metrics


@lru_cache(maxsize=1)
def metric_ids() -> frozenset[str]:
    """Metric ids a fact may carry: metrics.toml's, and "other" (not a spec fact)."""
    return frozenset([m["id"] for m in raw().get("metric", [])] + [OTHER])


@lru_cache(maxsize=1)
def channel_ids() -> frozenset[str]:
    return frozenset(c["id"] for c in raw().get("channel", []))

