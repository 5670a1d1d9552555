"""Training and measuring the facts model (what `extractor train` runs for it).

The documents are the annotations with complete fact lists (`annotations.has_facts`),
read through the one annotation loader, and the bundled samples when they
are needed (`trainset.training_set`: a fresh clone without ../shared has
no real texts, so the samples are what it can learn from).  `measure` scores
the development documents by grouped cross-validation (choosing the decision
thresholds and the calibration there) and the held-out test documents of
`annotations/split.json` with a model trained on the development ones only;
the rules alone are measured beside each.
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any, Sequence

from extractor.classify.facts.features import features_at, live
from extractor.classify.facts.model import ARRAYS_NAME, META_NAME, MODEL_NAME, Decision, FactsModel
from extractor.classify.modelfile import save_arrays, sha256_file
from extractor.narrative.tag import analyse
from extractor.spec import data_bytes
from extractor.spec.metrics import OTHER, spec_metrics
from extractor.training.annotations import FACTS_KEYS, Annotation, annotations_sha256, has_facts
from extractor.training.export import facts_arrays, library_versions
from extractor.training.facts_score import calibration_map, evaluate, same_value
from extractor.training.split import DEVELOPMENT, TEST, Split, load_split, source_of
from extractor.training.trainset import TrainingSet, training_set


CV_FOLDS = 10
C = 2.0
ESTIMATOR = (f"DictVectorizer + multinomial LogisticRegression(C={C}, balanced classes) over every candidate: rule evidence, last jieba words "
             "of the clause, nearest verb and channel, noun after the unit, topic, list and breakdown position")


def build_estimator(seed: int = 0):
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    return Pipeline([("vec", DictVectorizer()),
                     ("clf", LogisticRegression(C=C, max_iter=3000, random_state=seed, class_weight="balanced"))])


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
        if s <= ns and ne <= e and same_value(g["value"], q.number.value):
            return g["metric"] if g["metric"] in spec else OTHER
    return OTHER


def dataset(docs: Sequence[Annotation]) -> tuple[list[dict[str, float]], list[str], list[str]]:
    """(features, gold label, document id) of every candidate the model decides, in document order."""
    spec = spec_metrics()
    X: list[dict[str, float]] = []
    y: list[str] = []
    groups: list[str] = []
    for d in docs:
        view, qs = analyse(d.text)
        for i, q in enumerate(qs):
            if live(q):
                X.append(features_at(qs, i))
                y.append(gold_label(q, view, d.data["facts"], spec))
                groups.append(d.id)
    return X, y, groups


def _fit(X, y, seed: int, decision: Decision = Decision()) -> FactsModel | None:
    if len(set(y)) < 3:  # the fast scorer and the multinomial model want at least three classes
        return None
    return FactsModel.from_arrays(facts_arrays(build_estimator(seed).fit(X, y)), decision)


GRID = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


def choose_decision(models: Sequence[FactsModel | None], data, fold_of: dict[str, int]) -> Decision:
    """The thresholds that label the out-of-fold candidates best (candidate-level F1, ties to the stricter)."""
    X, y, groups = data
    rows: list[tuple[str, str, Any, FactsModel]] = []
    for k, m in enumerate(models):
        idx = [i for i, g in enumerate(groups) if fold_of[g] == k]
        if m is None or not idx:
            continue
        for i, p in zip(idx, m.predict_proba([X[i] for i in idx])):
            rows.append((_rule_label(X[i]), y[i], p, m))
    best, best_f1 = Decision(), -1.0
    for keep_at in GRID:
        for add_at in GRID:
            d = Decision(keep_at, add_at)
            tp = fp = fn = 0
            for rule, gold, p, m in rows:
                got = FactsModel.label(_with(m, d), rule, p)
                tp += got != OTHER and got == gold
                fp += got != OTHER and got != gold
                fn += gold != OTHER and got != gold
            f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
            if f1 > best_f1 + 1e-9:
                best, best_f1 = d, f1
    return best


def _rule_label(f: dict[str, float]) -> str:
    return next(k[len("rule="):] for k in f if k.startswith("rule="))


def _with(m: FactsModel, d: Decision) -> FactsModel:
    out = FactsModel.__new__(FactsModel)
    out.__dict__.update(m.__dict__, decision=d)
    return out


def cross_validated(docs: Sequence[Annotation], data, folds: int, seed: int) -> tuple[dict[str, Any], Decision]:
    """Grouped k-fold over `docs` (each document tagged by a model that never saw it), with the decision
    thresholds chosen on the same out-of-fold predictions (so the CV figure is slightly optimistic)."""
    X, y, groups = data
    ids = sorted({d.id for d in docs})
    fold_of = {doc_id: k % folds for k, doc_id in enumerate(ids)}
    models: list[FactsModel | None] = []
    for k in range(min(folds, len(ids))):
        tr = [i for i, g in enumerate(groups) if fold_of[g] != k]
        models.append(_fit([X[i] for i in tr], [y[i] for i in tr], seed))
    decision = choose_decision(models, data, fold_of)
    by_doc = {doc_id: _with(models[fold_of[doc_id]], decision) for doc_id in ids if models[fold_of[doc_id]] is not None}
    return evaluate(docs, lambda doc_id: by_doc.get(doc_id)), decision


def measure(docs: Sequence[Annotation], split: Split, folds: int = CV_FOLDS, seed: int = 0) -> dict[str, Any]:
    """The facts figures: grouped CV on the development documents, and the held-out test documents read by a
    model trained on the development ones only (rules alone beside each); `decision` the thresholds chosen."""
    dev = [d for d in docs if split.side(d.id) == DEVELOPMENT]
    test = [d for d in docs if split.side(d.id) == TEST]
    data = dataset(dev)
    cv, decision = cross_validated(dev, data, folds, seed)
    decision = replace(decision, calibration=tuple(tuple(s) for s in calibration_map(cv["calibration"])))
    out: dict[str, Any] = {
        "development": len(dev), "test": len(test), "candidates": len(data[0]),
        "cv": f"{folds}-fold cross-validation on the development documents, grouped by document",
        "decision": asdict(decision), "cv_model": cv, "cv_rules_only": evaluate(dev, None),
    }
    if test:
        m = _fit(data[0], data[1], seed, decision)
        out["held_out_model"] = evaluate(test, lambda _: m)
        out["held_out_rules_only"] = evaluate(test, None)
        out["held_out_by_source"] = {src: evaluate(ds, lambda _: m)["strict"]["overall"]
                                     for src, ds in _by_source(test).items()}
    return out


def _by_source(docs: Sequence[Annotation]) -> dict[str, list[Annotation]]:
    out: dict[str, list[Annotation]] = {}
    for d in docs:
        out.setdefault(source_of(d), []).append(d)
    return out


def train(annotation_dir: str | os.PathLike, out_dir: str | os.PathLike, seed: int = 0,
          samples: bool | None = None, cv: bool = True) -> dict[str, Any]:
    """Measure (`measure`: CV on development, the held-out test), fit on all documents, save model + meta.

    The shipped model learns from every annotated document, held-out ones
    included, once the measuring is done: the held-out figure is that of a
    model trained on the development documents only, which `measure` (and
    `extractor evaluate`) trains for it.

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
    metrics = measure(docs, load_split(annotation_dir), seed=seed) if cv else {}
    X, y, _ = dataset(docs)
    metrics.update(documents=len(docs), candidates_all=len(X), labels=sorted(set(y)))
    final = build_estimator(seed).fit(X, y)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model_path = out / MODEL_NAME
    sio.dump(final, str(model_path))
    arrays_sha = save_arrays(out / ARRAYS_NAME, facts_arrays(final))
    meta = {
        "model": MODEL_NAME,
        "sha256": sha256_file(model_path),
        "arrays": {"file": ARRAYS_NAME, "sha256": arrays_sha},
        "annotations_sha256": annotations_sha256(docs, FACTS_KEYS),
        "annotations": [d.id for d in docs],
        **found.meta(),
        "rules_sha256": hashlib.sha256(data_bytes("metrics.toml")).hexdigest(),
        "labels": [str(c) for c in final.classes_],
        "seed": seed,
        "estimator": ESTIMATOR,
        "decision": metrics.get("decision", asdict(Decision())),
        "libraries": {**library_versions(), "python": platform.python_version(), "jieba": _jieba_version()},
        "metrics": metrics,
    }
    (out / META_NAME).write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return metrics


def _jieba_version() -> str:
    import jieba

    return getattr(jieba, "__version__", "unknown")
