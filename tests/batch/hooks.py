"""What the batch tests share: stand-in pipelines run by name in worker processes, and small inputs.

Batches run the `*_extract` functions by name in their worker processes
("tests.batch.hooks:slow_extract"), which is how the tests make a file
slow, stall or crash a worker on purpose, or keep the real models out of a
test of the machinery.
"""
from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

from extractor.batch import Options
from extractor.record import Cell, Issue, Report

NOT_A_REPORT = "今天天气很好。我们去公园散步，看见了很多花。\n这不是一份年度报告。\n"
LIGHT = "tests.batch.hooks:light_extract"


# ------------------------------------------------------------------ extract hooks (run in workers)

def _pipeline(doc):
    from extractor.pipeline import extract_document

    return extract_document(doc)


def light_extract(doc):
    """A cheap, deterministic stand-in for the pipeline where only the batch machinery is under test."""
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


def raising_extract(doc):
    """A pipeline that breaks its promise not to raise."""
    raise ValueError("broken pipeline")


def marking_extract(doc):
    """Writes a marker (in $BATCH_TEST_MARK) each time it runs: shows a warm-up happened."""
    with open(os.environ["BATCH_TEST_MARK"], "a", encoding="utf-8") as f:
        f.write(f"{os.getpid()}\n")
    return light_extract(doc)


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
