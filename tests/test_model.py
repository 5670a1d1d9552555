"""The table-row classifier: shipped, reproducible, useful on held-out reports, safe to load."""
from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest

from extractor import model as M
from extractor import train as T
from extractor.annotations import annotations_sha256, load_annotations
from extractor.evaluate import Score, read
from extractor.pipeline import extract
from tests.conftest import ANNOTATIONS, ROOT, needs_shared

MODELS = ROOT / "models"


@pytest.fixture(scope="module")
def shipped() -> M.TablesModel:
    m, st = M.load(MODELS)
    assert m is not None, st["message"]
    return m


@pytest.fixture(scope="module")
def real() -> dict[str, T.Sample]:
    return {s.id: s for s in T.real_samples(load_annotations(ANNOTATIONS))}


@pytest.fixture
def restore_model():
    yield
    M.reload()


def test_the_shipped_model_loads_and_is_the_default(shipped):
    assert M.status() == {"ok": True, "message": "tables model loaded"}
    meta = json.loads((MODELS / M.META_NAME).read_text(encoding="utf-8"))
    assert meta["labels"] == list(M.label_names())
    assert meta["features"] == [name for name, _, _ in M.FEATURES]
    assert set(shipped.classes) <= set(M.label_names())
    assert {"scikit-learn", "skops", "numpy"} <= set(meta["libraries"])
    assert (MODELS / "MODEL_CARD.md").read_text(encoding="utf-8").count("silent") >= 1


def test_the_model_file_holds_only_trusted_types():
    import skops.io as sio

    assert set(sio.get_untrusted_types(file=str(MODELS / M.MODEL_NAME))) <= M.TRUSTED_TYPES


@needs_shared
def test_the_shipped_model_was_trained_on_these_annotations():
    meta = json.loads((MODELS / M.META_NAME).read_text(encoding="utf-8"))
    anns = [a for a in load_annotations(ANNOTATIONS) if a.text is not None]
    assert meta["annotations_sha256"] == annotations_sha256(anns), \
        "annotations changed since the model was trained: run `extractor train`"


@needs_shared
def test_retraining_reproduces_the_shipped_model(tmp_path, shipped):
    meta = json.loads((MODELS / M.META_NAME).read_text(encoding="utf-8"))
    cfg = T.TrainConfig(**meta["config"])
    new = T.train(ANNOTATIONS, tmp_path, cfg, log=lambda *_: None)
    assert new["data"]["sha256"] == meta["data"].get("sha256"), (
        "the training data changed since models/ was trained (annotations, or the extraction core that labels "
        "generated reports): run `extractor train --cv` and commit models/")
    for key in ("train", "fresh_generated"):
        assert new["metrics"][key] == meta["metrics"][key], key
    assert new["data"] == meta["data"]
    assert new["classes"] == meta["classes"]
    m2, st = M.load(tmp_path)
    assert m2 is not None, st["message"]
    s = T.real_samples(load_annotations(ANNOTATIONS))[0]
    X, _, _ = T.examples(T.damage(s, random.Random(5)))
    p1, p2 = shipped.proba(X), m2.proba(X)
    assert all(abs(a[k] - b[k]) < 1e-9 for a, b in zip(p1, p2) for k in a)


@needs_shared
def test_a_held_out_report_is_read_at_least_as_well_with_the_classifier(real):
    held = "seed_001_22879b8c46a5464c"
    cfg = T.TrainConfig(damaged_per_report=4, generated=12, damaged_per_generated=1)
    train = T.with_damage([s for k, s in real.items() if k != held], cfg.damaged_per_report, cfg.seed)
    train += T.with_damage(T.generated_samples(cfg.generated, cfg.seed), 1, cfg.seed + 1)
    m = T.fit(T.dataset(train), cfg)
    s = real[held]
    tests = [s] + [T.damage(s, random.Random(T._seed_of("heldout", i)), idx=i) for i in range(12)]
    with_m, without = Score(), Score()
    for t in tests:
        with_m.add(t.id, read(t, m), t.gold)
        without.add(t.id, read(t, None), t.gold)
    assert with_m.right >= without.right
    assert with_m.silent == 0
    assert with_m.summary()["accuracy"] >= 0.99
    # the undamaged report is read entirely right either way
    orig = Score()
    orig.add(s.id, read(s, m), s.gold)
    assert orig.right == orig.cells


@needs_shared
def test_the_classifier_anchors_a_reworded_row(shipped, real):
    s = real["seed_001_22879b8c46a5464c"]
    text = s.text.replace("本机关不掌握相关政府信息", "本机关未掌控有关的政府信息")
    assert "不掌握" not in text
    with M.use(shipped), M.capture() as cap:
        rec = extract(text).to_dict()
    anchors = {a[0]: a for c in cap.calls for a in c["anchors"]}
    assert anchors["unable_no_info"][3] == "model"
    cells = rec["tables"]["table3"]["unable_no_info"]
    assert [cells[c]["value"] for c in cells] == s.gold["table3"]["unable_no_info"]


@needs_shared
def test_the_classifier_drops_an_exact_match_in_a_note_after_the_table(shipped, real):
    # A label word in a note after table 2 must not take the rows before it (seed_004 has such a note).
    s = real["seed_004_62e0130d97e2d5ba"]
    assert "行政规范性文件清理" in s.text
    text = s.text.replace("\t行政规范性文件\n", "\t行政规范文理\n", 1)
    with M.use(shipped):
        rec = extract(text).to_dict()
    t2 = rec["tables"]["table2"]
    assert t2["licensing"]["decisions"]["value"] == s.gold["table2"]["licensing"]
    assert t2["punishment"]["decisions"]["value"] == s.gold["table2"]["punishment"]
    assert [t2["normative_docs"][c]["value"] for c in ("issued", "repealed", "in_force")] == \
        [s.gold["table2"]["normative_docs"][c] for c in ("issued", "repealed", "in_force")]


# ---------------------------------------------------------------- loading safely
def _copy_models(dst: Path) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    for name in (M.MODEL_NAME, M.META_NAME):
        shutil.copy(MODELS / name, dst / name)
    return dst


def test_a_tampered_model_file_is_refused(tmp_path):
    d = _copy_models(tmp_path / "m")
    data = bytearray((d / M.MODEL_NAME).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (d / M.MODEL_NAME).write_bytes(bytes(data))
    m, st = M.load(d)
    assert m is None and not st["ok"]
    assert "sha256" in st["message"] and "fuzzy" in st["message"]


def test_a_model_asking_for_untrusted_types_is_refused_even_with_a_matching_hash(tmp_path):
    import os

    import skops.io as sio
    from sklearn.preprocessing import FunctionTransformer

    d = _copy_models(tmp_path / "m")
    sio.dump({"vectorizer": FunctionTransformer(func=os.system), "classifier": None}, str(d / M.MODEL_NAME))
    meta = json.loads((d / M.META_NAME).read_text(encoding="utf-8"))
    meta["sha256"] = M.sha256_file(d / M.MODEL_NAME)
    (d / M.META_NAME).write_text(json.dumps(meta), encoding="utf-8")
    m, st = M.load(d)
    assert m is None and "untrusted" in st["message"]


@pytest.mark.parametrize("change, expect", [
    (lambda meta: meta["labels"].append("table3.made_up"), "other labels"),
    (lambda meta: meta["libraries"].update({"scikit-learn": "0.24.2"}), "scikit-learn 0.24.2"),
    (lambda meta: meta.update(features_version=-1), "feature version"),
])
def test_a_meta_that_does_not_fit_this_code_is_a_clear_error(tmp_path, change, expect):
    d = _copy_models(tmp_path / "m")
    meta = json.loads((d / M.META_NAME).read_text(encoding="utf-8"))
    change(meta)
    (d / M.META_NAME).write_text(json.dumps(meta), encoding="utf-8")
    m, st = M.load(d)
    assert m is None and expect in st["message"] and "retrain" in st["message"]


def test_a_missing_model_leaves_fuzzy_matching(tmp_path):
    m, st = M.load(tmp_path / "empty")
    assert m is None and "not found" in st["message"]


@needs_shared
def test_extraction_survives_a_damaged_model_with_an_issue(tmp_path, monkeypatch, restore_model, real):
    d = _copy_models(tmp_path / "m")
    (d / M.MODEL_NAME).write_bytes((d / M.MODEL_NAME).read_bytes()[:1000])
    monkeypatch.setenv("EXTRACTOR_MODELS", str(d))
    st = M.reload()
    assert st["ok"] is False and M.current() is None
    s = real["seed_001_22879b8c46a5464c"]
    rec = extract(s.text.replace("本机关不掌握相关政府信息", "本机关未掌控有关的政府信息")).to_dict()
    assert rec["error"] is None
    assert rec["tables"]["table3"]["new"]["total"]["value"] == s.gold["table3"]["new"][-1]
    codes = [i["code"] for i in rec["issues"]]
    assert "model.tables_unavailable" in codes, codes


# ---------------------------------------------------------------- confidence
def test_anchor_confidence_levels():
    from extractor.layout import FUZZY_MIN, Anchor

    assert M.anchor_confidence(Anchor("new", 0, 4, "exact")) == 1.0
    assert M.anchor_confidence(Anchor("new", 0, 4, "model", 73.0)) == pytest.approx(0.73)
    low = M.anchor_confidence(Anchor("new", 0, 4, "fuzzy", FUZZY_MIN))
    high = M.anchor_confidence(Anchor("new", 0, 4, "fuzzy", 100.0))
    assert low == pytest.approx(M.FUZZY_FLOOR) and high < 0.9 and low < high


def test_segmenting_glued_text_isolates_labels():
    text = "第二十条第(一)项信息内容本年制发件数本年废止件数现行有效件数规章000行政规范性文件808第二十条第(五)项"
    frags = M.segment(text, "table2", 0, len(text))
    assert [f.text for f in frags if not f.furniture] == ["规章", "行政规范性文件"]
    t3 = "(三)不予公开1.属于国家秘密00000002.其他法律行政法规禁止公开0000000"
    fr = M.segment(t3, "table3", 0, len(t3))
    assert [(f.text, f.furniture, f.ordinal) for f in fr] == [
        ("(三)不予公开", "group", ""), (".属于国家秘密", "", "1"), (".其他法律行政法规禁止公开", "", "2")]
    assert fr[1].digits_after == 7 and fr[1].anchor_start() == t3.index("1.属于")
