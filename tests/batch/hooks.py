"""What the batch tests share: stand-in pipelines run by name in worker processes, and small inputs.

Batches run the `*_extract` functions by name in their worker processes
("tests.batch.hooks:slow_extract"), which is how the tests make a file
slow, stall or crash a worker on purpose, or keep the real models out of a
test of the machinery.
"""
from __future__ import annotations

import builtins
import errno
import json
import os
import re
import signal
import stat
import struct
import sys
import threading
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


def trouble_extract(doc):
    """Troubles its worker on purpose, as markers in the file say (the hang cases of test_local.py, issue 10).

    FREEZE_FORK_SERVER stops the fork server (the worker's parent), so no
    worker's exit is reported any more; HOLD_PIPE leaves a grandchild that
    holds the worker's pipe open; DIE kills the worker mid-file;
    KILL_AFTER_RECORD kills it once it waits for its next file; VANISH kills
    it soon after this record; IGNORE_STOP keeps it from exiting when told
    to; HALF_MESSAGE sends half a message to the parent, then hangs.  Each pid
    involved (the worker's parent too) is noted in $BATCH_TEST_MARK, so the test can clean up.
    """
    text = doc.text
    _note("worker", os.getpid())
    _note("parent", os.getppid())
    if "FREEZE_FORK_SERVER" in text:
        server = os.getppid()
        with open(f"/proc/{server}/cmdline", "rb") as f:
            assert b"forkserver" in f.read(), "the worker's parent is not a fork server"
        _note("fork_server", server)
        os.kill(server, signal.SIGSTOP)
    if "HOLD_PIPE" in text:
        child = os.fork()
        if child == 0:  # the grandchild keeps the worker's sockets (its pipe to the parent) and nothing else
            for fd in map(int, os.listdir("/proc/self/fd")):
                try:
                    if not stat.S_ISSOCK(os.fstat(fd).st_mode):
                        os.close(fd)  # the fork server's alive pipe, the test's hold on the output, ...
                except OSError:
                    pass
            time.sleep(300)  # the test kills it by pid sooner
            os._exit(0)
        _note("grandchild", child)
    if "DIE" in text:
        os.kill(os.getpid(), signal.SIGKILL)
    if "KILL_AFTER_RECORD" in text:
        threading.Thread(target=_kill_when_waiting, daemon=True).start()
    if "VANISH" in text:
        threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGKILL)).start()
    if "IGNORE_STOP" in text:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        threading.Thread(target=time.sleep, args=(600,), daemon=False).start()  # exit waits for it
    if "HALF_MESSAGE" in text:
        frame = sys._getframe()
        while frame.f_code.co_name != "_worker_main":
            frame = frame.f_back
        os.write(frame.f_locals["conn"].fileno(), struct.pack("!i", 1 << 20) + b"half")
        time.sleep(600)
    return light_extract(doc)


def _note(what: str, pid: int) -> None:
    with open(os.environ["BATCH_TEST_MARK"], "a", encoding="utf-8") as f:
        f.write(f"{what} {pid}\n")


def _kill_when_waiting() -> None:
    """Kill this worker once its main thread waits for its next file: between two records."""
    main = threading.main_thread().ident
    while True:
        frame, names = sys._current_frames().get(main), set()
        while frame is not None:
            names.add(frame.f_code.co_name)
            frame = frame.f_back
        if "_worker_main" in names and "_recv_bytes" in names and "process_path" not in names:
            os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(0.001)


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


# ------------------------------------------------------------------ output faults (issue 10)

class FullDisk:
    """A disk with `room` bytes left, for the writes of `extractor.batch.output` (and its temporary files).

    `install` puts it in place of that module's `os.write` and of the files
    it opens for writing: a write past the room writes what fits, then the
    next one fails with ENOSPC, as a full disk does.  `room = None`: no limit.
    """

    def __init__(self, room: int | None) -> None:
        self.room = room

    def install(self, monkeypatch) -> FullDisk:
        from extractor.batch import output

        monkeypatch.setattr(output, "os", _OsWith(write=self.os_write))
        monkeypatch.setattr(output, "open", self.open, raising=False)
        return self

    def _fits(self, n: int) -> int:
        if self.room is None:
            return n
        if self.room == 0 and n:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        n = min(n, self.room)
        self.room -= n
        return n

    def os_write(self, fd: int, data) -> int:
        return os.write(fd, bytes(data[:self._fits(len(data))]))

    def open(self, file, mode: str = "r", *args, **kwargs):
        f = builtins.open(file, mode, *args, **kwargs)
        return _Limited(f, self) if any(c in mode for c in "wax+") and file != os.devnull else f


class _OsWith:
    """The os module with some functions replaced."""

    def __init__(self, **replaced) -> None:
        self.__dict__.update(replaced)

    def __getattr__(self, name: str):
        return getattr(os, name)


class _Limited:
    """A file whose writes take room on a FullDisk."""

    def __init__(self, f, disk: FullDisk) -> None:
        self._f, self._disk = f, disk

    def write(self, data) -> int:
        n = self._disk._fits(len(data))
        self._f.write(data[:n])
        if n < len(data):
            self._f.flush()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return n

    def __getattr__(self, name: str):
        return getattr(self._f, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self._f.close()


def no_new_files(monkeypatch, directory: Path) -> None:
    """`directory` as if read-only (EACCES for every file made in it), for `extractor.batch.output`.

    What chmod a-w does where the tests run as root, who may write anyway:
    files already there stay writable, but nothing new can be made (the
    final rewrite's temporary file, the summary's).
    """
    from extractor.batch import output

    def refuse(path) -> None:
        if Path(path).parent.resolve() == directory.resolve() and not Path(path).exists():
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))

    def os_open(path, flags, *args):
        if flags & os.O_CREAT:
            refuse(path)
        return os.open(path, flags, *args)

    def open_(file, mode="r", *args, **kwargs):
        if any(c in mode for c in "wax"):
            refuse(file)
        return builtins.open(file, mode, *args, **kwargs)

    monkeypatch.setattr(output, "os", _OsWith(open=os_open))
    monkeypatch.setattr(output, "open", open_, raising=False)
