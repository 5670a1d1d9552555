"""Label Studio round trip on a bundled sample: export, a reviewer's edits, import as an annotation check-data accepts."""
from __future__ import annotations

import copy
import json

import pytest

import extractor
from extractor.review.annotate import check_annotations
from extractor.review.labelstudio import export_tasks, import_tasks, label_config
from tests.helpers import ROOT

SAMPLE = ROOT / "samples" / "sample_00.txt"


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    d = tmp_path_factory.mktemp("ls")
    rec = extractor.extract_file(SAMPLE).to_dict()
    assert export_tasks([rec], d / "tasks.json") == 1
    return d, rec, json.loads((d / "tasks.json").read_text(encoding="utf-8"))


def _review(d, tasks, edit) -> dict:
    tasks = copy.deepcopy(tasks)
    result = copy.deepcopy(tasks[0]["predictions"][0]["result"])
    tasks[0]["annotations"] = [{"result": edit(result)}]
    (d / "done.json").write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    out = d / "ann"
    (files,) = [import_tasks(d / "done.json", out)]
    assert check_annotations(out)["ok"], check_annotations(out)["errors"]
    return json.loads(files[0].read_text(encoding="utf-8"))


def test_export_pre_annotates_cells_and_facts_least_certain_first(exported):
    _, rec, tasks = exported
    result = tasks[0]["predictions"][0]["result"]
    scores = [r["score"] for r in result if r["type"] == "labels"]
    assert scores == sorted(scores)
    labels = {r["value"]["labels"][0] for r in result if r["type"] == "labels"}
    assert "table3.new.total" in labels and {f["metric"] for f in rec["facts"]} <= labels
    text = tasks[0]["data"]["text"]
    for r in result:
        assert text[r["value"]["start"]:r["value"]["end"]] == r["value"]["text"] if r["type"] == "labels" else True
    assert 'name="value"' in label_config([rec]) and "table3.new.total" in label_config([rec])


def test_accepting_every_region_gives_the_records_tables(exported):
    d, rec, tasks = exported
    ann = _review(d, tasks, lambda result: result)
    assert ann["tables"]["table3"]["new"] == [rec["tables"]["table3"]["new"][c]["value"] for c in
                                              ("natural_person", "commercial", "research", "social_welfare",
                                               "legal_service", "other", "total")]
    assert "accepted" in ann["notes"]


def test_a_corrected_value_and_a_deleted_fact_come_back(exported):
    d, rec, tasks = exported

    def edit(result):
        for item in result:
            if item["id"] == "table2.licensing.decisions" and item["type"] == "textarea":
                item["value"]["text"] = ["12345"]
        return [item for item in result if item["id"] != "f0"]

    ann = _review(d, tasks, edit)
    assert ann["tables"]["table2"]["licensing"] == 12345
    assert ann["facts"][0]["metric"] == "other" and "rejected" in ann["facts"][0]["note"]
