"""The texts the row classifier learns and is measured on: annotated reports, their damaged variants, generated reports.

Everything is seeded: the same annotations give the same samples, and
`samples_sha256` fingerprints them (it depends on the extraction core too,
through the labelling of generated reports, so a core change shows up as
stale training data).
"""
from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from typing import Any, Iterable

from extractor.classify import NO_MODELS
from extractor.pipeline import extract
from extractor.training import generate as G
from extractor.training.annotations import Annotation
from extractor.training.gold import compare
from extractor.training.prefill import label_fragments


@dataclass
class Sample:
    """A text with labelled fragments (source offsets) and the gold tables it shows."""

    id: str
    group: str  # reports (and their variants) share a group: CV never splits one
    text: str
    fragments: list[dict]
    gold: dict | None
    kind: str  # real | real-damaged | generated | generated-damaged


def real_samples(anns: Iterable[Annotation]) -> list[Sample]:
    out = []
    for a in anns:
        if a.kind != "report" or a.text is None:
            continue
        out.append(Sample(a.id, a.id, a.text, list(a.data.get("fragments", [])), a.data.get("tables"), "real"))
    return out


def generated_samples(n: int, seed: int, *, prefix: str = "gen") -> list[Sample]:
    """`n` generated reports labelled from their own extraction (only those read entirely right)."""
    out: list[Sample] = []
    k = 0
    tries = 0
    while len(out) < n and tries < 3 * n:
        rng = random.Random(seed * 7919 + tries)
        template = "2019" if rng.random() < 0.15 else "2021"
        gold = G.random_tables(rng, template=template)
        g = G.variants(gold, 1 + tries % 5, seed + tries)[-1]
        tries += 1
        # Labelled from a reading without the classifier: it must not learn from its own guesses.
        rec = extract(g.text, models=NO_MODELS).to_dict()
        if compare(rec, g.gold)["wrong"]:
            continue
        frs = label_fragments(g.text, models=NO_MODELS)
        gid = f"{prefix}{seed}-{k:03d}"
        k += 1
        out.append(Sample(gid, gid, g.text, frs, g.gold, "generated"))
    return out


def seed_of(*parts: Any) -> int:
    return int(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:12], 16)


def samples_sha256(samples: Iterable[Sample]) -> str:
    """Fingerprint of the training texts and their labels.

    They depend on the annotations and, through the labelling of generated
    reports and `segment`, on the extraction core: when this changes, the
    shipped model is stale and `extractor train` must be run again.
    """
    h = hashlib.sha256()
    for s in samples:
        h.update(json.dumps([s.id, s.text, s.fragments], ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return h.hexdigest()
