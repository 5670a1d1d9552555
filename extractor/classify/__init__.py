"""The trained models the stages are given: the row classifier and the table-2 prior (tables), the facts model (narrative).

`Models` is what the pipeline passes down; `shipped()` loads the shipped
ones once per process (only the pipeline asks it); `load_models(dir)` loads
another directory's (evaluation, comparison, review).  A model that cannot
be loaded is None with a `Status` saying why, and the stage runs without it.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from extractor import config
from extractor.classify.facts.model import FactsModel
from extractor.classify.facts.model import load as load_facts
from extractor.classify.modelfile import Lazy, Status
from extractor.classify.prior import Table2Prior
from extractor.classify.prior import load as load_prior
from extractor.classify.rows.model import RowClassifier
from extractor.classify.rows.model import load as load_rows


@dataclass(frozen=True)
class Models:
    rows: RowClassifier | None
    facts: FactsModel | None
    rows_status: Status
    facts_status: Status
    # How plausible each reading of a glued table-2 run is (ranks readings only; `classify.prior`).
    prior: Table2Prior | None = None
    prior_status: Status = Status(False, "no table2 prior")

    def without_rows(self, why: str = "tables model disabled") -> "Models":
        """The same models with no row classifier (fuzzy matching only): the evaluation baseline."""
        return replace(self, rows=None, rows_status=Status(False, why))

    def with_rows(self, rows: RowClassifier | None, why: str = "tables model disabled") -> "Models":
        """The same models with another row classifier (None: fuzzy matching only)."""
        if rows is None:
            return self.without_rows(why)
        return replace(self, rows=rows, rows_status=Status(True, "tables model (in use)"))


def load_models(directory: Path | str | None = None) -> Models:
    """The models of a directory (default: the configured models/), each verified; never raises."""
    d = Path(directory) if directory is not None else config.models_dir()
    rows, rows_status = load_rows(d)
    facts, facts_status = load_facts(d)
    prior, prior_status = load_prior(d)
    return Models(rows, facts, rows_status, facts_status, prior, prior_status)


NO_MODELS = Models(None, None, Status(False, "no row classifier"), Status(False, "no facts model"))

_shipped: Lazy[Models] = Lazy(load_models)


def shipped() -> Models:
    """The shipped models, loaded once per process (thread-safe)."""
    return _shipped.get()


def forget_shipped() -> None:
    """Load the shipped models again on next use (after `extractor train` replaced them in place)."""
    _shipped.reset()
