"""How plausible a reading of a glued table-2 run is, learned from the annotated reports: plain numbers, verified.

No identity covers table 2, so a glued run such as `693665` (issued |
repealed | in force) can often be read several ways that cost the same.
Where neither the narrative nor a year chain decides, the reader still has
to show one reading first; this prior says which is most like the figures
agencies print.  It is a Gaussian over (log(1+issued), log(1+repealed),
log(1+in force)) per row, so it knows the usual sizes and their ratios
(few documents issued against many in force, repeals rarely dwarfing what
is in force).  It only ranks: a reading it prefers stays at the ambiguous
level and the record stays flagged (`tables.table2`).

The model is a JSON file of means and covariances (`models/table2_prior.json`,
written by `training.prior`), loaded through the one verified loader
(`modelfile.load_plain`: sha256 against its meta, nothing executed).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

from extractor.classify.modelfile import ModelError, Status, load_plain

NAME = "table2_prior"
MODEL_NAME = f"{NAME}.json"
META_NAME = f"{NAME}.meta.json"
# What the prior reads of a row, in this order (the record's table-2 column names).
COLUMNS = ("issued", "repealed", "in_force")
FORMAT = 1


def features(values: Sequence[Any]) -> list[float] | None:
    """log(1 + v) of (issued, repealed, in force); None unless all three are non-negative numbers."""
    if len(values) != len(COLUMNS):
        return None
    out = []
    for v in values:
        if not isinstance(v, (int, float)) or isinstance(v, bool) or v < 0:
            return None
        out.append(math.log1p(v))
    return out


@dataclass(frozen=True)
class _Gaussian:
    mean: tuple[float, ...]
    precision: tuple[tuple[float, ...], ...]  # the inverse covariance
    log_norm: float  # -1/2 (k log 2π + log det Σ)

    def log_density(self, x: Sequence[float]) -> float:
        d = [a - m for a, m in zip(x, self.mean)]
        quad = sum(d[i] * self.precision[i][j] * d[j] for i in range(len(d)) for j in range(len(d)))
        return self.log_norm - 0.5 * quad


def _invert(cov: list[list[float]]) -> tuple[tuple[tuple[float, ...], ...], float]:
    """(inverse, log determinant) of a small symmetric positive-definite matrix (Gauss-Jordan)."""
    n = len(cov)
    a = [list(map(float, row)) + [1.0 if i == j else 0.0 for j in range(n)] for i, row in enumerate(cov)]
    log_det = 0.0
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        if abs(a[pivot][col]) < 1e-12:
            raise ModelError("table2 prior covariance is singular")
        a[col], a[pivot] = a[pivot], a[col]
        p = a[col][col]
        log_det += math.log(abs(p))
        a[col] = [v / p for v in a[col]]
        for r in range(n):
            if r != col and a[r][col]:
                f = a[r][col]
                a[r] = [v - f * w for v, w in zip(a[r], a[col])]
    return tuple(tuple(row[n:]) for row in a), log_det


class Table2Prior:
    """Log plausibility of a reading of a table-2 row, per row key (`rules`, `normative_docs`)."""

    def __init__(self, rows: dict[str, _Gaussian], documents: int) -> None:
        self.rows = rows
        self.documents = documents

    def score(self, row: str, cells: Mapping[str, Any]) -> float | None:
        """A reading's log density under the row's prior (`cells`: record column -> value); None where the
        prior says nothing (other rows, a column missing, as in the older template)."""
        g = self.rows.get(row)
        x = features([cells.get(c) for c in COLUMNS])
        if g is None or x is None:
            return None
        return g.log_density(x)


def build(data: dict[str, Any], meta: dict[str, Any]) -> Table2Prior:
    """The prior from its JSON (ModelError for another format or a malformed row)."""
    if data.get("format") != FORMAT or tuple(data.get("columns") or ()) != COLUMNS:
        raise ModelError(f"table2 prior file is of another format ({data.get('format')}, {data.get('columns')}): retrain")
    rows = {}
    for key, row in (data.get("rows") or {}).items():
        mean = tuple(float(v) for v in row["mean"])
        cov = [[float(v) for v in r] for r in row["cov"]]
        if len(mean) != len(COLUMNS) or len(cov) != len(COLUMNS) or any(len(r) != len(COLUMNS) for r in cov):
            raise ModelError(f"table2 prior row {key} is not {len(COLUMNS)}-dimensional")
        precision, log_det = _invert(cov)
        rows[key] = _Gaussian(mean, precision, -0.5 * (len(COLUMNS) * math.log(2 * math.pi) + log_det))
    return Table2Prior(rows, int(meta.get("documents_used") or 0))


def load(directory: Path) -> tuple[Table2Prior | None, Status]:
    """Load and verify the table-2 prior of a models directory: (prior, status) or (None, why not)."""
    return load_plain(Path(directory), NAME, what="table2 prior", fallback="glued table-2 runs ranked by size rules",
                      build=build)
