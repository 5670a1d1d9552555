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
    # issue 12: measured 0.912 (CV on development) and 0.870 (held-out), metric and value; with the facts of the
    # 18 crawl reports in the annotations (harder prose: development 92, held-out 46 documents) 0.891 and 0.867
    assert metrics["cv_model"]["loose"]["overall"]["f1"] >= 0.88
    assert metrics["held_out_model"]["loose"]["overall"]["f1"] >= 0.86
    assert metrics["test"] >= 39 and metrics["development"] >= 78
    assert (out / MODEL_NAME).exists() and (out / META_NAME).exists()
    model, st = load(out)
    assert st.ok, st.message


@needs_shared
def test_the_cv_model_tags_no_distractor(trained: tuple[dict, Path]) -> None:
    """Held out in CV, no annotated distractor is tagged (it was, until the crawl reports' facts were annotated
    and an award title's round numeral, hb07's 百个…账号, became a distractor rule)."""
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
