"""The local engine: per-file timeout, crashes, the warmed fork server, bounded waits (extractor/batch/local.py)."""
from __future__ import annotations

import json
import multiprocessing as mp
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from extractor.batch import local, run_batch
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



# ------------------------------------------------------------------ a batch that never returns (issue 10)
# In one of two fresh-clone test runs the review notebook's batch wrote all its records and never returned:
# the kernel waited on workers that were gone.  Each case runs a batch in a child process, with a stand-in
# pipeline that troubles its worker on purpose (`hooks.trouble_extract`), and must return within `limit`.

needs_forkserver = pytest.mark.skipif("forkserver" not in mp.get_all_start_methods(),
                                      reason="the hang cases stop or kill the fork server, which needs one")
CHILD = """
import json, sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from extractor.batch import local, Options, run_batch
for k, v in {patch!r}.items():
    setattr(local, k, v)

def batch(out, **kw):
    t0 = time.monotonic()
    s = run_batch([{inputs!r}], Options(out=Path(out), progress=False, extract="tests.batch.hooks:trouble_extract", **kw))
    return {{"summary": s, "seconds": time.monotonic() - t0}}
"""


def _troubled(tmp_path: Path, marks: dict[int, str], n: int = 4) -> Path:
    """n small reports in tmp_path/in, report i carrying the markers marks[i]."""
    files = small_reports(tmp_path / "in", n)
    for i, m in marks.items():
        files[i].write_text(files[i].read_text(encoding="utf-8") + m + "\n", encoding="utf-8")
    return tmp_path / "in"


def _in_a_child(tmp_path: Path, body: str, limit: float, patch: dict | None = None) -> dict:
    """Run `body` (after CHILD's set-up; it prints one JSON line) in a child process; fail past `limit` seconds."""
    mark = tmp_path / "mark"
    code = CHILD.format(root=str(ROOT), patch=patch or {}, inputs=str(tmp_path / "in")) + body
    try:
        res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, "BATCH_TEST_MARK": str(mark)},
                             capture_output=True, text=True, timeout=limit, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the batch did not return within {limit:g} s")
    finally:
        _kill_what_the_hooks_left(mark)
    assert res.returncode == 0, res.stderr[-3000:]
    return json.loads(res.stdout.strip().splitlines()[-1])


def _noted(mark: Path, what: str) -> list[int]:
    lines = mark.read_text(encoding="utf-8").split("\n") if mark.exists() else []
    return [int(pid) for kind, _, pid in (line.partition(" ") for line in lines) if kind == what]


def _exited(pid: int) -> bool:
    """Gone or a zombie (a process that exited but whose parent has not collected it yet)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rpartition(b")")[2].split()[0] in (b"Z", b"X")
    except FileNotFoundError:
        return True


def _all_exit(pids: list[int], within: float = 10.0) -> bool:
    """Every pid gone or a zombie within `within` seconds: a SIGKILLed process is torn down by the kernel
    after the signal, which on a loaded machine is not at once (the batch returned; nothing waits on it)."""
    until = time.monotonic() + within
    while not all(_exited(pid) for pid in pids):
        if time.monotonic() > until:
            return False
        time.sleep(0.05)
    return True


def _kill_what_the_hooks_left(mark: Path) -> None:
    """The fork servers the hooks stopped, their grandchildren and workers: killed by pid, if still there."""
    for what in ("fork_server", "grandchild", "worker"):
        for pid in _noted(mark, what):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    if b"python" not in f.read():
                        continue  # the pid was reused by something that is not ours
                os.kill(pid, signal.SIGKILL)
            except (FileNotFoundError, ProcessLookupError):
                pass


def _codes(out: Path) -> list[str | None]:
    return [(r["error"] or {}).get("code") for r in read_jsonl(out)]


@needs_forkserver
def test_a_batch_returns_when_a_worker_vanishes_after_its_last_record(tmp_path):
    """The notebook's hang: records all written, the fork server reports no exit, the workers are gone."""
    _troubled(tmp_path, {3: "FREEZE_FORK_SERVER\nVANISH"})
    out = tmp_path / "out.jsonl"
    res = _in_a_child(tmp_path, f"print(json.dumps(batch({str(out)!r}, workers=2)))", limit=60)
    assert _codes(out) == [None] * 4 and res["summary"]["reports"] == 4
    assert _all_exit(_noted(tmp_path / "mark", "worker"))


@needs_forkserver
def test_a_batch_returns_when_a_worker_ignores_the_stop(tmp_path):
    """A worker that does not exit when its pipe closes (a non-daemon thread) is killed, not waited for."""
    _troubled(tmp_path, {1: "IGNORE_STOP"}, n=3)
    out = tmp_path / "out.jsonl"
    res = _in_a_child(tmp_path, f"print(json.dumps(batch({str(out)!r}, workers=1)))", limit=60)
    assert _codes(out) == [None] * 3
    assert res["seconds"] < local.EXIT_GRACE + local.REAP_TIMEOUT + 10
    assert _all_exit(_noted(tmp_path / "mark", "worker"))


@needs_forkserver
def test_a_worker_sigkilled_between_records_costs_no_record(tmp_path):
    """Killed after sending one record, before reading the next file: that file goes to its replacement."""
    _troubled(tmp_path, {1: "KILL_AFTER_RECORD"}, n=6)
    out = tmp_path / "out.jsonl"
    res = _in_a_child(tmp_path, f"print(json.dumps(batch({str(out)!r}, workers=1)))", limit=60)
    assert _codes(out) == [None] * 6 and res["summary"]["errors"] == 0


@needs_forkserver
def test_a_worker_killed_while_a_grandchild_holds_its_pipe_open_is_noticed(tmp_path):
    """No time limit, and the pipe never reaches EOF (a grandchild holds it): the process sentinel tells."""
    _troubled(tmp_path, {1: "HOLD_PIPE\nDIE"})
    out = tmp_path / "out.jsonl"
    _in_a_child(tmp_path, f"print(json.dumps(batch({str(out)!r}, workers=1, timeout=None)))", limit=60)
    assert _codes(out) == [None, "input.crashed", None, None]


@needs_forkserver
def test_a_worker_whose_death_is_never_reported_is_noticed(tmp_path):
    """No pipe EOF (a grandchild holds it) and no exit status (the fork server is stopped): the poll tells.

    The stopped fork server is killed, and the batch goes on with a new one.
    """
    _troubled(tmp_path, {1: "FREEZE_FORK_SERVER\nHOLD_PIPE\nDIE"})
    out = tmp_path / "out.jsonl"
    _in_a_child(tmp_path, f"print(json.dumps(batch({str(out)!r}, workers=1, timeout=None)))", limit=90,
                patch={"POLL_SECONDS": 0.5})
    assert _codes(out) == [None, "input.crashed", None, None]
    assert _all_exit(_noted(tmp_path / "mark", "fork_server"))


@needs_forkserver
def test_a_worker_that_stalls_in_the_middle_of_a_message_is_stopped(tmp_path):
    """Half a message, then silence with the pipe open: the parent's read is bounded, not the file's timeout."""
    _troubled(tmp_path, {2: "HALF_MESSAGE"})
    out = tmp_path / "out.jsonl"
    _in_a_child(tmp_path, f"print(json.dumps(batch({str(out)!r}, workers=1, timeout=300)))", limit=60,
                patch={"MESSAGE_TIMEOUT": 1.0})
    assert _codes(out) == [None, None, "input.crashed", None]


@needs_forkserver
def test_a_fork_server_that_never_forks_ends_the_batch_with_an_error_and_the_next_batch_works(tmp_path):
    """A stopped fork server: the start of a worker is bounded; the server is killed, so the next batch gets a new one."""
    _troubled(tmp_path, {})
    body = f"""
first = batch({str(tmp_path / 'a.jsonl')!r}, workers=1)
import os, signal
notes = [line.split() for line in open(os.environ["BATCH_TEST_MARK"])]
server = [int(pid) for what, pid in notes if what == "parent"][-1]  # a worker's parent: the fork server
with open(os.environ["BATCH_TEST_MARK"], "a") as f:
    f.write(f"fork_server {{server}}\\n")
os.kill(server, signal.SIGSTOP)
try:
    batch({str(tmp_path / 'b.jsonl')!r}, workers=1)
    error = None
except RuntimeError as e:
    error = str(e)
third = batch({str(tmp_path / 'c.jsonl')!r}, workers=1)
print(json.dumps({{"error": error, "third": third}}))
"""
    res = _in_a_child(tmp_path, body, limit=90, patch={"STARTUP_TIMEOUT": 3.0})
    assert res["error"] and "fork server" in res["error"]
    assert _codes(tmp_path / "c.jsonl") == [None] * 4
