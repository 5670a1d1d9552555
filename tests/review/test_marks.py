"""What a view marks and in which colour (extractor.review.marks): the bands are the confidence module's lines."""
from __future__ import annotations

import math

from extractor import confidence
from extractor.review.marks import BANDS, band, cell_label, shown


def test_the_bands_are_the_review_and_certainty_lines():
    """A colour means what `needs_review` means: red/orange below the review line, green from CERTAIN on."""
    below = math.nextafter(confidence.REVIEW_BELOW, 0)
    assert band(below)[1] in (BANDS[0][2], BANDS[1][2])
    assert band(confidence.REVIEW_BELOW)[1] == BANDS[2][2]
    assert band(math.nextafter(confidence.CERTAIN, 0))[1] == BANDS[2][2]
    assert band(confidence.CERTAIN)[1] == band(confidence.PERSON)[1] == BANDS[-1][2]
    assert band(None) == band(confidence.ABSENT) == (BANDS[0][1], BANDS[0][2])
    assert [lo for lo, *_ in BANDS] == sorted(lo for lo, *_ in BANDS)


def test_values_are_shown_as_printed():
    assert (shown(None), shown(1424.0), shown(3.5), shown(12)) == ("∅", "1424", "3.5", "12")


def test_a_cell_settled_by_a_chain_says_with_which_report():
    cell = {"value": 665, "confidence": confidence.CHAINED, "span": [3, 6],
            "settled": {"by": "crossyear.normative_docs", "other": [{"path": "2022.txt", "year": 2022}]}}
    label = cell_label("table2.normative_docs.in_force", cell)
    assert label.endswith("settled by crossyear.normative_docs with 2022.txt (2022)")
    assert "0.88" in label
