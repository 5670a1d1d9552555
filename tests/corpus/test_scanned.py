"""Annotated reports as scans: rendered to PDF, then to page images (skewed, blurred, speckled), read back by OCR.

Every gold cell right or below the review line, never a wrong cell above
it; and most cells right, so the OCR path is shown to read, not only to
flag.  OCR costs seconds a page, so CI reads two reports (a tab-table seed
and a glued crawler text) and one PNG; `EXTRACTOR_OCR_ALL=1` reads every
annotated report.
"""
from __future__ import annotations

import functools
import os

import pytest

import extractor
from extractor import confidence
from extractor.input.load import load_bytes
from extractor.training.gold import compare
from tests.helpers import conformance_problems, image_pdf, needs_shared, page_images, png, read_text, report_annotations, to_pdf

ANNS = {a["id"]: a for a in report_annotations() if not a["text"]["path"].endswith(".pdf")}
IN_CI = ("seed_001_22879b8c46a5464c", "pt009")
ALL = os.environ.get("EXTRACTOR_OCR_ALL") == "1"
# Known failures of the ≤ 5 % bound (every wrong cell flagged), with why.
KNOWN = {
    "hb08": "detection finds 13 of table 4's 15 one-a-line values (two lone digits lost): 15 cells flagged, "
            "none silent; the group totals leave more than one way to restore them",
}


@functools.lru_cache(maxsize=None)
def _pages(ann_id: str) -> tuple:
    src = read_text(ANNS[ann_id])
    return tuple(page_images(to_pdf(src, embedded=True, fs=8), speckle=0.0005, seed=len(ann_id)))


def _params():
    for i in sorted(ANNS):
        marks = [needs_shared, pytest.mark.slow]
        if i not in IN_CI and not ALL:
            marks.append(pytest.mark.skip(reason="OCR of every annotated report takes minutes: EXTRACTOR_OCR_ALL=1"))
        if i in KNOWN:
            marks.append(pytest.mark.xfail(strict=True, reason=KNOWN[i]))
        yield pytest.param(i, id=i, marks=marks)


@pytest.mark.parametrize("ann_id", list(_params()))
def test_a_scanned_report_reads_every_cell_right_or_flags_it(ann_id):
    doc = load_bytes(image_pdf(list(_pages(ann_id))), f"{ann_id}.pdf")
    assert doc.error is None and doc.format == "pdf-ocr"
    rep = extractor.extract_document(doc).to_dict()
    cmp = compare(rep, ANNS[ann_id]["tables"], threshold=confidence.REVIEW_BELOW)
    assert cmp["high_conf_wrong"] == [], cmp["wrong"]  # zero silent errors: a wrong cell is always flagged
    assert len(cmp["wrong"]) <= 0.05 * cmp["cells"], cmp["wrong"]
    assert rep["needs_review"] and rep["source"]["format"] == "pdf-ocr"
    assert all(p["read"] == "ocr" and p["ocr_confidence"] > 0.9 for p in rep["parsing"]["pages"])
    assert conformance_problems(rep, doc.text) == []  # spans index into the OCR text


@needs_shared
@pytest.mark.slow
def test_a_png_of_a_table_page_reads_its_cells_right_or_flags_them():
    ann = ANNS["seed_001_22879b8c46a5464c"]
    page = _pages(ann["id"])[0]  # the first page: the prose and table 2 in full
    doc = load_bytes(png(page), "table.png")
    assert doc.error is None and doc.format == "image-ocr" and doc.pages[0].how == "ocr"
    rep = extractor.extract_document(doc).to_dict()
    cmp = compare(rep, ann["tables"], threshold=confidence.REVIEW_BELOW)
    assert cmp["high_conf_wrong"] == []
    wrong = {w[0] for w in cmp["wrong"]}
    t2 = [f"table2.{r}.{c}" for r, cols in rep["tables"]["table2"].items() for c, cell in cols.items()]
    assert len(t2) >= 10 and not wrong & set(t2)  # every table-2 cell read, and read right
