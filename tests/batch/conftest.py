"""The batch run over a directory of real and broken inputs, shared by the modules that inspect it."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from extractor.batch import run_batch
from tests.batch.hooks import NOT_A_REPORT, opts, read_jsonl
from tests.helpers import seed_text, to_docx, to_html, to_pdf


@pytest.fixture(scope="package")
def mixed(tmp_path_factory):
    """A directory of real and broken inputs, one of each kind, and the batch run over it."""
    src = seed_text()
    d = tmp_path_factory.mktemp("mixed")
    (d / "sub").mkdir()
    files = {
        "empty.txt": b"",
        "random.txt": random.Random(5).randbytes(5000),
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
