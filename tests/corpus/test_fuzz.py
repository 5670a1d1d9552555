"""A short seeded fuzzing run (issue 10): no crash, no hang, every record conforms.

The harness is `benchmarks/fuzz` (the long run of 100,000 inputs is a
benchmark, run by hand); here it runs every adversarial input, shrunk
(`SCALE`), and a few hundred mutants of the samples (and of the annotated
reports when ../shared is present) in every format, in two worker
processes.  The hard limit is generous: it only trips on a real hang (the
extractor's own budget is 10 s); this is a hang guard, not a speed test.
Stand-in workers that hang or die check the pool's own guard.  The
hypothesis properties at the end run in this process and need no
../shared (test_properties.py covers arbitrary text and bytes with
check_record): mutated reports in every text format, damaged files of
every format, arbitrary bytes under every suffix.
"""
from __future__ import annotations

import random
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import extractor
from benchmarks.fuzz import formats
from benchmarks.fuzz.cases import make_case, schedule_sizes
from benchmarks.fuzz.mutate import BYTE_MUTATIONS, TEXT_MUTATIONS
from benchmarks.fuzz.sources import bases
from extractor.input.load import load_bytes
from extractor.pipeline import extract_document
from benchmarks.fuzz.pool import run_cases
from benchmarks.fuzz.sources import record_checker
from benchmarks.fuzz.summary import summarize

SEED = 10
MUTANTS = 160
SCALE = 0.02  # 1 MB digit runs become 20 KB, the 300-page PDF 6 pages: same shapes, a quick run
LIMIT = 60.0
# The extractor's own budget per input, below its default (10 s) so a heavy mutant costs the run
# little; what ran out of it says input.too_slow and must still conform.
BUDGET = 3.0


def _indices() -> list[int]:
    """Every adversarial case, then mutants (the unmutated baseline is the golden records' job)."""
    n_adv, n_base = schedule_sizes()
    return list(range(n_adv)) + list(range(n_adv + n_base, n_adv + n_base + MUTANTS))


@pytest.fixture(scope="module")
def run() -> dict:
    checked = record_checker() is not None
    results, restarts = run_cases(_indices(), workers=2, seed=SEED, scale=SCALE, limit=LIMIT, check=checked,
                                  seconds=BUDGET)
    return {"results": results, "summary": summarize(results, restarts, checked), "checked": checked}


def _failures(run: dict, why: str) -> list[str]:
    return [f"#{f['index']} {f['kind']}: {f.get('exception') or f.get('message') or f.get('problems')}"
            for f in run["summary"]["failures"] if f["why"] == why]


def test_every_input_gives_a_record(run):
    s = run["summary"]
    assert s["inputs"] == len(_indices())
    assert _failures(run, "crash") == [] and _failures(run, "harness_error") == []
    assert _failures(run, "internal_error") == []


def test_no_input_hangs(run):
    assert _failures(run, "hang") == []


def test_every_record_and_span_conforms(run):
    if not run["checked"]:
        pytest.skip("../shared/tools/check_record.py not present: conformance not checked")
    assert _failures(run, "nonconforming") == []


def test_the_run_covers_every_format_and_family(run):
    s = run["summary"]
    assert set(s["per_format"]) == {"txt", "md", "html", "docx", "pdf"}
    assert s["families"]["adversarial"] == schedule_sizes()[0] and s["families"]["mutant"] == MUTANTS


def test_a_case_is_its_seed_and_number():
    """What --out keeps and a regression test replays is rebuilt from (seed, number) alone."""
    n_adv, n_base = schedule_sizes()
    for i in (0, n_adv - 1, n_adv + n_base + 7):
        a, b = make_case(SEED, i, SCALE), make_case(SEED, i, SCALE)
        assert (a.kind, a.data) == (b.kind, b.data)
    assert make_case(SEED, n_adv + n_base + 7).data != make_case(SEED + 1, n_adv + n_base + 7).data


def _stuck_worker(conn, *args) -> None:
    """A stand-in worker that starts every case and never finishes it."""
    import time

    while (index := conn.recv()) is not None:
        conn.send(("start", index, "stuck", 0, 1))
        time.sleep(3600)


def _dying_worker(conn, *args) -> None:
    """A stand-in worker that dies in the middle of every case (a segfault, the memory limit)."""
    import os

    while (index := conn.recv()) is not None:
        conn.send(("start", index, "dies", 0, 1))
        os._exit(7)


def test_the_hang_guard_kills_a_stuck_worker_and_goes_on():
    """Past the hard limit a case is a hang, its worker is killed, the next case gets a fresh one."""
    results, restarts = run_cases([1, 2, 3], workers=2, seed=SEED, scale=SCALE, limit=0.5, check=False,
                                  target=_stuck_worker)
    assert [(r["index"], r["status"], r["kind"]) for r in results] == [(i, "hang", "stuck") for i in (1, 2, 3)]
    assert restarts == 1


def test_a_dead_worker_is_a_crash_of_its_case_and_is_replaced():
    results, restarts = run_cases([1, 2], workers=1, seed=SEED, scale=SCALE, limit=60.0, check=False,
                                  target=_dying_worker)
    assert [(r["status"], r["exception"]) for r in results] == [("crash", "the worker died (exit code 7)")] * 2
    assert restarts == 1


# ------------------------------------------------------------------ properties (no ../shared needed)

def _spans_show_their_values(rec: dict, text: str) -> list[str]:
    """The part of check_record that needs no ../shared: every value's span is in the text and shows it."""
    bad = []
    for name, table in rec["tables"].items():
        for row, cells in table.items():
            for col, cell in cells.items():
                if cell["value"] is None or cell["span"] is None:
                    continue
                s, e = cell["span"]
                digits = "".join(c for c in unicodedata.normalize("NFKC", text[s:e]) if c.isdigit() or c == ".")
                if not (0 <= s < e <= len(text)) or not digits or float(digits) != cell["value"]:
                    bad.append(f"{name}.{row}.{col}: {cell['value']} at {text[s:e]!r}")
    return bad


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(range(len(bases()))), st.lists(st.sampled_from(sorted(TEXT_MUTATIONS)), max_size=3),
       st.sampled_from(formats.FORMATS[:3]), st.integers(0, 2 ** 32))
def test_a_mutated_report_gives_a_record_whose_spans_show_its_values(k, names, fmt, seed):
    rng = random.Random(seed)
    text = bases()[k].text
    for name in names:
        text = TEXT_MUTATIONS[name](rng, text)
    data, _ = formats.render(rng, fmt, text)
    doc = load_bytes(data, "x" + formats.SUFFIX[fmt])
    rec = extract_document(doc).to_dict()
    assert rec["error"] is None or rec["error"]["code"] != "internal.error", rec["error"]
    assert _spans_show_their_values(rec, doc.text) == []


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(range(len(bases()))), st.sampled_from(formats.FORMATS),
       st.sampled_from(sorted(BYTE_MUTATIONS)), st.integers(0, 2 ** 32))
def test_a_damaged_file_of_any_format_gives_a_record(k, fmt, name, seed):
    """Byte flips, cuts and junk in txt, md, html, docx and pdf files: a record, never an exception."""
    rng = random.Random(seed)
    data, _ = formats.render(rng, fmt, bases()[k].text[: rng.randrange(200, 3000)])
    doc = load_bytes(BYTE_MUTATIONS[name](rng, data), "x" + formats.SUFFIX[fmt])
    rec = extract_document(doc).to_dict()
    assert rec["error"] is None or rec["error"]["code"] != "internal.error", rec["error"]
    assert _spans_show_their_values(rec, doc.text) == []


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=2000), st.sampled_from([".html", ".docx", ".pdf", ".md"]))
def test_any_bytes_in_any_format_give_a_record(data, suffix):
    rec = extract_document(load_bytes(data, "x" + suffix)).to_dict()
    assert rec["error"] is None or rec["error"]["code"].startswith("input."), rec["error"]


def test_extract_file_never_raises_on_the_adversarial_shapes(tmp_path):
    """The adversarial inputs, small, in this process: each gives a record (the run above uses children)."""
    n_adv, _ = schedule_sizes()
    for i in range(n_adv):
        case = make_case(SEED, i, 0.002)
        path = tmp_path / f"case{i}{case.suffix}"
        path.write_bytes(case.data)
        rec = extractor.extract_file(path).to_dict()
        assert rec["error"] is None or rec["error"]["code"] != "internal.error", (case.kind, rec["error"])
