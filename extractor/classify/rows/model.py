"""The trained row classifier: feature dicts in, calibrated label probabilities out; loaded verified.

`models/tables.skops` holds {"vectorizer": DictVectorizer, "classifier":
CalibratedClassifierCV}; `models/tables.meta.json` its sha256, the label
list, the feature version, library versions, the annotations' sha256 and
the metrics.  `load` goes through the one verified loader
(`classify.modelfile`); a file it refuses leaves extraction fuzzy-only and
the record says why (`model.tables_unavailable`).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from extractor.classify.modelfile import ModelError, Status, load_verified
from extractor.classify.rows.anchoring import fill_rows
from extractor.classify.rows.features import featurize
from extractor.classify.rows.fragments import Fragment, label_names, segment

NAME = "tables"
MODEL_NAME = f"{NAME}.skops"
META_NAME = f"{NAME}.meta.json"
# Bump when a feature changes: a model trained on other features is refused.
FEATURES_VERSION = 1

# Types a tables model may contain beyond skops' defaults (DictVectorizer,
# LogisticRegression, CalibratedClassifierCV, numpy arrays are trusted there):
# `get_untrusted_types` must report nothing else, or the file is refused.
TRUSTED_TYPES = frozenset({
    # What CalibratedClassifierCV keeps per fold; plain data holders (no code runs at load).
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
})


@dataclass(frozen=True)
class _SigmoidFolds:
    """A fitted sigmoid-calibrated linear ensemble as plain numpy arrays.

    `CalibratedClassifierCV.predict_proba` spends most of its time in input
    validation, one call per fold and one per class calibrator.  The maths
    is small: per fold, decision f = X @ coef.T + intercept, per class
    p = 1 / (1 + exp(a * f + b)), rows normalised, then the folds averaged.
    This does exactly those operations in the same order (same sparse
    product, same reductions), so the probabilities are bit-identical to
    scikit-learn's (checked on 45k fragments when this was written).  Any
    other estimator falls back to scikit-learn's own `predict_proba`.
    """

    weights: Any  # (n_features, n_folds * n_classes): every fold's coef.T side by side
    intercepts: Any  # (n_folds * n_classes,)
    a: Any  # (n_folds, n_classes) sigmoid slopes
    b: Any  # (n_folds, n_classes) sigmoid offsets
    n_classes: int

    @classmethod
    def of(cls, classifier: Any) -> "_SigmoidFolds | None":
        """The arrays of a sigmoid `CalibratedClassifierCV` over linear models; None for anything else."""
        import numpy as np

        folds = getattr(classifier, "calibrated_classifiers_", None)
        classes = list(getattr(classifier, "classes_", []))
        if getattr(classifier, "method", None) != "sigmoid" or not folds or len(classes) < 3:
            return None
        for fold in folds:
            est = fold.estimator
            if (not hasattr(est, "coef_") or list(est.classes_) != classes or list(fold.classes) != classes
                    or est.coef_.shape[0] != len(classes) or len(fold.calibrators) != len(classes)
                    or not all(hasattr(c, "a_") and hasattr(c, "b_") for c in fold.calibrators)):
                return None
        return cls(
            weights=np.hstack([f.estimator.coef_.T for f in folds]),
            intercepts=np.concatenate([f.estimator.intercept_ for f in folds]),
            a=np.array([[c.a_ for c in f.calibrators] for f in folds], dtype=np.float64),
            b=np.array([[c.b_ for c in f.calibrators] for f in folds], dtype=np.float64),
            n_classes=len(classes),
        )

    def predict_proba(self, X: Any) -> Any:
        """What `CalibratedClassifierCV.predict_proba(X)` returns, for a csr matrix X."""
        import numpy as np
        from scipy.special import expit

        k = self.n_classes
        scores = X @ self.weights + self.intercepts
        mean = np.zeros((X.shape[0], k))
        for fold in range(self.a.shape[0]):
            f = np.ascontiguousarray(scores[:, fold * k:(fold + 1) * k])
            proba = np.ascontiguousarray(expit(-(self.a[fold] * f + self.b[fold])))
            denominator = np.sum(proba, axis=1)[:, np.newaxis]
            proba = np.divide(proba, denominator, out=np.full_like(proba, 1 / k), where=denominator != 0)
            proba[(1.0 < proba) & (proba <= 1.0 + 1e-5)] = 1.0
            mean += proba
        mean /= self.a.shape[0]
        return mean


def _design_matrix(vectorizer: Any, feats: list[dict[str, float]]) -> Any:
    """`DictVectorizer.transform(feats)` for numeric feature dicts, without its per-call overhead.

    Same csr matrix: known features only, values as float64, column indices
    sorted within each row (as `transform` leaves them, so the products
    below add in the same order).  `FEATURES` only produce numbers; a
    value of another type (a string would be one-hot encoded) goes through
    the vectorizer itself.
    """
    import numpy as np
    import scipy.sparse as sp

    vocab = vectorizer.vocabulary_
    indices: list[int] = []
    values: list[float] = []
    indptr = [0]
    types: set[type] = set()
    for d in feats:
        types.update(map(type, d.values()))
        known = [name for name in d if name in vocab]
        indices.extend([vocab[name] for name in known])
        values.extend([d[name] for name in known])
        indptr.append(len(indices))
    if not types <= {float, int}:
        return vectorizer.transform(feats)  # not the plain numbers `FEATURES` make: the vectorizer decides
    X = sp.csr_matrix((np.array(values, dtype=np.float64), np.array(indices, dtype=np.intc),
                       np.array(indptr, dtype=np.intc)), shape=(len(feats), len(vocab)))
    X.sort_indices()
    return X


class RowClassifier:
    """The loaded classifier: feature dicts in, calibrated label probabilities out.

    `fill_rows` is what anchoring asks of it (`tables.anchors.RowClassifier`).
    """

    def __init__(self, vectorizer: Any, classifier: Any):
        self.vectorizer = vectorizer
        self.classifier = classifier
        self.classes: list[str] = [str(c) for c in classifier.classes_]
        # Plain arrays for fast inference; None (scikit-learn's own path) for an unexpected estimator.
        self._fast = _SigmoidFolds.of(classifier) if isinstance(getattr(vectorizer, "vocabulary_", None), dict) else None

    def proba(self, feats: list[dict[str, float]]) -> list[dict[str, float]]:
        if not feats:
            return []
        if self._fast is None:
            P = self.classifier.predict_proba(self.vectorizer.transform(feats))
        else:
            P = self._fast.predict_proba(_design_matrix(self.vectorizer, feats))
        return [dict(zip(self.classes, row.tolist())) for row in P]

    def classify(self, frags: list[Fragment]) -> list[dict[str, float]]:
        return self.proba(featurize(frags))

    def fill_rows(self, text: str, start: int, end: int, table: str, rows: Sequence[Any], found: list,
                  blocked: list, make_anchor: Callable[..., Any]) -> None:
        """Anchor the rows exact matching missed (`found` changed in place; see `anchoring`)."""
        fill_rows(self, text, start, end, table, rows, found, blocked, make_anchor)


    def span_probabilities(self, text: str, table: str, spans: Sequence[tuple[int, int]]) -> list[dict[str, float]]:
        """Per span of label text, the most probability each label gets among its fragments (sequence decoding)."""
        if not spans:
            return []
        frags = segment(text, table, min(s for s, _ in spans), max(e for _, e in spans))
        probs = self.classify(frags) if frags else []
        out: list[dict[str, float]] = []
        for s, e in spans:
            best: dict[str, float] = {}
            for f, p in zip(frags, probs):
                if s <= f.start and f.end <= e:
                    for k, v in p.items():
                        if v > best.get(k, 0.0):
                            best[k] = v
            out.append(best)
        return out


def check_meta(meta: dict[str, Any]) -> None:
    """Refuse a meta that does not belong to this code (labels, features)."""
    if meta.get("labels") != list(label_names()):
        have, want = set(meta.get("labels") or []), set(label_names())
        raise ModelError(f"tables model was trained on other labels (missing {sorted(want - have)[:5]}, "
                         f"unknown {sorted(have - want)[:5]}): retrain with `extractor train`")
    if meta.get("features_version") != FEATURES_VERSION:
        raise ModelError(f"tables model has feature version {meta.get('features_version')}, this code "
                         f"{FEATURES_VERSION}: retrain with `extractor train`")


def _build(obj: Any, meta: dict[str, Any]) -> RowClassifier:
    if not isinstance(obj, dict) or "vectorizer" not in obj or "classifier" not in obj:
        raise ModelError("tables model file is not a {vectorizer, classifier} dict")
    clf, vec = obj["classifier"], obj["vectorizer"]
    if not hasattr(clf, "predict_proba") or not hasattr(vec, "transform"):
        raise ModelError("tables model is not a probabilistic classifier")
    if not set(map(str, clf.classes_)) <= set(label_names()):
        raise ModelError("tables model predicts labels this code does not know")
    return RowClassifier(vec, clf)


def load(directory: Path) -> tuple[RowClassifier | None, Status]:
    """Load and verify the row classifier from a models directory: (model, status) or (None, why not)."""
    return load_verified(Path(directory), NAME, what="tables", trusted=TRUSTED_TYPES, fallback="fuzzy matching only",
                         check_meta=check_meta, build=_build)
