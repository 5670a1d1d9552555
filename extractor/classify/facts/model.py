"""The trained facts model: its probability of the rules' label is the fact's confidence; loaded verified."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from extractor import confidence
from extractor.classify.facts.features import features
from extractor.classify.modelfile import ModelError, Status, load_verified
from extractor.spec.metrics import OTHER, rules

NAME = "facts"
MODEL_NAME = f"{NAME}.skops"
META_NAME = f"{NAME}.meta.json"
# The model vetoes a rule-proposed fact only when this sure it is none (chosen by grouped CV, see train()).
VETO_AT = 0.9

# Types a facts model may contain beyond skops' defaults.  `load`
# refuses a file that asks for anything else.
TRUSTED_TYPES = frozenset({
    "sklearn.feature_extraction._dict_vectorizer.DictVectorizer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.pipeline.Pipeline",
    "numpy.dtype",
    "numpy.float64",
    "numpy.int64",
    "numpy.ndarray",
    "builtins.float",
    "builtins.int",
    "builtins.str",
    "builtins.dict",
    "builtins.list",
    "builtins.tuple",
    "builtins.type",
})


class LinearScorer:
    """`predict_proba` of a fitted DictVectorizer + multinomial LogisticRegression, without sklearn per call.

    sklearn's input validation costs more than the arithmetic for the ~15
    windows of a report.  This does the same arithmetic in the same order
    (features summed in ascending column order as the sorted CSR product
    does, then the intercept, then sklearn's softmax steps), so the
    probabilities are the same numbers, not merely close ones.
    """

    def __init__(self, vocabulary: dict[str, int], coef: Any, intercept: Any):
        import numpy as np

        self.vocabulary = vocabulary
        coef_t = np.asarray(coef, dtype=np.float64).T  # (features, classes)
        # plus a row of zeros to pad short rows with: it adds exactly nothing
        self.coef_t = np.vstack([coef_t, np.zeros((1, coef_t.shape[1]))])
        self.zero_row = coef_t.shape[0]
        self.intercept = np.asarray(intercept, dtype=np.float64)

    @classmethod
    def of(cls, estimator: Any) -> "LinearScorer | None":
        """The scorer for a Pipeline(DictVectorizer, multinomial LogisticRegression); None for anything else."""
        try:
            (_, vec), (_, clf) = estimator.steps
        except (AttributeError, TypeError, ValueError):
            return None
        if type(vec).__name__ != "DictVectorizer" or type(clf).__name__ != "LogisticRegression":
            return None
        import numpy as np

        if not vec.sparse or vec.dtype is not np.float64 or len(clf.classes_) <= 2 or clf.solver == "liblinear" \
                or getattr(clf, "multi_class", "deprecated") not in ("auto", "deprecated", "multinomial"):
            return None  # the other predict_proba branches (one-vs-rest, binary) are left to sklearn
        return cls(dict(vec.vocabulary_), clf.coef_, clf.intercept_)

    def predict_proba(self, rows: Sequence[dict[str, float]]) -> Any:
        import numpy as np

        vocab = self.vocabulary
        known = [sorted((vocab[k], float(v)) for k, v in f.items() if k in vocab) for f in rows]
        width = max((len(r) for r in known), default=0)
        cols = np.full((len(rows), width), self.zero_row, dtype=np.intp)
        vals = np.zeros((len(rows), width))
        for i, r in enumerate(known):
            if r:
                cols[i, :len(r)], vals[i, :len(r)] = zip(*r)
        x = np.zeros((len(rows), self.coef_t.shape[1]))
        for j in range(width):  # one column at a time: the CSR product's summation order, hence its rounding
            x += self.coef_t[cols[:, j]] * vals[:, j, None]
        x += self.intercept
        x -= x.max(axis=1).reshape((-1, 1))  # sklearn.utils.extmath.softmax, step by step
        np.exp(x, out=x)
        x /= x.sum(axis=1).reshape((-1, 1))
        return x


class FactsModel:
    """A fitted classifier and how far it may overrule the rules.

    Grouped cross-validation showed the model deciding labels on its own
    loses to the rules (it cannot know a metric its training fold never
    showed it), so it is used where it pays: its probability of the rules'
    label is the fact's confidence (a pattern it has not seen gets a low
    one, so a person looks), and it may turn a proposed fact into "not a
    fact" only when it is at least `veto_at` sure.
    """

    def __init__(self, estimator: Any, veto_at: float = VETO_AT):
        self.estimator = estimator
        self.classes = [str(c) for c in estimator.classes_]
        self.veto_at = veto_at
        self.scorer = LinearScorer.of(estimator)

    def predict_proba(self, rows: Sequence[dict[str, float]]) -> Any:
        """Class probabilities of feature dicts: the fast scorer when the estimator has the shipped shape."""
        if self.scorer is not None:
            return self.scorer.predict_proba(rows)
        return self.estimator.predict_proba(rows)

    def decide(self, qs: Sequence[Any]) -> None:
        """Set confidences (and veto doubtful facts) of the candidates the rules labelled as spec facts."""
        spec = rules().spec_metrics
        todo = [q for q in qs if q.rule_label in spec]
        if not todo:
            return
        probs = self.predict_proba([features(q) for q in todo])
        other = self.classes.index(OTHER) if OTHER in self.classes else None
        for q, p in zip(todo, probs):
            if other is not None and p[other] >= self.veto_at:
                q.label, q.confidence = OTHER, float(p[other])
                continue
            q.confidence = (float(p[self.classes.index(q.rule_label)]) if q.rule_label in self.classes
                            else confidence.value("fact_unseen"))


def _build(obj: Any, meta: dict[str, Any]) -> FactsModel:
    if not hasattr(obj, "predict_proba") or not hasattr(obj, "classes_"):
        raise ModelError("facts model is not a probabilistic classifier")
    return FactsModel(obj)


def load(directory: Path) -> tuple[FactsModel | None, Status]:
    """Load and verify the facts model from a models directory: (model, status) or (None, why not)."""
    return load_verified(Path(directory), NAME, what="facts", trusted=TRUSTED_TYPES, fallback="facts tagged by rules only",
                         build=_build)
