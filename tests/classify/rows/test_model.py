"""The shipped row classifier: it loads from plain arrays, and anything damaged or foreign is refused plainly."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from extractor import classify
from extractor.classify.modelfile import save_arrays
from extractor.classify.rows.features import FEATURES
from extractor.classify.rows.fragments import label_names
from extractor.classify.rows.anchoring import ACCEPT
from extractor.classify.rows.model import ARRAYS_NAME, META_NAME, RowClassifier, load
from extractor.pipeline import extract
from tests.helpers import ROOT, needs_shared, report_annotations, read_text


MODELS = ROOT / "models"


@pytest.fixture(scope="module")
def shipped() -> RowClassifier:
    m, st = load(MODELS)
    assert m is not None, st.message
    return m


def test_the_shipped_model_loads_and_is_the_default(shipped):
    st = classify.load_models(MODELS).rows_status
    assert (st.ok, st.message) == (True, "tables model loaded")
    meta = json.loads((MODELS / META_NAME).read_text(encoding="utf-8"))
    assert meta["labels"] == list(label_names())
    assert meta["features"] == [name for name, _, _ in FEATURES]
    assert set(shipped.classes) <= set(label_names())
    assert {"scikit-learn", "skops", "numpy"} <= set(meta["libraries"])
    assert (MODELS / "MODEL_CARD.md").read_text(encoding="utf-8").count("silent") >= 1


def _copy_models(dst: Path) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    for name in (ARRAYS_NAME, META_NAME):
        shutil.copy(MODELS / name, dst / name)
    return dst


def test_a_tampered_model_file_is_refused(tmp_path):
    d = _copy_models(tmp_path / "m")
    data = bytearray((d / ARRAYS_NAME).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (d / ARRAYS_NAME).write_bytes(bytes(data))
    m, st = load(d)
    assert m is None and not st.ok
    assert "sha256" in st.message and "fuzzy" in st.message


def test_an_object_array_is_refused_even_with_a_matching_hash(tmp_path):
    """numpy would unpickle an object array (code could run): the loader reads with allow_pickle=False."""
    import numpy as np

    d = _copy_models(tmp_path / "m")
    with np.load(d / ARRAYS_NAME) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["classes"] = np.array([print, *arrays["classes"][1:]], dtype=object)
    meta = json.loads((d / META_NAME).read_text(encoding="utf-8"))
    np.savez(d / ARRAYS_NAME, **arrays)  # np.savez pickles the object array
    from extractor.classify.modelfile import sha256_file
    meta["arrays"]["sha256"] = sha256_file(d / ARRAYS_NAME)
    (d / META_NAME).write_text(json.dumps(meta), encoding="utf-8")
    m, st = load(d)
    assert m is None and "pickle" in st.message.lower()


def test_arrays_that_do_not_fit_together_are_refused(tmp_path):
    import numpy as np

    d = _copy_models(tmp_path / "m")
    with np.load(d / ARRAYS_NAME) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["a"] = arrays["a"][:, :-1]
    meta = json.loads((d / META_NAME).read_text(encoding="utf-8"))
    meta["arrays"]["sha256"] = save_arrays(d / ARRAYS_NAME, arrays)
    (d / META_NAME).write_text(json.dumps(meta), encoding="utf-8")
    m, st = load(d)
    assert m is None and "do not fit" in st.message and "fuzzy" in st.message


@pytest.mark.parametrize("change, expect", [
    (lambda meta: meta["labels"].append("table3.made_up"), "other labels"),
    (lambda meta: meta.update(features_version=-1), "feature version"),
])
def test_a_meta_that_does_not_fit_this_code_is_a_clear_error(tmp_path, change, expect):
    d = _copy_models(tmp_path / "m")
    meta = json.loads((d / META_NAME).read_text(encoding="utf-8"))
    change(meta)
    (d / META_NAME).write_text(json.dumps(meta), encoding="utf-8")
    m, st = load(d)
    assert m is None and expect in st.message and "retrain" in st.message


def test_a_missing_model_leaves_fuzzy_matching(tmp_path):
    m, st = load(tmp_path / "empty")
    assert m is None and "not found" in st.message


@needs_shared
def test_extraction_survives_a_damaged_model_with_an_issue(tmp_path):
    d = _copy_models(tmp_path / "m")
    (d / ARRAYS_NAME).write_bytes((d / ARRAYS_NAME).read_bytes()[:1000])
    models = classify.load_models(d)
    assert models.rows is None and models.rows_status.ok is False
    ann = next(a for a in report_annotations() if a["id"] == "seed_001_22879b8c46a5464c")
    text = read_text(ann)
    rec = extract(text.replace("本机关不掌握相关政府信息", "本机关未掌控有关的政府信息"), models=models).to_dict()
    assert rec["error"] is None
    assert rec["tables"]["table3"]["new"]["total"]["value"] == ann["tables"]["table3"]["new"][-1]
    codes = [i["code"] for i in rec["issues"]]
    assert "model.tables_unavailable" in codes, codes


def test_extraction_of_a_bundled_sample_survives_a_damaged_model_with_an_issue(tmp_path):
    """The same on what a fresh clone holds (issue 10): a bundled sample with a reworded row."""
    d = _copy_models(tmp_path / "m")
    (d / ARRAYS_NAME).write_bytes((d / ARRAYS_NAME).read_bytes()[:1000])
    models = classify.load_models(d)
    assert models.rows is None and models.rows_status.ok is False
    text = (ROOT / "samples" / "sample_00.txt").read_text(encoding="utf-8")
    gold = json.loads((ROOT / "samples" / "sample_00.gold.json").read_text(encoding="utf-8"))
    assert "本机关不掌握相关政府信息" in text
    rec = extract(text.replace("本机关不掌握相关政府信息", "本机关未掌控有关的政府信息"), models=models).to_dict()
    assert rec["error"] is None
    assert rec["tables"]["table3"]["new"]["total"]["value"] == gold["table3"]["new"][-1]
    codes = [i["code"] for i in rec["issues"]]
    assert "model.tables_unavailable" in codes, codes


def test_the_shipped_models_follow_extractor_models(tmp_path, monkeypatch):
    """$EXTRACTOR_MODELS points the pipeline's shipped models elsewhere (a worker, a notebook)."""
    d = _copy_models(tmp_path / "m")
    (d / ARRAYS_NAME).write_bytes((d / ARRAYS_NAME).read_bytes()[:1000])
    monkeypatch.setenv("EXTRACTOR_MODELS", str(d))
    classify.forget_shipped()
    try:
        rec = extract("二、主动公开政府信息情况\n规章\t1\t0\t3\n").to_dict()
        assert "model.tables_unavailable" in [i["code"] for i in rec["issues"]]
    finally:
        monkeypatch.delenv("EXTRACTOR_MODELS")
        classify.forget_shipped()
    assert classify.shipped().rows is not None


def test_span_probabilities_say_what_the_last_row_label_before_the_values_is(shipped):
    """Sequence decoding's label evidence (issue 11d).  pt012 rendered to PDF and flattened by pdfplumber: the
    first other-processing row's label wraps, the group label `(六)其他处理` stands on its values' line, the next
    two rows are blank.  The evidence is the last fragment the classifier accepts (p >= ACCEPT) as a row: not
    the group label (0.31 the 2019 template's single row under the model trained with converter fragments, which
    put the values on a blank row), nor the blank rows' labels before `(七)总计`."""
    text = ("| 1 | 0 | 0 | 0 | 0 | 0 | 1 |\n1.申请人无正当理由逾期不补正、行政\n(六)其他处理 0 0 0 0 0 0 0\n"
            "2.申请人逾期未按收费通知要求缴纳费用\n3.其他\n(七)总计 1 0 0 0 0 0 1\n")
    first, second = shipped.span_probabilities(text, "table3", [(30, 57), (71, 102)])
    assert set(first) == {"table3.other_overdue_correction"} and first["table3.other_overdue_correction"] >= ACCEPT
    assert set(second) == {"table3.total_processed"} and second["table3.total_processed"] >= ACCEPT
