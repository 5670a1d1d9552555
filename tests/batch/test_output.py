"""The output file: kill-safe appends, the final pass, write faults (extractor/batch/output.py)."""
from __future__ import annotations

import errno
import json
import os

import pytest

from extractor.batch import cut_partial_line, finalize
from extractor.batch.given import GAZETTEER
from extractor.batch.output import Appender, iter_records, write_atomic
from tests.batch import hooks
from tests.batch.hooks import FullDisk, read_jsonl
from tests.checks.test_crossyear import year_record


def test_output_sorted(mixed):
    _, out, _, _ = mixed
    paths = [r["source"]["path"] for r in read_jsonl(out)]
    assert paths == sorted(paths)


def test_cut_partial_line(tmp_path):
    p = tmp_path / "x.jsonl"
    p.write_bytes(b'{"a":1}\n{"b":')
    assert cut_partial_line(p) == 5 and p.read_bytes() == b'{"a":1}\n'
    assert cut_partial_line(p) == 0
    p.write_bytes(b'{"b":')
    assert cut_partial_line(p) == 5 and p.read_bytes() == b""


def test_appender_offsets_and_iter_records(tmp_path):
    p = tmp_path / "x.jsonl"
    a = Appender(p, truncate=True, fsync=False)
    try:
        assert a.write([b'{"a":1}\n', b'[2]\n']) == [0, 8]
        assert a.write([b'{"c":3}\n']) == [12]
    finally:
        a.close()
    with open(p, "ab") as f:
        f.write(b'{"d":')
    assert list(iter_records(p)) == [(0, b'{"a":1}\n', {"a": 1}), (8, b"[2]\n", None),
                                     (12, b'{"c":3}\n', {"c": 3}), (20, b'{"d":', None)]


def test_crossyear_checks_on_consecutive_years(tmp_path):
    out = tmp_path / "out.jsonl"
    recs = [
        year_record("b/2023.txt", 2023, carried_over=3, carried_forward=1, in_force=6, issued=2, repealed=0),
        year_record("a/2022.txt", 2022, carried_over=0, carried_forward=3, in_force=4, issued=1, repealed=0),
        year_record("c/2024.txt", 2024, carried_over=2, carried_forward=0, in_force=5, issued=0, repealed=0),
        year_record("d/2020.txt", 2020, carried_over=0, carried_forward=9, in_force=1, issued=1, repealed=0),
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
    # Both years read with certainty: the agency's own figures break the chain (issue 16): recorded, not flagged.
    assert bad24["crossyear.carried_over"]["cause"] == "agency"
    assert got["c/2024.txt"]["needs_review"] is False
    assert [r["reason"] for r in got["c/2024.txt"]["review_reasons"]] == ["cross_report"]
    assert final.crossyear_checks == 4 and final.crossyear_failed == 2 and final.needs_review == 0
    # Idempotent: a second pass gives the same bytes; dropping 2023 removes 2024's checks and its reason.
    before = out.read_bytes()
    finalize(out, inputs)
    assert out.read_bytes() == before
    finalize(out, ["a/2022.txt", "c/2024.txt", "d/2020.txt"])
    after = {r["source"]["path"]: r for r in read_jsonl(out)}
    assert not [c for c in after["c/2024.txt"]["checks"] if c["rule"].startswith("crossyear.")]
    assert after["c/2024.txt"]["needs_review"] is False and after["c/2024.txt"]["review_reasons"] == []


# ------------------------------------------------------------------ output faults (issue 10: a full disk loses nothing)

def test_a_full_disk_cuts_the_failed_append_back_to_the_whole_lines_before_it(tmp_path, monkeypatch):
    p = tmp_path / "x.jsonl"
    disk = FullDisk(None).install(monkeypatch)
    a = Appender(p, truncate=True, fsync=True)
    try:
        assert a.write([b'{"a":1}\n']) == [0]
        disk.room = 12  # the next batch of lines fits only in part
        with pytest.raises(OSError) as e:
            a.write([b'{"b":2}\n', b'{"c":3}\n'])
        assert e.value.errno == errno.ENOSPC
        assert p.read_bytes() == b'{"a":1}\n'  # no partial line, no half batch
        disk.room = None  # space freed: the appender goes on where it was
        assert a.write([b'{"d":4}\n']) == [8]
    finally:
        a.close()
    assert p.read_bytes() == b'{"a":1}\n{"d":4}\n'


def test_records_are_fsynced_once_a_period_and_on_close_and_a_failed_fsync_cuts_back_to_the_last_good_one(
        tmp_path, monkeypatch):
    """Issue 14: one fsync per record cost a 2-worker batch's parent 1.9 s of 14 s; now once per
    `every` seconds.  What a failed fsync may not have put on the disk is cut off (resume redoes it)."""
    from extractor.batch import output

    p = tmp_path / "x.jsonl"
    synced, clock, failing = [], [100.0], [False]

    def fsync(fd):
        if failing[0]:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        synced.append(os.fstat(fd).st_size)

    monkeypatch.setattr(output, "os", hooks._OsWith(fsync=fsync))
    monkeypatch.setattr(output, "_clock", lambda: clock[0])
    a = Appender(p, truncate=True, fsync=True, every=1.0)
    assert a.write([b'{"a":1}\n']) == [0] and a.write([b'{"b":2}\n']) == [8]
    assert synced == [] and a.synced == 0
    clock[0] += 1.0
    a.write([b'{"c":3}\n'])
    assert synced == [24] and a.synced == 24
    a.write([b'{"d":4}\n'])
    clock[0] += 1.0
    failing[0] = True
    with pytest.raises(OSError):
        a.write([b'{"e":5}\n'])
    assert p.read_bytes() == b'{"a":1}\n{"b":2}\n{"c":3}\n' and a.size == 24
    failing[0] = False
    a.write([b'{"f":6}\n'])
    a.close()
    assert synced == [24, 32] and p.read_bytes().endswith(b'{"c":3}\n{"f":6}\n')


def test_a_full_disk_during_the_final_rewrite_keeps_the_old_file_and_leaves_no_temp(tmp_path, monkeypatch):
    out = tmp_path / "out.jsonl"
    recs = [year_record("b/2023.txt", 2023, carried_over=3, carried_forward=1, in_force=6, issued=2, repealed=0),
            year_record("a/2022.txt", 2022, carried_over=0, carried_forward=3, in_force=4, issued=1, repealed=0)]
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    before = out.read_bytes()
    FullDisk(len(before) // 2).install(monkeypatch)  # the rewrite (sorted, cross-year checks added) does not fit
    with pytest.raises(OSError):
        finalize(out, ["a/2022.txt", "b/2023.txt"])
    assert out.read_bytes() == before and sorted(os.listdir(tmp_path)) == ["out.jsonl"]
    monkeypatch.undo()
    finalize(out, ["a/2022.txt", "b/2023.txt"])
    assert [r["source"]["path"] for r in read_jsonl(out)] == ["a/2022.txt", "b/2023.txt"]


def test_write_atomic_on_a_full_disk_leaves_the_old_file_whole(tmp_path, monkeypatch):
    p = tmp_path / "summary.json"
    p.write_bytes(b'{"old": true}\n')
    FullDisk(5).install(monkeypatch)
    with pytest.raises(OSError):
        write_atomic(p, b'{"reports": 12, "ok": 12}\n')
    assert p.read_bytes() == b'{"old": true}\n' and sorted(os.listdir(tmp_path)) == ["summary.json"]
    monkeypatch.undo()
    write_atomic(p, b'{"reports": 12}\n')
    assert p.read_bytes() == b'{"reports": 12}\n'


def test_finalize_adds_copypaste_and_hierarchy_checks_and_the_manifest(tmp_path):
    """The final pass runs every family across the batch; the manifest goes into source; a re-run is identical.

    Every cell of these made-up records is read without doubt, so what the checks find is the agencies'
    figures: a `cross_report` reason naming the other reports, not a flag (issue 16's policy)."""
    from tests.checks.made import record
    from tests.checks.test_hierarchy import city_and_districts

    out = tmp_path / "out.jsonl"
    recs = [record("甲市公安局", 2022, new=37, granted=30, commercial=3),
            record("甲市公安局", 2023, new=37, granted=30, commercial=3)] + city_and_districts(30)
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    inputs = [r["source"]["path"] for r in recs]
    manifest = {str((tmp_path / "x").resolve()): {}, os.path.realpath("甲市公安局-2023.txt"): {"url": "https://e.org/a"}}
    final = finalize(out, inputs, manifest=manifest, pairs=GAZETTEER)
    got = {r["source"]["path"]: r for r in read_jsonl(out)}
    copied = got["甲市公安局-2023.txt"]
    assert [c["rule"] for c in copied["checks"] if not c["ok"]] == ["copypaste.table3"]
    assert not copied["needs_review"] and copied["source"]["url"] == "https://e.org/a"
    assert [r["reason"] for r in copied["review_reasons"]] == ["cross_report"]
    parent = got["淮安市公安局-2023.txt"]
    assert [c["rule"] for c in parent["checks"] if not c["ok"]] == ["hierarchy.sum"] and not parent["needs_review"]
    assert parent["review_reasons"][0]["reports"][0]["relation"] == "parts"
    assert final.hierarchy_checks == 1 and final.hierarchy_failed == 1 and final.copypaste_failed == 2
    before = out.read_bytes()
    finalize(out, inputs, manifest=manifest, pairs=GAZETTEER)
    assert out.read_bytes() == before


def test_finalize_runs_no_hierarchy_check_unless_asked(tmp_path):
    """A city government's own report is not the sum of its districts': the gazetteer's parts only when asked."""
    from tests.checks.test_hierarchy import city_and_districts

    out = tmp_path / "out.jsonl"
    recs = city_and_districts(30)
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    final = finalize(out, [r["source"]["path"] for r in recs])
    assert final.hierarchy_checks == 0
    assert not any(c["rule"].startswith("hierarchy.") for r in read_jsonl(out) for c in r["checks"])
