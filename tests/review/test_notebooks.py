"""The review and retrain notebooks, executed headless from a fresh kernel on the bundled samples.

Every output goes to a temporary directory the test gives through the
notebooks' "parameters" cell: nothing is written into the repository.  The
review notebook runs the batch on samples/, opens the glued report with an
ambiguous table-2 run, applies a correction as if typed, and saves; the
annotation must pass `check-data` and change the next training run.  The
retrain notebook (quick size) must write its plots and the comparison, and
leave the shipped model alone while CONFIRM is False.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("jupytext")

from extractor.review.annotate import check_annotations  # noqa: E402
from extractor.review.notebooks import execute_notebook  # noqa: E402
from extractor.review.retrain import gather_annotations, model_meta  # noqa: E402
from extractor.training.gold import gold_cells  # noqa: E402
from extractor.training.run import train_models  # noqa: E402
from tests.helpers import ANNOTATIONS, HAVE_SHARED, ROOT  # noqa: E402

NOTEBOOKS = ROOT / "notebooks"
REPORT = "sample_09.txt"  # glued 2019-template report: table-2 runs with several readings
CELL = "table2.licensing.decisions"


def _gold_value(cell: str):
    gold = json.loads((ROOT / "samples" / REPORT.replace(".txt", ".gold.json")).read_text(encoding="utf-8"))
    t, r, c = cell.split(".")
    return next(v for tt, rr, cc, v in gold_cells(gold) if (tt, rr, cc) == (t, r, c))


def _tree_hash(d: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(d.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(d).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def _stdout(nb) -> str:
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
                   if o.get("output_type") == "stream")


@pytest.mark.parametrize("name", ["review", "retrain"])
def test_notebooks_are_committed_clean_and_paired(name):
    import jupytext

    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), "output cells committed"
    params = [c for c in nb.cells if "parameters" in (c.metadata.get("tags") or [])]
    assert len(params) == 1
    paired = jupytext.read(NOTEBOOKS / f"{name}.py")
    assert [c.source for c in paired.cells] == [c.source for c in nb.cells], f"{name}.py and .ipynb differ: run jupytext --sync"
    assert nb.metadata.get("jupytext", {}).get("formats") == "ipynb,py:percent"


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory):
    """The review notebook executed: (work dir, annotation dir, executed notebook)."""
    d = tmp_path_factory.mktemp("review_nb")
    ann = d / "annotations"
    nb = execute_notebook(NOTEBOOKS / "review.ipynb", {
        "WORK_DIR": d / "work", "ANNOTATION_DIR": ann, "REPORT": REPORT,
        "CORRECTIONS": [{"cell": CELL, "value": str(_gold_value(CELL))}], "SAVE": True,
    }, cwd=d, timeout=600, out_path=d / "review.out.ipynb")
    return d, ann, nb


def test_review_notebook_saves_an_annotation_check_data_accepts(reviewed):
    d, ann, nb = reviewed
    out = _stdout(nb)
    assert "check-data: ok" in out
    assert "read by the next training run: {'facts': True, 'tables': True}" in out
    saved = ann / "reports" / "sample_09.json"
    assert saved.exists()
    data = json.loads(saved.read_text(encoding="utf-8"))
    t, r, c = CELL.split(".")
    assert data["tables"][t][r] == _gold_value(CELL)  # the person's value, not the machine's reading
    assert f"{CELL} " in data["notes"]
    verdict = check_annotations(ann)
    assert verdict["ok"] and verdict["checked"] == 1, verdict["errors"]
    assert (d / "work" / "batch.jsonl").exists()  # the batch ran into the given directory
    html = "".join(o.get("data", {}).get("text/html", "") for cell in nb.cells if cell.cell_type == "code"
                   for o in cell.outputs)
    assert 'class="rv-src"' in html and "rv-v rv-low" in html  # the view, with doubtful cells marked
    assert "✎" in html  # the tables after the decision show the correction


def test_the_saved_annotation_changes_the_next_training_run(reviewed, tmp_path):
    """Beside ../shared the run reads the annotations' texts; in a fresh clone the bundled samples stand in
    for them, and the reviewed annotation of sample_09 replaces that sample's generated gold."""
    _, ann, _ = reviewed
    base = train_models(gather_annotations([ANNOTATIONS], tmp_path / "base", limit=2),
                        tmp_path / "base_model", which=("facts",))
    more = train_models(gather_annotations([ANNOTATIONS, ann], tmp_path / "more", limit=2, always=["sample_09"]),
                        tmp_path / "more_model", which=("facts",))
    base_docs, more_docs = base["facts_meta"]["documents"], more["facts_meta"]["documents"]
    review, stand_in = {"id": "sample_09", "kind": "report"}, {"id": "sample_09", "kind": "sample"}
    assert review not in base_docs
    assert review in more_docs and stand_in not in more_docs
    assert base["facts_meta"]["annotations_sha256"] != more["facts_meta"]["annotations_sha256"]

    def annotated(docs: list[dict]) -> int:
        return sum(d["kind"] != "sample" for d in docs)

    assert annotated(more_docs) == annotated(base_docs) + 1
    if HAVE_SHARED:  # every text here: no sample is trained on
        assert all(d["kind"] != "sample" for d in base_docs + more_docs)
        assert more["facts"]["documents"] == base["facts"]["documents"] + 1
    else:  # the samples stand in for the absent texts, the review replaces the one it reviewed
        assert stand_in in base_docs and base["facts_meta"]["texts_absent"]["count"] > 0
        assert more["facts"]["documents"] == base["facts"]["documents"]


def test_retrain_notebook_writes_plots_and_comparison_and_keeps_the_shipped_model(reviewed, tmp_path):
    _, ann, _ = reviewed
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    for p in (ROOT / "models").iterdir():
        if p.is_file():
            (shipped / p.name).write_bytes(p.read_bytes())
    before = _tree_hash(shipped)
    repo_models = _tree_hash(ROOT / "models")
    out = tmp_path / "retrain"
    nb = execute_notebook(NOTEBOOKS / "retrain.ipynb", {
        "OUT_DIR": out, "EXTRA_ANNOTATIONS": [ann], "LIMIT": 2, "QUICK": True, "SHIPPED_DIR": shipped,
        "MAX_SAMPLES": 4,
    }, cwd=tmp_path, timeout=600, out_path=tmp_path / "retrain.out.ipynb")
    for png in ("label_scores.png", "calibration.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", png
        assert (out / png).stat().st_size > 10_000
    cmp = json.loads((out / "comparison.json").read_text(encoding="utf-8"))
    assert len(cmp["reports"]) == 4
    assert {"path", "changes", "needs_review_old", "needs_review_new", "gold_right_old", "gold_right_new"} <= set(cmp["reports"][0])
    assert sum(r["changes"] for r in cmp["reports"]) == len(cmp["changes"])
    assert cmp["training_check"]["ok"]
    new_meta = model_meta(out / "model")
    assert {"id": "sample_09", "kind": "report"} in new_meta["facts"]["documents"]  # the review is in the training data
    assert cmp["training_hash"]["new"]["facts"] == new_meta["facts"]["annotations_sha256"]
    assert cmp["training_hash"]["new"]["facts"] != cmp["training_hash"]["shipped"].get("facts")
    if "tables" in new_meta:
        assert {"id": "sample_09", "kind": "report"} in new_meta["tables"]["documents"]
        assert new_meta["tables"]["metrics"].get("grouped_cv", {}).get("grouped_by") == "report"
    assert "not replaced (CONFIRM is False)" in _stdout(nb)
    assert _tree_hash(shipped) == before
    assert _tree_hash(ROOT / "models") == repo_models
