"""What a view marks and in which colour (extractor.review.marks): the bands are the confidence module's lines."""
from __future__ import annotations

import math

from extractor import confidence
from extractor.review.marks import BANDS, band, shown


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
