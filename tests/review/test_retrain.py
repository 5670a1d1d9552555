"""Learning from the reviews (extractor.review.retrain): one training set, scores, calibration, comparison, shipping."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from extractor.confidence import REVIEW_BELOW
from extractor.review.annotate import check_annotations, save_annotation, to_annotation
from extractor.review.decisions import apply_correction
from extractor.review.retrain import (cell_calibration, diff_records, gather_annotations, label_scores, model_meta,
                                      plot_label_scores, replace_shipped_model)
from extractor.training.gold import compare
from tests.helpers import ANNOTATIONS, ROOT


def test_gather_annotations_makes_paths_absolute_and_later_dirs_win(case, tmp_path):
    path, _, rec, _ = case
    a, b = tmp_path / "a" / "annotations", tmp_path / "b" / "annotations"
    save_annotation(to_annotation(rec, path), a)
    save_annotation(to_annotation(apply_correction(rec, "table2", "normative_docs", "issued", 12), path), b)
    out = gather_annotations([a, b], tmp_path / "training")
    got = json.loads((out / "reports" / f"{path.stem}.json").read_text(encoding="utf-8"))
    assert Path(got["text"]["path"]).is_absolute() and Path(got["text"]["path"]).resolve() == path.resolve()
    assert got["tables"]["table2"]["normative_docs"]["issued"] == 12  # b's review overrides a's
    assert check_annotations(out)["ok"]
    few = gather_annotations([ANNOTATIONS, b], tmp_path / "few", limit=1, always=[path.stem])
    ids = sorted(p.stem for p in few.glob("*/*.json"))
    assert path.stem in ids and len(ids) <= 3


def test_cell_calibration_counts_wrong_cells_per_confidence(case):
    _, _, rec, gold = case
    cal = cell_calibration([rec], [gold])
    cmp = compare(rec, gold)
    assert cal["wrong"].sum() == len(cmp["wrong"]) > 0
    assert cal["cells"].sum() <= cmp["cells"]
    low = cal[cal["hi"] <= REVIEW_BELOW]
    assert low["wrong"].sum() == len(cmp["wrong"])  # every wrong cell sits below the review threshold
    high = cal[cal["lo"] >= 0.9]
    assert high["cells"].sum() > 0 and high["wrong"].sum() == 0
    assert list(cal.columns) == ["bin", "lo", "hi", "cells", "wrong", "error_rate"]
    assert cal["bin"].iloc[-1].endswith("1.00]")  # a person's 1.0 has a bin


def test_diff_records_names_the_cells_that_change(case):
    _, _, rec, _ = case
    new = apply_correction(rec, "table2", "normative_docs", "issued", 12)
    d = diff_records(rec, new)
    assert [x["key"] for x in d if x["kind"] == "cell"] == ["table2.normative_docs.issued"]
    assert diff_records(rec, rec) == []


def test_label_scores_and_plots(tmp_path):
    metas = model_meta(ROOT / "models")
    if "facts" not in metas:
        pytest.skip("no shipped facts model in models/")
    df = label_scores(metas, "shipped")
    assert {"overall", "posts"} <= set(df[df["family"] == "facts"]["label"])
    assert df["f1"].between(0, 1).all()
    png = plot_label_scores(df, tmp_path / "scores.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _model_pair(d: Path, content: bytes) -> None:
    d.mkdir(parents=True, exist_ok=True)
    (d / "facts.skops").write_bytes(content)
    (d / "facts.meta.json").write_text(json.dumps({"sha256": hashlib.sha256(content).hexdigest()}), encoding="utf-8")


def test_replace_shipped_model_only_when_confirmed(tmp_path):
    shipped, new = tmp_path / "shipped", tmp_path / "new"
    _model_pair(shipped, b"old model")
    _model_pair(new, b"new model")
    assert replace_shipped_model(new, False, shipped_dir=shipped) == []
    assert replace_shipped_model(new, "yes", shipped_dir=shipped) == []  # only True confirms
    assert (shipped / "facts.skops").read_bytes() == b"old model"
    copied = replace_shipped_model(new, True, shipped_dir=shipped)
    assert sorted(p.name for p in copied) == ["facts.meta.json", "facts.skops"]
    assert (shipped / "facts.skops").read_bytes() == b"new model"
    assert not list(shipped.glob(".*.new"))
    (new / "facts.skops").write_bytes(b"tampered")
    with pytest.raises(ValueError):
        replace_shipped_model(new, True, shipped_dir=shipped)
    assert (shipped / "facts.skops").read_bytes() == b"new model"
