"""What a training run reads: the annotations whose texts are here, and the bundled samples as annotations.

A fresh clone holds no real report texts (they stay in ../shared), but it
holds `samples/`: generated messy reports whose gold tables and facts are
exact by construction.  Both trainers read `training_set`: the annotations
with their texts, plus the samples (kind "sample") when some annotation's
text is absent or none has one, or when asked.  So a fresh clone trains on
what it holds, and a checkout with every text trains exactly as before the
samples counted (the shipped models stay reproducible from annotations/).
The model's meta says which documents it read (`TrainingSet.meta`), and
`trained_on` says it in one line.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from extractor import config
from extractor.training.annotations import (FACT_KEYS, SAMPLE, Annotation, default_dir, load_annotations,
                                            read_document, repo_root)

log = logging.getLogger(__name__)


def load_samples(samples_dir: Path | str | None = None) -> list[Annotation]:
    """The bundled samples (`sample_NN.txt|.html` beside `sample_NN.gold.json`) as annotations of kind "sample".

    The gold file holds the tables in the corpus gold shape and the facts the
    generator planted, so the fact list is complete by construction.  The
    text is read through the document loader, so spans index into
    `extractor.load(path).text` as an annotation's do; the HTML page's facts
    carry no span (its text is the loader's rendering), so each is placed at
    the next occurrence of its text.  A sample whose text cannot be read or
    whose facts cannot be placed keeps `text` None and says why in
    `text_note`.  Text paths are relative to the samples' parent (the
    checkout), so a hash over them is the same on every machine.
    """
    d = Path(samples_dir) if samples_dir is not None else config.samples_dir()
    out: list[Annotation] = []
    for gold_path in sorted(d.glob("*.gold.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        sid = gold_path.name[: -len(".gold.json")]
        text_path = (d / str(gold.get("file") or sid)).resolve()
        data: dict[str, Any] = {
            "id": sid,
            "text": {"path": Path(os.path.relpath(text_path, d.resolve().parent)).as_posix(),
                     "sha256": hashlib.sha256(text_path.read_bytes()).hexdigest() if text_path.is_file() else None},
            "agency": gold.get("agency"), "year": gold.get("year"),
            "tables": {t: gold[t] for t in ("table2", "table3", "table4") if t in gold},
            "agency_error": False,
            "notes": f"bundled sample: {gold.get('layout')} layout, mess {gold.get('mess')}, seed {gold.get('seed')}",
            "facts": [], "facts_complete": True, "fragments": [],
        }
        a = Annotation(gold_path, data, SAMPLE, text_path=text_path)
        try:
            text = read_document(text_path)
        except (OSError, ValueError) as e:
            a.text_note = f"sample text unreadable: {e}"
            out.append(a)
            continue
        facts = placed_facts(gold.get("facts") or [], text)
        if isinstance(facts, str):
            a.text_note = f"{gold_path.name}: {facts}"
        else:
            data["facts"] = facts
            a.text = text
        out.append(a)
    return out


def placed_facts(facts: list[dict[str, Any]], text: str) -> list[dict[str, Any]] | str:
    """Gold facts in the annotation shape, each with a span showing its text; or why one cannot have one."""
    out: list[dict[str, Any]] = []
    pos = 0
    for f in facts:
        g = {k: f.get(k) for k in FACT_KEYS}
        span = f.get("span")
        if isinstance(span, list) and len(span) == 2:
            if text[span[0]:span[1]] != f.get("text"):
                return f"fact span {span} shows {text[span[0]:span[1]]!r}, not {f.get('text')!r}"
        else:
            shown = str(f.get("text") or "")
            i = text.find(shown, pos) if shown else -1
            if i < 0 and shown:  # listed out of document order: its first occurrence
                i = text.find(shown)
            if i < 0:
                return f"fact {shown!r} not found in the text"
            g["span"] = [i, i + len(shown)]
        pos = g["span"][1]
        out.append(g)
    return out


@dataclass
class TrainingSet:
    """The documents one training run reads, and the annotations it could not read: what its output and meta say.

    `samples` says why the bundled samples are in ("texts absent": some
    annotation's text is not on this machine; "no annotated texts"; "asked"),
    None when they are not.
    """

    used: list[Annotation]
    left_out: list[Annotation] = field(default_factory=list)  # annotations without their text, absent or not
    samples: str | None = None

    @property
    def absent(self) -> list[Annotation]:
        """The annotations left out because their texts are not on this machine (not unreadable, not changed)."""
        return [a for a in self.left_out if a.text_absent]

    def only(self, keep: Callable[[Annotation], bool]) -> "TrainingSet":
        """The same run restricted to the documents `keep` takes (e.g. the samples one model can learn from)."""
        return TrainingSet([a for a in self.used if keep(a)], [a for a in self.left_out if keep(a)], self.samples)

    def meta(self) -> dict[str, Any]:
        """The model meta's account of its documents: ids with their kind, the absent texts and where they live."""
        return {"documents": [{"id": a.id, "kind": a.kind} for a in self.used],
                "texts_absent": {"count": len(self.absent), "where": absent_where(self.absent)},
                "samples": self.samples}


def training_set(ann_dir: Path | str | None = None, *, kinds: Iterable[str] = ("report",),
                 keep: Callable[[Annotation], bool] = lambda a: True, samples: bool | None = None,
                 samples_dir: Path | str | None = None) -> TrainingSet:
    """What a trainer reads: the annotations (of `kinds`, taken by `keep`) whose texts are here, plus the samples.

    `samples`: True adds the bundled samples, False never does, None (the
    default) adds them only when they are needed: some annotation's text is
    absent (a fresh clone without ../shared) or no annotation has its text.
    So a checkout with every text trains exactly as it did before samples
    counted, and the shipped models stay reproducible from annotations/.
    An annotation of the same document as a sample (same text sha256, or the
    same id: a person's review of it) replaces the sample's generated gold.
    """
    d = Path(ann_dir) if ann_dir else default_dir()
    anns = [a for a in load_annotations(d, kinds=kinds) if keep(a)]
    used = [a for a in anns if a.text is not None]
    left_out = [a for a in anns if a.text is None]
    absent = [a for a in left_out if a.text_absent]
    for a in left_out:
        if not a.text_absent and a.text_note:
            log.warning("%s: %s; skipped", a.path, a.text_note)
    if samples is None:
        why = "texts absent" if absent else None if used else "no annotated texts"
    else:
        why = "asked" if samples else None
    if why is not None:
        shas = {a.data["text"].get("sha256") for a in used}
        ids = {a.id for a in used}
        for s in load_samples(samples_dir):
            if s.text is None:
                log.warning("%s: %s; skipped", s.path, s.text_note)
            elif keep(s) and s.data["text"]["sha256"] not in shas and s.id not in ids:
                used.append(s)
    return TrainingSet(used, left_out, why)


def absent_where(anns: Iterable[Annotation]) -> list[str]:
    """Where the absent texts would be: the first missing folder of each path (e.g. "../shared"), relative to
    the annotations' repository when beside it, so the output names what to put back rather than 33 files."""
    out: set[str] = set()
    for a in anns:
        if a.text_path is None:
            continue
        missing = a.text_path
        while not missing.parent.exists():
            missing = missing.parent
        root = repo_root(a.path.parents[1])
        rel = os.path.relpath(missing, root)
        out.add(Path(rel).as_posix() if not rel.startswith(os.path.join("..", "..")) else str(missing))
    return sorted(out)


def trained_on(meta: dict[str, Any], kinds: Iterable[str] = ("report", "excerpt", SAMPLE)) -> str:
    """"trained on 8 real reports, 28 excerpts, 0 samples (../shared absent: 33 real texts skipped)", from a meta.

    What `extractor train` prints, read from what the model says of itself
    (its meta) rather than from the run that made it, so a model found later
    says the same.
    """
    names = {"report": "real reports", "excerpt": "excerpts", SAMPLE: "samples"}
    docs = meta.get("documents") or []
    line = "trained on " + ", ".join(f"{sum(1 for x in docs if x.get('kind') == k)} {names[k]}" for k in kinds)
    absent = meta.get("texts_absent") or {}
    notes = []
    if absent.get("count"):
        notes.append(f"{', '.join(absent.get('where') or ['texts'])} absent: {absent['count']} real texts skipped")
    if meta.get("samples") == "asked":
        notes.append("samples added on request")
    elif meta.get("samples") == "no annotated texts":
        notes.append("no annotated text: the samples stand in")
    return line + (f" ({'; '.join(notes)})" if notes else "")
