"""Glued digits are solved, not guessed: every reading of a row's material."""
from __future__ import annotations

from extractor.tables.material import material
from extractor.tables.readings import enumerate_readings


def _readings(text, n, **kw):
    mat, _ = material(text, 0, len(text))
    rs, complete = enumerate_readings(mat, n, **kw)
    assert complete
    return [r.values for r in rs]


def row_total(cells):
    v = [c.value or 0 for c in cells]
    return v[-1] == sum(v[:-1])


def test_glued_row_with_unique_row_total_reading():
    assert _readings("640020470", 7, accept=row_total) == [(64, 0, 0, 2, 0, 4, 70)]


def test_glued_row_ambiguous_by_row_total_alone():
    rs = _readings("220000325", 7, accept=row_total)
    assert (22, 0, 0, 0, 0, 3, 25) in rs and (2, 20, 0, 0, 0, 3, 25) in rs


def test_clean_cells_give_exactly_one_reading():
    assert _readings("\t57\t0\t0\t0\t0\t0\t57", 7) == [(57, 0, 0, 0, 0, 0, 57)]
    assert _readings(" | 1 | 0 | 0 | 0 | 0 | 0 | 1 | ||", 7) == [(1, 0, 0, 0, 0, 0, 1)]


def test_torn_number_rejoined_only_when_count_demands():
    assert _readings("2 0", 1) == [(20,)]
    assert _readings("2 0", 2) == [(2, 0)]


def test_placeholders_read_as_zero():
    rs = _readings(" / | — | 无 | 3", 4)
    assert rs == [(0, 0, 0, 3)]


def test_blank_field_between_values_is_null():
    assert _readings("| 1 | | 1 |", 3) == [(1, None, 1)]


def test_decimal_fee():
    assert _readings("24252.311082", 1, decimal=True) == [(24252.311082,)]


def test_table4_seventeen_digit_run():
    size = 5

    def group_ok(cells):
        if len(cells) % size:
            return True
        g = [c.value or 0 for c in cells[-size:]]
        return g[-1] == sum(g[:-1])

    rs = _readings("10203120001200000", 15, prune=group_ok)
    assert (1, 0, 2, 0, 3, 12, 0, 0, 0, 12, 0, 0, 0, 0, 0) in rs


def test_generated_239_thousands_comma_after_glued_zeros():
    """'行政许可00[bookmark]63,642': the comma survives normalisation; the number runs across it."""
    assert _readings("0063,642", 3) == [(0, 0, 63642)]
    assert _readings("1,234", 1) == [(1234,)]


def test_generated_9_minus_sign_in_older_template_is_a_reading_not_a_placeholder():
    """'行政处罚7-222185' (本年增/减 = -2): the hyphen may be a minus; both readings survive."""
    rs = _readings("7-222185", 3, negative=True)
    assert (7, -2, 22185) in rs and (7, 0, 222185) in rs
    assert _readings("7-222185", 3) == [(7, 0, 222185)]  # tables without signed columns


def test_dash_runs_are_one_or_two_placeholders():
    assert set(_readings("0————0", 4)) == {(0, 0, 0, 0)}
    assert _readings("0——0", 3) == [(0, 0, 0)]


def test_inline_page_number_is_skipped_or_read():
    rs = _readings("1 0 — 3 — 0 1", 4)
    assert (1, 0, 0, 1) in rs
    assert (1, 0, 0, 3, 0, 0, 1) in _readings("1 0 — 3 — 0 1", 7)


def test_a_row_of_forty_glued_digits_is_cut_short_not_searched_for_minutes():
    """Issue 10's fuzzing: a table-3 row of 40 glued digits has millions of splits (60 s before the cap)."""
    from extractor.tables import readings

    text = "3141592653589793238462643383279502884197"
    mat, _ = material(text, 0, len(text))
    before = readings.STEPS_SEEN[0]
    rs, complete = enumerate_readings(mat, 7, accept=row_total)
    assert complete is False
    assert readings.STEPS_SEEN[0] <= max(before, readings.MAX_STEPS + 1)
    # a row that fits well inside the cap is still searched completely
    small, _ = material("6400204700", 0, 10)
    assert enumerate_readings(small, 7, accept=row_total)[1] is True


def test_fuzz_a_row_of_a_thousand_blank_fields_is_capped_not_a_recursion_error():
    """benchmarks/fuzz (issue 10), seed 1: an HTML sample whose table-3 row had its spaces turned into
    ~1,000 empty fields recursed once per field and died with RecursionError (an internal.error record)."""
    from extractor.tables import readings

    text = "| 1 |" + " |" * 1000 + " 1 |"
    mat, _ = material(text, 0, len(text))
    rs, complete = enumerate_readings(mat, 7)
    assert complete is False and rs == []
    assert len(mat.atoms) > readings.MAX_ATOMS


def test_fuzz_a_pasted_run_of_digits_is_no_cell_value():
    """benchmarks/fuzz (issue 10), seed 1: a pasted run of 1,501 digits between tabs was read as one
    table-3 cell worth 10^1500 at 0.85 (and check_record could not even compare it as a float).
    A run longer than MAX_DIGITS is never one value; here it cannot be cut either (7 cells, 7 groups)."""
    from extractor.tables import readings

    text = "\t" + "9" * 20 + "\t0\t0\t0\t0\t0\t0"
    assert _readings(text, 7) == []
    assert _readings("\t" + "9" * readings.MAX_DIGITS + "\t0\t0\t0\t0\t0\t0", 7)[0][0] == int("9" * readings.MAX_DIGITS)


def test_bench_memory_digits_1mb_in_row_is_refused_before_its_digits_become_atoms(monkeypatch):
    """bench_memory's digits_1mb_in_row: a megabyte of digits in a table-3 row was split into a million
    one-digit atoms on each of 21 calls (230 MB, over the 10 s budget) only to be refused as over MAX_ATOMS."""
    import extractor.tables.readings as readings

    def split(atoms):
        raise AssertionError("split into atoms before being counted")

    text = "1" * 200_000
    mat, _ = material(text, 0, len(text))
    monkeypatch.setattr(readings, "_digit_atoms", split)
    assert enumerate_readings(mat, 7) == ([], False)


def test_an_ocr_stroke_is_left_out_only_where_the_cells_need_it():
    """A `1` closing a pipe row of OCR text (`material`'s stroke) is a cell unless the row has one value too many."""
    def read(text, n):
        mat, _ = material(text, 0, len(text), strokes=True)
        return [r.values for r in enumerate_readings(mat, n, accept=row_total)[0]]

    assert read("|1|0|0|0|0|0|1|1\n", 7) == [(1, 0, 0, 0, 0, 0, 1)]
    assert read("|0|0|0|0|0|1|1|\n", 7) == [(0, 0, 0, 0, 0, 1, 1)]  # seven values: the 1 is the total
