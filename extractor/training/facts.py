"""Training and measuring the facts model (what `extractor train` runs for it).

The documents are the annotations with complete fact lists (`annotations.has_facts`),
read through the one annotation loader, and the bundled samples when they
are needed (`trainset.training_set`: a fresh clone without ../shared has
no real texts, so the samples are what it can learn from).  Leave-one-report-out
cross-validation measures the model on each document with a model that
never saw it; the rules alone are measured beside it.
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
from pathlib import Path
from typing import Any, Sequence

from extractor.classify.facts.features import features, live
from extractor.classify.facts.model import META_NAME, MODEL_NAME, FactsModel
from extractor.classify.modelfile import library_versions, sha256_file
from extractor.narrative.tag import analyse, tag
from extractor.spec import data_bytes
from extractor.spec.metrics import OTHER, spec_metrics
from extractor.training.annotations import FACTS_KEYS, Annotation, annotations_sha256, has_facts
from extractor.training.metrics import calibration, prf
from extractor.training.trainset import TrainingSet, training_set


def build_estimator(seed: int = 0):
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    return Pipeline([("vec", DictVectorizer()),
                     ("clf", LogisticRegression(C=2.0, max_iter=2000, random_state=seed))])


def training_documents(annotation_dir: str | os.PathLike | None = None,
                       samples: bool | None = None) -> TrainingSet:
    """The documents with complete fact lists whose texts are here and match their sha256, the bundled samples
    among them when needed or asked (`samples`, see `trainset.training_set`), and the annotations left out."""
    return training_set(annotation_dir, kinds=("excerpt", "report"), keep=has_facts, samples=samples)


def documents(annotation_dir: str | os.PathLike | None = None, samples: bool | None = None) -> list[Annotation]:
    """The documents the facts model learns from (`training_documents`), in training order."""
    return training_documents(annotation_dir, samples).used


def gold_label(q, view, gold: Sequence[dict[str, Any]], spec: frozenset[str]) -> str:
    """The annotated metric of a candidate: the annotated fact whose span holds its number and value."""
    ns, ne = view.to_source(q.number.num_start, q.number.num_end)
    for g in gold:
        s, e = g["span"]
        if s <= ns and ne <= e and _same(g["value"], q.number.value):
            return g["metric"] if g["metric"] in spec else OTHER
    return OTHER


def _same(a: Any, b: Any) -> bool:
    try:
        return abs(float(a) - float(b)) < 1e-6
    except (TypeError, ValueError):
        return False


def score(pred: Sequence[Any], gold: Sequence[dict[str, Any]], spec: frozenset[str]) -> dict[str, Any]:
    """Match predicted facts to annotated ones (same metric, value, channel; overlapping spans).

    Returns per-metric tp/fp/fn, `loose` counts that ignore the channel, and
    `distractors`: predicted facts on a quantity annotated as not a fact.
    """
    gs = [g for g in gold if g["metric"] in spec]
    others = [g for g in gold if g["metric"] not in spec]
    counts: dict[str, dict[str, int]] = {}
    loose: dict[str, dict[str, int]] = {}
    role_ok = role_n = 0

    def bump(d, m, k):
        d.setdefault(m, {"tp": 0, "fp": 0, "fn": 0})[k] += 1

    for table, strict in ((counts, True), (loose, False)):
        used: set[int] = set()
        for p in pred:
            hit = None
            for k, g in enumerate(gs):
                if k in used or g["metric"] != p.metric or not _same(g["value"], p.value):
                    continue
                if not (p.span[0] < g["span"][1] and g["span"][0] < p.span[1]):
                    continue
                if strict and g.get("channel") != p.channel:
                    continue
                hit = k
                break
            if hit is None:
                bump(table, p.metric, "fp")
            else:
                used.add(hit)
                bump(table, p.metric, "tp")
                if strict:
                    role_n += 1
                    role_ok += gs[hit].get("role", "total") == p.role
        for k, g in enumerate(gs):
            if k not in used:
                bump(table, g["metric"], "fn")
    distractors = [p.text for p in pred if any(
        p.span[0] < g["span"][1] and g["span"][0] < p.span[1] and _same(g["value"], p.value) for g in others)]
    return {"counts": counts, "loose": loose, "distractors": distractors, "role_ok": role_ok, "role_n": role_n}


def per_metric(counts: dict[str, dict[str, int]]) -> dict[str, Any]:
    """Precision/recall/F1 per metric and micro-averaged overall, with the counts."""
    out: dict[str, Any] = {}
    tot = {"tp": 0, "fp": 0, "fn": 0}
    for m in sorted(counts):
        c = counts[m]
        for k in tot:
            tot[k] += c[k]
        out[m] = {**prf(c["tp"], c["fp"], c["fn"]), **c}
    out["overall"] = {**prf(tot["tp"], tot["fp"], tot["fn"]), **tot}
    return out


def merge(into: dict[str, dict[str, int]], more: dict[str, dict[str, int]]) -> None:
    for m, c in more.items():
        d = into.setdefault(m, {"tp": 0, "fp": 0, "fn": 0})
        for k in d:
            d[k] += c[k]


def _dataset(docs: Sequence[Annotation]):
    spec = spec_metrics()
    X, y, groups, analysed = [], [], [], []
    for d in docs:
        view, qs = analyse(d.text)
        analysed.append((view, qs))
        for q in qs:
            if live(q):
                X.append(features(q))
                y.append(gold_label(q, view, d.data["facts"], spec))
                groups.append(d.id)
    return X, y, groups, analysed


def evaluate(docs: Sequence[Annotation], model_for: Any = None) -> dict[str, Any]:
    """End-to-end scores of the tagger over documents; `model_for(doc_id)` gives the model (or None: rules)."""
    spec = spec_metrics()
    counts: dict[str, dict[str, int]] = {}
    loose: dict[str, dict[str, int]] = {}
    distractors: list[str] = []
    role_ok = role_n = 0
    calib: list[tuple[float, bool]] = []
    for d in docs:
        model = model_for(d.id) if model_for else None
        facts = tag(d.text, facts_model=model).facts
        gold = d.data["facts"]
        s = score(facts, gold, spec)
        merge(counts, s["counts"])
        merge(loose, s["loose"])
        distractors += [f"{d.id}: {t}" for t in s["distractors"]]
        role_ok += s["role_ok"]
        role_n += s["role_n"]
        for f in facts:
            calib.append((f.confidence, _is_right(f, gold, spec)))
    return {"strict": per_metric(counts), "loose": per_metric(loose), "distractors_tagged": distractors,
            "role_accuracy": round(role_ok / role_n, 4) if role_n else None,
            "calibration": _calibration(calib)}


def _is_right(f, gold, spec) -> bool:
    return any(g["metric"] == f.metric and _same(g["value"], f.value) and g.get("channel") == f.channel
               and f.span[0] < g["span"][1] and g["span"][0] < f.span[1] for g in gold if g["metric"] in spec)


def _calibration(pairs: list[tuple[float, bool]]) -> list[dict[str, Any]]:
    return [{"confidence": f"[{b['lo']:.1f},{min(b['hi'], 1.0):.1f})", "facts": b["n"], "right": b["right"]}
            for b in calibration(pairs)]


def train(annotation_dir: str | os.PathLike, out_dir: str | os.PathLike, seed: int = 0,
          samples: bool | None = None) -> dict[str, Any]:
    """Fit on all annotated documents, measure with leave-one-report-out CV, save model + meta; returns metrics.

    `samples`: whether the bundled samples are trained on too (None: only
    when some annotation's text is absent or none has one); the meta lists
    every document with its kind.
    """
    import skops.io as sio

    found = training_documents(annotation_dir, samples)
    docs = found.used
    if not docs:
        raise ValueError(f"no annotated documents with facts under {annotation_dir}"
                         + ("" if found.samples else " (the bundled samples were not asked for)"))
    X, y, groups, _ = _dataset(docs)
    ids = sorted({d.id for d in docs})
    by_doc: dict[str, FactsModel] = {}
    labels = sorted(set(y))
    for held in ids:
        tr = [i for i, g in enumerate(groups) if g != held]
        if len({y[i] for i in tr}) < 2:
            continue
        est = build_estimator(seed).fit([X[i] for i in tr], [y[i] for i in tr])
        by_doc[held] = FactsModel(est)
    metrics = {
        "documents": len(docs), "candidates": len(X), "labels": labels,
        "cv": "leave-one-report-out (grouped by report)",
        "cv_model": evaluate(docs, lambda doc_id: by_doc.get(doc_id)),
        "rules_only": evaluate(docs, None),
    }
    final = build_estimator(seed).fit(X, y)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model_path = out / MODEL_NAME
    sio.dump(final, str(model_path))
    meta = {
        "model": MODEL_NAME,
        "sha256": sha256_file(model_path),
        "annotations_sha256": annotations_sha256(docs, FACTS_KEYS),
        "annotations": [d.id for d in docs],
        **found.meta(),
        "rules_sha256": hashlib.sha256(data_bytes("metrics.toml")).hexdigest(),
        "labels": [str(c) for c in final.classes_],
        "seed": seed,
        "estimator": "DictVectorizer + LogisticRegression(C=2.0) over rule evidence and jieba window tokens",
        "libraries": {**library_versions(), "python": platform.python_version(), "jieba": _jieba_version()},
        "metrics": metrics,
    }
    (out / META_NAME).write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return metrics


def _jieba_version() -> str:
    import jieba

    return getattr(jieba, "__version__", "unknown")
