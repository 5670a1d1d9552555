"""From a fitted scikit-learn estimator to the arrays extraction applies, and the training artefact kept whole.

Training fits scikit-learn estimators and keeps each whole with skops
(`NAME.skops`, for provenance and for `extractor evaluate`); extraction
applies only their arrays (`NAME.npz`, `classify.modelfile.load_arrays`),
so a cold start needs neither scikit-learn nor skops.  The arrays are
exactly the numbers `predict_proba` uses, and the runtime does the same
operations in the same order, so its probabilities are those of the
estimator bit for bit (`tests/training/test_export.py`).

`load_skops` reads a training artefact back the one careful way: its sha256
must be the meta's, skops must report no type outside the model's trusted
list (`trusted=True` is never used), and the scikit-learn and skops that
saved it must be this one's major.minor.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from extractor.classify.modelfile import ModelError, sha256_file

# Types beyond skops' defaults that each model's skops file may hold: plain data holders (no code runs
# at load); `get_untrusted_types` must report nothing else, or the file is refused.
TRUSTED_TYPES = {
    "tables": frozenset({
        "sklearn.calibration._CalibratedClassifier",
        "sklearn.calibration._SigmoidCalibration",
    }),
    "facts": frozenset({
        "sklearn.feature_extraction._dict_vectorizer.DictVectorizer",
        "sklearn.linear_model._logistic.LogisticRegression",
        "sklearn.pipeline.Pipeline",
        "numpy.dtype", "numpy.float64", "numpy.int64", "numpy.ndarray",
        "builtins.float", "builtins.int", "builtins.str", "builtins.dict", "builtins.list", "builtins.tuple",
        "builtins.type",
    }),
}
# Libraries whose major.minor must match the ones a skops file was saved with.
PINNED = ("scikit-learn", "skops")


def library_versions() -> dict[str, str]:
    """The versions a model saved now records (and a skops file read now is checked against)."""
    import numpy
    import rapidfuzz
    import scipy
    import sklearn
    import skops

    return {"scikit-learn": sklearn.__version__, "skops": skops.__version__, "numpy": numpy.__version__,
            "scipy": scipy.__version__, "rapidfuzz": rapidfuzz.__version__}


def _feature_names(vectorizer: Any) -> list[str]:
    vocab = vectorizer.vocabulary_
    names = sorted(vocab, key=vocab.__getitem__)
    if [vocab[n] for n in names] != list(range(len(names))):
        raise ModelError("the vectorizer's columns are not 0..n-1")
    return names


def rows_arrays(vectorizer: Any, classifier: Any) -> dict[str, Any]:
    """The arrays of a DictVectorizer and a sigmoid `CalibratedClassifierCV` over linear models
    (`classify.rows.model.SigmoidFolds`); ModelError for any other estimator."""
    import numpy as np

    folds = getattr(classifier, "calibrated_classifiers_", None)
    classes = [str(c) for c in getattr(classifier, "classes_", [])]
    if getattr(classifier, "method", None) != "sigmoid" or not folds or len(classes) < 3:
        raise ModelError("tables model is not a sigmoid-calibrated linear classifier of three classes or more")
    k, n = len(classes), len(_feature_names(vectorizer))
    weights = np.zeros((n, len(folds) * k))
    intercepts = np.zeros(len(folds) * k)
    a, b = np.zeros((len(folds), k)), np.zeros((len(folds), k))
    present = np.zeros((len(folds), k), dtype=bool)
    for i, fold in enumerate(folds):
        est = fold.estimator
        mine = [classes.index(str(c)) for c in est.classes_]  # a fold may lack a rare class: it gets 0 there
        if (list(map(str, fold.classes)) != classes or len(mine) < 3 or est.coef_.shape[0] != len(mine)
                or len(fold.calibrators) != len(mine)):
            raise ModelError("tables model folds are not linear models of three classes or more")
        for j, c in enumerate(mine):
            weights[:, i * k + c] = est.coef_[j]
            intercepts[i * k + c] = est.intercept_[j]
            a[i, c], b[i, c] = fold.calibrators[j].a_, fold.calibrators[j].b_
            present[i, c] = True
    return {"features": np.array(_feature_names(vectorizer)), "classes": np.array(classes), "weights": weights,
            "intercepts": intercepts, "a": a, "b": b, "present": present}


def facts_arrays(estimator: Any) -> dict[str, Any]:
    """The arrays of a Pipeline(DictVectorizer, multinomial LogisticRegression)
    (`classify.facts.model.LinearScorer`); ModelError for any other estimator."""
    import numpy as np

    try:
        (_, vec), (_, clf) = estimator.steps
    except (AttributeError, TypeError, ValueError):
        raise ModelError("facts model is not a (vectorizer, classifier) pipeline") from None
    if type(vec).__name__ != "DictVectorizer" or type(clf).__name__ != "LogisticRegression":
        raise ModelError("facts model is not a DictVectorizer + LogisticRegression")
    if (not vec.sparse or vec.dtype is not np.float64 or len(clf.classes_) <= 2 or clf.solver == "liblinear"
            or getattr(clf, "multi_class", "deprecated") not in ("auto", "deprecated", "multinomial")):
        raise ModelError("facts model is not a multinomial model over sparse float64 features")
    return {"features": np.array(_feature_names(vec)), "classes": np.array([str(c) for c in clf.classes_]),
            "coef": np.asarray(clf.coef_, dtype=np.float64), "intercept": np.asarray(clf.intercept_, dtype=np.float64)}


def _major_minor(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", v)[:2])


def load_skops(directory: Path, name: str) -> Any:
    """The training artefact `directory/name.skops`, read back carefully (see the module docstring)."""
    import skops.io as sio

    path, meta_path = Path(directory) / f"{name}.skops", Path(directory) / f"{name}.meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if sha256_file(path) != meta.get("sha256"):
        raise ModelError(f"{path} does not match its meta sha256 (damaged or tampered)")
    libs, now = meta.get("libraries") or {}, library_versions()
    for lib in PINNED:
        if _major_minor(libs.get(lib, "0.0")) != _major_minor(now[lib]):
            raise ModelError(f"{path} was saved with {lib} {libs.get(lib)}, this is {now[lib]}: retrain")
    untrusted = set(sio.get_untrusted_types(file=str(path)))
    unknown = sorted(untrusted - TRUSTED_TYPES[name])
    if unknown:
        raise ModelError(f"{path} asks for untrusted types {unknown}")
    return sio.load(str(path), trusted=sorted(untrusted))
