"""The indicator definitions read from data: every term resolves to record cells, formulas print."""
from __future__ import annotations

import pytest

from extractor.spec.indicators import cells_of, definitions


def test_a_group_sum_is_every_row_of_the_group():
    assert [r for _, r, _ in cells_of("t3.sum:denied")] == [
        "denied_state_secret", "denied_law_forbidden", "denied_three_safety", "denied_third_party",
        "denied_internal_affairs", "denied_process_info", "denied_enforcement_file", "denied_query"]
    assert len(cells_of("t3.sum:unable")) == 3 and len(cells_of("t3.sum:rejected")) == 5


def test_a_term_names_a_cell():
    assert cells_of("t3.new.natural_person") == (("table3", "new", "natural_person"),)
    assert cells_of("t4.review.corrected") == (("table4", "review", "corrected"),)


@pytest.mark.parametrize("term", ["t3.nope", "t5.new", "t3.sum:granted", "t4.review.nope", "new"])
def test_a_term_that_names_no_cell_is_refused(term):
    with pytest.raises(ValueError):
        cells_of(term)


def test_formulas_as_the_dictionary_prints_them():
    d = definitions()
    assert d.get("substantive_disclosure_rate").formula == "(t3.granted + t3.partial) / t3.total_processed"
    assert d.get("applications_new").formula == "t3.new"
    assert "previous year" in d.get("applications_new_yoy").formula
    assert d.decimals == 6
