"""Training the table classifier: annotations + messy variants in, `models/tables.*` out.

`train()` is what `extractor train` runs:

1. every report annotation (`annotations/reports/*.json`) with its text and
   labelled fragments, and the bundled samples when they are needed or asked
   (`trainset.training_set`; labelled from their own reading,
   `samples.bundled_samples`);
2. damaged variants of each (`damage()`): row labels truncated, reworded
   (characters dropped, inserted, replaced, swapped), misnumbered, glued to
   their numbers, split over lines, and noise lines put between rows —
   the gold tables stay, the fragment labels move with the text;
3. generated reports (`training.generate`: the five layouts and their
   mess, fresh gold tables) labelled from their own extraction (kept only
   when every cell is read right), and damaged the same way;
4. converter layouts of the annotated reports' and the generated reports'
   gold tables (`samples.converter_samples`: shattered PDF→markdown and OCR
   markdown, labels displaced, broken, in cells of their own), labelled by
   the generator itself, so the classifier learns to name a label a
   converter moved away from its values (sequence decoding asks it);
5. one feature dict per candidate fragment (`classify.rows.features.FEATURES`), a
   DictVectorizer, and LogisticRegression in CalibratedClassifierCV with
   folds grouped by report.

Everything is seeded (`TrainConfig.seed`); the same annotations give the
same model and the same metrics.  Saved with skops only.
"""
from __future__ import annotations

import bisect
import json
import time
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from extractor import config
from extractor.classify.modelfile import save_arrays, sha256_file
from extractor.classify.rows.features import FEATURES, featurize
from extractor.classify.rows.fragments import Fragment, label_names
from extractor.classify.rows.model import ARRAYS_NAME, FEATURES_VERSION, META_NAME, MODEL_NAME, RowClassifier
from extractor.training.annotations import SAMPLE, Annotation, annotations_sha256
from extractor.training.damage import with_damage
from extractor.training.export import library_versions, rows_arrays
from extractor.training.metrics import label_report
from extractor.training.prefill import region_fragments
from extractor.training.samples import (Sample, bundled_samples, converter_samples, generated_samples, real_samples,
                                        samples_sha256)
from extractor.training.trainset import TrainingSet, training_set


@dataclass(frozen=True)
class TrainConfig:
    seed: int = 20240601
    damaged_per_report: int = 12  # damaged variants of each annotated report
    generated: int = 60  # generated reports (fresh gold tables)
    damaged_per_generated: int = 1  # damaged variants of each generated report (besides the clean one)
    C: float = 4.0  # LogisticRegression inverse regularisation
    calibration_folds: int = 3
    max_iter: int = 3000
    min_groups: int = 2  # an n-gram must occur in this many reports to be a feature
    converter_per_report: int = 4  # converter layouts of each annotated report's gold tables
    converter_per_generated: int = 1  # and of each generated report's



def annotated_samples(anns: list[Annotation]) -> list[Sample]:
    """The annotated reports the classifier learns from, undamaged: the real ones, then the bundled samples
    their own reading labels.  The samples stand in for real reports, so they are damaged as those are."""
    return real_samples(anns) + bundled_samples(anns)


def reports_set(ann_dir: Path | str | None = None, samples: bool | None = None,
                log: Callable[[str], None] = print) -> tuple[TrainingSet, list[Sample]]:
    """The report annotations the tables model reads (`trainset.training_set`) and their samples.

    A bundled sample whose reading without the classifier is wrong has no
    trustworthy fragment labels: it is said and left out of the set, so the
    meta lists only what was trained on.
    """
    found = training_set(ann_dir, kinds=("report",), samples=samples)
    real = annotated_samples(found.used)
    labelled = {s.id for s in real}
    dropped = [a.id for a in found.used if a.kind == SAMPLE and a.id not in labelled]
    if dropped:
        log(f"train: {len(dropped)} bundled sample(s) not read entirely right without the classifier, "
            f"so without fragment labels: left out: {', '.join(dropped)}")
    return found.only(lambda a: a.kind != SAMPLE or a.id in labelled), real


def build_samples(real: list[Sample], cfg: TrainConfig, gen: list[Sample] | None = None) -> list[Sample]:
    """The training texts: the annotated reports (`annotated_samples`) and their damaged variants, then
    generated reports (`gen`, made here when not given) and theirs, then the converter layouts of both."""
    gen = generated_samples(cfg.generated, cfg.seed) if gen is None else gen
    return (with_damage(real, cfg.damaged_per_report, cfg.seed) + with_damage(gen, cfg.damaged_per_generated, cfg.seed + 1)
            + converter_samples(real, cfg.converter_per_report, cfg.seed)
            + converter_samples(gen, cfg.converter_per_generated, cfg.seed + 1))


# ================================================================ examples
def _to_norm(offsets: list[int], s: int) -> int:
    return bisect.bisect_left(offsets, s)


def examples(s: Sample) -> tuple[list[dict[str, float]], list[str], list[Fragment], list[str]]:
    """Feature dicts, labels, fragments and forms of every candidate fragment of a sample's tables.

    A candidate takes the label (and `form`, "" where none is given) of the annotated fragment it overlaps
    most, else "noise".
    """
    norm, tables = region_fragments(s.text)
    spans = sorted((_to_norm(norm.offsets, f["span"][0]), _to_norm(norm.offsets, f["span"][1]), f["label"],
                    f.get("form", "")) for f in s.fragments)
    starts = [x[0] for x in spans]
    X: list[dict[str, float]] = []
    y: list[str] = []
    kept: list[Fragment] = []
    forms: list[str] = []
    for _table, frags in tables:
        if not frags:
            continue
        X.extend(featurize(frags))
        for f in frags:
            a, b = f.anchor_start(), f.end
            best, lab, form = 0, "noise", ""
            j = max(0, bisect.bisect_right(starts, a) - 2)
            while j < len(spans) and spans[j][0] < b:
                ov = min(b, spans[j][1]) - max(a, spans[j][0])
                if ov > best:
                    best, lab, form = ov, spans[j][2], spans[j][3]
                j += 1
            y.append(lab)
            kept.append(f)
            forms.append(form)
    return X, y, kept, forms


@dataclass
class Dataset:
    X: list[dict[str, float]] = field(default_factory=list)
    y: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    forms: list[str] = field(default_factory=list)  # where a converter left the fragment ("" if not said)

    def add(self, s: Sample) -> None:
        X, y, _, forms = examples(s)
        self.X += X
        self.y += y
        self.groups += [s.group] * len(y)
        self.kinds += [s.kind] * len(y)
        self.forms += forms

    def subset(self, keep: Iterable[int]) -> "Dataset":
        d = Dataset()
        for i in keep:
            d.X.append(self.X[i])
            d.y.append(self.y[i])
            d.groups.append(self.groups[i])
            d.kinds.append(self.kinds[i])
            d.forms.append(self.forms[i])
        return d


def dataset(samples: Iterable[Sample]) -> Dataset:
    d = Dataset()
    for s in samples:
        d.add(s)
    return d


# ================================================================ fitting
def prune(data: Dataset, min_groups: int) -> list[dict[str, float]]:
    """Drop character n-grams seen in fewer than `min_groups` reports: one report's quirks are not evidence."""
    seen: dict[str, set[str]] = {}
    for d, g in zip(data.X, data.groups):
        for k in d:
            if k.startswith("ng="):
                seen.setdefault(k, set()).add(g)
    rare = {k for k, gs in seen.items() if len(gs) < min_groups}
    return [{k: v for k, v in d.items() if k not in rare} for d in data.X]


class Trained(RowClassifier):
    """The runtime classifier of a fit (its arrays, `export.rows_arrays`), with the scikit-learn objects it
    came from, which `save` keeps whole as the training artefact."""

    def __init__(self, vectorizer: Any, classifier: Any):
        m = RowClassifier.from_arrays(rows_arrays(vectorizer, classifier))
        super().__init__(m.vocabulary, m.classes, m.folds)
        self.vectorizer, self.classifier = vectorizer, classifier


def fit(data: Dataset, cfg: TrainConfig) -> Trained:
    """DictVectorizer + LogisticRegression, calibrated with folds grouped by report."""
    import numpy as np
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    vec = DictVectorizer(sort=True)
    X = vec.fit_transform(prune(data, cfg.min_groups))
    y = np.asarray(data.y)
    groups = np.asarray(data.groups)
    n_groups = len(set(data.groups))
    folds = max(2, min(cfg.calibration_folds, n_groups))
    splits = list(GroupKFold(n_splits=folds).split(X, y, groups))
    lr = LogisticRegression(C=cfg.C, max_iter=cfg.max_iter, random_state=cfg.seed % (2 ** 31))
    clf = CalibratedClassifierCV(lr, method="sigmoid", cv=splits)
    clf.fit(X, y)
    return Trained(vec, clf)


def predicted(m: RowClassifier, X: list[dict[str, float]]) -> list[str]:
    """The most probable label of each fragment."""
    return [max(p, key=p.get) if p else "noise" for p in m.proba(X)]


def fragment_metrics(m: RowClassifier, data: Dataset) -> dict[str, Any]:
    """Accuracy and per-label precision/recall of the classifier on labelled fragments."""
    return label_report(data.y, predicted(m, data.X))


def form_metrics(gold: list[str], pred: list[str], forms: list[str]) -> dict[str, dict[str, Any]]:
    """Accuracy per form of the converter fragments (`annotations.FRAGMENT_FORMS`; unlabelled candidates are
    "noise"): how often the classifier names a displaced label, a broken header piece ... right."""
    out: dict[str, dict[str, Any]] = {}
    for g, p, f in zip(gold, pred, forms):
        d = out.setdefault(f or "noise", {"n": 0, "right": 0})
        d["n"] += 1
        d["right"] += g == p
    return {f: {**d, "accuracy": round(d["right"] / d["n"], 4)} for f, d in sorted(out.items())}


def converter_metrics(m: RowClassifier, data: Dataset) -> dict[str, Any]:
    """`fragment_metrics` of converter fragments, with their accuracy per form."""
    pred = predicted(m, data.X)
    rep = label_report(data.y, pred)
    return {"fragments": rep["fragments"], "accuracy": rep["accuracy"], "row_label_recall": rep["row_label_recall"],
            "by_form": form_metrics(data.y, pred, data.forms)}



# ================================================================ saving
def save(m: Trained, out_dir: Path, meta_extra: dict[str, Any]) -> dict[str, Any]:
    """The skops artefact, the runtime arrays and the meta with both files' sha256."""
    import skops.io as sio

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / MODEL_NAME
    sio.dump({"vectorizer": m.vectorizer, "classifier": m.classifier}, str(path),
             compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    arrays_sha = save_arrays(out_dir / ARRAYS_NAME, rows_arrays(m.vectorizer, m.classifier))
    meta = {
        "model": MODEL_NAME,
        "sha256": sha256_file(path),
        "arrays": {"file": ARRAYS_NAME, "sha256": arrays_sha},
        "labels": list(label_names()),
        "classes": m.classes,
        "features_version": FEATURES_VERSION,
        "features": [name for name, _, _ in FEATURES],
        "libraries": library_versions(),
        **meta_extra,
    }
    (out_dir / META_NAME).write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return meta


def train(ann_dir: Path | str | None = None, out_dir: Path | str | None = None, cfg: TrainConfig = TrainConfig(),
          *, cv: dict[str, Any] | None = None, samples: bool | None = None,
          log: Callable[[str], None] = print) -> dict[str, Any]:
    """Build, fit and save the model; returns the meta written.

    `cv`: grouped cross-validation results to record in the meta and the
    model card (what `extractor evaluate` measures; `extractor train --cv`
    runs it first).  `samples`: whether the bundled samples count as
    annotated reports (None: only when some annotation's text is absent or
    none has one, so a full checkout trains as before).
    """
    t0 = time.time()
    found, real = reports_set(ann_dir, samples, log)
    missing = [a.id for a in found.left_out]
    if missing:
        log(f"train: {len(missing)} annotation(s) without their text are left out: {', '.join(missing)}")
    anns = found.used
    texts = build_samples(real, cfg)
    data = dataset(texts)
    log(f"train: {len(texts)} texts, {len(data.y)} fragments, {len(set(data.groups))} groups "
        f"({time.time() - t0:.1f}s)")
    m = fit(data, cfg)
    log(f"train: fitted ({time.time() - t0:.1f}s)")
    # Reproducible check numbers: the fit on its own data, and a fixed set of fresh generated reports
    # (classic layouts, damaged; and converter layouts of the same gold tables).
    fresh = generated_samples(10, cfg.seed + 99, prefix="check")
    check = dataset(with_damage(fresh, 2, cfg.seed + 99))
    metrics: dict[str, Any] = {
        "train": {k: v for k, v in fragment_metrics(m, data).items() if k != "labels"},
        "fresh_generated": {k: v for k, v in fragment_metrics(m, check).items() if k != "labels"},
        "fresh_converter": converter_metrics(m, dataset(converter_samples(fresh, 4, cfg.seed + 99))),
    }
    if cv:
        metrics["grouped_cv"] = cv
    meta = save(m, Path(out_dir) if out_dir else config.models_dir(), {
        "annotations_sha256": annotations_sha256(anns),
        "annotations": [a.id for a in anns],
        **found.meta(),
        "config": asdict(cfg),
        "data": {"sha256": samples_sha256(texts), "texts": len(texts), "fragments": len(data.y),
                 "groups": len(set(data.groups)),
                 "by_kind": {k: data.kinds.count(k) for k in sorted(set(data.kinds))}},
        "metrics": metrics,
    })
    log(f"train: saved to {Path(out_dir) if out_dir else config.models_dir()} ({time.time() - t0:.1f}s)")
    return meta

