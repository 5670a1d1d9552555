"""A reviewed record as an annotation: what a person decided becomes what the next model learns.

A person's check is only worth keeping if the next training run reads it,
so the reviewed record is written in the one annotation format
(`extractor.training.annotations`, validated by `check-data`) through its
one writer, and `used_by_training` tells the reviewer whether each trainer
will actually take the file (check-data can accept one a trainer skips).
"""
from __future__ import annotations

import copy
import datetime as _dt
import hashlib
import os
from pathlib import Path
from typing import Any

from extractor.confidence import PERSON, REVIEW_BELOW
from extractor.input.load import load
from extractor.review.decisions import corrections_of, refresh
from extractor.review.frames import REVIEW_KEY, low_cells, low_facts
from extractor.spec.metrics import OTHER
from extractor.training.annotations import (FACT_KEYS, default_dir, load_annotations, repo_root, text_ref,
                                            write_annotation)
from extractor.training.check import check_data, table_identity_failures
from extractor.training.facts import documents as facts_documents
from extractor.training.prefill import gold_shape, label_fragments


def annotation_id(text_path: str | os.PathLike) -> str:
    """The id (= file name) of a report's annotation: the text file's stem, as `extractor annotate` names it."""
    return Path(text_path).stem


def to_annotation(record: dict[str, Any], text_path: str | os.PathLike, corrections: dict[str, Any] | None = None,
                  *, root: str | os.PathLike | None = None, fragments: list[dict[str, Any]] | None = None,
                  reviewer: str | None = None) -> dict[str, Any]:
    """The reviewed record as an annotation in the `extractor check-data` format (`training.annotations`).

    - tables: the record's cells in the corpus gold shape, a person's
      corrections applied (`corrections`, default: the record's own `review` log);
    - facts: every fact the machine tagged, as corrected; a rejected one is
      written with metric "other" (a quantity that is not a spec fact), which
      is how the facts model learns what not to tag;
    - fragments: the row, header and group fragments of the tables as the
      current extraction anchors them (`training.prefill.label_fragments`);
    - agency_error: true when an identity still fails after the review (as
      check-data requires); if cells in it were read in doubt and nobody
      settled them, `review` says so;
    - review: what a person has *not* settled yet (the format's to-do list);
      absent when every doubtful cell, fact and failing identity was looked at;
    - notes: who changed what, so the next person sees the history.

    `text_path` is written relative to `root` (default: the annotations'
    repository) when it is under it, else absolute (the format allows that
    for one-off files).
    """
    corr = corrections if corrections is not None else corrections_of(record)
    rec = copy.deepcopy(record)
    rec[REVIEW_KEY] = {"cells": dict(corr.get("cells") or {}), "facts": dict(corr.get("facts") or {}),
                       "meta": dict(corr.get("meta") or {})}
    for name, d in (corr.get("cells") or {}).items():
        t, r, c = name.split(".")
        rec["tables"][t][r][c]["value"] = d["value"] if isinstance(d, dict) else d
        rec["tables"][t][r][c]["confidence"] = PERSON
    tp = Path(text_path)
    data = tp.read_bytes()
    facts = []
    fact_log = corr.get("facts") or {}
    for i, f in enumerate(rec.get("facts") or []):
        d = dict(f)
        act = fact_log.get(str(i)) or {}
        if act.get("action") == "corrected":
            d.update(act.get("changes") or {})
        out = {k: d.get(k) for k in FACT_KEYS}
        if act.get("action") == "rejected":
            out["metric"] = OTHER
            out["channel"] = None
            out["note"] = f"not a fact (rejected in review; machine read {f.get('metric')})"
        facts.append(out)
    refresh(rec)
    # check-data requires agency_error whenever the gold tables break an
    # identity.  When the cells involved were read in doubt and nobody fixed
    # them, that is not yet known to be the agency's arithmetic: it is saved
    # (so the work is not lost) with a to-do saying exactly that.
    fails = [c for c in rec.get("checks") or [] if not c.get("ok", True) and c["rule"].split(".")[0] in ("table3", "table4")]
    agency_error = bool(fails) or bool(table_identity_failures(gold_shape(rec["tables"])))
    unsure = [c for c in fails if c.get("cause") != "agency"]
    if fragments is None:
        fragments = label_fragments(load(tp).text)
    meta = rec.get("meta") or {}
    for k, d in (corr.get("meta") or {}).items():
        meta.setdefault(k, {})["value"] = d["value"] if isinstance(d, dict) else d
    ann: dict[str, Any] = {
        "id": annotation_id(tp),
        "text": {"path": text_ref(tp, Path(root) if root else repo_root(default_dir())),
                 "sha256": hashlib.sha256(data).hexdigest()},
        "agency": (meta.get("agency") or {}).get("value"),
        "year": (meta.get("year") or {}).get("value"),
        "tables": gold_shape(rec["tables"]),
        "agency_error": agency_error,
        "notes": _notes(corr, reviewer),
        "facts": facts,
        "fragments": fragments,
    }
    if isinstance(ann["year"], str) and ann["year"].isdigit():
        ann["year"] = int(ann["year"])
    todo = [f"identity {c['rule']} fails ({c.get('detail')}) on cells read in doubt: correct them, "
            "or accept them if the report itself does not add up" for c in unsure]
    todo += [f"check cell {n} (confidence below {REVIEW_BELOW})" for n in low_cells(rec)]
    todo += [f"check fact {i}: {rec['facts'][i].get('text')}" for i in low_facts(rec)]
    if todo:
        ann["review"] = todo
    # No `facts_complete`: a reviewer settles the facts the machine found,
    # which says nothing about facts it missed.
    return ann


def _notes(corr: dict[str, Any], reviewer: str | None) -> str:
    """Who changed what, counted, with the changed cells (the first 20) as was→now."""
    cells = corr.get("cells") or {}
    fact_log = corr.get("facts") or {}
    n_cells = {a: sum(1 for d in cells.values() if isinstance(d, dict) and d.get("action") == a)
               for a in ("corrected", "accepted")}
    n_facts = {a: sum(1 for d in fact_log.values() if d.get("action") == a) for a in ("accepted", "corrected", "rejected")}
    stamp = _dt.date.today().isoformat()
    changed = [f"{n} {(d.get('was') or {}).get('value')!s}→{d.get('value')!s}"
               for n, d in cells.items() if isinstance(d, dict) and d.get("action") == "corrected"]
    return (f"reviewed{' by ' + reviewer if reviewer else ''} on {stamp} (extractor.review): "
            f"cells {n_cells['corrected']} corrected, {n_cells['accepted']} accepted; facts "
            f"{n_facts['accepted']} accepted, {n_facts['corrected']} corrected, {n_facts['rejected']} rejected"
            + (f"; changed {', '.join(changed[:20])}" if changed else "")
            + ". Unreviewed values are the machine's reading.")


def save_annotation(annotation: dict[str, Any], annotation_dir: str | os.PathLike) -> Path:
    """Write the annotation to DIR/reports/<id>.json (the layout `check-data` and `train` read).

    Through the format's one writer (`training.annotations.write_annotation`):
    atomic, and the text path re-based for DIR so it resolves wherever it is saved.
    """
    return write_annotation(annotation, annotation_dir)


def check_annotations(annotation_dir: str | os.PathLike) -> dict[str, Any]:
    """`extractor check-data` on a directory: {"ok", "errors", "warnings", "checked"}."""
    pr = check_data(Path(annotation_dir))
    return {"ok": not pr.errors, "errors": list(pr.errors), "warnings": list(pr.warnings), "checked": pr.checked}


def used_by_training(annotation_dir: str | os.PathLike, annotation_id: str) -> dict[str, bool]:
    """Whether each trainer will read the annotation `annotation_id` from this directory.

    check-data can accept an annotation a trainer still leaves out (a text
    that does not match its hash, a report whose facts list is still empty):
    the reviewer is told rather than left to find out from the next model.
    """
    return {
        # Without the bundled samples: an annotation is read whatever stands in beside it (it replaces a sample).
        "facts": any(d.id == annotation_id for d in facts_documents(annotation_dir, samples=False)),
        "tables": any(a.id == annotation_id and a.text is not None for a in load_annotations(Path(annotation_dir))),
    }
