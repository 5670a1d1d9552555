"""What a training run reads: the bundled samples as annotations, and when they stand in for absent texts.

From issue 10: a fresh clone (no ../shared beside it) failed `extractor train`
with "no annotated documents with facts", because every annotation's text
lives in ../shared.  These tests build that situation in a temporary
directory, so they run (and mean the same) with or without ../shared.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.training import facts as F
from extractor.training import train as T
from extractor.training.annotations import SAMPLE, Annotation, write_annotation
from extractor.training.check import Problems, check_annotation
from extractor.training.samples import bundled_samples, labelled_by_reading
from extractor.training.trainset import load_samples, placed_facts, trained_on, training_set
from tests.helpers import ROOT

SAMPLES = ROOT / "samples"


def _annotation(text_path: str, sha256: str, aid: str = "r1") -> dict:
    """A report annotation whose gold is a sample's (valid in every key), pointing at `text_path`."""
    gold = json.loads((SAMPLES / "sample_00.gold.json").read_text(encoding="utf-8"))
    facts = placed_facts(gold["facts"], (SAMPLES / "sample_00.txt").read_text(encoding="utf-8"))
    assert isinstance(facts, list)
    return {"id": aid, "text": {"path": text_path, "sha256": sha256}, "agency": gold["agency"], "year": gold["year"],
            "tables": {t: gold[t] for t in ("table2", "table3", "table4")}, "agency_error": False, "notes": "",
            "facts": facts, "fragments": []}


def _absent(d: Path) -> None:
    """An annotation in `d` whose text (beside `d`, under texts_elsewhere/) is absent, as ../shared is from a clone."""
    write_annotation(_annotation(str(d.parent / "texts_elsewhere" / "r1.txt"), "0" * 64), d)


@pytest.fixture()
def fresh_dir(tmp_path: Path) -> Path:
    """An annotations directory like a fresh clone's: its one annotation's text is absent."""
    d = tmp_path / "annotations"
    _absent(d)
    return d


def test_every_bundled_sample_reads_as_an_annotation_check_data_accepts():
    samples = load_samples(SAMPLES)
    assert [a.id for a in samples] == sorted(p.name[: -len(".gold.json")] for p in SAMPLES.glob("*.gold.json"))
    for a in samples:
        assert a.kind == SAMPLE and a.text is not None, a.text_note
        assert a.data["facts"] and a.data["facts_complete"]
        for f in a.data["facts"]:
            assert a.text[f["span"][0]:f["span"][1]] == f["text"]  # spans index into extractor.load(path).text
        pr = Problems()
        check_annotation(a, pr)
        assert pr.errors == [], pr.errors
        assert a.data["text"]["path"] == f"samples/{a.text_path.name}"  # the same hash on every machine


def test_the_html_samples_facts_are_placed_in_the_loaders_text():
    (html,) = [a for a in load_samples(SAMPLES) if a.text_path.suffix == ".html"]
    raw = json.loads((SAMPLES / f"{html.id}.gold.json").read_text(encoding="utf-8"))["facts"]
    assert all(f["span"] is None for f in raw)  # the generator leaves them to the loader's rendering
    assert [f["text"] for f in html.data["facts"]] == [f["text"] for f in raw]


def test_a_fact_that_is_not_in_the_text_is_said_not_guessed():
    assert placed_facts([{"text": "召开新闻发布会9次", "span": None}], "没有这句话") == "fact '召开新闻发布会9次' not found in the text"
    assert "shows" in placed_facts([{"text": "abc", "span": [0, 3]}], "xyz")


def test_samples_stand_in_only_when_a_text_is_absent(tmp_path, fresh_dir):
    found = training_set(fresh_dir, samples_dir=SAMPLES)
    assert found.samples == "texts absent"
    assert [a.id for a in found.absent] == ["r1"]
    assert sorted(a.id for a in found.used) == [a.id for a in load_samples(SAMPLES)]
    assert found.meta()["texts_absent"] == {"count": 1, "where": ["texts_elsewhere"]}
    # every text present: exactly the annotations, as before samples counted (the shipped models stay reproducible)
    whole = tmp_path / "whole"
    text = (SAMPLES / "sample_00.txt").read_bytes()
    (tmp_path / "r1.txt").write_bytes(text)
    write_annotation(_annotation(str(tmp_path / "r1.txt"), hashlib.sha256(text).hexdigest()), whole)
    found = training_set(whole, samples_dir=SAMPLES)
    assert [(a.id, a.kind) for a in found.used] == [("r1", "report")] and found.samples is None
    assert found.meta() == {"documents": [{"id": "r1", "kind": "report"}],
                            "texts_absent": {"count": 0, "where": []}, "samples": None}
    # asked: added, except the one the annotation is of (same text, so the person's gold wins)
    found = training_set(whole, samples=True, samples_dir=SAMPLES)
    assert found.samples == "asked"
    assert [a.id for a in found.used if a.kind == SAMPLE] == [a.id for a in load_samples(SAMPLES)][1:]
    # refused: never, even when nothing else is there
    assert training_set(fresh_dir, samples=False, samples_dir=SAMPLES).used == []


def test_a_review_of_a_sample_replaces_its_generated_gold(tmp_path):
    d = tmp_path / "annotations"
    text = SAMPLES / "sample_03.txt"
    ann = _annotation(str(text), hashlib.sha256(text.read_bytes()).hexdigest(), aid="sample_03")
    ann["facts"] = []  # tables reviewed, facts not yet: the facts model keeps the sample's
    write_annotation(ann, d)
    _absent(d)
    tables = training_set(d, samples_dir=SAMPLES)
    assert [a.kind for a in tables.used if a.id == "sample_03"] == ["report"]
    facts = F.training_documents(d)
    assert [a.kind for a in facts.used if a.id == "sample_03"] == [SAMPLE]


def test_trained_on_says_what_was_read_and_what_was_absent():
    meta = {"documents": [{"id": "a", "kind": "report"}] + [{"id": f"s{i}", "kind": SAMPLE} for i in range(3)],
            "texts_absent": {"count": 33, "where": ["../shared"]}, "samples": "texts absent"}
    assert trained_on(meta) == "trained on 1 real reports, 0 excerpts, 3 samples (../shared absent: 33 real texts skipped)"
    assert trained_on({"documents": [], "samples": "asked"}, ("report", SAMPLE)) == \
        "trained on 0 real reports, 0 samples (samples added on request)"


def test_the_facts_model_trains_on_the_samples_when_no_text_is_here(tmp_path, fresh_dir, monkeypatch):
    monkeypatch.setenv("EXTRACTOR_SAMPLES", str(SAMPLES))
    metrics = F.train(fresh_dir, tmp_path / "m", seed=0)
    meta = json.loads((tmp_path / "m" / "facts.meta.json").read_text(encoding="utf-8"))
    assert metrics["documents"] == len(load_samples(SAMPLES))
    assert {d["kind"] for d in meta["documents"]} == {SAMPLE}
    assert meta["texts_absent"] == {"count": 1, "where": ["texts_elsewhere"]} and meta["samples"] == "texts absent"
    assert metrics["cv_model"]["strict"]["overall"]["f1"] > 0.5
    with pytest.raises(ValueError, match="bundled samples were not asked for"):
        F.train(fresh_dir, tmp_path / "none", samples=False)


def test_the_tables_model_labels_a_sample_only_from_a_right_reading():
    anns = load_samples(SAMPLES)
    kept = {s.id: s for s in bundled_samples(anns)}
    assert kept, "no bundled sample is read right without the classifier"
    for a in anns:
        frs = labelled_by_reading(a.text, a.data["tables"])
        assert (a.id in kept) == (frs is not None)
        if frs is not None:
            assert kept[a.id].fragments == frs and kept[a.id].kind == SAMPLE
            assert all(a.text[f["span"][0]:f["span"][1]] == f["text"] for f in frs)
            assert {f["label"] for f in frs} >= {"table2.rules", "table3.new", "table4.review"}


def test_extractor_train_in_a_clone_without_texts(tmp_path, fresh_dir, monkeypatch):
    monkeypatch.setenv("EXTRACTOR_SAMPLES", str(SAMPLES))
    res = CliRunner().invoke(app, ["train", "--annotations", str(fresh_dir), "--out", str(tmp_path / "m"),
                                   "--which", "facts"])
    assert res.exit_code == 0, res.output
    n = len(load_samples(SAMPLES))
    assert f"trained on 0 real reports, 0 excerpts, {n} samples (texts_elsewhere absent: 1 real texts skipped)" in res.output
    res = CliRunner().invoke(app, ["train", "--annotations", str(fresh_dir), "--out", str(tmp_path / "m2"),
                                   "--which", "facts", "--without-samples"])
    assert res.exit_code == 1 and "no annotated documents with facts" in res.output


def test_the_tables_trainer_reads_the_samples_it_can_label(tmp_path, fresh_dir, monkeypatch):
    monkeypatch.setenv("EXTRACTOR_SAMPLES", str(SAMPLES))
    cfg = T.TrainConfig(damaged_per_report=0, generated=2, damaged_per_generated=0, calibration_folds=2)
    said: list[str] = []
    meta = T.train(fresh_dir, tmp_path / "m", cfg, log=said.append)
    labelled = [s.id for s in bundled_samples(load_samples(SAMPLES))]
    assert meta["documents"] == [{"id": i, "kind": SAMPLE} for i in labelled]
    assert meta["annotations"] == labelled and meta["texts_absent"]["count"] == 1
    assert set(meta["data"]["by_kind"]) == {SAMPLE, "generated", "converter"}
    left_out = sorted(set(a.id for a in load_samples(SAMPLES)) - set(labelled))
    assert any(all(i in m for i in left_out) and "left out" in m for m in said) or not left_out
    assert any("r1" in m and "without their text" in m for m in said)


def test_an_annotation_is_never_mistaken_for_its_stand_in():
    a = Annotation(Path("x/reports/a.json"), {"id": "a", "text": {"path": "nowhere/a.txt"}}, "report",
                   text_path=Path("/nonexistent-dir-for-test/a.txt"))
    assert a.text_absent
    a.text_path = SAMPLES / "sample_00.txt"  # there, but (say) changed since annotated: not absent
    assert not a.text_absent
