"""`extractor batch`: one record per input, kill -9 safe, resumable, deterministic.

The `*_extract` functions below wrap the real pipeline; batches run them by
name in their worker processes ("test_batch:slow_extract"), which is how
these tests make a file slow, stall or crash a worker on purpose.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from extractor.batch import Options, collect_inputs, cut_partial_line, finalize, run_batch
from extractor.record import Cell, Issue, Report
from test_formats import SEED, seed_text, to_docx, to_html, to_pdf

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
NOT_A_REPORT = "今天天气很好。我们去公园散步，看见了很多花。\n这不是一份年度报告。\n"


# ------------------------------------------------------------------ extract hooks (run in workers)

def _pipeline(doc):
    from extractor.pipeline import extract_document

    return extract_document(doc)


def light_extract(doc):
    """A cheap, deterministic stand-in for the pipeline where only the batch machinery is under test."""
    import re

    report = Report(source=doc.source(), error=doc.error)
    m = re.search(r"规章\t(\d+)\t(\d+)\t(\d+)", doc.text)
    if m:
        for i, col in enumerate(("issued", "repealed", "in_force"), start=1):
            report.tables["table2"]["rules"][col] = Cell(int(m.group(i)), 0.99, m.span(i))
    elif doc.error is None:
        report.error = Issue("input.not_a_report", "no table")
    return report


def slow_extract(doc):
    time.sleep(0.15)
    return light_extract(doc)


def stall_extract(doc):
    if "STALL" in doc.text:
        time.sleep(600)
    if "CRASH" in doc.text:
        os._exit(3)
    return _pipeline(doc)


def meta_extract(doc):
    """The pipeline, with agency and year taken from a first line "机关：X；年度：N" when it read none."""
    report = _pipeline(doc)
    first = doc.text.split("\n", 1)[0]
    if first.startswith("机关："):
        agency, year = first[3:].split("；年度：")
        if report.meta["agency"].value is None:
            report.meta["agency"] = Cell(agency, 1.0, (3, 3 + len(agency)))
        if report.meta["year"].value is None:
            report.meta["year"] = Cell(int(year), 1.0, None)
    return report


# ------------------------------------------------------------------ helpers

def read_jsonl(path: Path) -> list[dict]:
    raw = path.read_bytes()
    assert raw == b"" or raw.endswith(b"\n"), "the output ends in a partial line"
    return [json.loads(line) for line in raw.splitlines()]


def opts(out: Path, **kw) -> Options:
    kw.setdefault("workers", 2)
    kw.setdefault("progress", False)
    return Options(out=out, **kw)


def table_values(rec: dict) -> dict:
    return {(t, r, c): cell["value"] for t, rows in rec["tables"].items()
            for r, cols in rows.items() for c, cell in cols.items()}


def small_reports(d: Path, n: int) -> list[Path]:
    """n small report texts that differ in one number (fast to extract)."""
    d.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        p = d / f"r{i:03d}.txt"
        p.write_text("一、总体情况\n好。\n二、主动公开政府信息情况\n第二十条第（一）项\n"
                     f"信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n规章\t{i}\t0\t{i + 5}\n", encoding="utf-8")
        out.append(p)
    return out


# ------------------------------------------------------------------ mixed inputs

@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """A directory of real and broken inputs, one of each kind, and the batch run over it."""
    src = seed_text()
    d = tmp_path_factory.mktemp("mixed")
    (d / "sub").mkdir()
    files = {
        "empty.txt": b"",
        "random.txt": __import__("random").Random(5).randbytes(5000),
        "gbk.txt": src.encode("gbk"),
        "big5.txt": "政府資訊公開工作年度報告\n一、總體情況\n本機關收到申請五件。\n".encode("big5"),
        "utf16.txt": src.encode("utf-16"),
        "utf8.txt": src.encode("utf-8"),
        "sub/table.html": to_html(src, "gbk"),
        "sub/narrative.htm": ("<html><head><meta charset='gb2312'></head><body><h1>年度报告</h1>"
                              "<p>一、总体情况</p><p>本年共发布信息100条。</p></body></html>").encode("gbk"),
        "sub/report.docx": to_docx(src),
        "sub/report.pdf": to_pdf(src),
        "sub/scan.pdf": to_pdf(scanned=True),
        "sub/broken.docx": to_docx(src)[:3000],
        "sub/mislabeled.html": to_html(src, "gbk").replace(b"charset=gbk", b"charset=utf-8"),
        "notes.md": NOT_A_REPORT.encode("utf-8"),
        "ignored.json": b"{}",
    }
    for name, data in files.items():
        (d / name).write_bytes(data)
    out = d / "out" / "records.jsonl"
    missing = str(d / "missing.txt")
    summary = run_batch([str(d), missing], opts(out, cells=d / "out" / "cells.parquet",
                                                facts=d / "out" / "facts.csv", summary=d / "out" / "summary.json"))
    records = {Path(r["source"]["path"]).name: r for r in read_jsonl(out)}
    return d, out, summary, records


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

    from extractor.load import load

    d, _, _, records = mixed
    for name in ("gbk.txt", "table.html", "report.docx", "report.pdf"):
        rec = records[name]
        text = load(rec["source"]["path"]).text
        assert rec["source"]["chars"] == len(text)
        assert problems(rec, text) == [], name


def test_output_sorted_and_long_tables(mixed):
    import pandas as pd

    d, out, _, records = mixed
    paths = [r["source"]["path"] for r in read_jsonl(out)]
    assert paths == sorted(paths)
    cells = pd.read_parquet(d / "out" / "cells.parquet")
    assert len(cells) == 15 * 200
    row = cells[(cells.report.str.endswith("report.pdf")) & (cells.row == "new") & (cells.col == "total")]
    assert row.value.tolist() == [57.0] and row.table.tolist() == ["table3"]
    assert set(cells.columns) >= {"report", "sha256", "table", "row", "col", "value", "confidence", "needs_review"}
    assert cells[cells.report.str.endswith("scan.pdf")].needs_review.all()
    facts = pd.read_csv(d / "out" / "facts.csv")
    assert list(facts.columns[:4]) == ["report", "sha256", "metric", "channel"]
    assert len(facts) == sum(len(r["facts"]) for r in records.values())


def test_rerun_is_identical(mixed, tmp_path):
    d, out, _, _ = mixed
    again = tmp_path / "again.jsonl"
    run_batch([str(d), str(d / "missing.txt")], opts(again, workers=1))
    assert again.read_bytes() == out.read_bytes()
    before = out.read_bytes()
    s = run_batch([str(d), str(d / "missing.txt")], opts(out, resume=True))
    assert s["processed"] == 0 and s["skipped"] == 15 and out.read_bytes() == before


# ------------------------------------------------------------------ inputs

def test_collect_inputs_dirs_globs_and_missing(tmp_path):
    small_reports(tmp_path / "a", 2)
    (tmp_path / "a" / "deep").mkdir()
    (tmp_path / "a" / "deep" / "x.HTML").write_text("<p>x</p>")
    (tmp_path / "a" / "skip.json").write_text("{}")
    (tmp_path / "b.md").write_text("b")
    paths, unmatched = collect_inputs([str(tmp_path / "a"), str(tmp_path / "*.md"), str(tmp_path / "none*.txt"),
                                       str(tmp_path / "gone.txt"), str(tmp_path / "b.md")])
    names = [os.path.relpath(p, tmp_path) for p in paths]
    assert names == ["a/deep/x.HTML", "a/r000.txt", "a/r001.txt", "b.md", "gone.txt"]
    assert unmatched == [str(tmp_path / "none*.txt")]


# ------------------------------------------------------------------ failures in workers

def test_timeout_and_crash_yield_records_and_the_batch_goes_on(tmp_path):
    files = small_reports(tmp_path / "in", 6)
    files[1].write_text(files[1].read_text() + "STALL\n", encoding="utf-8")
    files[4].write_text(files[4].read_text() + "CRASH\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    t0 = time.monotonic()
    s = run_batch([str(tmp_path / "in")], opts(out, timeout=2.0, extract="test_batch:stall_extract"))
    assert time.monotonic() - t0 < 30
    recs = read_jsonl(out)
    codes = [(r["error"] or {}).get("code") for r in recs]
    assert len(recs) == 6
    assert codes[1] == "input.timeout" and codes[4] == "input.crashed"
    assert [c for i, c in enumerate(codes) if i not in (1, 4)] == [None] * 4
    assert recs[1]["source"]["sha256"] and recs[1]["needs_review"] is True
    assert s["errors_by_code"] == {"input.crashed": 1, "input.timeout": 1}


# ------------------------------------------------------------------ kill -9 and resume

def test_sigkill_mid_run_then_resume(tmp_path):
    files = small_reports(tmp_path / "in", 40)
    out = tmp_path / "out.jsonl"
    code = (f"import sys; sys.path.insert(0, {str(TESTS)!r})\n"
            "from pathlib import Path\n"
            "from extractor.batch import Options, run_batch\n"
            f"run_batch([{str(tmp_path / 'in')!r}], Options(out=Path({str(out)!r}), workers=2, progress=False,"
            " extract='test_batch:slow_extract'))\n")
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
    s = run_batch([str(tmp_path / "in")], opts(out, resume=True, extract="test_batch:light_extract",
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
    run_batch([str(tmp_path / "in")], opts(fresh, extract="test_batch:light_extract"))
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


def test_cut_partial_line(tmp_path):
    p = tmp_path / "x.jsonl"
    p.write_bytes(b'{"a":1}\n{"b":')
    assert cut_partial_line(p) == 5 and p.read_bytes() == b'{"a":1}\n'
    assert cut_partial_line(p) == 0
    p.write_bytes(b'{"b":')
    assert cut_partial_line(p) == 5 and p.read_bytes() == b""


# ------------------------------------------------------------------ cross-year checks

def _year_record(path: str, year: int, carried_over: int, carried_forward: int,
                 in_force: int, issued: int, repealed: int) -> dict:
    r = Report(source={"path": path, "sha256": path, "encoding": "utf-8", "format": "text", "chars": 1})
    r.meta["agency"] = Cell("某市 公安局", 1.0, None)
    r.meta["year"] = Cell(year, 1.0, None)
    t3 = r.tables["table3"]
    for col in t3["carried_over"]:
        t3["carried_over"][col] = Cell(carried_over if col in ("natural_person", "total") else 0, 0.99, None)
        t3["carried_forward"][col] = Cell(carried_forward if col in ("natural_person", "total") else 0, 0.99, None)
    t2 = r.tables["table2"]
    for row in ("rules", "normative_docs"):
        t2[row]["in_force"] = Cell(in_force, 0.99, None)
        t2[row]["issued"] = Cell(issued, 0.99, None)
        t2[row]["repealed"] = Cell(repealed, 0.99, None)
    return r.to_dict()


def test_crossyear_checks_on_consecutive_years(tmp_path):
    out = tmp_path / "out.jsonl"
    recs = [
        _year_record("b/2023.txt", 2023, carried_over=3, carried_forward=1, in_force=6, issued=2, repealed=0),
        _year_record("a/2022.txt", 2022, carried_over=0, carried_forward=3, in_force=4, issued=1, repealed=0),
        _year_record("c/2024.txt", 2024, carried_over=2, carried_forward=0, in_force=5, issued=0, repealed=0),
        _year_record("d/2020.txt", 2020, carried_over=0, carried_forward=9, in_force=1, issued=1, repealed=0),
    ]
    for r in recs:
        assert r["needs_review"] is False
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    inputs = [r["source"]["path"] for r in recs]
    final = finalize(out, inputs)
    got = {r["source"]["path"]: r for r in read_jsonl(out)}
    assert list(got) == sorted(inputs)
    cross = {p: {c["rule"]: c for c in r["checks"] if c["rule"].startswith("crossyear.")} for p, r in got.items()}
    assert cross["a/2022.txt"] == {} and cross["d/2020.txt"] == {}  # no previous year in the batch
    ok23 = cross["b/2023.txt"]
    assert ok23["crossyear.carried_over"]["ok"] and ok23["crossyear.normative_docs"]["ok"]
    assert ok23["crossyear.carried_over"]["previous"]["path"] == "a/2022.txt"
    assert "4+2-0 = 6" in ok23["crossyear.normative_docs"]["detail"]
    assert got["b/2023.txt"]["needs_review"] is False
    bad24 = cross["c/2024.txt"]
    assert not bad24["crossyear.carried_over"]["ok"]  # 2023 carried 1 forward, 2024 says 2 carried over
    assert "table3.carried_over.total" in bad24["crossyear.carried_over"]["cells"]
    assert "total 1≠2" in bad24["crossyear.carried_over"]["detail"]
    assert not bad24["crossyear.normative_docs"]["ok"]  # 6+0-0 ≠ 5
    assert got["c/2024.txt"]["needs_review"] is True
    assert final.crossyear_checks == 4 and final.crossyear_failed == 2 and final.needs_review == 1
    # Idempotent: a second pass gives the same bytes; dropping 2023 removes 2024's checks and its review flag.
    before = out.read_bytes()
    finalize(out, inputs)
    assert out.read_bytes() == before
    finalize(out, ["a/2022.txt", "c/2024.txt", "d/2020.txt"])
    after = {r["source"]["path"]: r for r in read_jsonl(out)}
    assert not [c for c in after["c/2024.txt"]["checks"] if c["rule"].startswith("crossyear.")]
    assert after["c/2024.txt"]["needs_review"] is False


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
    s = run_batch([str(d)], opts(out, extract="test_batch:meta_extract", cells=tmp_path / "cells.parquet"))
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
    assert recs["y2024.txt"]["needs_review"] is True
    assert s["crossyear_checks"] == 4 and s["crossyear_failed"] == 1
    import pandas as pd

    cells = pd.read_parquet(tmp_path / "cells.parquet").set_index(["report", "table", "row", "col"])
    flagged = cells.loc[(str(d / "y2024.txt"), "table3", "carried_over", "total")]
    assert bool(flagged.needs_review) and bool(flagged.report_needs_review)
    assert not cells.loc[(str(d / "y2023.html"), "table3", "carried_over", "total")].needs_review


# ------------------------------------------------------------------ dask

def test_dask_local_cluster_gives_the_same_output(tmp_path):
    pytest.importorskip("distributed")
    from distributed import LocalCluster

    files = small_reports(tmp_path / "in", 8)
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    (tmp_path / "in" / "page.html").write_bytes(to_html("一、总体情况\n规章\t1\t2\t3", "gbk"))
    local, remote = tmp_path / "local.jsonl", tmp_path / "dask.jsonl"
    hook = "test_batch:light_extract"  # the engine is under test here, not the pipeline (whose models load slowly)
    run_batch([str(tmp_path / "in")], opts(local, extract=hook, facts=tmp_path / "local.csv"))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        s = run_batch([str(tmp_path / "in")], opts(remote, engine="dask", scheduler=cluster.scheduler_address,
                                                   extract=hook, facts=tmp_path / "dask.csv"))
    assert s["engine"] == "dask" and s["reports"] == len(files) + 2 and s["errors_by_code"] == {"input.empty": 1}
    assert remote.read_bytes() == local.read_bytes()
    assert (tmp_path / "dask.csv").read_bytes() == (tmp_path / "local.csv").read_bytes()


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
