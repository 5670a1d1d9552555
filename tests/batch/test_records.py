"""One file in, exactly one record out, whatever happens to the file (extractor/batch/records.py)."""
from __future__ import annotations

from extractor.batch.records import (
    dumps,
    entry_of,
    error_record,
    process_path,
    status_of,
)
from extractor.input import registry
from tests.batch.hooks import LIGHT, small_reports


def test_process_path_never_raises(tmp_path):
    [good] = small_reports(tmp_path, 1)
    ok = process_path(str(good), LIGHT, (True, True))
    assert ok.status == "ok" and ok.entry.code is None and ok.cells.num_rows == 200 and ok.facts is None
    assert ok.line.endswith(b"\n") and ok.line.count(b"\n") == 1
    broken = process_path(str(good), "tests.batch.hooks:raising_extract")
    assert (broken.status, broken.entry.code) == ("error", "internal.error")
    assert b"ValueError: broken pipeline" in broken.line
    missing = process_path(str(tmp_path / "gone.txt"), LIGHT)
    assert (missing.status, missing.entry.code, missing.entry.sha256) == ("error", "input.not_found", "")


def test_error_record_names_the_format_from_the_registry(tmp_path):
    for name in ("a.txt", "a.md", "a.HTM", "a.xhtml", "a.docx", "a.pdf", "a.unknown"):
        rec = error_record(str(tmp_path / name), "input.timeout", "stopped")
        assert rec["source"]["format"] == registry.format_of(name).name, name
        assert status_of(rec) == ("error", "input.timeout") and rec["needs_review"] is True
    assert [error_record(n, "x", "y", "")["source"]["format"] for n in ("a.markdown", "b.htm", "c")] == \
        ["markdown", "html", "text"]


def test_entry_carries_the_crossyear_view_only_when_there_is_one(tmp_path):
    rec = error_record(str(tmp_path / "a.txt"), "input.timeout", "stopped")
    e = entry_of(rec)
    assert e.view is None and not e.has_cross and e.path == str(tmp_path / "a.txt")
    assert dumps({"a": "\ud800"}) == b'{"a":"\\ud800"}\n'
