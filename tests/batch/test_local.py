"""The local engine: per-file timeout, crashes, the warmed fork server (extractor/batch/local.py)."""
from __future__ import annotations

import os
import subprocess
import sys
import time

from extractor.batch import run_batch
from extractor.batch.local import PRELOAD
from extractor.batch.worker import WARM_ENV
from tests.batch.hooks import opts, read_jsonl, small_reports
from tests.helpers import ROOT


def test_timeout_and_crash_yield_records_and_the_batch_goes_on(tmp_path):
    files = small_reports(tmp_path / "in", 6)
    files[1].write_text(files[1].read_text() + "STALL\n", encoding="utf-8")
    files[4].write_text(files[4].read_text() + "CRASH\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    t0 = time.monotonic()
    s = run_batch([str(tmp_path / "in")], opts(out, timeout=2.0, extract="tests.batch.hooks:stall_extract"))
    assert time.monotonic() - t0 < 30
    recs = read_jsonl(out)
    codes = [(r["error"] or {}).get("code") for r in recs]
    assert len(recs) == 6
    assert codes[1] == "input.timeout" and codes[4] == "input.crashed"
    assert [c for i, c in enumerate(codes) if i not in (1, 4)] == [None] * 4
    assert recs[1]["source"]["sha256"] and recs[1]["needs_review"] is True
    assert s["errors_by_code"] == {"input.crashed": 1, "input.timeout": 1}


def _import_in_a_fresh_process(module: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT, env={**os.environ, **env}, check=True,
                   timeout=120)


def test_the_fork_server_preload_warms_the_named_pipeline_and_nothing_else_does(tmp_path):
    """The fork server imports `PRELOAD` by name (and ignores an ImportError): it must exist and warm up."""
    mark = tmp_path / "mark"
    env = {"BATCH_TEST_MARK": str(mark), WARM_ENV: "tests.batch.hooks:marking_extract"}
    _import_in_a_fresh_process("extractor.batch", env)
    assert not mark.exists()  # importing the package (the parent does) warms nothing
    _import_in_a_fresh_process(PRELOAD, env)
    assert len(mark.read_text().splitlines()) == 1

