"""Retraining, in one place: every model from one annotation directory, with their grouped CV and card.

`extractor train` and the retraining notebook (`review.retrain`) both call
`train_models`, so a model trained from the notebook is the model the CLI
would have trained.  Nothing is written outside `out_dir`.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from extractor.classify.facts.model import META_NAME as FACTS_META
from extractor.training import evaluate as E
from extractor.training import facts as F
from extractor.training import prior as P
from extractor.training import train as T
from extractor.training.card import write_card
from extractor.training.facts_card import write_facts_card

WHICH = ("prior", "tables", "facts")


@dataclass(frozen=True)
class TrainSize:
    """How much the tables trainer makes of the annotations (damaged variants, generated reports) and how
    hard its grouped CV works.  `QUICK` keeps a run under a minute on two cores (tests, a first look);
    `FULL` is what `extractor train` / `extractor evaluate` use by default."""

    damaged_per_report: int | None = None
    generated: int | None = None
    damaged_per_generated: int | None = None
    calibration_folds: int | None = None
    cv_folds: int | None = None
    cv_damaged_per_report: int | None = None
    cv_generated: int | None = None
    cv_damaged_per_generated: int | None = None
    converter_per_report: int | None = None
    converter_per_generated: int | None = None
    cv_converter_per_report: int | None = None


FULL = TrainSize()
QUICK = TrainSize(damaged_per_report=1, generated=4, damaged_per_generated=0, calibration_folds=2,
                  cv_folds=2, cv_damaged_per_report=1, cv_generated=2, cv_damaged_per_generated=0,
                  converter_per_report=1, converter_per_generated=0, cv_converter_per_report=1)


def tables_configs(size: TrainSize, seed: int | None = None) -> tuple[T.TrainConfig, E.EvalConfig]:
    """(TrainConfig, EvalConfig) of the tables trainer for a size (defaults where the size says nothing)."""
    tc = {k: v for k, v in (("damaged_per_report", size.damaged_per_report), ("generated", size.generated),
                            ("damaged_per_generated", size.damaged_per_generated),
                            ("calibration_folds", size.calibration_folds), ("seed", seed),
                            ("converter_per_report", size.converter_per_report),
                            ("converter_per_generated", size.converter_per_generated)) if v is not None}
    ec = {k: v for k, v in (("folds", size.cv_folds), ("damaged_per_report", size.cv_damaged_per_report),
                            ("generated", size.cv_generated), ("damaged_per_generated", size.cv_damaged_per_generated),
                            ("converter_per_report", size.cv_converter_per_report))
          if v is not None}
    return T.TrainConfig(**tc), E.EvalConfig(**ec)


def train_models(annotation_dir: str | Path, out_dir: str | Path, *, which: tuple[str, ...] = WHICH,
                 cv: bool = True, size: TrainSize = FULL, seed: int | None = None, samples: bool | None = None,
                 log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Train the models named in `which` on one annotation directory into `out_dir`; returns metrics and metas.

    - tables: the grouped CV by report (`evaluate.cross_validate`) when `cv`,
      then `train.train`, which records that CV in its meta and card;
    - facts: `facts.train` (leave-one-report-out CV inside);
    - prior: `prior.train`, the table-2 plausibility prior (gold tables only).

    `samples`: whether the bundled samples count as annotated documents
    (None: only when some annotation's text is absent or none has one, as
    in a fresh clone; `trainset.training_set`).  Each meta lists the
    documents its model read (`trainset.trained_on` says it in a line).
    """
    say = log or (lambda m: logging.getLogger(__name__).info("%s", m))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"dir": str(out)}
    if "prior" in which:
        result["prior_meta"] = P.train(annotation_dir, out)
    if "tables" in which:
        tcfg, ecfg = tables_configs(size, seed)
        cvres = E.cross_validate(annotation_dir, tcfg, ecfg, log=say, samples=samples) if cv else None
        result["tables_cv"] = cvres
        result["tables_meta"] = T.train(annotation_dir, out, tcfg, cv=cvres, samples=samples, log=say)
        write_card(out, result["tables_meta"])
    if "facts" in which:
        result["facts"] = F.train(annotation_dir, out, seed=seed or 0, samples=samples)
        result["facts_meta"] = json.loads((out / FACTS_META).read_text(encoding="utf-8"))
        write_facts_card(out, result["facts_meta"])
    return result
