"""Training the facts model on the annotations, with grouped cross-validation."""
from __future__ import annotations

from pathlib import Path

from extractor.classify.facts.model import META_NAME, MODEL_NAME, load
from extractor.training.facts import train
from tests.helpers import ANNOTATIONS, needs_shared


@needs_shared
def test_training_runs_and_reports_grouped_cv(tmp_path: Path) -> None:
    metrics = train(ANNOTATIONS, tmp_path, seed=0)
    assert "grouped" in metrics["cv"]
    assert metrics["cv_model"]["strict"]["overall"]["f1"] >= 0.95
    assert metrics["cv_model"]["distractors_tagged"] == []
    assert (tmp_path / MODEL_NAME).exists() and (tmp_path / META_NAME).exists()
    model, st = load(tmp_path)
    assert st.ok, st.message
