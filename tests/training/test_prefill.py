"""`extractor annotate`: an annotation pre-filled from the current extraction passes check-data."""
from __future__ import annotations

import hashlib
import json

from typer.testing import CliRunner

from extractor.training import check as C
from extractor.cli import app
from tests.helpers import ROOT, needs_shared, report_annotations, text_path


runner = CliRunner()


# ---------------------------------------------------------------- pre-annotation
@needs_shared
def test_annotate_prefills_a_valid_annotation(tmp_path):
    ann = next(a for a in report_annotations() if a["id"].startswith("seed_001"))
    src = text_path(ann)
    out = tmp_path / "annotations" / "reports" / f"{ann['id']}.json"
    res = runner.invoke(app, ["annotate", str(src), "--out", str(out)])
    assert res.exit_code == 0, res.output
    pre = json.loads(out.read_text(encoding="utf-8"))
    assert pre["tables"] == ann["tables"]  # the extraction reads this report right
    assert pre["text"]["sha256"] == ann["text"]["sha256"]
    assert [(f["span"], f["label"]) for f in pre["fragments"]] == [(f["span"], f["label"]) for f in ann["fragments"]]
    assert pre["facts"], "facts pre-filled from the record"
    pr = C.check_data(tmp_path / "annotations")
    assert pr.errors == [], pr.errors


def test_annotate_prefills_a_valid_annotation_of_a_bundled_sample(tmp_path):
    """The same on what a fresh clone holds: a clean bundled sample, read right, so the tables are its gold."""
    src = ROOT / "samples" / "sample_00.txt"
    gold = json.loads((ROOT / "samples" / "sample_00.gold.json").read_text(encoding="utf-8"))
    out = tmp_path / "annotations" / "reports" / "sample_00.json"
    res = runner.invoke(app, ["annotate", str(src), "--out", str(out)])
    assert res.exit_code == 0, res.output
    pre = json.loads(out.read_text(encoding="utf-8"))
    assert pre["tables"] == {t: gold[t] for t in ("table2", "table3", "table4")}
    assert pre["text"]["sha256"] == hashlib.sha256(src.read_bytes()).hexdigest()
    assert {f["label"] for f in pre["fragments"]} >= {"table2.rules", "table3.new", "table4.review", "header"}
    assert pre["facts"], "facts pre-filled from the record"
    pr = C.check_data(tmp_path / "annotations")
    assert pr.errors == [], pr.errors
