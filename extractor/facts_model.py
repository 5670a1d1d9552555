"""The trained part of the fact tagger: a classifier over candidate windows.

The rules of `metrics.toml` propose a label for every candidate number; this
model (DictVectorizer + logistic regression) re-decides the label from those
rule features plus jieba tokens of the window, and its probability is the
fact's confidence.  It is trained from the annotations by `train()` (what
`extractor train` calls), evaluated with cross-validation grouped by report,
and stored with skops, never pickle, beside a meta file with the hash of the
annotations it was trained on, its labels, library versions and metrics.

Loading is defensive: the file's hash must match the meta, and skops must
report no type outside the explicit trusted list below.  Anything else
(missing, damaged, tampered) leaves the tagger on rules alone, which
`status()` says and the confidences show (all below the review threshold).
"""
from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import platform
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Sequence

from extractor.modelfile import Lazy, models_dir, sha256_file

log = logging.getLogger(__name__)

MODEL_NAME = "facts.skops"
META_NAME = "facts.meta.json"
OTHER = "other"
# The model vetoes a rule-proposed fact only when this sure it is none (chosen by grouped CV, see train()).
VETO_AT = 0.9
# Confidence of a fact whose metric the model never saw in training: low enough to be looked at.
UNSEEN_CONF = 0.5

# Types a facts model may contain beyond skops' defaults.  `load_model`
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


# ================================================================ tokens
_tok_lock = threading.Lock()
_tokenizer = None


def tokenizer():
    """A jieba tokenizer of our own with the domain user dictionary (jieba's global one is left alone)."""
    global _tokenizer
    if _tokenizer is None:
        with _tok_lock:
            if _tokenizer is None:
                import jieba
                from importlib import resources

                logging.getLogger("jieba").setLevel(logging.WARNING)
                tk = jieba.Tokenizer()
                with resources.as_file(resources.files("extractor").joinpath("data", "userdict.txt")) as p:
                    tk.load_userdict(str(p))
                _tokenizer = tk
    return _tokenizer


def tokens(s: str) -> list[str]:
    return list(_tokens(s))


@lru_cache(maxsize=8192)
def _tokens(s: str) -> tuple[str, ...]:
    """jieba words of a window, remembered: the same short windows ("主动公开政府信息") recur across reports."""
    if not s:
        return ()
    return tuple(t for t in tokenizer().lcut(s, HMM=False) if t.strip())


# ============================================================== features
def live(q) -> bool:
    """Candidates the model looks at: those any rule had something to say about."""
    return q.rule_label != OTHER or bool(q.hits) or q.other_hit is not None or q.link != "none" or q.parent is not None


def features(q) -> dict[str, float]:
    """Rule evidence and the words of the window, as a sparse feature dict."""
    c = q.cand
    f: dict[str, float] = {
        f"rule={q.rule_label}": 1.0, f"how={q.how}": 1.0, f"unit={c.unit or '-'}": 1.0,
        f"link={q.link}": 1.0, "gap": min(q.gap, 20) / 20.0,
    }
    for h in q.hits:
        f[f"hit={h}"] = 1.0
    if q.other_hit:
        f[f"oth={q.other_hit}"] = 1.0
    if c.approx:
        f["approx"] = 1.0
    if c.chinese:
        f["chinese"] = 1.0
    if q.parent is not None:
        f["breakdown"] = 1.0
    v = float(c.value)
    f[f"mag={int(math.log10(v + 1))}"] = 1.0
    if v.is_integer() and 1900 <= v <= 2100:
        f["yearlike"] = 1.0
    lt = _tokens(q.ctx.left[-16:])
    for t in lt[-4:]:
        f["L:" + t] = 1.0
    if lt:
        f["L1:" + lt[-1]] = 1.0
    for t in _tokens(q.ctx.right[:8])[:2]:
        f["R:" + t] = 1.0
    return f


# ================================================================= model
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
        from extractor.narrative import rules

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
            q.confidence = float(p[self.classes.index(q.rule_label)]) if q.rule_label in self.classes else UNSEEN_CONF


def build_estimator(seed: int = 0):
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    return Pipeline([("vec", DictVectorizer()),
                     ("clf", LogisticRegression(C=2.0, max_iter=2000, random_state=seed))])


# ============================================================ load / status
def load_model(directory: Path | None = None) -> tuple[FactsModel | None, dict[str, Any]]:
    """Load and verify the model; (None, status) whenever it cannot be trusted."""
    d = directory or models_dir()
    path, meta_path = d / MODEL_NAME, d / META_NAME
    st: dict[str, Any] = {"ok": False, "mode": "rules", "path": str(path)}
    try:
        if not path.exists():
            st["message"] = f"facts model not found at {path}: facts tagged by rules only"
            return None, st
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if sha256_file(path) != meta.get("sha256"):
            st["message"] = "facts model file does not match its meta hash (damaged or tampered): rules only"
            return None, st
        import skops.io as sio

        untrusted = set(sio.get_untrusted_types(file=str(path)))
        unknown = sorted(untrusted - TRUSTED_TYPES)
        if unknown:
            st["message"] = f"facts model asks for untrusted types {unknown}: rules only"
            return None, st
        est = sio.load(str(path), trusted=sorted(untrusted))
        if not hasattr(est, "predict_proba") or not hasattr(est, "classes_"):
            st["message"] = "facts model is not a probabilistic classifier: rules only"
            return None, st
        model = FactsModel(est)
        st.update(ok=True, mode="model", labels=model.classes, message="facts model loaded",
                  trained_on=meta.get("annotations_sha256"), metrics=meta.get("metrics", {}).get("cv_model", {}).get("strict", {}).get("overall"))
        return model, st
    except Exception as e:  # any damage: rules only, said plainly
        st["message"] = f"facts model could not be loaded ({type(e).__name__}: {str(e)[:160]}): rules only"
        return None, st


_shipped: Lazy[FactsModel] = Lazy(load_model)


def _loaded() -> tuple[FactsModel | None, dict[str, Any]]:
    return _shipped.get()


def reload(directory: Path | None = None) -> dict[str, Any]:
    """Forget the loaded model and load again (tests, or after training)."""
    return dict(_shipped.reload(directory)[1])


def status() -> dict[str, Any]:
    return dict(_loaded()[1])


def current() -> FactsModel | None:
    """The loaded model, or None when the tagger runs on rules alone."""
    return _loaded()[0]


# ================================================================ training
def _resolve_text(ann_path: Path, rel: str) -> Path | None:
    """A text path of an annotation: relative to the repo root, found by walking up from the file."""
    p = Path(rel)
    if p.is_absolute():
        return p if p.exists() else None
    for base in [Path.cwd(), *ann_path.resolve().parents]:
        cand = (base / p).resolve()
        if cand.exists():
            return cand
    return None


def load_annotations(annotation_dir: str | os.PathLike) -> list[dict[str, Any]]:
    """Annotated documents with complete fact lists: excerpts marked `facts_complete`, reports with facts.

    Report annotations whose `facts` is still empty are not taken (an empty
    list there means "not annotated yet", not "no facts").
    """
    out = []
    for p in sorted(Path(annotation_dir).rglob("*.json")):
        try:
            ann = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(ann, dict) or "text" not in ann or not isinstance(ann.get("facts"), list):
            continue
        if not (ann.get("facts_complete") or ann["facts"]):
            continue
        tp = _resolve_text(p, ann["text"]["path"])
        if tp is None:
            continue
        from extractor.load import load  # the document text spans index into (CRLF, GB18030, HTML kept)

        doc = load(tp)
        if doc.error is not None:
            log.warning("%s: %s; skipped", p, doc.error.message)
            continue
        if ann["text"].get("sha256") and doc.sha256 != ann["text"]["sha256"]:
            log.warning("%s: text hash differs from the annotation; skipped", p)
            continue
        text = doc.text
        out.append({"id": ann.get("id", p.stem), "text": text, "facts": ann["facts"], "path": str(p)})
    return out


def annotations_hash(docs: Iterable[dict[str, Any]]) -> str:
    h = hashlib.sha256()
    for d in sorted(docs, key=lambda d: d["id"]):
        h.update(d["id"].encode())
        h.update(hashlib.sha256(d["text"].encode("utf-8")).digest())
        h.update(json.dumps(d["facts"], ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return h.hexdigest()


def gold_label(q, view, gold: Sequence[dict[str, Any]], spec: frozenset[str]) -> str:
    """The annotated metric of a candidate: the annotated fact whose span holds its number and value."""
    ns, ne = view.to_source(q.cand.num_start, q.cand.num_end)
    for g in gold:
        s, e = g["span"]
        if s <= ns and ne <= e and _same(g["value"], q.cand.value):
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


def prf(counts: dict[str, dict[str, int]]) -> dict[str, Any]:
    """Precision/recall/F1 per metric and micro-averaged overall."""
    out: dict[str, Any] = {}
    tot = {"tp": 0, "fp": 0, "fn": 0}
    for m in sorted(counts):
        c = counts[m]
        for k in tot:
            tot[k] += c[k]
        out[m] = _prf1(c)
    out["overall"] = _prf1(tot)
    return out


def _prf1(c: dict[str, int]) -> dict[str, Any]:
    p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
    r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), **c}


def merge(into: dict[str, dict[str, int]], more: dict[str, dict[str, int]]) -> None:
    for m, c in more.items():
        d = into.setdefault(m, {"tp": 0, "fp": 0, "fn": 0})
        for k in d:
            d[k] += c[k]


def _dataset(docs: Sequence[dict[str, Any]]):
    from extractor import narrative

    spec = narrative.spec_metrics()
    X, y, groups, analysed = [], [], [], []
    for d in docs:
        view, qs = narrative.analyse(d["text"])
        analysed.append((view, qs))
        for q in qs:
            if live(q):
                X.append(features(q))
                y.append(gold_label(q, view, d["facts"], spec))
                groups.append(d["id"])
    return X, y, groups, analysed


def evaluate(docs: Sequence[dict[str, Any]], model_for: Any = None) -> dict[str, Any]:
    """End-to-end scores of the tagger over documents; `model_for(doc_id)` gives the model (or None: rules)."""
    from extractor import narrative

    spec = narrative.spec_metrics()
    counts: dict[str, dict[str, int]] = {}
    loose: dict[str, dict[str, int]] = {}
    distractors: list[str] = []
    role_ok = role_n = 0
    calib: list[tuple[float, bool]] = []
    for d in docs:
        model = model_for(d["id"]) if model_for else None
        facts = narrative.tag_with(d["text"], model=model)
        s = score(facts, d["facts"], spec)
        merge(counts, s["counts"])
        merge(loose, s["loose"])
        distractors += [f"{d['id']}: {t}" for t in s["distractors"]]
        role_ok += s["role_ok"]
        role_n += s["role_n"]
        for f in facts:
            calib.append((f.confidence, _is_right(f, d["facts"], spec)))
    return {"strict": prf(counts), "loose": prf(loose), "distractors_tagged": distractors,
            "role_accuracy": round(role_ok / role_n, 4) if role_n else None,
            "calibration": _calibration(calib)}


def _is_right(f, gold, spec) -> bool:
    return any(g["metric"] == f.metric and _same(g["value"], f.value) and g.get("channel") == f.channel
               and f.span[0] < g["span"][1] and g["span"][0] < f.span[1] for g in gold if g["metric"] in spec)


def _calibration(pairs: list[tuple[float, bool]]) -> list[dict[str, Any]]:
    bins = [(0.0, 0.5), (0.5, 0.8), (0.8, 0.9), (0.9, 1.01)]
    out = []
    for lo, hi in bins:
        sel = [ok for c, ok in pairs if lo <= c < hi]
        if sel:
            out.append({"confidence": f"[{lo:.1f},{min(hi, 1.0):.1f})", "facts": len(sel),
                        "right": round(sum(sel) / len(sel), 4)})
    return out


def train(annotation_dir: str | os.PathLike, out_dir: str | os.PathLike, seed: int = 0) -> dict[str, Any]:
    """Fit on all annotated documents, measure with leave-one-report-out CV, save model + meta; returns metrics."""
    import numpy as np
    import sklearn
    import skops
    import skops.io as sio

    docs = load_annotations(annotation_dir)
    if not docs:
        raise ValueError(f"no annotated documents with facts under {annotation_dir}")
    X, y, groups, _ = _dataset(docs)
    ids = sorted({d["id"] for d in docs})
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
        "annotations_sha256": annotations_hash(docs),
        "annotations": [d["id"] for d in docs],
        "rules_sha256": _rules_hash(),
        "labels": [str(c) for c in final.classes_],
        "seed": seed,
        "estimator": "DictVectorizer + LogisticRegression(C=2.0) over rule evidence and jieba window tokens",
        "versions": {"python": platform.python_version(), "scikit-learn": sklearn.__version__,
                     "skops": skops.__version__, "numpy": np.__version__, "jieba": _jieba_version()},
        "metrics": metrics,
    }
    (out / META_NAME).write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return metrics


def _rules_hash() -> str:
    from importlib import resources

    return hashlib.sha256(resources.files("extractor").joinpath("data", "metrics.toml").read_bytes()).hexdigest()


def _jieba_version() -> str:
    import jieba

    return getattr(jieba, "__version__", "unknown")
