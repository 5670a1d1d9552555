"""The trained row classifier at run time: feature dicts in, calibrated label probabilities out; loaded verified.

`models/tables.npz` holds the arrays of a sigmoid-calibrated linear
ensemble (what training fits: DictVectorizer + LogisticRegression in
`CalibratedClassifierCV`, kept whole in `models/tables.skops`): the feature
names in column order, the classes, every fold's weights and intercepts,
and every fold's sigmoid slopes and offsets.  `models/tables.meta.json`
holds both files' sha256, the label list, the feature version, library
versions, the annotations' sha256 and the metrics.  `load` goes through
the one verified loader (`classify.modelfile.load_arrays`); a file it
refuses leaves extraction fuzzy-only and the record says why
(`model.tables_unavailable`).
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from extractor.classify.modelfile import ModelError, Status, load_arrays
from extractor.classify.rows.anchoring import ACCEPT, fill_rows
from extractor.classify.rows.features import featurize
from extractor.classify.rows.fragments import Fragment, label_names, segment

NAME = "tables"
MODEL_NAME = f"{NAME}.skops"  # the training artefact
ARRAYS_NAME = f"{NAME}.npz"  # what extraction loads
META_NAME = f"{NAME}.meta.json"
# Bump when a feature changes: a model trained on other features is refused.
FEATURES_VERSION = 1

@dataclass(frozen=True)
class SigmoidFolds:
    """A fitted sigmoid-calibrated linear ensemble as plain numpy arrays.

    `CalibratedClassifierCV.predict_proba` spends most of its time in input
    validation, one call per fold and one per class calibrator.  The maths
    is small: per fold, decision f = X @ coef.T + intercept, per class
    p = 1 / (1 + exp(a * f + b)), rows normalised, then the folds averaged.
    This does exactly those operations in the same order (same sparse
    product, same reductions), so the probabilities are bit-identical to
    scikit-learn's (`tests/training/test_export.py` checks it on the
    shipped model).  The arrays come from `training.export.rows_arrays`.
    """

    weights: Any  # (n_features, n_folds * n_classes): every fold's coef.T side by side
    intercepts: Any  # (n_folds * n_classes,)
    a: Any  # (n_folds, n_classes) sigmoid slopes
    b: Any  # (n_folds, n_classes) sigmoid offsets
    present: Any  # (n_folds, n_classes) bool: a fold trained without a rare class gives it probability 0
    n_classes: int

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
            proba[:, ~self.present[fold]] = 0.0
            denominator = np.sum(proba, axis=1)[:, np.newaxis]
            proba = np.divide(proba, denominator, out=np.full_like(proba, 1 / k), where=denominator != 0)
            proba[(1.0 < proba) & (proba <= 1.0 + 1e-5)] = 1.0
            mean += proba
        mean /= self.a.shape[0]
        return mean


def _design_matrix(vocabulary: dict[str, int], feats: list[dict[str, float]]) -> Any:
    """What `DictVectorizer.transform(feats)` gives for numeric feature dicts, without its per-call overhead.

    Same csr matrix: known features only, values as float64, column indices
    sorted within each row (as `transform` leaves them, so the products
    add in the same order).  `FEATURES` only produce numbers.
    """
    import numpy as np
    import scipy.sparse as sp

    indices: list[int] = []
    values: list[float] = []
    indptr = [0]
    for d in feats:
        known = [name for name in d if name in vocabulary]
        indices.extend([vocabulary[name] for name in known])
        values.extend([float(d[name]) for name in known])
        indptr.append(len(indices))
    X = sp.csr_matrix((np.array(values, dtype=np.float64), np.array(indices, dtype=np.intc),
                       np.array(indptr, dtype=np.intc)), shape=(len(feats), len(vocabulary)))
    X.sort_indices()
    return X


class RowClassifier:
    """The loaded classifier: feature dicts in, calibrated label probabilities out.

    `fill_rows` is what anchoring asks of it (`tables.anchors.RowClassifier`).
    """

    def __init__(self, vocabulary: dict[str, int], classes: list[str], folds: SigmoidFolds):
        self.vocabulary = vocabulary
        self.classes = classes
        self.folds = folds

    @classmethod
    def from_arrays(cls, arrays: dict[str, Any]) -> "RowClassifier":
        """The classifier of `training.export.rows_arrays`' arrays (ModelError when they are not that)."""
        try:
            names, classes = [str(n) for n in arrays["features"]], [str(c) for c in arrays["classes"]]
            folds = SigmoidFolds(arrays["weights"], arrays["intercepts"], arrays["a"], arrays["b"], arrays["present"],
                                 len(classes))
        except KeyError as e:
            raise ModelError(f"tables model arrays lack {e}") from None
        k = len(classes)
        if (folds.weights.shape != (len(names), folds.a.shape[0] * k) or not folds.a.shape == folds.b.shape ==
                folds.present.shape or folds.a.shape[1:] != (k,) or folds.intercepts.shape != (folds.a.shape[0] * k,)):
            raise ModelError("tables model arrays do not fit together")
        return cls({n: i for i, n in enumerate(names)}, classes, folds)

    def proba(self, feats: list[dict[str, float]]) -> list[dict[str, float]]:
        if not feats:
            return []
        P = self.folds.predict_proba(_design_matrix(self.vocabulary, feats))
        return [dict(zip(self.classes, row.tolist())) for row in P]

    def classify(self, frags: list[Fragment]) -> list[dict[str, float]]:
        return self.proba(featurize(frags))

    def fill_rows(self, text: str, start: int, end: int, table: str, rows: Sequence[Any], found: list,
                  blocked: list, make_anchor: Callable[..., Any]) -> None:
        """Anchor the rows exact matching missed (`found` changed in place; see `anchoring`)."""
        fill_rows(self, text, start, end, table, rows, found, blocked, make_anchor)

    def span_probabilities(self, text: str, table: str, spans: Sequence[tuple[int, int]]) -> list[dict[str, float]]:
        """Per span of label text, what its last row label says: the labels the last fragment the classifier
        accepts as a row of `table` (p >= `ACCEPT`, as anchoring takes them) is accepted as (sequence decoding's
        label evidence; {} when no fragment reads as a row).

        A span holds every label since the last values (`tables.sequence.segments`): converters print blank
        rows' labels, group labels and a label's wrapped lines between rows of values.  The last row label is
        the one over the values; a group label on the values' line (`(六)其他处理 0 0 …`, pdfplumber) is not a
        row, and a probability below `ACCEPT` is no evidence (it read 0.31 as the 2019 template's single row).
        """
        if not spans:
            return []
        frags = segment(text, table, min(s for s, _ in spans), max(e for _, e in spans))
        probs = self.classify(frags) if frags else []
        row = f"{table}."
        accepted = [{k: v for k, v in p.items() if v >= ACCEPT} for p in probs]
        is_row = [any(k.startswith(row) for k in a) for a in accepted]
        starts = [f.start for f in frags]  # fragments come in text order
        out: list[dict[str, float]] = []
        for s, e in spans:  # only the fragments starting inside the span: every pair was seconds on big regions
            said: dict[str, float] = {}
            i = bisect_left(starts, s)
            while i < len(frags) and starts[i] <= e:
                if frags[i].end <= e and is_row[i]:
                    said = accepted[i]
                i += 1
            out.append(said)
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


def _build(arrays: dict[str, Any], meta: dict[str, Any]) -> RowClassifier:
    m = RowClassifier.from_arrays(arrays)
    if not set(m.classes) <= set(label_names()):
        raise ModelError("tables model predicts labels this code does not know")
    return m


def load(directory: Path) -> tuple[RowClassifier | None, Status]:
    """Load and verify the row classifier from a models directory: (model, status) or (None, why not)."""
    return load_arrays(Path(directory), NAME, what="tables", fallback="fuzzy matching only", check_meta=check_meta,
                       build=_build)
