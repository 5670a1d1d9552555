"""The measures every evaluation uses, written once: precision/recall/F1, per-label reports, calibration bins."""
from __future__ import annotations

from typing import Any, Sequence

from extractor.confidence import CALIBRATION_EDGES


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    """Precision, recall and F1 from counts (1.0 where nothing was predicted or expected), rounded to 4 places."""
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f1(p, r), 4)}


def label_report(gold: Sequence[str], pred: Sequence[str]) -> dict[str, Any]:
    """Accuracy, row-label recall and per-label precision/recall/F1 of predicted fragment labels."""
    labs = sorted(set(gold) | set(pred))
    per: dict[str, dict[str, float]] = {}
    for lab in labs:
        tp = sum(1 for g, p in zip(gold, pred) if g == lab and p == lab)
        fp = sum(1 for g, p in zip(gold, pred) if g != lab and p == lab)
        fn = sum(1 for g, p in zip(gold, pred) if g == lab and p != lab)
        per[lab] = {**prf(tp, fp, fn), "support": tp + fn}
    acc = sum(g == p for g, p in zip(gold, pred)) / max(1, len(gold))
    rows = [k for k in labs if k.startswith(("table2.", "table3."))]
    row_acc_n = sum(1 for g in gold if g in rows)
    row_acc = sum(1 for g, p in zip(gold, pred) if g in rows and g == p) / max(1, row_acc_n)
    return {"fragments": len(gold), "accuracy": round(acc, 4), "row_label_recall": round(row_acc, 4), "labels": per}


def calibration(pairs: Sequence[tuple[float, bool]], edges: Sequence[float] = CALIBRATION_EDGES) -> list[dict[str, Any]]:
    """(confidence, right) pairs binned at `edges` (each bin [lo, hi)): how many, and the share right.

    Bins with nothing in them are left out; `hi` of the last bin may exceed 1
    so that a confidence of 1.0 falls in it.
    """
    out = []
    for lo, hi in zip(edges, edges[1:]):
        sel = [ok for c, ok in pairs if lo <= c < hi]
        if sel:
            out.append({"lo": lo, "hi": hi, "n": len(sel), "right": round(sum(sel) / len(sel), 4)})
    return out
