"""The table-row classifier: what a candidate label fragment of a table is.

Exact matching (`layout.find_rows`) finds a row by a variant of its label
printed intact.  Real reports also print labels truncated, reworded,
misnumbered, split over lines or glued to numbers; for the rows exact
matching misses, `layout._fuzzy_fill` asks this module, which cuts the gap
between the found neighbours into candidate fragments and lets a trained
classifier say what each is: one of `label_names()` — a table-2 row
(`table2.<row>`), a table-3 row (`table3.<ROW3>`), a table-4 group
(`table4.<group>`), table-4 header furniture (`table4.header`), table-2/3
header furniture (`header`), a table-3 group label (`group`) or `noise`.
Missing rows are then assigned to fragments in official order (a monotone
matching that maximises the summed log-odds over `ACCEPT`).

Fragments
---------
`segment()` cuts a table region of the normalised text into fragments: runs
of text between value material (digits, placeholders, pipes, tabs, line
breaks; single spaces inside a label are kept), then split at the header
and group furniture of `data/labels.toml` (only matches of 3+ characters, or
the whole run) and before a Chinese ordinal ("(二)", "四、").  Each fragment
knows the printed ordinal just before it ("2" of "2.重复申请") and the value
material around it.  Training (`extractor.train`) and extraction use this
same function, so the classifier sees at run time what it learnt from.

Features (one table: name, what, how)
-------------------------------------
`FEATURES` below is the whole feature set; every entry maps a fragment in
its context to a sparse dict, and a `DictVectorizer` turns the union into
the design matrix.

==========  =============================================================
ngrams      character 1-3-grams of the folded fragment, ordinals stripped
            (binary, scaled by 1/sqrt(count))
shape       length (bucket, log), sentence punctuation, share of Han
position    which table; position in the table region (tenths); index of
            the fragment among the region's fragments (first/last few)
digits      digits and cells in the value material after and before the
            fragment (buckets), digits printed inside it
ordinal     printed Arabic ordinal before it, Chinese ordinal at its start
            ("(二)" / "二、"), as value and as kind
furniture   whether it is a header / group match of labels.toml
neighbours  exact-match label of the previous/next fragment and of the
            nearest previous/next fragment that names a row exactly
fuzzy       rapidfuzz partial_ratio and ratio against every official label
            and variant, per class (max over variants); best class, margin
==========  =============================================================

The estimator is a `LogisticRegression` (lbfgs, seeded, deterministic)
wrapped in `CalibratedClassifierCV` (sigmoid, folds grouped by report), so
`predict_proba` is a calibrated probability.  It is stored with skops only
(never pickle/joblib): `models/tables.skops` holds a dict
{"vectorizer": DictVectorizer, "classifier": CalibratedClassifierCV};
`models/tables.meta.json` its sha256, the label list, the feature version,
library versions, the sha256 of the annotations and the metrics.

Loading (`load()`) refuses, with a clear message, a file whose sha256 is not
the meta's (damaged or tampered), a meta whose labels or feature version are
not this code's, an incompatible scikit-learn/skops (major.minor differ), or
a file asking skops for any type outside `TRUSTED_TYPES` (checked with
`skops.io.get_untrusted_types` first; `trusted=True` is never used).  Then
extraction runs fuzzy-only and `status()` says why: the pipeline adds the
issue `model.tables_unavailable` to the record.

Confidence of a cell
--------------------
A cell's confidence is

    conf(cell) = min(reading_conf, anchor_conf(row))

- `reading_conf` is the level `tables.py` gives the reading (0.99 printed
  and covered by identities that hold … 0.3 unsolved); `checks` caps it at
  0.85 when an identity naming the cell fails.  So the identities enter
  here: a reading the identities prove keeps its level, one they contradict
  drops below the certainty line.
- `anchor_conf(row)` (`anchor_confidence()`) is how sure we are that the
  numbers belong to this row: 1.0 for an exact label match; the calibrated
  classifier probability p of the row's label for a classifier anchor; and,
  fuzzy-only, 0.5 + 0.35 * (score - FUZZY_MIN) / (100 - FUZZY_MIN) — the
  fuzzy margin over the acceptance cut-off, never reaching the 0.9
  "certain" level, since a fuzzy match alone does not tell two similar
  labels apart.

Starting thresholds: a classifier anchor is accepted at p >= `ACCEPT` (0.5:
the label is more likely than all others together); a cell whose
confidence ends below 0.8 (`record.REVIEW_BELOW`) puts the record under
review; >= 0.9 (`record.CERTAIN`) is a claim that the cell is right.
Identities do not vouch for a row's label (swapping two outcome rows keeps
every sum), so anchor_conf is not raised by identities that hold.
"""
from __future__ import annotations

import contextvars
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import regex as re
from rapidfuzz import fuzz

from extractor.labels import fold, labels
from extractor.modelfile import Lazy, models_dir, sha256_file

MODEL_NAME = "tables.skops"
META_NAME = "tables.meta.json"
# Bump when a feature changes: a model trained on other features is refused.
FEATURES_VERSION = 1
# A classifier anchor is accepted at this probability (see the docstring).
ACCEPT = 0.5
# An exact anchor the classifier calls noise below this probability is dropped (see `_veto_exact`).
VETO = 0.05
# Fuzzy-only anchors: confidence from the margin over the cut-off.
FUZZY_FLOOR, FUZZY_SPAN = 0.5, 0.35

# Types a tables model may contain beyond skops' defaults (DictVectorizer,
# LogisticRegression, CalibratedClassifierCV, numpy arrays are trusted there):
# `get_untrusted_types` must report nothing else, or the file is refused.
TRUSTED_TYPES = frozenset({
    # What CalibratedClassifierCV keeps per fold; plain data holders (no code runs at load).
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
})


# ================================================================ labels
@lru_cache(maxsize=1)
def label_names() -> tuple[str, ...]:
    """Every label a fragment can have, from data/labels.toml (the model's label list)."""
    L = labels()
    return tuple(
        [f"table2.{r.key}" for r in L.table2_rows + L.table2_extra_rows]
        + [f"table3.{k}" for k in L.row3]
        + [f"table4.{g}" for g in L.group4]
        + ["table4.header", "header", "group", "noise"]
    )


def row_label(table: str, key: str) -> str:
    return f"{table}.{key}"


# ================================================================ fragments
_VALUE_CH = r"\d\s|/—–\-×"
# A run of label text: single spaces inside it, and "/" between two Han ("本年增/减").
_RUN = re.compile(rf"[^{_VALUE_CH}]+(?:(?: |(?<=\p{{Han}})/(?=\p{{Han}}))[^{_VALUE_CH}]+)*")
_NUM = re.compile(r"\d+(?:\.\d+)?|——|[/—–\-×]")
_HAS_WORD = re.compile(r"[\p{Han}A-Za-z]")
_CN = "一二三四五六七八九十"
_CN_ORD = re.compile(rf"[(][{_CN}]{{1,2}}[)]|(?<![{_CN}第])[{_CN}]{{1,2}}、")
_LEAD = re.compile(rf"^(?:[.、,:;)\s]+|[(][{_CN}]{{1,2}}[)]\s*|[{_CN}]{{1,2}}、\s*)+")
_SENT = re.compile(r"[。;!?]")
# A Chinese ordinal opening a fragment, "(二)" or "二、" (feature `ordinal`).
_CN_ORD_AT_START = re.compile(rf"[(]([{_CN}]{{1,2}})[)]|([{_CN}]{{1,2}})、")


@dataclass
class Fragment:
    """A candidate label fragment: normalised offsets [start, end) and its surroundings."""

    start: int
    end: int
    text: str
    table: str
    furniture: str = ""  # "header" | "group" | ""
    ordinal: str = ""  # the Arabic ordinal printed right before ("2" of "2.重复申请")
    digits_after: int = 0
    cells_after: int = 0
    digits_before: int = 0
    index: int = 0
    count: int = 0
    rel: float = 0.0

    @property
    def core(self) -> str:
        """The fragment without its leading ordinal and punctuation."""
        return _LEAD.sub("", self.text).strip()

    def anchor_start(self) -> int:
        """Where a row anchored on this fragment starts: over its printed Arabic ordinal."""
        return self.start - 1 if self.ordinal else self.start


@lru_cache(maxsize=None)
def _furniture_rx(table: str) -> tuple[re.Pattern | None, re.Pattern | None]:
    L = labels()
    heads = {"table2": L.table2_headers, "table3": L.table3_headers, "table4": L.table4_headers}[table]
    head = re.compile("|".join(f"(?:{p})" for p in sorted(heads, key=len, reverse=True))) if heads else None
    group = None
    if table == "table3":
        lits = sorted({m for g in L.table3_groups for m in g["match"]}, key=len, reverse=True)
        group = re.compile("|".join(re.escape(m) for m in lits))
    return head, group


def _furniture_spans(piece: str, table: str) -> list[tuple[int, int, str]]:
    """Header/group matches inside a run that split it: 3+ characters, or the whole run."""
    head, group = _furniture_rx(table)
    found: list[tuple[int, int, str]] = []
    for rx, kind in ((group, "group"), (head, "header")):
        if rx is None:
            continue
        for m in rx.finditer(piece):
            s, e = m.span()
            if e - s >= 3 or (s == 0 and e == len(piece)):
                found.append((s, e, kind))
    found.sort(key=lambda x: (x[0], -(x[1] - x[0])))
    kept: list[tuple[int, int, str]] = []
    for s, e, k in found:
        if kept and s < kept[-1][1]:
            continue
        # A Chinese ordinal right before a group label belongs to it ("(三)不予公开").
        m = re.search(rf"(?:[(][{_CN}]{{1,2}}[)]|[{_CN}]{{1,2}}、)\s*$", piece[kept[-1][1] if kept else 0:s])
        if m and k == "group":
            s = (kept[-1][1] if kept else 0) + m.start()
        kept.append((s, e, k))
    return kept


def _split_run(run: str, table: str) -> list[tuple[int, int, str]]:
    """A run into (start, end, furniture kind) pieces."""
    pieces: list[tuple[int, int, str]] = []
    last = 0
    for s, e, k in _furniture_spans(run, table):
        if s > last:
            pieces.append((last, s, ""))
        pieces.append((s, e, k))
        last = e
    if last < len(run):
        pieces.append((last, len(run), ""))
    out: list[tuple[int, int, str]] = []
    for s, e, k in pieces:
        if k:
            out.append((s, e, k))
            continue
        cuts = [s] + [s + m.start() for m in _CN_ORD.finditer(run[s:e]) if m.start() > 0] + [e]
        for a, b in zip(cuts, cuts[1:]):
            out.append((a, b, ""))
    return out


def segment(text: str, table: str, start: int, end: int) -> list[Fragment]:
    """The candidate label fragments of one table region of the normalised text."""
    L = labels()
    skip = set(L.zero_marks) | set(L.units)
    frags: list[Fragment] = []
    for m in _RUN.finditer(text, start, end):
        run = m.group()
        for s, e, kind in _split_run(run, table):
            piece = run[s:e]
            stripped = piece.strip()
            if not stripped or not _HAS_WORD.search(stripped) or stripped in skip:
                continue
            lead = len(piece) - len(piece.lstrip())
            a = m.start() + s + lead
            b = a + len(stripped)
            ordinal = ""
            if a > start and text[a - 1].isdigit() and stripped[:1] in ".、":
                ordinal = text[a - 1]
            frags.append(Fragment(a, b, stripped, table, kind, ordinal))
    n = len(frags)
    span = max(1, end - start)
    for i, f in enumerate(frags):
        nxt = frags[i + 1].start - (1 if frags[i + 1].ordinal else 0) if i + 1 < n else end
        prv = frags[i - 1].end if i else start
        after = text[f.end:max(f.end, nxt)]
        before = text[prv:f.anchor_start()]
        f.digits_after = sum(ch.isdigit() for ch in after)
        f.cells_after = len(_NUM.findall(after))
        f.digits_before = sum(ch.isdigit() for ch in before)
        f.index, f.count = i, n
        f.rel = (f.start - start) / span
    return frags


# ================================================================ exact keys (neighbours)
@lru_cache(maxsize=None)
def _exact_variants(table: str) -> tuple[tuple[str, str], ...]:
    L = labels()
    out: list[tuple[str, str]] = []
    if table == "table2":
        for r in L.table2_rows + L.table2_extra_rows:
            out += [(v, f"table2.{r.key}") for v in r.match]
    elif table == "table3":
        for r in L.table3_rows:
            out += [(v, f"table3.{r.key}") for v in r.match]
        for g in L.table3_groups:
            out += [(v, "group") for v in g["match"]]
    else:
        for g, lab in zip(L.group4, L.group4_labels):
            out.append((fold(lab.split("·")[-1]), f"table4.{g}"))
    return tuple(sorted(out, key=lambda x: -len(x[0])))


def exact_key(f: Fragment) -> str:
    """The label an exact variant match gives the fragment (longest variant wins), or furniture."""
    if f.furniture:
        return f.furniture
    for v, lab in _exact_variants(f.table):
        if v in f.text:
            return lab
    return "none"


# ================================================================ fuzzy scores
@lru_cache(maxsize=None)
def _fuzzy_targets(table: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Per class of this table: the label strings a fragment is scored against."""
    L = labels()
    out: list[tuple[str, tuple[str, ...]]] = []
    if table == "table2":
        for r in L.table2_rows + L.table2_extra_rows:
            out.append((f"table2.{r.key}", tuple(dict.fromkeys([fold(r.label), *r.match]))))
    elif table == "table3":
        for r in L.table3_rows:
            core = _LEAD.sub("", fold(r.label))
            out.append((f"table3.{r.key}", tuple(dict.fromkeys([core, *r.match]))))
        out.append(("group", tuple(dict.fromkeys(m for g in L.table3_groups for m in g["match"]))))
    else:
        for g, lab in zip(L.group4, L.group4_labels):
            out.append((f"table4.{g}", (fold(lab.split("·")[-1]),)))
        out.append(("table4.header", tuple(fold(x) for x in L.col4_labels)))
    return tuple(out)


@lru_cache(maxsize=200_000)
def fuzzy_scores(table: str, core: str) -> tuple[tuple[str, float, float], ...]:
    """(class, partial_ratio, ratio) / 100 of a fragment core against each class's labels."""
    out = []
    for cls, variants in _fuzzy_targets(table):
        p = max(fuzz.partial_ratio(v, core) for v in variants) if core else 0.0
        r = max(fuzz.ratio(v, core) for v in variants) if core else 0.0
        out.append((cls, p / 100.0, r / 100.0))
    return tuple(out)


# ================================================================ features
def _bucket(n: int, edges: Sequence[int]) -> str:
    for e in edges:
        if n <= e:
            return str(e)
    return f">{edges[-1]}"


def f_ngrams(frags: list[Fragment], i: int, ctx: dict) -> dict[str, float]:
    core = frags[i].core or frags[i].text
    grams = [core[k:k + n] for n in (1, 2, 3) for k in range(len(core) - n + 1)]
    if not grams:
        return {}
    w = 1.0 / math.sqrt(len(grams))
    out: dict[str, float] = {}
    for g in grams:
        out["ng=" + g] = w
    return out


def f_shape(frags: list[Fragment], i: int, ctx: dict) -> dict[str, float]:
    t = frags[i].text
    han = sum(1 for ch in t if "\u4e00" <= ch <= "\u9fff")
    return {
        "len=" + _bucket(len(t), (1, 2, 3, 4, 6, 8, 12, 20, 40)): 1.0,
        "len_log": math.log1p(len(t)) / 5.0,
        "sentence": 1.0 if _SENT.search(t) or len(t) > 40 else 0.0,
        "han_share": han / max(1, len(t)),
    }


def f_position(frags: list[Fragment], i: int, ctx: dict) -> dict[str, float]:
    f = frags[i]
    out = {"table=" + f.table: 1.0, f"{f.table}.pos={min(9, int(f.rel * 10))}": 1.0, "rel": f.rel}
    if f.index < 3:
        out[f"first={f.index}"] = 1.0
    if f.count - f.index <= 3:
        out[f"last={f.count - f.index}"] = 1.0
    return out


def f_digits(frags: list[Fragment], i: int, ctx: dict) -> dict[str, float]:
    f = frags[i]
    return {
        "dig_after=" + _bucket(f.digits_after, (0, 1, 3, 6, 7, 8, 14, 30)): 1.0,
        "cells_after=" + _bucket(f.cells_after, (0, 1, 2, 3, 5, 7, 9)): 1.0,
        "dig_before=" + _bucket(f.digits_before, (0, 1, 3, 7, 14)): 1.0,
        "dig_in": 1.0 if any(ch.isdigit() for ch in f.text) else 0.0,
    }


def f_ordinal(frags: list[Fragment], i: int, ctx: dict) -> dict[str, float]:
    f = frags[i]
    out: dict[str, float] = {}
    if f.ordinal:
        out["ord_ar=" + f.ordinal] = 1.0
        out["ord_ar"] = 1.0
    m = _CN_ORD_AT_START.match(f.text)
    if m:
        out["ord_cn=" + (m.group(1) or m.group(2))] = 1.0
        out["ord_cn_paren" if m.group(1) else "ord_cn_dun"] = 1.0
    return out


def f_furniture(frags: list[Fragment], i: int, ctx: dict) -> dict[str, float]:
    k = frags[i].furniture
    return {"furn=" + k: 1.0} if k else {}


def f_neighbours(frags: list[Fragment], i: int, ctx: dict) -> dict[str, float]:
    keys = ctx["exact"]
    n = len(frags)
    out = {
        "prev1=" + (keys[i - 1] if i > 0 else "^"): 1.0,
        "next1=" + (keys[i + 1] if i + 1 < n else "$"): 1.0,
        "prev2=" + (keys[i - 2] if i > 1 else "^"): 1.0,
        "next2=" + (keys[i + 2] if i + 2 < n else "$"): 1.0,
    }
    prow = next((keys[k] for k in range(i - 1, -1, -1) if keys[k].startswith("table")), "^")
    nrow = next((keys[k] for k in range(i + 1, n) if keys[k].startswith("table")), "$")
    out["prevrow=" + prow] = 1.0
    out["nextrow=" + nrow] = 1.0
    out["self_exact=" + keys[i]] = 1.0
    return out


def f_fuzzy(frags: list[Fragment], i: int, ctx: dict) -> dict[str, float]:
    f = frags[i]
    scores = fuzzy_scores(f.table, f.core or f.text)
    out: dict[str, float] = {}
    best = sorted(((max(p, r), cls) for cls, p, r in scores), reverse=True)
    for cls, p, r in scores:
        out["fz_p=" + cls] = p
        out["fz_r=" + cls] = r
    if best:
        out["fz_best=" + best[0][1]] = 1.0
        out["fz_top"] = best[0][0]
        out["fz_margin"] = best[0][0] - (best[1][0] if len(best) > 1 else 0.0)
    return out


# name, what it says, the function: THE feature table (see the module docstring).
FEATURES: tuple[tuple[str, str, Callable[[list[Fragment], int, dict], dict[str, float]]], ...] = (
    ("ngrams", "character 1-3-grams of the folded fragment, ordinals stripped", f_ngrams),
    ("shape", "length bucket and log, sentence punctuation, share of Han", f_shape),
    ("position", "table; tenth of the table region; first/last fragments", f_position),
    ("digits", "digits and cells of the value material after/before; digits inside", f_digits),
    ("ordinal", "printed Arabic ordinal before it; Chinese ordinal at its start", f_ordinal),
    ("furniture", "header / group match of labels.toml", f_furniture),
    ("neighbours", "exact-match labels of neighbours and of the nearest row-naming neighbours", f_neighbours),
    ("fuzzy", "rapidfuzz partial_ratio / ratio against each class's official labels and variants", f_fuzzy),
)


def context(frags: list[Fragment]) -> dict:
    return {"exact": [exact_key(f) for f in frags]}


def featurize(frags: list[Fragment], idx: Iterable[int] | None = None, ctx: dict | None = None) -> list[dict[str, float]]:
    """Feature dicts of the fragments at `idx` (all by default)."""
    ctx = ctx or context(frags)
    out = []
    for i in (range(len(frags)) if idx is None else idx):
        d: dict[str, float] = {}
        for _name, _what, fn in FEATURES:
            d.update(fn(frags, i, ctx))
        out.append(d)
    return out


# ================================================================ the model
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


class TablesModel:
    """The loaded classifier: feature dicts in, calibrated label probabilities out."""

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


def _major_minor(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", v)[:2])


def library_versions() -> dict[str, str]:
    import numpy
    import scipy
    import sklearn
    import skops

    import rapidfuzz
    return {"scikit-learn": sklearn.__version__, "skops": skops.__version__, "numpy": numpy.__version__,
            "scipy": scipy.__version__, "rapidfuzz": rapidfuzz.__version__}


class ModelError(Exception):
    """The model file cannot be used; the message says why (shown in the record's issue)."""


def check_meta(meta: dict[str, Any]) -> None:
    """Refuse a meta that does not belong to this code (labels, features, library versions)."""
    if meta.get("labels") != list(label_names()):
        have, want = set(meta.get("labels") or []), set(label_names())
        raise ModelError(f"tables model was trained on other labels (missing {sorted(want - have)[:5]}, "
                         f"unknown {sorted(have - want)[:5]}): retrain with `extractor train`")
    if meta.get("features_version") != FEATURES_VERSION:
        raise ModelError(f"tables model has feature version {meta.get('features_version')}, this code "
                         f"{FEATURES_VERSION}: retrain with `extractor train`")
    libs = meta.get("libraries") or {}
    now = library_versions()
    for lib in ("scikit-learn", "skops"):
        if lib not in libs:
            raise ModelError(f"tables model meta lacks the {lib} version it was saved with")
        if _major_minor(libs[lib]) != _major_minor(now[lib]):
            raise ModelError(f"tables model was saved with {lib} {libs[lib]}, this is {now[lib]}: "
                             "retrain with `extractor train`")


def load(directory: Path | None = None) -> tuple[TablesModel | None, dict[str, Any]]:
    """Load and verify the model: (model, status) or (None, status saying why not)."""
    d = Path(directory) if directory else models_dir()
    path, meta_path = d / MODEL_NAME, d / META_NAME
    st: dict[str, Any] = {"ok": False, "path": str(path)}
    try:
        if not path.exists():
            st["message"] = f"tables model not found at {path}: rows found by fuzzy matching only"
            return None, st
        if not meta_path.exists():
            st["message"] = f"tables model meta {meta_path} missing: fuzzy matching only"
            return None, st
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if sha256_file(path) != meta.get("sha256"):
            st["message"] = "tables model file does not match its meta sha256 (damaged or tampered): fuzzy matching only"
            return None, st
        check_meta(meta)
        import skops.io as sio

        untrusted = set(sio.get_untrusted_types(file=str(path)))
        unknown = sorted(untrusted - TRUSTED_TYPES)
        if unknown:
            st["message"] = f"tables model asks for untrusted types {unknown}: fuzzy matching only"
            return None, st
        obj = sio.load(str(path), trusted=sorted(untrusted))
        if not isinstance(obj, dict) or "vectorizer" not in obj or "classifier" not in obj:
            raise ModelError("tables model file is not a {vectorizer, classifier} dict")
        clf, vec = obj["classifier"], obj["vectorizer"]
        if not hasattr(clf, "predict_proba") or not hasattr(vec, "transform"):
            raise ModelError("tables model is not a probabilistic classifier")
        if not set(map(str, clf.classes_)) <= set(label_names()):
            raise ModelError("tables model predicts labels this code does not know")
        st.update(ok=True, message="tables model loaded", trained_on=meta.get("annotations_sha256"))
        return TablesModel(vec, clf), st
    except ModelError as e:
        st["message"] = f"{e}; fuzzy matching only"
        return None, st
    except Exception as e:  # any damage: fuzzy only, said plainly
        st["message"] = f"tables model could not be loaded ({type(e).__name__}: {str(e)[:160]}): fuzzy matching only"
        return None, st


_shipped: Lazy[TablesModel] = Lazy(lambda directory: load(directory))
# Set (by `use`) to a model or to None ("no model") for this context: evaluation, tests.
_override: contextvars.ContextVar[tuple[TablesModel | None, dict] | None] = contextvars.ContextVar("tables_model", default=None)
# Set (by `capture`) to a list that records every row anchoring (annotate, training).
_capture: contextvars.ContextVar[list | None] = contextvars.ContextVar("tables_capture", default=None)


def _loaded() -> tuple[TablesModel | None, dict[str, Any]]:
    o = _override.get()
    if o is not None:
        return o
    return _shipped.get()


def reload(directory: Path | None = None) -> dict[str, Any]:
    """Forget the loaded model and load again (after training, or to point at another directory)."""
    st = _shipped.reload(directory)[1]
    return {"ok": st["ok"], "message": st["message"]}


def status() -> dict[str, Any]:
    """{"ok": bool, "message": str}: whether row anchoring has its classifier."""
    st = _loaded()[1]
    return {"ok": bool(st.get("ok")), "message": st.get("message", "")}


def current() -> TablesModel | None:
    return _loaded()[0]


class use:
    """`with model.use(m):` anchor with model `m` (None: fuzzy only) in this context."""

    def __init__(self, m: TablesModel | None, message: str = "tables model disabled"):
        st = {"ok": m is not None, "message": "tables model (in use)" if m is not None else message}
        self.value = (m, st)

    def __enter__(self):
        self.token = _override.set(self.value)
        return self

    def __exit__(self, *exc):
        _override.reset(self.token)


class capture:
    """`with model.capture() as rec:` rec.calls lists each table's row anchors (annotate, training)."""

    def __enter__(self):
        self.calls: list[dict] = []
        self.token = _capture.set(self.calls)
        return self

    def __exit__(self, *exc):
        _capture.reset(self.token)


# ================================================================ anchoring
def anchor_confidence(anchor: Any) -> float:
    """How sure we are a row's numbers belong to it (see "Confidence of a cell")."""
    if anchor is None:
        return 0.0
    how = getattr(anchor, "how", "exact")
    if how == "model":
        return max(0.0, min(1.0, anchor.score / 100.0))
    if how == "fuzzy":
        from extractor.layout import FUZZY_MIN

        x = (anchor.score - FUZZY_MIN) / (100.0 - FUZZY_MIN)
        return FUZZY_FLOOR + FUZZY_SPAN * max(0.0, min(1.0, x))
    return 1.0


def _table_of(rows: Sequence[Any]) -> str:
    L = labels()
    t2 = {r.key for r in L.table2_rows + L.table2_extra_rows}
    return "table2" if rows and rows[0].key in t2 else "table3"


def _monotone_assign(cands: list[int], rows: list[int], gain: Callable[[int, int], float]) -> list[tuple[int, int]]:
    """Max-gain matching of rows to candidates, both in order; pairs with gain <= 0 never used."""
    n, m = len(cands), len(rows)
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    move = [[0] * (m + 1) for _ in range(n + 1)]
    for a in range(n - 1, -1, -1):
        for b in range(m - 1, -1, -1):
            opts = [(best[a + 1][b], 1), (best[a][b + 1], 2)]
            g = gain(cands[a], rows[b])
            if g > 0:
                opts.append((best[a + 1][b + 1] + g, 3))
            best[a][b], move[a][b] = max(opts, key=lambda x: (x[0], x[1]))
    out, a, b = [], 0, 0
    while a < n and b < m:
        mv = move[a][b]
        if mv == 3:
            out.append((cands[a], rows[b]))
            a, b = a + 1, b + 1
        elif mv == 1:
            a += 1
        else:
            b += 1
    return out


class _LazyProbs:
    """The classifier's probabilities for a table's fragments, computed only where asked.

    Anchoring reads few of them — the fragments under exact anchors, those
    between an exact anchor and the previous row, and those in the gaps the
    missing rows leave — so featurising and classifying every fragment of
    the table would be wasted.  A fragment's features and probabilities do
    not depend on which others are classified, so the results are the same.
    """

    def __init__(self, m: "TablesModel", frags: list[Fragment]):
        self.model = m
        self.frags = frags
        self.ctx = context(frags)
        self.done: dict[int, dict[str, float]] = {}

    def need(self, idx: Iterable[int]) -> None:
        """Classify, in one batch, those of the fragments at `idx` not classified yet."""
        todo = sorted({k for k in idx if k not in self.done})
        if todo:
            self.done.update(zip(todo, self.model.proba(featurize(self.frags, todo, self.ctx))))

    def __getitem__(self, k: int) -> dict[str, float]:
        if k not in self.done:
            self.need([k])
        return self.done[k]


def fill_rows(text: str, start: int, end: int, rows: Sequence[Any], found: list, blocked: list) -> bool:
    """Anchor the rows exact matching missed, with the classifier; False when there is none.

    `found` (row anchors in official order, None where missing) is changed in
    place: implausible exact anchors dropped (`_veto_exact`), missing rows
    given `layout.Anchor(key, s, e, "model", 100 * p)` by a monotone
    assignment of rows to candidate fragments.
    """
    if all(a is not None for a in found):
        return True
    m = current()
    if m is None:
        return False
    from extractor.layout import Anchor

    table = _table_of(rows)
    frags = segment(text, table, start, end)
    if not frags:
        return True
    probs = _LazyProbs(m, frags)
    _veto_exact(table, frags, probs, rows, found, start)
    taken = [a for a in found if a is not None]

    def free(f: Fragment) -> bool:
        s, e = f.anchor_start(), f.end
        return not any(x.start < e and s < x.end for x in blocked) and not any(x.start < e and s < x.end for x in taken)

    i = 0
    while i < len(rows):
        if found[i] is not None:
            i += 1
            continue
        j = i
        while j + 1 < len(rows) and found[j + 1] is None:
            j += 1
        # Rows i..j are missing: the gap their found neighbours leave.
        lo = next((found[k].end for k in range(i - 1, -1, -1) if found[k]), start)
        hi = next((found[k].start for k in range(j + 1, len(rows)) if found[k]), end)
        rws = list(range(i, j + 1))
        i = j + 1
        cands = [k for k, f in enumerate(frags) if f.anchor_start() >= lo and f.end <= hi and free(f)]
        probs.need(cands)

        def gain(k: int, r: int) -> float:
            p = probs[k].get(row_label(table, rows[r].key), 0.0)
            return math.log(p / ACCEPT) if p >= ACCEPT else -1.0

        for k, r in _monotone_assign(cands, rws, gain):
            lab = row_label(table, rows[r].key)
            # A label split over lines ("5.属于三类内" / "部事务信息"): start at its first piece.
            first = k
            while (first - 1 in cands and frags[first].digits_before == 0
                   and max(probs[first - 1], key=probs[first - 1].get) == lab):
                first -= 1
            found[r] = Anchor(rows[r].key, frags[first].anchor_start(), frags[k].end, "model", 100.0 * probs[k][lab])
    return True


def _veto_exact(table: str, frags: list[Fragment], probs: "_LazyProbs", rows: Sequence[Any],
                found: list, start: int) -> None:
    """Drop exact anchors the classifier contradicts (only called when some row is missing).

    Exact matching searches forward from the previous row, so a variant
    found in a note after the table ("备注：因开展行政规范性文件清理…")
    takes every later row with it.  An exact anchor goes when its fragment
    is noise at p(row) < VETO, or when p(row) < ACCEPT there while a fragment
    between it and the previous row reads as this row at p >= ACCEPT.
    """
    where = [next((k for k, f in enumerate(frags) if f.start < a.end <= f.end), None)
             if a is not None and a.how == "exact" else None for a in found]
    probs.need([k for k in where if k is not None])
    for r, a in enumerate(found):
        if a is None or a.how != "exact":
            continue
        k = where[r]
        if k is None:
            continue
        lab = row_label(table, rows[r].key)
        pe = probs[k].get(lab, 0.0)
        if pe >= ACCEPT:
            continue
        if pe < VETO and max(probs[k], key=probs[k].get) == "noise":
            found[r] = None
            continue
        lo = next((found[q].end for q in range(r - 1, -1, -1) if found[q]), start)
        between = [j for j, f in enumerate(frags) if f.anchor_start() >= lo and f.end <= a.start]
        probs.need(between)
        if any(probs[j].get(lab, 0.0) >= ACCEPT for j in between):
            found[r] = None


def observe(text: str, start: int, end: int, rows: Sequence[Any], found: list) -> None:
    """Record a table's final row anchors when `capture` is on (annotate, training data)."""
    calls = _capture.get()
    if calls is None:
        return
    calls.append({"table": _table_of(rows), "start": start, "end": end,
                  "anchors": [(r.key, a.start, a.end, a.how, a.score) for r, a in zip(rows, found) if a is not None]})
