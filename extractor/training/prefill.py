"""Pre-annotation: an annotation written from the current extraction, for a person to correct.

Pre-tagging new data with the current model (as parserator does) turns an
afternoon of typing into a few corrections; `label_fragments` is also how
training labels the fragments of generated reports from their anchors.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from extractor import config
from extractor.classify import Models
from extractor.classify.rows.fragments import Fragment, exact_key, furniture_patterns, segment
from extractor.confidence import CERTAIN
from extractor.input.load import load
from extractor.pipeline import extract_document, table_anchors
from extractor.spec.labels import labels
from extractor.tables.regions import regions
from extractor.text.normalize import Normalized, normalize
from extractor.text.sections import find_sections
from extractor.training.annotations import FACT_KEYS


def gold_shape(tables: dict[str, Any]) -> dict[str, Any]:
    """Record tables (cells) in the corpus gold shape."""
    L = labels()
    t2r = tables["table2"]
    t2: dict[str, Any] = {}
    for r in L.table2_rows:
        vals = {c: t2r[r.key][c]["value"] for c in r.columns}
        key = "fees_10k_yuan" if r.key == "fees" else r.key
        t2[key] = vals if len(r.columns) > 1 else vals[r.columns[0]]
    return {
        "table2": t2,
        "table3": {r: [tables["table3"][r][c]["value"] for c in L.col3] for r in L.row3},
        "table4": {g: [tables["table4"][g][c]["value"] for c in L.col4] for g in L.group4},
    }


def region_fragments(text: str) -> tuple[Normalized, list[tuple[str, list[Fragment]]]]:
    """The normalised text and, per table found in it, the candidate fragments of its region.

    What both labelling (here) and training (`train.examples`) walk, so the
    classifier learns from the fragments anchoring will see.
    """
    norm = normalize(text)
    regs = regions(norm.text, find_sections(norm.text))
    out = []
    for table in ("table2", "table3", "table4"):
        reg = regs.get(table)
        if reg:
            out.append((table, segment(norm.text, table, reg[0], reg[1])))
    return norm, out


def label_fragments(text: str, anchors: dict[str, list[tuple]] | None = None,
                    models: Models | None = None) -> list[dict]:
    """Label every candidate fragment of the tables of `text` from its row anchors.

    `anchors` are the row anchors reading `text` found (`TablesRead.anchors`,
    found here with `models` when not given).  Fragments over a row anchor
    take its row; header/group furniture its kind; a bare ordinal ("(三)")
    the label of the fragment it introduces; the rest is noise.
    """
    if anchors is None:
        anchors = table_anchors(text, models)
    norm, tables = region_fragments(text)
    out: list[dict] = []
    for table, frags in tables:
        found = anchors.get(table, [])
        labs: list[str] = []
        head_rx = furniture_patterns(table)[0]
        for f in frags:
            lab = "noise"
            # The fragment holding the end of the matched label is the row's
            # (an anchor may reach back over a header before it).
            hit = [a for a in found if f.start < a[2] <= f.end]
            header = bool(f.furniture) or bool(head_rx and head_rx.fullmatch(f.text.replace(" ", "")))
            if hit:
                lab = f"{table}.{hit[0][0]}"
            elif table == "table4":
                k = exact_key(Fragment(f.start, f.end, f.text, table))
                lab = k if k.startswith("table4.") else ("table4.header" if header else "noise")
            elif f.furniture:
                lab = f.furniture
            elif header:
                lab = "header"
            labs.append(lab)
        for i, f in enumerate(frags):
            if not f.core and i + 1 < len(frags) and labs[i + 1] != "noise" and labs[i] == "noise":
                labs[i] = labs[i + 1]
        for f, lab in zip(frags, labs):
            s, e = norm.to_source(f.anchor_start(), f.end)
            out.append({"span": [s, e], "label": lab, "text": text[s:e]})
    out.sort(key=lambda x: x["span"][0])
    kept: list[dict] = []
    for fr in out:  # regions never overlap, but be safe
        if kept and fr["span"][0] < kept[-1]["span"][1]:
            continue
        kept.append(fr)
    return kept


def prefill(path: Path | str, *, root: Path | None = None, id: str | None = None,
            models: Models | None = None) -> dict[str, Any]:
    """An annotation of the report at `path`, pre-filled from the current extraction.

    `root`: the directory the text path is written relative to (the repo);
    `id`: the annotation id (default: the file name without suffix).
    """
    path = Path(path).resolve()
    root = (root or config.annotations_dir().parent).resolve()
    doc = load(path)
    if doc.error is not None:
        raise ValueError(f"{path}: {doc.error.message}")
    rec = extract_document(doc, models=models).to_dict()
    facts = [{k: f.get(k) for k in FACT_KEYS} for f in rec.get("facts", [])]
    agency_error = any(c.get("cause") == "agency" for c in rec.get("checks", []) if not c["ok"])
    low = sorted(f"{t}.{r}.{c}" for t, rows in rec["tables"].items() for r, cols in rows.items()
                 for c, cell in cols.items() if cell["value"] is not None and cell["confidence"] < CERTAIN)
    review = [f"check cell {x} (confidence below {CERTAIN})" for x in low[:40]]
    review += [f"issue {i['code']}: {i['message']}" for i in rec.get("issues", [])][:20]
    meta = rec.get("meta", {})
    return {
        "id": id or path.stem,
        "text": {"path": os.path.relpath(path, root), "sha256": doc.sha256},
        "agency": (meta.get("agency") or {}).get("value"),
        "year": (meta.get("year") or {}).get("value"),
        "tables": gold_shape(rec["tables"]),
        "agency_error": agency_error,
        "notes": "pre-filled by `extractor annotate` from the current extraction: correct tables, facts and fragments, then delete `review`",
        "facts": facts,
        "fragments": label_fragments(doc.text, models=models),
        "review": review,
    }

