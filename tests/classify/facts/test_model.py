"""The facts model: loaded verified, used; anything damaged or foreign leaves the rules, said plainly."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from extractor import narrative
from extractor.classify.facts.model import ARRAYS_NAME, META_NAME, load
from extractor.confidence import REVIEW_BELOW
from tests.helpers import ROOT


@pytest.fixture()
def model_copy(tmp_path: Path) -> Path:
    src = ROOT / "models"
    if not (src / ARRAYS_NAME).exists():
        pytest.skip("no trained facts model in models/")
    for name in (ARRAYS_NAME, META_NAME):
        shutil.copy(src / name, tmp_path / name)
    return tmp_path


def test_model_loads_and_is_used(model_copy: Path) -> None:
    model, st = load(model_copy)
    assert st.ok and model is not None
    facts = narrative.read("全年召开新闻发布会3场。", facts_model=model).facts
    assert [f.metric for f in facts] == ["press_conferences"] and facts[0].confidence >= REVIEW_BELOW
    meta = json.loads((model_copy / META_NAME).read_text(encoding="utf-8"))
    assert {"sha256", "arrays", "annotations_sha256", "labels", "libraries", "metrics"} <= set(meta)


def test_tampered_model_falls_back_to_rules(model_copy: Path) -> None:
    p = model_copy / ARRAYS_NAME
    data = bytearray(p.read_bytes())
    data[len(data) // 2] ^= 0xFF
    p.write_bytes(bytes(data))
    model, st = load(model_copy)
    assert model is None and st.ok is False and "rules" in st.message and "tampered" in st.message
    facts = narrative.read("全年召开新闻发布会3场，发布政策解读5篇。", facts_model=model).facts
    assert [f.metric for f in facts] == ["press_conferences", "interpretations"]
    assert all(f.confidence < REVIEW_BELOW for f in facts)  # rules alone: a person looks


def test_arrays_of_another_shape_are_refused(model_copy: Path) -> None:
    import numpy as np

    from extractor.classify.modelfile import save_arrays

    with np.load(model_copy / ARRAYS_NAME) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["coef"] = arrays["coef"][:, :-1]
    meta_p = model_copy / META_NAME
    meta = json.loads(meta_p.read_text(encoding="utf-8"))
    meta["arrays"]["sha256"] = save_arrays(model_copy / ARRAYS_NAME, arrays)  # a consistent but foreign pair
    meta_p.write_text(json.dumps(meta), encoding="utf-8")
    model, st = load(model_copy)
    assert model is None and st.ok is False and "do not fit" in st.message and "rules" in st.message


def test_missing_model_falls_back_to_rules(tmp_path: Path) -> None:
    model, st = load(tmp_path)
    assert model is None and st.ok is False and "not found" in st.message
    (f,) = narrative.read("召开新闻发布会3场。", facts_model=model).facts
    assert f.metric == "press_conferences" and f.confidence < REVIEW_BELOW


def test_the_rules_label_is_kept_unless_the_model_is_sure_of_another() -> None:
    from extractor.classify.facts.model import Decision, FactsModel

    m = FactsModel(None, ["other", "posts", "press_conferences"], Decision(keep_at=0.8, add_at=0.9))
    assert m.label("posts", [0.7, 0.3, 0.0]) == "posts"           # not sure enough to veto
    assert m.label("posts", [0.85, 0.15, 0.0]) == "other"         # sure: vetoed
    assert m.label("other", [0.2, 0.0, 0.8]) == "other"           # not sure enough to add
    assert m.label("other", [0.05, 0.0, 0.95]) == "press_conferences"


def test_confidence_follows_the_calibration_steps() -> None:
    from extractor.classify.facts.model import Decision

    d = Decision(calibration=((0.0, 0.3), (0.5, 0.7), (0.99, 0.98)))
    assert d.confidence(0.2) == 0.3 and d.confidence(0.95) == 0.7 and d.confidence(0.995) == 0.98
    assert Decision().confidence(0.42) == 0.42


def test_the_shipped_decision_is_read_from_the_meta(model_copy: Path) -> None:
    meta = json.loads((model_copy / META_NAME).read_text(encoding="utf-8"))
    model, st = load(model_copy)
    assert st.ok and model.decision.keep_at == meta["decision"]["keep_at"]
    assert [list(s) for s in model.decision.calibration] == meta["decision"]["calibration"]
