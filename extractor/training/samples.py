"""The texts the row classifier learns and is measured on: annotated reports, their damaged variants, generated reports.

The bundled samples (annotations of kind "sample", `training.trainset`)
count as annotated reports, but they carry no fragment labels: theirs are
derived as a generated report's are, from a reading without the
classifier, and only when that reading gets every cell right (a wrong
reading's anchors would teach wrong labels).

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
from extractor.training.annotations import SAMPLE, Annotation
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
    kind: str  # real | sample | generated, each also "-damaged"; converter (a converter layout of a gold)


def real_samples(anns: Iterable[Annotation]) -> list[Sample]:
    out = []
    for a in anns:
        if a.kind != "report" or a.text is None:
            continue
        out.append(Sample(a.id, a.id, a.text, list(a.data.get("fragments", [])), a.data.get("tables"), "real"))
    return out


def bundled_samples(anns: Iterable[Annotation]) -> list[Sample]:
    """The bundled samples among `anns` that their own reading labels (see the module docstring), in order."""
    out = []
    for a in anns:
        if a.kind != SAMPLE or a.text is None:
            continue
        frs = labelled_by_reading(a.text, a.data["tables"])
        if frs is not None:
            out.append(Sample(a.id, a.id, a.text, frs, a.data["tables"], SAMPLE))
    return out


def labelled_by_reading(text: str, gold: dict) -> list[dict] | None:
    """Fragment labels of `text` from a reading without the classifier, or None when that reading is wrong.

    Without the classifier: it must not learn from its own guesses.
    """
    rec = extract(text, models=NO_MODELS).to_dict()
    if compare(rec, gold)["wrong"]:
        return None
    return label_fragments(text, models=NO_MODELS)


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
        frs = labelled_by_reading(g.text, g.gold)
        if frs is None:
            continue
        gid = f"{prefix}{seed}-{k:03d}"
        k += 1
        out.append(Sample(gid, gid, g.text, frs, g.gold, "generated"))
    return out


def converter_samples(samples: Iterable[Sample], per: int, seed: int) -> list[Sample]:
    """`per` converter layouts of each sample's gold tables (`generate.converter_variants`: shattered and OCR
    markdown, displaced labels ...), labelled by the generator, which knows which row every label fragment
    came from and where it moved it (`Generated.fragments`).  A variant keeps its sample's group, so CV
    never puts one report's renderings on both sides of a fold."""
    out: list[Sample] = []
    for s in samples:
        if not s.gold or per <= 0:
            continue
        for i, g in enumerate(G.converter_variants(s.gold, per, seed_of(seed, s.id, "converter") % 2 ** 31)):
            out.append(Sample(f"{s.id}~c{i}", s.group, g.text, g.fragments, g.gold, "converter"))
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
