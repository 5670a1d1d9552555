"""Development and held-out test documents, fixed in data (`annotations/split.json`).

A score on the prose the rules and features were tuned on says little about
prose nobody has read (issue 12: 0.99 in cross-validation, 0.75 on unseen
excerpts).  So about a third of the annotated documents are held out: never
read while tuning, never trained on by `evaluate`'s held-out model, scored
apart.  The split is made once, by `make_split`, and written down; it is
grouped by document (the annotations of one report, by agency and year
where the corpus says them, always fall on one side) and stratified by
source (the corpus folder the text comes from), so each kind of prose is on
both sides in proportion.  A document annotated later is not in the file
and counts as development until someone re-runs the split with
`extractor split --add`, which assigns only the new ones, by the same rule
among themselves, and writes them down as a round of their own: the file
lists the rounds, so anyone can remake the split from the annotations
(`remake`) and see that no document was moved by hand.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from extractor.training.annotations import Annotation, default_dir

SPLIT_FILE = "split.json"
DEVELOPMENT, TEST = "development", "test"
METHOD = ("grouped by document (agency and year from the corpus's .source.json, else the annotation id), stratified "
          "by source (the folder of the text); within each source the groups sorted, shuffled with "
          "random.Random(f'{seed}:{source}') and the first round(n * fraction) held out")


@dataclass(frozen=True)
class Split:
    seed: int
    fraction: float
    test: frozenset[str]
    development: frozenset[str]
    rounds: tuple[frozenset[str], ...] = ()  # the documents each `make_split` / `extend` assigned, in order

    def side(self, doc_id: str) -> str:
        """TEST for a held-out document, DEVELOPMENT for every other (a document added since counts as one)."""
        return TEST if doc_id in self.test else DEVELOPMENT


def source_of(a: Annotation) -> str:
    """The kind of prose a document is: the folder its text lives in (corpus/excerpts2, seeds …)."""
    p = Path(str((a.data.get("text") or {}).get("path") or a.id))
    return "/".join(p.parts[-3:-1]).removeprefix("../").removeprefix("shared/") or a.kind


def group_of(a: Annotation) -> str:
    """What makes two annotations one document: the same agency and year (the corpus's .source.json), else the id."""
    if a.text_path is not None:
        src = a.text_path.with_suffix(".source.json")
        if src.is_file():
            s = json.loads(src.read_text(encoding="utf-8"))
            if s.get("agency") and s.get("year"):
                return f"{s['agency']}|{s['year']}"
    agency, year = a.data.get("agency"), a.data.get("year")
    return f"{agency}|{year}" if agency and year else a.id


def make_split(anns: Iterable[Annotation], seed: int = 12, fraction: float = 1 / 3) -> Split:
    """Hold out `fraction` of each source's document groups (see METHOD)."""
    by_source: dict[str, dict[str, list[str]]] = {}
    for a in anns:
        by_source.setdefault(source_of(a), {}).setdefault(group_of(a), []).append(a.id)
    test: set[str] = set()
    dev: set[str] = set()
    for source, groups in sorted(by_source.items()):
        keys = sorted(groups)
        random.Random(f"{seed}:{source}").shuffle(keys)
        k = round(len(keys) * fraction)
        for i, g in enumerate(keys):
            (test if i < k else dev).update(groups[g])
    return Split(seed, fraction, frozenset(test), frozenset(dev), (frozenset(test | dev),))


def extend(split: Split, anns: Iterable[Annotation]) -> Split:
    """The split with the documents it does not name assigned by the same rule, among themselves (a new round)."""
    new = [a for a in anns if a.id not in split.test and a.id not in split.development]
    if not new:
        return split
    more = make_split(new, split.seed, split.fraction)
    return Split(split.seed, split.fraction, split.test | more.test, split.development | more.development,
                 split.rounds + more.rounds)


def remake(anns: Iterable[Annotation], seed: int, fraction: float, rounds: Iterable[Iterable[str]]) -> Split:
    """The split its method makes of `anns` round by round (what `split.json` must equal)."""
    anns = list(anns)
    rounds = [set(r) for r in rounds]
    split = make_split([a for a in anns if a.id in rounds[0]], seed, fraction) if rounds else make_split(anns, seed, fraction)
    for r in rounds[1:]:
        split = extend(split, [a for a in anns if a.id in r])
    return split


def split_path(ann_dir: Path | str | None = None) -> Path:
    return (Path(ann_dir) if ann_dir else default_dir()) / SPLIT_FILE


def write_split(split: Split, ann_dir: Path | str | None = None) -> Path:
    p = split_path(ann_dir)
    data = {"method": METHOD, "seed": split.seed, "fraction": split.fraction,
            "test": sorted(split.test), "development": sorted(split.development),
            "rounds": [sorted(r) for r in split.rounds]}
    p.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return p


def load_split(ann_dir: Path | str | None = None) -> Split:
    """The split written in the annotations directory; with no file, every document is development."""
    p = split_path(ann_dir)
    if not p.is_file():
        return Split(0, 0.0, frozenset(), frozenset())
    d = json.loads(p.read_text(encoding="utf-8"))
    rounds = tuple(frozenset(r) for r in d.get("rounds") or [d["test"] + d["development"]])
    return Split(int(d["seed"]), float(d["fraction"]), frozenset(d["test"]), frozenset(d["development"]), rounds)
