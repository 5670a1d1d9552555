"""Training the facts model on the annotations, with grouped cross-validation."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractor.classify.facts.model import META_NAME, MODEL_NAME, load
from extractor.training.facts import train
from tests.helpers import ANNOTATIONS, needs_shared


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    """One training run on the shipped annotations, shared by the tests that read its metrics."""
    out = tmp_path_factory.mktemp("facts")
    return train(ANNOTATIONS, out, seed=0), out


@needs_shared
def test_training_runs_and_reports_grouped_cv(trained: tuple[dict, Path]) -> None:
    metrics, out = trained
    assert "grouped" in metrics["cv"]
    # issue 12: measured 0.912 (CV on development) and 0.870 (held-out), metric and value
    assert metrics["cv_model"]["loose"]["overall"]["f1"] >= 0.90
    assert metrics["held_out_model"]["loose"]["overall"]["f1"] >= 0.86
    assert metrics["test"] >= 39 and metrics["development"] >= 78
    assert (out / MODEL_NAME).exists() and (out / META_NAME).exists()
    model, st = load(out)
    assert st.ok, st.message


@needs_shared
@pytest.mark.xfail(strict=True, reason=(
    "issue 13's PDF annotations (ha2024, hz2024) mark restated table-4 counts (尚未审结N件), gazette issues "
    "(公报N期) and meeting issues (常务会议N期) as `other`; held out, the facts model tags them (probability "
    "< 0.1, still listed as facts). The tagger is issue 12's (narrative/)."))
def test_the_cv_model_tags_no_distractor(trained: tuple[dict, Path]) -> None:
    metrics, _ = trained
    assert metrics["cv_model"]["distractors_tagged"] == []


def test_training_on_the_bundled_samples_alone_reports_grouped_cv(tmp_path: Path) -> None:
    """What a fresh clone trains on when no annotation has its text (issue 10): the samples, with the same CV."""
    (tmp_path / "annotations" / "reports").mkdir(parents=True)
    metrics = train(tmp_path / "annotations", tmp_path / "m", seed=0)
    meta = json.loads((tmp_path / "m" / META_NAME).read_text(encoding="utf-8"))
    assert meta["samples"] == "no annotated texts"
    assert {d["kind"] for d in meta["documents"]} == {"sample"} and metrics["documents"] == len(meta["documents"])
    assert "grouped" in metrics["cv"]
    assert metrics["cv_model"]["strict"]["overall"]["f1"] >= 0.9
    assert metrics["cv_model"]["loose"]["overall"]["f1"] >= 0.95
    assert metrics["cv_model"]["distractors_tagged"] == []
    model, st = load(tmp_path / "m")
    assert st.ok, st.message
