"""Learning the table-2 plausibility prior (`classify.prior`) from the annotated reports' gold tables.

It reads only the gold tables (no text), so a clone without ../shared
learns the same prior from the same annotations.  A row is left out where
its gold rests on plausibility or a chain rather than the printed text (the
annotation's `uncertain` cells): the prior must not learn its own guesses.

With a few dozen rows, the covariance is shrunk towards a unit diagonal
(`SHRINK` pseudo-rows): a corpus where every `rules` row is 0 | 0 | 0 still
gives a proper density, and one odd report cannot make a ratio impossible.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Iterable

from extractor.classify.prior import COLUMNS, FORMAT, META_NAME, MODEL_NAME, features
from extractor.training.annotations import Annotation, annotations_sha256, load_annotations

ROWS = ("rules", "normative_docs")
# Pseudo-rows of unit variance the covariance is shrunk towards (see the module docstring).
SHRINK = 3.0
# What a model meta records of the annotations it read: the gold tables and the cells they doubt.
PRIOR_KEYS = ("id", "tables", "uncertain")


def row_examples(anns: Iterable[Annotation]) -> dict[str, list[tuple[str, list[float]]]]:
    """row -> (annotation id, features) of every gold row the prior learns from."""
    out: dict[str, list[tuple[str, list[float]]]] = {r: [] for r in ROWS}
    for a in anns:
        table2 = (a.data.get("tables") or {}).get("table2") or {}
        doubted = set(a.data.get("uncertain") or ())
        for row in ROWS:
            cells = table2.get(row)
            if not isinstance(cells, dict) or any(f"table2.{row}.{c}" in doubted for c in COLUMNS):
                continue
            x = features([cells.get(c) for c in COLUMNS])
            if x is not None:
                out[row].append((a.id, x))
    return out


def fit(xs: list[list[float]]) -> dict[str, Any]:
    """Mean and shrunk covariance of feature vectors (see `SHRINK`)."""
    k, n = len(COLUMNS), len(xs)
    mean = [sum(x[i] for x in xs) / n for i in range(k)] if n else [0.0] * k
    scatter = [[sum((x[i] - mean[i]) * (x[j] - mean[j]) for x in xs) for j in range(k)] for i in range(k)]
    cov = [[(scatter[i][j] + (SHRINK if i == j else 0.0)) / (n + SHRINK) for j in range(k)] for i in range(k)]
    return {"n": n, "mean": [round(v, 12) for v in mean], "cov": [[round(v, 12) for v in r] for r in cov]}


def prior_data(anns: list[Annotation]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the prior file's content, what the meta says of the data) from report annotations."""
    examples = row_examples(anns)
    rows = {row: fit([x for _, x in ex]) for row, ex in examples.items()}
    used = sorted({i for ex in examples.values() for i, _ in ex})
    data = {"format": FORMAT, "columns": list(COLUMNS), "rows": rows}
    return data, {"documents_used": len(used), "documents": used,
                  "rows": {row: len(ex) for row, ex in examples.items()}}


def train(annotation_dir: str | Path, out_dir: str | Path) -> dict[str, Any]:
    """Learn the prior from the report annotations of a directory into `out_dir`; returns its meta."""
    anns = load_annotations(annotation_dir, with_text=False)
    data, about = prior_data(anns)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    body = json.dumps(data, indent=1, sort_keys=True) + "\n"
    (out / MODEL_NAME).write_text(body, encoding="utf-8")
    meta = {"model": MODEL_NAME, "sha256": hashlib.sha256(body.encode("utf-8")).hexdigest(),
            "annotations_sha256": annotations_sha256(anns, PRIOR_KEYS), "shrink": SHRINK, **about}
    (out / META_NAME).write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return meta
