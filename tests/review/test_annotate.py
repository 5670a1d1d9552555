"""A reviewed record as an annotation (extractor.review.annotate): check-data accepts it, the trainers read it."""
from __future__ import annotations

import copy
import hashlib
import json

from typer.testing import CliRunner

from extractor.cli import app
from extractor.review.annotate import check_annotations, save_annotation, to_annotation, used_by_training
from extractor.review.decisions import apply_correction, refresh, reject_fact
from extractor.training.facts import documents
from extractor.training.gold import gold_cells
from tests.review.case import GLUED_RUN


def test_an_unsettled_failing_identity_is_saved_with_a_to_do(case, tmp_path):
    path, _, rec, _ = case
    bad = copy.deepcopy(rec)
    bad["tables"]["table3"]["new"]["natural_person"]["value"] += 1
    bad["tables"]["table3"]["new"]["natural_person"]["confidence"] = 0.6  # read in doubt
    ann = to_annotation(refresh(bad), path)
    assert ann["agency_error"] is True  # check-data demands it while an identity fails
    assert any(x.startswith("identity table3.row_total.new fails") for x in ann["review"])
    save_annotation(ann, tmp_path / "annotations")
    assert check_annotations(tmp_path / "annotations")["ok"]
    # The person fixes the cell: the identity holds, no agency error, no to-do about it.
    good = apply_correction(refresh(bad), "table3", "new", "natural_person",
                            rec["tables"]["table3"]["new"]["natural_person"]["value"])
    ann = to_annotation(good, path)
    assert ann["agency_error"] is False and not any("identity" in x for x in ann.get("review", []))


def test_a_correction_produces_an_annotation_check_data_accepts(case, tmp_path):
    path, text, rec, gold = case
    fixed = rec
    for col, v in GLUED_RUN.items():
        fixed = apply_correction(fixed, "table2", "normative_docs", col, v)
    fixed = reject_fact(fixed, 1)
    ann = to_annotation(fixed, path)
    assert ann["id"] == path.stem
    assert ann["text"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert ann["tables"]["table2"]["normative_docs"] == GLUED_RUN
    # Every gold cell of the report is what the annotation says: the person fixed the only wrong ones.
    mine = {(t, r, c): v for t, r, c, v in gold_cells(ann["tables"])}
    assert mine == {(t, r, c): v for t, r, c, v in gold_cells(gold)}
    assert ann["facts"][1]["metric"] == "other" and "rejected" in ann["facts"][1]["note"]
    assert ann["agency_error"] is False
    assert ann["fragments"] and all(text[f["span"][0]:f["span"][1]] == f["text"] for f in ann["fragments"])
    assert "table2.normative_docs.issued 12→1" in ann["notes"]
    saved = save_annotation(ann, tmp_path / "annotations")
    assert saved == tmp_path / "annotations" / "reports" / f"{path.stem}.json"
    verdict = check_annotations(tmp_path / "annotations")
    assert verdict["ok"], verdict["errors"]
    assert verdict["checked"] == 1 and not [w for w in verdict["warnings"] if "unknown key" in w]
    # The CLI agrees.
    res = CliRunner().invoke(app, ["check-data", "--annotations", str(tmp_path / "annotations")])
    assert res.exit_code == 0, res.output
    assert "1 annotation(s), 0 error(s)" in res.output


def test_to_annotation_round_trips(case, tmp_path):
    path, _, rec, _ = case
    fixed = apply_correction(rec, "table2", "normative_docs", "issued", 12)
    ann = to_annotation(fixed, path)
    saved = save_annotation(ann, tmp_path / "annotations")
    back = json.loads(saved.read_text(encoding="utf-8"))
    # Everything but the text path (re-based for where it was saved) comes back as written.
    assert {k: v for k, v in back.items() if k != "text"} == {k: v for k, v in ann.items() if k != "text"}
    assert back["text"]["sha256"] == ann["text"]["sha256"]
    assert (tmp_path / back["text"]["path"]).resolve() == path.resolve()
    # The saved annotation is the record's reading plus the person's decision, cell by cell.
    for t, r, c, v in gold_cells(back["tables"]):
        assert v == fixed["tables"][t][r][c]["value"], f"{t}.{r}.{c}"
    # And it loads as training data for the facts model (hash over the facts it carries).
    docs = documents(tmp_path / "annotations")
    assert [d.id for d in docs] == [path.stem] and docs[0].data["facts"] == back["facts"]
    assert used_by_training(tmp_path / "annotations", path.stem) == {"facts": True, "tables": True}
    # Review still to do is listed in the format's own `review` key.
    assert any("table2.normative_docs.repealed" in x for x in back["review"])
    assert "facts_complete" not in back  # settling the facts found says nothing of facts missed
