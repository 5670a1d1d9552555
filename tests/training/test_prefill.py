"""`extractor annotate`: an annotation pre-filled from the current extraction passes check-data."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from extractor.training import check as C
from extractor.cli import app
from tests.helpers import needs_shared, report_annotations, text_path


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
