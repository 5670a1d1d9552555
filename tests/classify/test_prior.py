"""The table-2 plausibility prior (extractor/classify/prior.py): plain numbers, verified, and it only ranks."""
from __future__ import annotations

import json
import shutil

import pytest

from extractor.classify.modelfile import ModelError
from extractor.classify.prior import META_NAME, MODEL_NAME, Table2Prior, build, load
from tests.helpers import ROOT

MODELS = ROOT / "models"


def _cells(issued, repealed, in_force) -> dict:
    return {"issued": issued, "repealed": repealed, "in_force": in_force}


def test_the_shipped_prior_loads_verified():
    prior, st = load(MODELS)
    assert isinstance(prior, Table2Prior) and st.ok and st.path.endswith(MODEL_NAME), st.message
    assert prior.documents > 0 and set(prior.rows) == {"rules", "normative_docs"}


def test_a_tampered_or_absent_prior_is_refused_with_the_fallback_named(tmp_path):
    for name in (MODEL_NAME, META_NAME):
        shutil.copy(MODELS / name, tmp_path / name)
    body = json.loads((tmp_path / MODEL_NAME).read_text(encoding="utf-8"))
    body["rows"]["normative_docs"]["mean"][2] += 1.0
    (tmp_path / MODEL_NAME).write_text(json.dumps(body), encoding="utf-8")
    prior, st = load(tmp_path)
    assert prior is None and "sha256" in st.message and "size rules" in st.message
    prior, st = load(tmp_path / "none")
    assert prior is None and "not found" in st.message


def test_the_prior_prefers_the_sizes_agencies_print():
    """pt001's run 693665 (gold 69 | 3 | 665): read 6 | 9 | 3665 by the size rule before the prior."""
    prior, _ = load(MODELS)
    gold, odd = _cells(69, 3, 665), _cells(6, 9, 3665)
    assert prior.score("normative_docs", gold) > prior.score("normative_docs", odd)
    # a row the prior does not cover, or an older-template row without repealed, gets no opinion
    assert prior.score("licensing", {"decisions": 3}) is None
    assert prior.score("normative_docs", _cells(16, None, 16)) is None


def test_a_prior_of_another_format_is_refused():
    data = {"format": 99, "columns": ["issued", "repealed", "in_force"], "rows": {}}
    with pytest.raises(ModelError, match="another format"):
        build(data, {})
