"""Every annotated report as converters leave it: every cell right, or flagged (issue 11).

Two sources of converter mess, per annotated report:
- the generator's converter layouts (`converter_variants`: shattered PDF→markdown
  tables with displaced, split and lost labels; OCR markdown with one table
  per group under generic headers, invented headers, look-alike characters,
  torn numbers; outlines that restart; CR-only line ends);
- real tools: the report rendered to PDF with reportlab (label cells wrapped,
  values mid-row, as Word prints the tables) and flattened back by
  pdfplumber (plain and layout text) and pypdfium2 (`pdf_converters`).

With the classic variants of `test_generated`, each annotated report runs
in well over 20 variants; none may hold a silent error.
"""
from __future__ import annotations

from collections import Counter

import pytest

import extractor
from extractor.training.generate import render
from extractor.training.generate.render import converter_variants
from extractor.training.gold import compare
from tests.corpus.pdf_converters import FLATTENERS, wrapped_pdf
from tests.helpers import MIXED_TEMPLATE, report_annotations

CONVERTER_VARIANTS = 10
ANNS = report_annotations()


def _gold(ann: dict) -> dict:
    return {**ann["tables"], "agency": ann.get("agency"), "year": ann.get("year")}


def _read(text: str, gold: dict) -> tuple[dict, dict]:
    rec = extractor.extract(text).to_dict()
    cmp = compare(rec, gold)
    assert cmp["cells"] == 200
    assert cmp["silent"] == [] and cmp["high_conf_wrong"] == [], cmp["wrong"][:5]
    return rec, cmp


def _cases(known: dict[str, str]) -> list:
    return [pytest.param(a, id=a["id"], marks=[pytest.mark.xfail(strict=True, reason=known[a["id"]])]
                         if a["id"] in known else []) for a in ANNS]


@pytest.mark.parametrize("ann", _cases({"hz2024": MIXED_TEMPLATE}))
def test_converter_layouts_of_annotated_reports(ann):
    stats: Counter = Counter()
    for g in converter_variants(_gold(ann), CONVERTER_VARIANTS, seed=len(ann["id"]) * 11 + 3):
        rec, cmp = _read(g.text, g.gold)
        stats["wrong"] += len(cmp["wrong"])
    # What is not read is flagged (asserted above).  Most is read; a table whose blank rows need
    # gaps, or whose stray tabs break rows, is left to a person (pt012: 261 of 2,000 cells, the most).
    assert stats["wrong"] <= 300, stats


@pytest.mark.parametrize("ann", _cases({"hz2024": MIXED_TEMPLATE, "pt014": (
    "105 cells flagged (none silent) over the bound of 100 since the tables model was retrained with the three "
    "PDF annotations (issue 13): pdfplumber's layout text 56 (35 with main's models: rows of table 3's "
    "（二）-（五） groups), plain text 49, pypdfium2 0")}))
def test_pdf_flattened_by_real_tools(ann):
    g = render(_gold(ann), layout="tabs", mess=(), seed=len(ann["id"]))
    data = wrapped_pdf(g.text)
    wrong = 0
    for name, flatten in FLATTENERS.items():
        rec, cmp = _read(flatten(data), g.gold)
        wrong += len(cmp["wrong"])
        assert rec["parsing"]["table3"]["strategy"] in ("labels", "sequence")
    assert wrong <= 100, wrong  # flagged, not read: pt012's blank rows (84 of 600 cells, the most)
