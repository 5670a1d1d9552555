"""The trained facts model: it decides every candidate of the prose, its probability is the fact's confidence; loaded verified.

What extraction applies is the arrays of the fitted DictVectorizer +
multinomial LogisticRegression (`models/facts.npz`: feature names in column
order, classes, coefficients, intercepts; written by
`training.export.facts_arrays`), loaded by the one verified loader
(`classify.modelfile.load_arrays`) without scikit-learn; the whole fitted
estimator stays in `models/facts.skops` for training and evaluation.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from extractor import confidence
from extractor.classify.facts.features import features_at, live
from extractor.classify.modelfile import ModelError, Status, load_arrays
from extractor.spec.metrics import OTHER

NAME = "facts"
MODEL_NAME = f"{NAME}.skops"  # the training artefact
ARRAYS_NAME = f"{NAME}.npz"  # what extraction loads
META_NAME = f"{NAME}.meta.json"


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


@dataclass(frozen=True)
class Decision:
    """How far the model may overrule the rules (chosen by grouped CV on the development documents; in the meta).

    With a few hundred annotated documents the model alone loses to the rules
    on the metrics it has seen little of (messages, accounts), and beats them
    where the rules' cues are wrong or missing.  So the rules' label is a
    prior: the model replaces it when at least `keep_at` sure of another
    label, and tags a number the rules left out when at least `add_at` sure.
    """

    keep_at: float = 0.8
    add_at: float = 0.8
    # [lo, confidence] steps: a probability at or above lo is worth that confidence (measured in CV); none: as is
    calibration: tuple[tuple[float, float], ...] = ()

    def confidence(self, p: float) -> float:
        """The calibrated confidence of a probability (the step of the highest `lo` at or below it)."""
        out = p
        for lo, value in self.calibration:
            if p >= lo:
                out = value
        return out


class FactsModel:
    """A fitted classifier that decides every candidate of the prose (`live`), with the rules' label as its prior.

    The fact's confidence is the model's probability of the label it ends
    with.  A spec metric the model never saw in training keeps the rules'
    label at `fact_unseen`, so a metric added to metrics.toml is still
    tagged (and shown to a person) before anyone annotates it.
    """

    def __init__(self, scorer: LinearScorer | None, classes: Sequence[str], decision: Decision = Decision()):
        self.scorer = scorer
        self.classes = [str(c) for c in classes]
        self.decision = decision

    @classmethod
    def from_arrays(cls, arrays: dict[str, Any], decision: Decision = Decision()) -> "FactsModel":
        """The model of `training.export.facts_arrays`' arrays (ModelError when they are not that)."""
        try:
            names, classes = [str(n) for n in arrays["features"]], [str(c) for c in arrays["classes"]]
            coef, intercept = arrays["coef"], arrays["intercept"]
        except KeyError as e:
            raise ModelError(f"facts model arrays lack {e}") from None
        if coef.shape != (len(classes), len(names)) or intercept.shape != (len(classes),) or len(classes) < 3:
            raise ModelError("facts model arrays do not fit together")
        return cls(LinearScorer({n: i for i, n in enumerate(names)}, coef, intercept), classes, decision)

    def predict_proba(self, rows: Sequence[dict[str, float]]) -> Any:
        """Class probabilities of feature dicts (those of the fitted estimator, bit for bit)."""
        if self.scorer is None:
            raise ModelError("facts model without weights")
        return self.scorer.predict_proba(rows)

    def label(self, rule_label: str, p: Sequence[float]) -> str:
        """The label a candidate ends with, given the rules' label and the model's probabilities."""
        k = max(range(len(p)), key=p.__getitem__)
        best = self.classes[k]
        if rule_label != OTHER:
            return best if p[k] >= self.decision.keep_at else rule_label
        return best if p[k] >= self.decision.add_at else OTHER

    def decide(self, qs: Sequence[Any]) -> None:
        """Label every candidate the model decides and set its confidence."""
        todo = [i for i, q in enumerate(qs) if live(q)]
        if not todo:
            return
        probs = self.predict_proba([features_at(qs, i) for i in todo])
        for i, p in zip(todo, probs):
            q = qs[i]
            if q.rule_label != OTHER and q.rule_label not in self.classes:
                q.confidence = confidence.value("fact_unseen")
                continue
            label = self.label(q.rule_label, p)
            if label != q.label:
                q.label, q.how = label, "model"
            q.confidence = self.decision.confidence(float(p[self.classes.index(label)])) if label != OTHER else 0.0


def decision_of(meta: dict[str, Any]) -> Decision:
    """The decision thresholds and calibration a model's meta records (training chose them)."""
    d = meta.get("decision", {})
    return Decision(d.get("keep_at", Decision.keep_at), d.get("add_at", Decision.add_at),
                    tuple(tuple(step) for step in d.get("calibration", ())))


def _build(arrays: dict[str, Any], meta: dict[str, Any]) -> FactsModel:
    return FactsModel.from_arrays(arrays, decision_of(meta))


def load(directory: Path) -> tuple[FactsModel | None, Status]:
    """Load and verify the facts model from a models directory: (model, status) or (None, why not)."""
    return load_arrays(Path(directory), NAME, what="facts", fallback="facts tagged by rules only", build=_build)
