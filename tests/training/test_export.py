"""The runtime arrays are the training artefact's numbers: same probabilities bit for bit, no scikit-learn to extract."""
from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys

import numpy as np
import pytest

from extractor.classify.facts.features import features_at, live
from extractor.classify.facts.model import load as load_facts
from extractor.classify.modelfile import ModelError, save_arrays, sha256_file
from extractor.classify.rows.model import load as load_rows
from extractor.narrative.tag import analyse
from extractor.training import export
from extractor.training.damage import damage
from extractor.training.samples import bundled_samples
from extractor.training.train import examples
from extractor.training.trainset import load_samples
from tests.helpers import ROOT

MODELS = ROOT / "models"


@pytest.fixture(scope="module")
def samples():
    return bundled_samples(load_samples(ROOT / "samples"))


def test_row_probabilities_are_scikit_learns_bit_for_bit(samples):
    artefact = export.load_skops(MODELS, "tables")
    runtime, st = load_rows(MODELS)
    assert runtime is not None, st.message
    feats = [f for s in samples[:4] for f in examples(damage(s, random.Random(3)))[0]]
    assert len(feats) > 200
    want = artefact["classifier"].predict_proba(artefact["vectorizer"].transform(feats))
    got = runtime.proba(feats)
    classes = [str(c) for c in artefact["classifier"].classes_]
    assert all(row[c] == want[i][k] for i, row in enumerate(got) for k, c in enumerate(classes))


def test_fact_probabilities_are_scikit_learns_bit_for_bit(samples):
    artefact = export.load_skops(MODELS, "facts")
    runtime, st = load_facts(MODELS)
    assert runtime is not None, st.message
    feats = []
    for s in samples:
        _, qs = analyse(s.text)
        feats += [features_at(qs, i) for i, q in enumerate(qs) if live(q)]
    assert len(feats) > 50
    assert np.array_equal(runtime.predict_proba(feats), artefact.predict_proba(feats))


def test_the_arrays_file_is_the_same_bytes_for_the_same_arrays(tmp_path):
    arrays = {"features": np.array(["a", "长名字"]), "coef": np.arange(6.0).reshape(3, 2)}
    assert save_arrays(tmp_path / "a.npz", arrays) == save_arrays(tmp_path / "b.npz", dict(reversed(arrays.items())))
    with np.load(tmp_path / "a.npz", allow_pickle=False) as z:
        assert list(z["features"]) == ["a", "长名字"] and z["coef"][2, 1] == 5.0


def test_a_skops_artefact_asking_for_untrusted_types_is_refused(tmp_path):
    import skops.io as sio
    from sklearn.preprocessing import FunctionTransformer

    for name in ("tables.skops", "tables.meta.json"):
        shutil.copy(MODELS / name, tmp_path / name)
    sio.dump({"vectorizer": FunctionTransformer(func=os.system), "classifier": None}, str(tmp_path / "tables.skops"))
    meta = json.loads((tmp_path / "tables.meta.json").read_text(encoding="utf-8"))
    meta["sha256"] = sha256_file(tmp_path / "tables.skops")  # a consistent but hostile pair
    (tmp_path / "tables.meta.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match="untrusted"):
        export.load_skops(tmp_path, "tables")


def test_a_skops_artefact_of_another_scikit_learn_is_refused(tmp_path):
    for name in ("facts.skops", "facts.meta.json"):
        shutil.copy(MODELS / name, tmp_path / name)
    meta = json.loads((tmp_path / "facts.meta.json").read_text(encoding="utf-8"))
    meta["libraries"]["scikit-learn"] = "0.24.2"
    (tmp_path / "facts.meta.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match="scikit-learn 0.24.2"):
        export.load_skops(tmp_path, "facts")


def test_an_estimator_of_another_shape_has_no_arrays():
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    binary = make_pipeline(DictVectorizer(), LogisticRegression()).fit([{"a": 1.0}, {"b": 1.0}], ["x", "y"])
    with pytest.raises(ModelError, match="multinomial"):
        export.facts_arrays(binary)


def test_extracting_imports_neither_scikit_learn_nor_skops():
    """The cold start (issue 14): a report is read with the shipped models and nothing of the training side."""
    code = ("import sys, extractor; extractor.extract_file(sys.argv[1]); "
            "print(sorted(m for m in ('sklearn', 'skops') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, str(ROOT / "samples" / "sample_05.txt")], cwd=ROOT,
                         capture_output=True, text=True, timeout=300, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_a_fold_trained_without_a_rare_class_gives_it_nothing_as_scikit_learn_does():
    """Found by the retrain notebook's small training set: calibration folds grouped by report can miss a
    label; scikit-learn then gives that fold probability 0 for it, and so must the arrays."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    from extractor.classify.rows.model import RowClassifier

    rng = random.Random(1)
    feats = [{"x": rng.random(), "y": rng.random(), f"k{i % 4}": 1.0} for i in range(120)]
    labels = [["a", "b", "c"][i % 3] for i in range(120)]
    groups = [i // 40 for i in range(120)]
    labels[0] = labels[1] = "rare"  # in group 0 alone: the fold trained on groups 1 and 2 never sees it
    vec = DictVectorizer(sort=True)
    X = vec.fit_transform(feats)
    splits = list(GroupKFold(n_splits=3).split(X, labels, groups))
    clf = CalibratedClassifierCV(LogisticRegression(max_iter=500), method="sigmoid", cv=splits).fit(X, labels)
    assert any(len(f.estimator.classes_) < len(clf.classes_) for f in clf.calibrated_classifiers_)
    m = RowClassifier.from_arrays(export.rows_arrays(vec, clf))
    want = clf.predict_proba(X)
    got = m.proba(feats)
    assert all(row[str(c)] == want[i][k] for i, row in enumerate(got) for k, c in enumerate(clf.classes_))
