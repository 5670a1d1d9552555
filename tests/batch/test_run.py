"""`run_batch`: one record per input, kill -9 safe, resumable, deterministic, clear on write faults (extractor/batch/run.py)."""
from __future__ import annotations

import contextlib
import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from extractor.batch import OutputFault, format_summary, run_batch
from tests.batch.hooks import (
    LIGHT,
    FullDisk,
    no_new_files,
    opts,
    read_jsonl,
    small_reports,
    table_values,
)
from tests.helpers import ROOT, SEED, seed_text, to_html

# ------------------------------------------------------------------ mixed inputs (the `mixed` fixture: conftest)

def test_mixed_one_record_each_with_the_right_error(mixed):
    d, out, summary, records = mixed
    assert sorted(records) == sorted([
        "empty.txt", "random.txt", "gbk.txt", "big5.txt", "utf16.txt", "utf8.txt", "table.html",
        "narrative.htm", "report.docx", "report.pdf", "scan.pdf", "broken.docx", "notes.md", "missing.txt",
        "mislabeled.html"])
    err = {name: (r["error"] or {}).get("code") for name, r in records.items()}
    assert err["empty.txt"] == "input.empty"
    assert err["random.txt"] in ("input.undecodable", "input.binary")
    assert err["scan.pdf"] == "input.no_text_layer"
    assert err["broken.docx"] == "input.corrupt"
    assert err["missing.txt"] == "input.not_found"
    assert err["notes.md"] == "input.not_a_report"
    for name in ("gbk.txt", "utf16.txt", "utf8.txt", "table.html", "report.docx", "report.pdf", "mislabeled.html"):
        assert err[name] is None, (name, records[name]["error"])
    assert records["mislabeled.html"]["source"]["encoding"] == "gb18030"
    assert "input.charset_mismatch" in [i["code"] for i in records["mislabeled.html"]["issues"]]
    assert err["big5.txt"] not in ("input.undecodable", "input.binary")
    assert records["big5.txt"]["source"]["encoding"] == "big5"
    assert records["gbk.txt"]["source"]["encoding"] == "gb18030"
    assert records["utf16.txt"]["source"]["encoding"] == "utf-16"
    assert records["narrative.htm"]["source"]["chars"] > 0
    assert (records["narrative.htm"]["error"] or {}).get("code") in (None, "input.not_a_report")
    for r in records.values():
        assert r["needs_review"] is True or r["error"] is None
    assert summary["reports"] == 15 and summary["errors"] == sum(1 for c in err.values() if c)
    assert summary["errors_by_code"]["input.no_text_layer"] == 1
    assert json.loads((d / "out" / "summary.json").read_text())["reports"] == 15


def test_same_tables_from_every_format(mixed):
    _, _, _, records = mixed
    base = table_values(records["utf8.txt"])
    assert sum(v is not None for v in base.values()) > 150
    assert base[("table3", "new", "total")] == 57 and base[("table2", "licensing", "decisions")] == 2439825
    for name in ("gbk.txt", "utf16.txt", "table.html", "mislabeled.html", "report.docx", "report.pdf"):
        assert table_values(records[name]) == base, name


def test_records_conform_and_spans_point_into_the_loaded_text(mixed):
    sys.path.insert(0, str(SEED.parents[1] / "tools"))
    from check_record import problems

    from extractor.input.load import load

    d, _, _, records = mixed
    for name in ("gbk.txt", "table.html", "report.docx", "report.pdf"):
        rec = records[name]
        text = load(rec["source"]["path"]).text
        assert rec["source"]["chars"] == len(text)
        assert problems(rec, text) == [], name


def test_rerun_is_identical(mixed, tmp_path):
    d, out, _, _ = mixed
    again = tmp_path / "again.jsonl"
    run_batch([str(d), str(d / "missing.txt")], opts(again, workers=1))
    assert again.read_bytes() == out.read_bytes()
    before = out.read_bytes()
    s = run_batch([str(d), str(d / "missing.txt")], opts(out, resume=True))
    assert s["processed"] == 0 and s["skipped"] == 15 and out.read_bytes() == before


def test_summary_keys_and_its_terminal_form(mixed):
    _, _, summary, _ = mixed
    assert list(summary) == [
        "reports", "ok", "needs_review", "errors", "errors_by_code", "processed", "skipped", "dropped_lines",
        "crossyear_checks", "crossyear_failed", "chain_settled_cells", "chain_settled_reports", "hierarchy_checks",
        "hierarchy_failed", "copypaste_failed", "unmatched", "engine", "workers", "seconds", "read_seconds",
        "reports_per_second"]
    text = format_summary(summary)
    assert text.startswith(f"reports 15: ok {summary['ok']}, needs review {summary['needs_review']}, errors ")
    assert "input.no_text_layer 1" in text and "matched nothing" not in text


# ------------------------------------------------------------------ kill -9 and resume

def test_sigkill_mid_run_then_resume(tmp_path):
    files = small_reports(tmp_path / "in", 40)
    out = tmp_path / "out.jsonl"
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
            "from pathlib import Path\n"
            "from extractor.batch import Options, run_batch\n"
            f"run_batch([{str(tmp_path / 'in')!r}], Options(out=Path({str(out)!r}), workers=2, progress=False,"
            " extract='tests.batch.hooks:slow_extract'))\n")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if out.exists() and out.read_bytes().count(b"\n") >= 5:
                break
            assert proc.poll() is None, "the batch ended before it could be killed"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    partial = read_jsonl(out)
    assert 5 <= len(partial) < 40
    with open(out, "ab") as f:  # what a kill in the middle of a write leaves behind
        f.write(b'{"schema":"gov-disclosure-report/1","source":{"path":"')
    s = run_batch([str(tmp_path / "in")], opts(out, resume=True, extract="tests.batch.hooks:light_extract",
                                               cells=tmp_path / "cells.parquet"))
    recs = read_jsonl(out)
    paths = [r["source"]["path"] for r in recs]
    assert paths == sorted(str(p) for p in files)
    assert [r["tables"]["table2"]["rules"]["in_force"]["value"] for r in recs] == [i + 5 for i in range(40)]
    assert s["skipped"] == len(partial) and s["processed"] == 40 - len(partial) and s["dropped_lines"] == 0
    import pandas as pd

    cells = pd.read_parquet(tmp_path / "cells.parquet")
    assert len(cells) == 40 * 200 and cells.report.drop_duplicates().tolist() == paths
    fresh = tmp_path / "fresh.jsonl"
    run_batch([str(tmp_path / "in")], opts(fresh, extract="tests.batch.hooks:light_extract"))
    assert fresh.read_bytes() == out.read_bytes()


def test_resume_redoes_changed_files_and_drops_vanished_ones(tmp_path):
    files = small_reports(tmp_path / "in", 3)
    out = tmp_path / "out.jsonl"
    run_batch([str(tmp_path / "in")], opts(out))
    files[0].write_text(files[0].read_text().replace("规章\t0", "规章\t9"), encoding="utf-8")
    files[2].unlink()
    s = run_batch([str(tmp_path / "in")], opts(out, resume=True))
    recs = read_jsonl(out)
    assert [Path(r["source"]["path"]).name for r in recs] == ["r000.txt", "r001.txt"]
    assert recs[0]["tables"]["table2"]["rules"]["issued"]["value"] == 9
    assert s["processed"] == 1 and s["skipped"] == 1 and s["dropped_lines"] == 2


# ------------------------------------------------------------------ cross-year checks, end to end

def test_crossyear_end_to_end(tmp_path):
    src = seed_text()
    d = tmp_path / "in"
    d.mkdir()
    body = src.replace("新乡市公安局", "某县公安局")
    (d / "y2022.txt").write_text("机关：某县公安局；年度：2022\n" + body.replace("2023", "2022"), encoding="utf-8")

    def year(text: str, new: int, carried_over: int) -> str:
        """The seed with its new and carried-over rows changed so that its own balance still holds."""
        return text.replace(
            "一、本年新收政府信息公开申请数量\t\t57\t0\t0\t0\t0\t0\t57",
            f"一、本年新收政府信息公开申请数量\t\t{new}\t0\t0\t0\t0\t0\t{new}").replace(
            "二、上年结转政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0\t0",
            f"二、上年结转政府信息公开申请数量\t\t{carried_over}\t0\t0\t0\t0\t0\t{carried_over}")

    (d / "y2023.html").write_bytes(to_html("机关：某县公安局；年度：2023\n" + year(body, 54, 3), "gbk"))
    # 2024 says 2 were carried over, but 2023 carried 3 forward.
    (d / "y2024.txt").write_text("机关：某县公安局；年度：2024\n" + year(body.replace("2023", "2024"), 55, 2),
                                 encoding="utf-8")
    out = tmp_path / "out.jsonl"
    s = run_batch([str(d)], opts(out, extract="tests.batch.hooks:meta_extract", cells=tmp_path / "cells.parquet"))
    recs = {Path(r["source"]["path"]).name: r for r in read_jsonl(out)}
    rec = recs["y2023.html"]
    assert rec["meta"]["year"]["value"] == 2023
    cross = {c["rule"]: c for c in rec["checks"] if c["rule"].startswith("crossyear.")}
    assert cross["crossyear.carried_over"]["ok"] is True, cross["crossyear.carried_over"]["detail"]
    assert cross["crossyear.normative_docs"]["ok"] is True
    assert not [c for c in recs["y2022.txt"]["checks"] if c["rule"].startswith("crossyear.")]
    bad = {c["rule"]: c for c in recs["y2024.txt"]["checks"] if c["rule"].startswith("crossyear.")}
    assert bad["crossyear.carried_over"]["ok"] is False and "natural_person 3≠2" in bad["crossyear.carried_over"]["detail"]
    assert bad["crossyear.carried_over"]["previous"]["path"].endswith("y2023.html")
    # Both years read with certainty: the agency's figures break the chain (issue 16), named, not a reading doubt.
    assert bad["crossyear.carried_over"]["cause"] == "agency"
    assert bad["crossyear.carried_over"]["other"]["path"].endswith("y2023.html")
    reasons = {r["reason"]: r for r in recs["y2024.txt"]["review_reasons"]}
    assert reasons["cross_report"]["review"] is False and "crossyear.carried_over" in reasons["cross_report"]["checks"]
    assert s["crossyear_checks"] == 4 and s["crossyear_failed"] == 1
    import pandas as pd

    cells = pd.read_parquet(tmp_path / "cells.parquet").set_index(["report", "table", "row", "col"])
    assert not cells.loc[(str(d / "y2024.txt"), "table3", "carried_over", "total")].needs_review
    assert not cells.loc[(str(d / "y2023.html"), "table3", "carried_over", "total")].needs_review


# ------------------------------------------------------------------ CLI

def test_cli_batch(tmp_path):
    from typer.testing import CliRunner

    from extractor.cli import app

    small_reports(tmp_path / "in", 3)
    out = tmp_path / "o.jsonl"
    res = CliRunner().invoke(app, ["batch", str(tmp_path / "in"), "--out", str(out), "--workers", "1",
                                   "--no-progress", "--cells", str(tmp_path / "c.csv"),
                                   "--summary", str(tmp_path / "s.json")])
    assert res.exit_code == 0, res.output
    assert "reports 3: ok" in res.output
    assert len(read_jsonl(out)) == 3
    assert json.loads((tmp_path / "s.json").read_text())["reports"] == 3
    import csv

    with open(tmp_path / "c.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0])[:6] == ["report", "sha256", "table", "row", "col", "value"]
    assert len(rows) == 3 * 200
    assert [r["value"] for r in rows if r["row"] == "rules" and r["col"] == "in_force"] == ["5", "6", "7"]
    bad = CliRunner().invoke(app, ["batch", str(tmp_path / "in"), "--out", str(out), "--cells", "x.xlsx"])
    assert bad.exit_code == 2


# ------------------------------------------------------------------ output faults (issue 10)
# A full disk or a read-only output directory used to end the batch with a traceback.  Now: a clear
# OutputFault (which file, which error, how many records are safe), nothing complete lost, and --resume
# finishes, to the very bytes of a run that had no fault.

def _reference(tmp_path: Path, n: int = 8, **kw) -> tuple[Path, bytes]:
    """n small reports and the output of a batch over them that met no fault."""
    small_reports(tmp_path / "in", n)
    ref = tmp_path / "ref" / "out.jsonl"
    run_batch([str(tmp_path / "in")], opts(ref, workers=1, extract=LIGHT, **kw))
    return ref, ref.read_bytes()


def test_a_full_disk_while_appending_says_what_is_safe_and_resume_finishes(tmp_path, monkeypatch):
    _, want = _reference(tmp_path)
    out = tmp_path / "out" / "out.jsonl"
    line = len(want.splitlines(keepends=True)[0])
    FullDisk(int(2.5 * line)).install(monkeypatch)
    with pytest.raises(OutputFault) as fault:
        run_batch([str(tmp_path / "in")], opts(out, workers=1, extract=LIGHT))
    e = fault.value
    assert e.errno == errno.ENOSPC and e.path == out and isinstance(e, OSError)
    assert f"cannot write {out} (appending records)" in str(e) and "No space left on device" in str(e)
    assert f"2 of 8 records are safely in {out}" in str(e) and "--resume" in str(e)
    kept = read_jsonl(out)  # whole lines only, each the record a fault-free run wrote
    assert len(kept) == 2 and all(json.dumps(r, ensure_ascii=False, separators=(",", ":")).encode() in want
                                  for r in kept)
    monkeypatch.undo()
    s = run_batch([str(tmp_path / "in")], opts(out, workers=1, extract=LIGHT, resume=True))
    assert s["skipped"] == 2 and s["processed"] == 6 and out.read_bytes() == want


def test_a_failed_fsync_cuts_back_to_the_last_good_one_says_so_and_resume_finishes(tmp_path, monkeypatch):
    """Records are fsynced once a period (issue 14); an fsync that fails (EIO) may have lost what was
    written since the last good one: the file is cut back to it and the message counts only what stayed."""
    from extractor.batch import output
    from tests.batch import hooks

    _, want = _reference(tmp_path)
    out = tmp_path / "out" / "out.jsonl"
    calls, ticks = [], iter(range(10**6))

    def fsync(fd):
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(output, "os", hooks._OsWith(fsync=fsync))
    # a clock read ticks once: the file is synced after records 2 and 4; the second sync fails, so records
    # 3 and 4, written but not yet synced, are cut off with it
    monkeypatch.setattr(output, "_clock", lambda: next(ticks))
    monkeypatch.setattr(output, "SYNC_EVERY", 1.5)
    with pytest.raises(OutputFault) as fault:
        run_batch([str(tmp_path / "in")], opts(out, workers=1, extract=LIGHT))
    assert fault.value.errno == errno.EIO
    kept = read_jsonl(out)
    assert len(kept) == 2 and f"2 of 8 records are safely in {out}" in str(fault.value)
    monkeypatch.undo()
    s = run_batch([str(tmp_path / "in")], opts(out, workers=1, extract=LIGHT, resume=True))
    assert s["skipped"] == 2 and s["processed"] == 6 and out.read_bytes() == want


def test_a_full_disk_at_the_summary_keeps_the_final_output_and_resume_writes_it(tmp_path, monkeypatch):
    _, want = _reference(tmp_path)
    out, summary = tmp_path / "out" / "out.jsonl", tmp_path / "out" / "summary.json"
    FullDisk(len(want) + 10).install(monkeypatch)  # room for the records, not for the summary
    with pytest.raises(OutputFault) as fault:
        run_batch([str(tmp_path / "in")], opts(out, workers=1, extract=LIGHT, summary=summary))
    assert "(writing the summary)" in str(fault.value) and "8 of 8 records are safely in" in str(fault.value)
    assert out.read_bytes() == want and sorted(os.listdir(out.parent)) == ["out.jsonl"]
    monkeypatch.undo()
    s = run_batch([str(tmp_path / "in")], opts(out, workers=1, extract=LIGHT, summary=summary, resume=True))
    assert s["processed"] == 0 and json.loads(summary.read_text())["reports"] == 8 and out.read_bytes() == want


def test_a_full_disk_at_the_long_table_leaves_no_partial_table_and_resume_writes_it(tmp_path, monkeypatch):
    import pyarrow.csv as pacsv

    ref, want = _reference(tmp_path, cells=tmp_path / "ref" / "cells.csv")
    out, cells = tmp_path / "out" / "out.jsonl", tmp_path / "out" / "cells.csv"
    real = pacsv.CSVWriter

    class FullDiskWriter(real):  # writes some rows, then the disk is full (closing fails too)
        def write_table(self, table):
            super().write_table(table.slice(0, 10))
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def close(self):
            super().close()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(pacsv, "CSVWriter", FullDiskWriter)
    with pytest.raises(OutputFault) as fault:
        run_batch([str(tmp_path / "in")], opts(out, workers=1, extract=LIGHT, cells=cells))
    assert f"cannot write {cells} (writing the cells table)" in str(fault.value)
    assert out.read_bytes() == want and sorted(os.listdir(out.parent)) == ["out.jsonl"]  # no spool, no temp table
    monkeypatch.undo()
    run_batch([str(tmp_path / "in")], opts(out, workers=1, extract=LIGHT, cells=cells, resume=True))
    assert cells.read_bytes() == (ref.parent / "cells.csv").read_bytes()


def _read_only_then_resume(tmp_path: Path, make_read_only) -> None:
    """The directory of a finished batch turns read-only; the batch is resumed with one more input."""
    small_reports(tmp_path / "in", 7)
    out = tmp_path / "out" / "out.jsonl"
    run_batch([str(tmp_path / "in")], opts(out, workers=1, extract=LIGHT))
    (tmp_path / "in" / "r006.txt").rename(tmp_path / "in" / "r000b.txt")  # sorts among the others: a rewrite
    before = out.read_bytes()
    with make_read_only(out.parent), pytest.raises(OutputFault) as fault:
        run_batch([str(tmp_path / "in")], opts(out, workers=1, extract=LIGHT, resume=True))
    e = fault.value
    assert e.errno == errno.EACCES and "(rewriting it in path order)" in str(e) and "Permission denied" in str(e)
    assert f"7 of 7 records are safely in {out}" in str(e)
    assert out.read_bytes().startswith(before) and len(read_jsonl(out)) == 8  # appended, whole, not yet sorted
    assert sorted(os.listdir(out.parent)) == ["out.jsonl"]
    s = run_batch([str(tmp_path / "in")], opts(out, workers=1, extract=LIGHT, resume=True))
    fresh = tmp_path / "fresh.jsonl"
    run_batch([str(tmp_path / "in")], opts(fresh, workers=1, extract=LIGHT))
    assert s["processed"] == 0 and s["dropped_lines"] == 1 and out.read_bytes() == fresh.read_bytes()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root writes into a read-only directory anyway; the EACCES case below simulates it")
def test_a_read_only_output_directory_says_what_is_safe_and_resume_finishes(tmp_path):
    @contextlib.contextmanager
    def chmod_read_only(d: Path):
        d.chmod(0o555)
        try:
            yield
        finally:
            d.chmod(0o755)

    _read_only_then_resume(tmp_path, chmod_read_only)


def test_an_output_directory_refusing_new_files_says_what_is_safe_and_resume_finishes(tmp_path, monkeypatch):
    """The read-only case as root sees it (EACCES simulated), so it runs wherever the tests run."""
    @contextlib.contextmanager
    def refusing(d: Path):
        no_new_files(monkeypatch, d)
        try:
            yield
        finally:
            monkeypatch.undo()

    _read_only_then_resume(tmp_path, refusing)


def test_cli_batch_on_a_full_disk_prints_what_is_safe_and_exits_74_then_resume_finishes(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from extractor.cli import app

    small_reports(tmp_path / "in", 3)
    ref = tmp_path / "ref.jsonl"
    run_batch([str(tmp_path / "in")], opts(ref, workers=1))  # the CLI runs the pipeline itself
    want = ref.read_bytes()
    out = tmp_path / "o.jsonl"
    args = ["batch", str(tmp_path / "in"), "--out", str(out), "--workers", "1", "--no-progress"]
    FullDisk(len(want.splitlines(keepends=True)[0]) + 5).install(monkeypatch)
    res = CliRunner().invoke(app, args)
    assert res.exit_code == OutputFault.exit_code == 74, res.output
    assert f"extractor: cannot write {out} (appending records)" in res.output and "Traceback" not in res.output
    assert "1 of 3 records are safely in" in res.output and "run again with --resume" in res.output
    monkeypatch.undo()
    res = CliRunner().invoke(app, [*args, "--resume"])
    assert res.exit_code == 0, res.output
    assert out.read_bytes() == want
