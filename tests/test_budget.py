"""Every entry point has a time budget and a size limit: a record with an error, never a run-on."""
from __future__ import annotations

import pytest

import extractor
from extractor import budget, confidence
from extractor.narrative import read as read_prose
from extractor.pipeline import extract_document
from extractor.input.document import from_text


def test_an_input_past_its_budget_is_a_record_saying_so():
    text = "全年主动公开政府信息1424条。" * 20000
    rec = extractor.extract(text, seconds=0.0).to_dict()
    assert rec["error"]["code"] == "input.too_slow" and rec["needs_review"]
    assert "budget of 0 s" in rec["error"]["message"]


def test_no_budget_reads_to_the_end():
    rec = extractor.extract("全年主动公开政府信息1424条。", seconds=None).to_dict()
    assert rec["error"] is None or rec["error"]["code"] == "input.not_a_report"


def test_too_much_text_is_refused(monkeypatch):
    monkeypatch.setattr(budget, "MAX_TEXT_CHARS", 100)
    rec = extract_document(from_text("一、总体情况\n" + "正文" * 100)).to_dict()
    assert rec["error"]["code"] == "input.too_large"


def test_the_stages_never_swallow_the_deadline():
    """The narrative's "never lose the record" handler catches Exception; the deadline is not one."""
    with budget.limit(0.0), pytest.raises(budget.OverBudget):
        read_prose("召开新闻发布会3场。" * 5000)


def test_a_pdf_gets_more_time_per_page():
    with budget.limit(1.0):
        budget.extend(budget.PER_PAGE_SECONDS)
        budget.check()  # within 3 s: no raise


def test_the_budget_counts_cpu_time_not_waiting():
    """A busy machine must not turn an ordinary report into `input.too_slow`: time spent waiting for a core
    (here: asleep) is not the input's; time spent computing is."""
    import time

    with budget.limit(0.05):
        time.sleep(0.1)
        budget.check()  # asleep, not reading: within budget
        with pytest.raises(budget.OverBudget):
            t = time.thread_time()
            while time.thread_time() - t < 0.1:
                pass
            budget.check()


def test_steps_stop_past_their_cap_and_check_the_budget_each_time_they_pass_a_multiple_of_every(monkeypatch):
    """One counter for every bounded search (tables' readings, the solver, sequence decoding)."""
    checks = []
    monkeypatch.setattr(budget, "check", lambda: checks.append(1))
    steps = budget.Steps(cap=3 * budget.EVERY)
    assert all(steps.take() for _ in range(budget.EVERY - 1)) and checks == []
    assert steps.take() and checks == [1]
    assert steps.take(budget.EVERY + 5) and checks == [1, 1]  # a bulk step passing a multiple checks too
    assert not steps.take(budget.EVERY) and steps.n > steps.cap


def test_every_search_of_a_document_draws_on_one_pool():
    """Issue 10: a per-search cap multiplied by hundreds of doubtful rows was 850,000 steps (fuzz seed 4
    #17267, 4 s of CPU); all the searches of a document now share `DOC_MAX_STEPS`."""
    with budget.searches(cap=10) as pool:
        a, b = budget.Steps(cap=8), budget.Steps(cap=8)
        assert all(a.take() for _ in range(6)) and pool.left == 4 and not pool.dry
        with budget.searches(cap=1000) as inner:  # a nested document shares the outer pool
            assert inner is pool
        assert all(b.take() for _ in range(4)) and pool.left == 0
        assert not b.take() and pool.dry and not a.take()
    assert budget.Steps(cap=8).take()  # outside any document: the search's own cap alone


def _glued_report() -> str:
    import random

    from extractor.training.generate import random_tables, render

    rng = random.Random(7)
    return render(random_tables(rng), layout="glued", mess=(), rng=rng).text


def test_a_document_that_drains_the_pool_is_read_with_what_was_found_and_no_cell_above_the_review_line():
    text = _glued_report()
    with budget.searches() as pool:
        full = extractor.extract(text).to_dict()
    needed = pool.cap - pool.left
    assert not pool.dry and "tables.search_capped" not in [i["code"] for i in full["issues"]]
    assert any(c["confidence"] >= confidence.REVIEW_BELOW for _, c in _cells(full))
    with budget.searches(cap=needed // 2) as pool:
        rec = extractor.extract(text).to_dict()
    assert pool.dry and rec["needs_review"]
    capped = next(i for i in rec["issues"] if i["code"] == "tables.search_capped")
    assert f"more than {needed // 2} steps" in capped["message"]
    assert all(c["confidence"] <= confidence.CAPPED for _, c in _cells(rec) if c["value"] is not None)


def _cells(rec: dict):
    for t, rows in rec["tables"].items():
        for r, cols in rows.items():
            for c, cell in cols.items():
                yield f"{t}.{r}.{c}", cell
