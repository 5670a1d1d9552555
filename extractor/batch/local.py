"""The local engine: our own pool of worker processes, one file at a time per worker.

Our own pool rather than `concurrent.futures`, because a file that hangs
must be stopped without stopping the batch: a worker past the per-file
timeout is killed and replaced, and the file gets an `input.timeout`
record; a worker that dies gets an `input.crashed` record for its file.
Workers fork from a fork server that has the models loaded already
(`extractor.batch.preload`), so starting or replacing one is cheap.
"""
from __future__ import annotations

import logging
import multiprocessing as mp
import os
import signal
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as wait_conns
from typing import Any, Iterator

from extractor.batch.records import (
    Result,
    crash_result,
    process_path,
    resolve,
    timeout_result,
)
from extractor.batch.tables import arrow_schema
from extractor.batch.worker import ONE_THREAD, WARM_ENV, single_threaded, warm_up

STARTUP_TIMEOUT = 300.0
# The module the fork server imports to warm up (by name: importing it is the warm-up).
PRELOAD = "extractor.batch.preload"


def _worker_main(conn: Connection, extract: str, tables: tuple[bool, bool]) -> None:
    """A worker: load the pipeline once, then read paths and send back Results until EOF."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    # The pipeline logs what it puts in the record; in a batch the record is the report.
    logging.getLogger().addHandler(logging.NullHandler())
    try:
        resolve(extract)
        single_threaded()
        if any(tables):
            arrow_schema("cells")
    except Exception as e:
        conn.send(("fail", f"cannot load {extract}: {type(e).__name__}: {e}"))
        return
    warm_up(extract)
    conn.send(("ready", None))
    while True:
        try:
            path = conn.recv()
        except (EOFError, OSError):
            return
        if path is None:
            return
        try:
            conn.send(("done", process_path(path, extract, tables)))
        except (BrokenPipeError, OSError):
            return


def _context(extract: str) -> mp.context.BaseContext:
    """forkserver: workers fork from a clean process that has the models loaded already.

    Loading the models once there (not once per worker) makes the start and
    every replacement of a killed worker cheap, and the workers share the
    loaded models' memory.  The fork server imports `PRELOAD`, which warms
    the pipeline named in the environment; the variable is set only while
    the server starts.
    """
    if "forkserver" not in mp.get_all_start_methods():
        return mp.get_context("spawn")
    from multiprocessing import forkserver

    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload([PRELOAD])
    saved = {k: os.environ.get(k) for k in (WARM_ENV, *ONE_THREAD)}
    os.environ[WARM_ENV] = extract
    for k in ONE_THREAD:
        os.environ.setdefault(k, "1")
    try:
        forkserver.ensure_running()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return ctx


@dataclass
class _Slot:
    """One worker process and the file it is reading (if any)."""

    ctx: Any
    extract: str
    tables: tuple[bool, bool]
    proc: Any = None
    conn: Any = None
    path: str | None = None
    started: float = 0.0
    ready: bool = False
    born: float = 0.0

    def start(self) -> None:
        parent, child = self.ctx.Pipe(duplex=True)
        self.proc = self.ctx.Process(target=_worker_main, args=(child, self.extract, self.tables), daemon=True)
        self.proc.start()
        child.close()
        self.conn, self.path, self.ready, self.born = parent, None, False, time.monotonic()

    def assign(self, path: str | None) -> None:
        self.path = path
        if path is not None:
            self.started = time.monotonic()
            self.conn.send(path)

    def overdue(self, now: float, timeout: float | None) -> bool:
        return self.path is not None and bool(timeout) and now - self.started > timeout

    def stop(self, kill: bool = False) -> None:
        if self.proc is None:
            return
        try:
            if not kill:
                self.conn.send(None)
        except OSError:
            kill = True
        if kill:
            self.proc.kill()
        self.proc.join(timeout=5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()
        self.proc, self.path = None, None


def run_local(paths: list[str], extract: str, workers: int, timeout: float | None,
              tables: tuple[bool, bool] = (False, False)) -> Iterator[list[Result]]:
    """Results in completion order, in batches of those ready together.

    A worker past `timeout` on one file is killed and replaced (the file gets
    an `input.timeout` record); a worker that dies gets an `input.crashed`
    record for its file.  Either way the batch goes on.
    """
    todo = iter(paths)
    ctx = _context(extract)
    slots = [_Slot(ctx, extract, tables) for _ in range(max(1, min(workers, len(paths))))]
    for s in slots:
        s.start()
    try:
        while any(s.proc is not None for s in slots):
            deadlines = [s.started + timeout for s in slots if s.path is not None and timeout]
            deadlines += [s.born + STARTUP_TIMEOUT for s in slots if s.proc is not None and not s.ready]
            wait_for = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
            ready = wait_conns([s.conn for s in slots if s.proc is not None], timeout=wait_for)
            batch: list[Result] = []
            for s in slots:
                if s.proc is not None and s.conn in ready:
                    _receive(s, todo, batch)
            now = time.monotonic()
            for s in slots:
                if s.overdue(now, timeout):
                    batch.append(timeout_result(s.path, timeout, tables))
                    s.stop(kill=True)
                    s.start()
                elif s.proc is not None and not s.ready and now - s.born > STARTUP_TIMEOUT:
                    raise RuntimeError(f"a batch worker did not start within {STARTUP_TIMEOUT:g} s")
            if batch:
                yield batch
    finally:
        for s in slots:
            s.stop(kill=True)


def _receive(s: _Slot, todo: Iterator[str], batch: list[Result]) -> None:
    """Handle one message from a worker: ready, a result, a failure to start, or its death."""
    try:
        kind, payload = s.conn.recv()
    except (EOFError, OSError):
        s.proc.join(timeout=1)
        code, path = s.proc.exitcode, s.path
        s.stop(kill=True)
        if path is None:
            raise RuntimeError(
                f"a batch worker died while starting (exit code {code}); a script that runs a batch"
                " must guard its entry point with `if __name__ == \"__main__\":`")
        batch.append(crash_result(path, f"exit code {code}", s.tables))
        s.start()
        return
    if kind == "fail":
        raise RuntimeError(payload)
    if kind == "done":
        batch.append(payload)
    s.ready = True
    s.assign(next(todo, None))
    if s.path is None:
        s.stop()
