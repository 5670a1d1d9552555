"""Every annotated report as converters leave it: every cell right, or flagged (issue 11).

Two sources of converter mess, per annotated report:
- the generator's converter layouts (`converter_variants`: shattered PDF→markdown
  tables with displaced, split and lost labels; OCR markdown with one table
  per group under generic headers, invented headers, look-alike characters,
  torn numbers; outlines that restart; CR-only line ends);
- pages: the report as an HTML page whose equal value rows are merged
  (rowspan), kept as a string inside a script after kilobytes of script data,
  saved under any suffix;
- real tools: the report rendered to PDF with reportlab (label cells wrapped,
  values mid-row, as Word prints the tables) and flattened back by
  pdfplumber (plain and layout text) and pypdfium2 (`pdf_converters`).

With the classic variants of `test_generated`, each annotated report runs
in well over 20 variants; none may hold a silent error.
"""
from __future__ import annotations

from collections import Counter

import pytest

import random

import extractor
from extractor.input.load import load_bytes
from extractor.training.generate import random_tables, render
from extractor.training.generate.html import html_report
from extractor.training.generate.render import converter_variants
from extractor.training.gold import compare
from tests.corpus.pdf_converters import FLATTENERS, wrapped_pdf
from tests.helpers import report_annotations

CONVERTER_VARIANTS = 10
ANNS = report_annotations()

# Open defects on the Hebei crawl's gold (blank cells; added for issue 16 after these tests were written).
_BLANKS = "gold blank cells (null) read as 0 or shifted, every one flagged (below 0.8): the order cannot place a blank"
KNOWN = {
    # hb10 (measured in issue 11d): table 3 reads right in all 10 layouts; what fails is table 4, printed
    # `|  |  |  |  | 0 |` per group (four blank cells before the total): leading empty fields are not cells, so
    # the table is not read (3 cells a variant, flagged at 0).
    "layouts": {"hb02": _BLANKS, "hb10": "table 4's leading blank pipe cells are not cells: the table is not read"},
    "pages": {"hb10": _BLANKS + " (merged value cells)"},
    "real": {"hb02": "84 cells flagged, over the bound: " + _BLANKS},
}


def _cases(which: str) -> list:
    return [pytest.param(a, id=a["id"], marks=pytest.mark.xfail(strict=True, reason=KNOWN[which][a["id"]]))
            if a["id"] in KNOWN[which] else pytest.param(a, id=a["id"]) for a in ANNS]


def _gold(ann: dict) -> dict:
    return {**ann["tables"], "agency": ann.get("agency"), "year": ann.get("year")}


def _read(text: str, gold: dict) -> tuple[dict, dict]:
    rec = extractor.extract(text).to_dict()
    cmp = compare(rec, gold)
    assert cmp["cells"] == 200
    assert cmp["silent"] == [] and cmp["high_conf_wrong"] == [], cmp["wrong"][:5]
    return rec, cmp


@pytest.mark.parametrize("ann", _cases("layouts"))
def test_converter_layouts_of_annotated_reports(ann):
    stats: Counter = Counter()
    for g in converter_variants(_gold(ann), CONVERTER_VARIANTS, seed=len(ann["id"]) * 11 + 3):
        rec, cmp = _read(g.text, g.gold)
        lost = "lost_column" in g.mess
        stats["lost_column"] += lost
        stats["wrong"] += len(cmp["wrong"])
        # A table-2 row with a number moved out of it is flagged, not read (its three cells at most).
        assert all(lost and name.startswith("table2.") for name, *_ in cmp["wrong"]), cmp["wrong"][:5]
    # What is not read is flagged (asserted above); every other cell of these variants is read right
    # (before issue 11's second part: up to 261 of 2,000 cells flagged, pt012's blank rows).
    assert stats["wrong"] <= 3 * stats["lost_column"], stats


@pytest.mark.parametrize("ann", _cases("pages"))
def test_pages_with_merged_values_and_script_strings(ann):
    """Issue 11 kinds 5 and 6, under the suffixes such files are saved with: every cell right."""
    wrong = 0
    for k, (mess, name) in enumerate([(("merged_values",), "a.html"), (("script_string",), "a.js"),
                                      (("merged_values", "script_string"), "a.txt")]):
        page, gold, _ = html_report(_gold(ann), random.Random(len(ann["id"]) + k), None, None, mess)
        doc = load_bytes(page.encode("utf-8"), name)
        assert doc.format == "html"
        cmp = compare(extractor.extract_document(doc).to_dict(), gold)
        assert cmp["silent"] == [] and cmp["high_conf_wrong"] == [], cmp["wrong"][:5]
        wrong += len(cmp["wrong"])
    assert wrong == 0


@pytest.mark.parametrize("ann", _cases("real"))
def test_pdf_flattened_by_real_tools(ann):
    g = render(_gold(ann), layout="tabs", mess=(), seed=len(ann["id"]))
    data = wrapped_pdf(g.text)
    wrong = 0
    for name, flatten in FLATTENERS.items():
        rec, cmp = _read(flatten(data), g.gold)
        wrong += len(cmp["wrong"])
        assert rec["parsing"]["table3"]["strategy"] in ("labels", "sequence")
    # Flagged, not read (measured in issue 11d, over the three tools): hb09 12 cells, hb10 11, pt018 2, every
    # other report 0.  pt012's two blank rows under pdfplumber's layout text (14 cells before issue 11d) are
    # placed since the row classifier's evidence is the last row label before the values, not the group label
    # printed on their line.
    assert wrong <= 12, wrong


def test_hb04_fee_amount_wrapped_in_its_cell_is_rejoined_and_flagged():
    """hb04 (Hebei crawl) rendered to PDF: its fee amount, six decimals, wraps in its cell; pdfplumber prints
    the first line above the row's label and the last digit below it, pypdfium2 both below.  It was read as
    the last digit alone at 0.97 (table 2 has no identity to catch it).  Now the pieces are rejoined, the
    fragments kept as candidates, below the review line."""
    ann = next((a for a in ANNS if a["id"] == "hb04"), None)
    if ann is None:
        pytest.skip("hb04 not annotated here (../shared absent)")
    g = render(_gold(ann), layout="tabs", mess=(), seed=len(ann["id"]))
    want = g.gold["table2"]["fees_10k_yuan"]
    data = wrapped_pdf(g.text)
    for name, flatten in FLATTENERS.items():
        rec = extractor.extract(flatten(data)).to_dict()
        cell = rec["tables"]["table2"]["fees"]["amount"]
        assert cell["value"] == want and cell["confidence"] < 0.8 and rec["needs_review"], name
        assert len(cell["candidates"]) == 3, name  # the rejoined amount and each fragment alone
        assert "table2.loose_number" in [i["code"] for i in rec["issues"]], name


@pytest.mark.parametrize("number_wrap", [1, 2, 3])
def test_numbers_wrapped_in_narrow_cells_are_never_read_from_a_fragment(number_wrap):
    """Value columns narrower than their numbers (issue 11c): every number longer than `number_wrap`
    prints over several lines, the first above the row's label where the cell is centred.  Table 2 has
    no identity and table 3's can hold for a consistently torn column, so a line of numbers that no row
    can hold doubts its rows: wrong cells are flagged, never silent (hb04's fee amount was silent)."""
    codes: Counter = Counter()
    for seed in range(4):
        g = render(random_tables(random.Random(700 + seed)), layout="tabs", mess=(), seed=seed)
        data = wrapped_pdf(g.text, number_wrap=number_wrap)
        for flatten in FLATTENERS.values():
            rec, _ = _read(flatten(data), g.gold)  # asserts: no silent error
            codes.update(i["code"] for i in rec["issues"])
    assert codes["table2.loose_number"] > 0  # the mess is real: torn numbers were there to be found
