"""The development / held-out split: fixed in annotations/split.json, grouped by document, stratified by source."""
from __future__ import annotations

import json
from pathlib import Path

from extractor.training.annotations import Annotation, load_annotations
from extractor.training.split import DEVELOPMENT, TEST, extend, load_split, make_split, remake, source_of, write_split
from tests.helpers import ANNOTATIONS, needs_shared


def _ann(doc_id: str, folder: str, agency: str | None = None) -> Annotation:
    data = {"id": doc_id, "text": {"path": f"../shared/corpus/{folder}/{doc_id}.txt", "sha256": ""}, "facts": []}
    if agency:
        data.update(agency=agency, year=2023)
    return Annotation(Path(f"{doc_id}.json"), data, "excerpt")


def test_a_third_of_each_source_is_held_out_and_the_split_is_deterministic() -> None:
    anns = [_ann(f"A{i:02}", "excerpts") for i in range(30)] + [_ann(f"B{i:02}", "excerpts2") for i in range(9)]
    s = make_split(anns, seed=3)
    assert sum(i.startswith("A") for i in s.test) == 10 and sum(i.startswith("B") for i in s.test) == 3
    assert s.test.isdisjoint(s.development) and len(s.test | s.development) == 39
    assert make_split(anns, seed=3) == s and make_split(anns, seed=4) != s


def test_annotations_of_one_report_fall_on_one_side() -> None:
    anns = [_ann(f"A{i:02}", "excerpts", agency=f"agency {i % 5}") for i in range(20)]
    s = make_split(anns, seed=1)
    for k in range(5):
        sides = {s.side(a.id) for a in anns if a.data["agency"] == f"agency {k}"}
        assert len(sides) == 1


def test_a_document_added_later_is_assigned_without_moving_the_others(tmp_path: Path) -> None:
    old = [_ann(f"A{i:02}", "excerpts") for i in range(9)]
    s = make_split(old, seed=2)
    write_split(s, tmp_path)
    assert load_split(tmp_path) == s
    more = extend(load_split(tmp_path), old + [_ann(f"N{i}", "excerpts") for i in range(3)])
    assert more.test >= s.test and more.development >= s.development
    assert sum(i.startswith("N") for i in more.test) == 1
    assert load_split(tmp_path / "nowhere").side("A00") == DEVELOPMENT


def test_source_is_the_folder_of_the_text() -> None:
    assert source_of(_ann("Q001", "excerpts2")) == "corpus/excerpts2"


def test_every_annotation_is_on_one_side_of_the_written_split() -> None:
    data = json.loads((ANNOTATIONS / "split.json").read_text(encoding="utf-8"))
    test, dev = set(data["test"]), set(data["development"])
    assert not test & dev
    ids = {a.id for a in load_annotations(ANNOTATIONS, kinds=("report", "excerpt"), with_text=False)}
    assert ids == test | dev
    assert 0.3 <= len(test) / len(ids) <= 0.37 and data["seed"] == 12 and "stratified" in data["method"]


@needs_shared
def test_the_written_split_is_what_its_method_and_seed_make() -> None:
    """Nobody moved a document between the sides by hand (the sides are only ever made by `make_split`)."""
    anns = load_annotations(ANNOTATIONS, kinds=("report", "excerpt"))
    written = load_split(ANNOTATIONS)
    assert remake(anns, written.seed, written.fraction, written.rounds) == written
    assert {written.side(a.id) for a in anns} == {DEVELOPMENT, TEST}
