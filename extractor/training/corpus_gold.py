"""Corpus excerpt gold (`../shared/corpus/excerpts*/QNNN.gold.json`) as facts-only annotations.

The corpus writes its gold by quote (`narrative_facts`: exact `quote`,
`metric`, `channel`, `value`, `unit`, `approx`, `note`, and in excerpts2
`distractor` and `implicit_metric`) with the corpus's own metric names;
the annotations hold spans and the spec's names.  This is the one place
that maps one onto the other (`../shared/corpus/README.md` gives the
mapping), so an import is a command, not a hand edit, and re-running it
on the same corpus writes the same files.  Texts stay where they are,
referenced by path and sha256.
"""
from __future__ import annotations

import hashlib
import json

import regex as re
from pathlib import Path
from typing import Any

from extractor.training.annotations import FACT_EXTRA_KEYS, default_dir, read_document, repo_root, text_ref, write_annotation
from extractor.narrative.view import make_view
from extractor.spec.metrics import OTHER, rules, spec_metrics
from extractor.training.trainset import placed_facts

# ../shared/corpus/README.md: "Gold metric names map to the spec's"
METRIC_NAMES = {
    "posts_published": "posts", "posts_by_channel": "posts", "policy_interpretations": "interpretations",
    "media_briefings": "briefings", "new_media_accounts": "accounts", "applications_carried": "applications_carried_forward",
    "responses_to_concerns": "responses",
}
# Corpus channels the spec does not name (OUTPUT.md: website, weibo, wechat, douyin, toutiao, new_media, gazette,
# press, other): the corpus's finer ones are "other".
CHANNEL_NAMES = {"media": "other", "hotline": "other", "bulletin_board": "other", "mailbox": "other"}


# excerpts2 marks the category (and channel, applicant) breakdowns of a total as "other"; the project's convention,
# that of ../shared/corpus/README.md and OUTPUT.md, is a part of the metric it breaks down ("category breakdowns of
# posts, which are posts with role: part").  A note saying so makes it one: a category or column of the nearest
# annotated posts before it in its paragraph; any other breakdown of the nearest annotated fact before it there.
CATEGORY_NOTE = re.compile(r"^(?:category|COVID column items|(?:website )?column breakdown)")
BREAKDOWN_NOTE = re.compile(r"^(?:breakdown|channel breakdown|applicant breakdown)")


# excerpts2 has no `new_media` channel: it writes `other` and says in the note what it means.  OUTPUT.md has
# new_media (unspecified, or several new-media accounts together) and null for an overall figure (the project's
# reading of a website and a WeChat figure given as one); such notes are read so.
CHANNEL_NOTES = ((re.compile(r"new[_ -]media"), "new_media"), (re.compile(r"website (?:\+|and) WeChat"), None))


def harmonise_channels(facts: list[dict[str, Any]], spec: frozenset[str]) -> None:
    """Channels as OUTPUT.md names them (see CHANNEL_NOTES), and none on a metric whose facts carry none."""
    by_id = rules().by_id
    for f in facts:
        m = by_id.get(f["metric"])
        if m is not None and not m.has_channel:
            f["channel"] = None
        elif f.get("channel") == "other":
            for pat, channel in CHANNEL_NOTES:
                if pat.search(f.get("note") or ""):
                    f["channel"] = channel
                    break


# The corpus's `applications_carried` counts applications carried either way; the spec's
# applications_carried_forward is only those carried to the next year (OUTPUT.md: 结转下年度, table 3's
# carried_forward).  Those carried in from the year before (table 3's carried_over) are the project's restatement
# `applications_carried_over` (checked against the table, never a spec fact), told apart by that metric's own cues
# in metrics.toml, read on the folded quote.
CARRIED_IN, CARRIED_OUT = "applications_carried_over", "applications_carried_forward"


def harmonise_direction(facts: list[dict[str, Any]]) -> None:
    """A carried-forward fact whose quote says "from the year before" (and not "to the next") is carried over."""
    by_id = rules().by_id
    carried_in, carried_out = by_id.get(CARRIED_IN), by_id.get(CARRIED_OUT)
    if carried_in is None or carried_out is None:
        return
    for f in facts:
        if f["metric"] != CARRIED_OUT:
            continue
        quote = make_view(f["text"]).text
        if any(p.search(quote) for p in carried_in.cues) and not any(p.search(quote) for p in carried_out.cues):
            f["metric"] = CARRIED_IN


def harmonise_parts(facts: list[dict[str, Any]], text: str, spec: frozenset[str]) -> None:
    """Turn the breakdowns the corpus calls "other" into parts of the fact they break down (see CATEGORY_NOTE)."""
    ordered = sorted(facts, key=lambda f: f["span"][0])
    for i, f in enumerate(ordered):
        note = f.get("note") or ""
        if f["metric"] != OTHER or f.get("distractor"):
            continue
        want = ("posts",) if CATEGORY_NOTE.match(note) else spec if BREAKDOWN_NOTE.match(note) else ()
        for g in reversed(ordered[:i] if want else ()):
            if "\n" in text[g["span"][1]:f["span"][0]]:
                break
            if g["metric"] in want and g.get("role") != "part":
                f.update(metric=g["metric"], channel=g.get("channel"), role="part")
                break


def convert(gold: dict[str, Any], text: str) -> list[dict[str, Any]] | str:
    """The gold's facts in the annotation shape, placed in `text`; or why one cannot be placed."""
    raw = gold.get("narrative_facts") or []
    facts = [{"metric": METRIC_NAMES.get(f["metric"], f["metric"]),
              "channel": CHANNEL_NAMES.get(f.get("channel"), f.get("channel")),
              "value": f["value"], "unit": f.get("unit"), "text": f["quote"], "role": None,
              "approx": bool(f.get("approx", False)), "category": None} for f in raw]
    placed = placed_facts(facts, text)
    if isinstance(placed, str):
        return placed
    for g, f in zip(placed, raw):
        if g["role"] is None:
            del g["role"]  # the corpus does not say; scoring ignores the role where it is absent
        g.update({k: f[k] for k in FACT_EXTRA_KEYS if k in f})
    harmonise_direction(placed)
    harmonise_parts(placed, text, spec_metrics())
    harmonise_channels(placed, spec_metrics())
    return placed


def import_dir(corpus_dir: Path | str, ann_dir: Path | str | None = None) -> tuple[list[Path], list[str]]:
    """Write one excerpt annotation per `*.gold.json` of `corpus_dir`: (files written, problems)."""
    src = Path(corpus_dir)
    d = Path(ann_dir) if ann_dir else default_dir()
    written: list[Path] = []
    problems: list[str] = []
    for gold_path in sorted(src.glob("*.gold.json")):
        doc_id = gold_path.name[: -len(".gold.json")]
        text_path = src / f"{doc_id}.txt"
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        facts = convert(gold, read_document(text_path))
        if isinstance(facts, str):
            problems.append(f"{doc_id}: {facts}")
            continue
        ann = {"id": doc_id,
               "text": {"path": text_ref(text_path, repo_root(d)),
                        "sha256": hashlib.sha256(text_path.read_bytes()).hexdigest()},
               "facts_complete": True, "facts": facts}
        written.append(write_annotation(ann, d, kind="excerpt"))
    return written, problems
