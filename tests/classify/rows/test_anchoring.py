"""Rows exact matching misses, anchored by the classifier; exact matches it contradicts dropped."""
from __future__ import annotations

import pytest

from extractor import classify
from extractor.pipeline import extract, table_anchors
from tests.helpers import ROOT, needs_shared, read_text, report_annotations


@pytest.fixture(scope="module")
def models() -> classify.Models:
    m = classify.load_models(ROOT / "models")
    assert m.rows is not None, m.rows_status.message
    return m


def _seed(name: str) -> tuple[str, dict]:
    ann = next(a for a in report_annotations() if a["id"] == name)
    return read_text(ann), ann["tables"]


@needs_shared
def test_the_classifier_anchors_a_reworded_row(models):
    text, gold = _seed("seed_001_22879b8c46a5464c")
    text = text.replace("本机关不掌握相关政府信息", "本机关未掌控有关的政府信息")
    assert "不掌握" not in text
    rec = extract(text, models=models).to_dict()
    anchors = {a[0]: a for rows in table_anchors(text, models).values() for a in rows}
    assert anchors["unable_no_info"][3] == "model"
    cells = rec["tables"]["table3"]["unable_no_info"]
    assert [cells[c]["value"] for c in cells] == gold["table3"]["unable_no_info"]


@needs_shared
def test_the_classifier_drops_an_exact_match_in_a_note_after_the_table(models):
    # A label word in a note after table 2 must not take the rows before it (seed_004 has such a note).
    text, gold = _seed("seed_004_62e0130d97e2d5ba")
    assert "行政规范性文件清理" in text
    text = text.replace("\t行政规范性文件\n", "\t行政规范文理\n", 1)
    rec = extract(text, models=models).to_dict()
    t2 = rec["tables"]["table2"]
    assert t2["licensing"]["decisions"]["value"] == gold["table2"]["licensing"]
    assert t2["punishment"]["decisions"]["value"] == gold["table2"]["punishment"]
    assert [t2["normative_docs"][c]["value"] for c in ("issued", "repealed", "in_force")] == \
        [gold["table2"]["normative_docs"][c] for c in ("issued", "repealed", "in_force")]
