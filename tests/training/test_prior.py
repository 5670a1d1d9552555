"""Learning the table-2 prior (extractor/training/prior.py): from gold tables alone, without its own guesses."""
from __future__ import annotations

import hashlib
import json

from typer.testing import CliRunner

from extractor.classify.prior import META_NAME, MODEL_NAME, load
from extractor.cli import app
from extractor.training import prior as P
from extractor.training.annotations import load_annotations
from tests.helpers import ANNOTATIONS, ROOT


def test_the_shipped_prior_is_these_annotations_learned_again(tmp_path):
    meta = P.train(ANNOTATIONS, tmp_path)
    shipped = json.loads((ROOT / "models" / META_NAME).read_text(encoding="utf-8"))
    assert meta == shipped, "annotations changed since the prior was learned: run `extractor train` and commit models/"
    assert (tmp_path / MODEL_NAME).read_bytes() == (ROOT / "models" / MODEL_NAME).read_bytes()


def test_rows_resting_on_plausibility_or_a_chain_are_not_learned():
    anns = load_annotations(ANNOTATIONS, with_text=False)
    ann = anns[0]
    ann.data = json.loads(json.dumps(ann.data))
    ann.data["tables"]["table2"]["normative_docs"] = {"issued": 3, "repealed": 1, "in_force": 40}
    used = {i for i, _ in P.row_examples([ann])["normative_docs"]}
    assert used == {ann.id}
    ann.data["uncertain"] = ["table2.normative_docs.in_force"]
    assert P.row_examples([ann])["normative_docs"] == []


def test_a_corpus_of_zero_rows_still_gives_a_proper_density(tmp_path):
    fitted = P.fit([[0.0, 0.0, 0.0]] * 5)
    assert fitted["mean"] == [0.0, 0.0, 0.0] and fitted["cov"][0][0] == P.SHRINK / (5 + P.SHRINK)
    data = {"format": 1, "columns": ["issued", "repealed", "in_force"], "rows": {"rules": fitted}}
    (tmp_path / MODEL_NAME).write_text(json.dumps(data), encoding="utf-8")
    sha = hashlib.sha256((tmp_path / MODEL_NAME).read_bytes()).hexdigest()
    (tmp_path / META_NAME).write_text(json.dumps({"sha256": sha}), encoding="utf-8")
    prior, st = load(tmp_path)
    assert st.ok, st.message
    zero = {"issued": 0, "repealed": 0, "in_force": 0}
    assert prior.score("rules", zero) > prior.score("rules", {"issued": 0, "repealed": 0, "in_force": 3})


def test_extractor_train_learns_the_prior_alone(tmp_path):
    res = CliRunner().invoke(app, ["train", "--annotations", str(ANNOTATIONS), "--out", str(tmp_path), "--which", "prior"])
    assert res.exit_code == 0, res.output
    meta = json.loads((tmp_path / META_NAME).read_text(encoding="utf-8"))
    assert f"gold rows of {meta['documents_used']} annotated reports" in res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([META_NAME, MODEL_NAME])
