"""The local engine: our own pool of worker processes, one file at a time per worker.

Our own pool rather than `concurrent.futures`, because a file that hangs
must be stopped without stopping the batch: a worker past the per-file
timeout is killed and replaced, and the file gets an `input.timeout`
record; a worker that dies gets an `input.crashed` record for its file.
Workers fork from a fork server that has the models loaded already
(`extractor.batch.preload`), so starting or replacing one is cheap.

Every wait is bounded, because a batch must return when its last record is
written whatever its workers or the fork server do (issue 10: a notebook's
batch wrote all its records, then waited forever in `Process.join` for an
exit status the fork server never sent):

- a worker is watched through its pipe *and* its process sentinel, and every
  `POLL_SECONDS` its pid is looked at too, so one that dies without a word
  (its pipe held open by a grandchild, its exit never reported) is noticed;
- a worker with nothing left to read is stopped by closing its pipe (no
  message that could block), and is killed if it has not exited within
  `EXIT_GRACE`; any exit status is awaited `REAP_TIMEOUT` at most;
- a worker says when it starts reading a file, so a file it never read goes
  to its replacement instead of getting the dead worker's `input.crashed`;
- a message that stops in the middle fails after `MESSAGE_TIMEOUT`;
- starting a worker is bounded by `STARTUP_TIMEOUT`, and a fork server that
  neither starts workers nor reports their exits in time is killed, so the
  next start gets a new one.
"""
from __future__ import annotations

import logging
import multiprocessing as mp
import os
import signal
import socket
import struct
import threading
import time
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as wait_conns
from typing import Any, Callable, Iterator

from extractor.batch.records import (
    Result,
    crash_result,
    process_path,
    resolve,
    timeout_result,
)
from extractor.batch.tables import arrow_schema
from extractor.batch.worker import ONE_THREAD, WARM_ENV, single_threaded, warm_up

# Seconds from asking for a worker to its "ready": the fork, and the models' loading where the
# fork server has not loaded them yet (the first start of a session).
STARTUP_TIMEOUT = 300.0
# Seconds a worker with nothing left to read has to exit after its pipe is closed; then it is killed.
EXIT_GRACE = 2.0
# Seconds to wait for a killed worker's exit status; past it the worker is left, not waited for.
REAP_TIMEOUT = 5.0
# The longest the parent waits without looking at its workers' pids (a death nothing reports).
POLL_SECONDS = 5.0
# Seconds without a byte in the middle of a message from a worker: it has stalled.
MESSAGE_TIMEOUT = 30.0
# The module the fork server imports to warm up (by name: importing it is the warm-up).
PRELOAD = "extractor.batch.preload"


def _worker_main(conn: Connection, extract: str, tables: tuple[bool, bool]) -> None:
    """A worker: load the pipeline once, then read paths and send back Results until EOF.

    It says ("reading", path) before it reads a file, so that its death is
    put on the file it was reading, and on no other.
    """
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
            conn.send(("reading", path))
            conn.send(("done", process_path(path, extract, tables)))
        except (EOFError, OSError):
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
        _bounded(forkserver.ensure_running, STARTUP_TIMEOUT, "start the batch's fork server")
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return ctx


def _bounded(call: Callable[[], Any], seconds: float, what: str,
             on_timeout: Callable[[], None] | None = None) -> None:
    """Run `call` in a helper thread, waiting `seconds` at most: a fork server that never answers must not hang us.

    Past the limit `on_timeout` runs (it kills the fork server, which ends
    the call's wait) and a RuntimeError says what could not be done.
    """
    failed: list[BaseException] = []

    def run() -> None:
        try:
            call()
        except BaseException as e:  # handed to the caller's thread
            failed.append(e)

    helper = threading.Thread(target=run, name=f"batch: {what}", daemon=True)
    helper.start()
    helper.join(seconds)
    if helper.is_alive():
        stopped = ""
        if on_timeout is not None:
            on_timeout()
            helper.join(REAP_TIMEOUT)
            stopped = "; the fork server, which did not answer, was stopped"
        raise RuntimeError(f"could not {what} within {seconds:g} s{stopped}; the records written so far are kept:"
                           " run again with --resume")
    if failed:
        raise failed[0]


def _kill_fork_server(ctx: Any) -> None:
    """Kill a fork server that does not do its job (start workers, report their exits); the next start makes a new one.

    `ensure_running` looks for the server by its pid and starts another when
    that one has exited, so after the kill we wait (bounded) until the
    server is a zombie, without collecting it: `ensure_running` collects it.
    """
    if ctx.get_start_method() != "forkserver":
        return
    from multiprocessing import forkserver

    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)  # the stdlib keeps it private
    if pid is None:
        return
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    until = time.monotonic() + REAP_TIMEOUT
    while time.monotonic() < until:
        try:
            if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                return
        except ChildProcessError:
            return
        time.sleep(0.01)


def _exited(pid: int) -> bool:
    """Whether a worker has exited (a zombie too), for a death neither its pipe nor its sentinel reports.

    A zombie is seen through /proc; where there is none, only a process
    that is gone altogether counts.
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # the pid is another user's process now
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rpartition(b")")[2].split()[0] in (b"Z", b"X")
    except (OSError, IndexError):
        return False


def _reap(procs: list[tuple[Any, float]], ctx: Any) -> None:
    """Let each worker exit until its deadline, kill the rest, and wait `REAP_TIMEOUT` at most for their exit status.

    Never longer: a worker whose exit is not reported although it has
    exited shows a fork server that does not do its job, and that server is
    killed (which also ends the wait of everything else on it).
    """
    for proc, until in procs:
        proc.join(max(0.0, until - time.monotonic()))
    late = [proc for proc, _ in procs if proc.exitcode is None]
    for proc in late:
        proc.kill()
    until = time.monotonic() + REAP_TIMEOUT
    for proc in late:
        proc.join(max(0.0, until - time.monotonic()))
    if any(proc.exitcode is None and _exited(proc.pid) for proc in late):
        _kill_fork_server(ctx)


def _bound_messages(conn: Connection) -> None:
    """A receive or send that stops for `MESSAGE_TIMEOUT` in the middle of a message fails instead of blocking.

    Kernel socket timeouts on the parent's end (the fd stays blocking, as
    `Connection` needs); only where the pipe is a socket (POSIX).
    """
    try:
        sock = socket.socket(fileno=os.dup(conn.fileno()))
    except OSError:
        return
    with sock:
        sock.setblocking(True)  # a global socket default timeout would have made it non-blocking
        limit = struct.pack("ll", int(MESSAGE_TIMEOUT), int(MESSAGE_TIMEOUT % 1 * 1e6))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, limit)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, limit)


class _Queue:
    """The files still to give out: first those put back (their worker died before reading them), then the rest."""

    def __init__(self, paths: list[str]) -> None:
        self._rest: Iterator[str] = iter(paths)
        self._back: deque[str] = deque()

    def next(self) -> str | None:
        return self._back.popleft() if self._back else next(self._rest, None)

    def put_back(self, path: str) -> None:
        self._back.append(path)


@dataclass
class _Slot:
    """One worker process and the file it is reading (if any)."""

    ctx: Any
    extract: str
    tables: tuple[bool, bool]
    proc: Any = None
    conn: Any = None
    path: str | None = None
    reading: bool = False  # the worker said it reads `path`: its death is that file's
    started: float = 0.0
    ready: bool = False
    born: float = 0.0

    def start(self) -> None:
        parent, child = self.ctx.Pipe(duplex=True)
        proc = self.ctx.Process(target=_worker_main, args=(child, self.extract, self.tables), daemon=True)
        try:
            _bounded(proc.start, STARTUP_TIMEOUT, "start a batch worker", lambda: _kill_fork_server(self.ctx))
        except BaseException:
            parent.close()
            raise
        finally:
            child.close()  # the worker's end lives in the worker only, so its death closes the pipe
        _bound_messages(parent)
        self.proc, self.conn, self.path, self.reading, self.ready = proc, parent, None, False, False
        self.born = time.monotonic()

    def give(self, path: str) -> bool:
        """Send the worker a file; False when it is gone (the file is then still to read)."""
        self.path, self.reading, self.started = path, False, time.monotonic()
        try:
            self.conn.send(path)
        except OSError:
            return False
        return True

    def overdue(self, now: float, timeout: float | None) -> bool:
        return self.path is not None and bool(timeout) and now - self.started > timeout

    def retire(self, grace: float) -> tuple[Any, float]:
        """Close the worker's pipe (it exits at EOF) and hand the process over to be reaped after `grace`."""
        proc = self.proc
        self.conn.close()
        self.proc, self.conn, self.path = None, None, None
        return proc, time.monotonic() + grace

    def kill(self, grace: float = 0.0) -> int | None:
        """Stop the worker now (or once `grace` is over); its exit code, None when none came."""
        proc, until = self.retire(grace)
        _reap([(proc, until)], self.ctx)
        return proc.exitcode


def run_local(paths: list[str], extract: str, workers: int, timeout: float | None,
              tables: tuple[bool, bool] = (False, False)) -> Iterator[list[Result]]:
    """Results in completion order, in batches of those ready together.

    A worker past `timeout` on one file is killed and replaced (the file gets
    an `input.timeout` record); a worker that dies gets an `input.crashed`
    record for the file it was reading.  Either way the batch goes on.
    """
    queue = _Queue(paths)
    ctx = _context(extract)
    slots = [_Slot(ctx, extract, tables) for _ in range(max(1, min(workers, len(paths))))]
    retired: list[tuple[Any, float]] = []
    try:
        for s in slots:
            s.start()
        looked = time.monotonic()
        while any(s.proc is not None for s in slots):
            active = [s for s in slots if s.proc is not None]
            ready = wait_conns([w for s in active for w in (s.conn, s.proc.sentinel)], _wait_time(active, timeout))
            now = time.monotonic()
            look = now - looked >= POLL_SECONDS
            if look:
                looked = now
            batch: list[Result] = []
            for s in active:
                if s.conn in ready:
                    _receive(s, queue, batch, retired)
                elif s.proc.sentinel in ready or (look and _exited(s.proc.pid)):
                    if s.conn.poll(0):
                        _receive(s, queue, batch, retired)  # its last words first; the death comes next round
                    else:
                        _lost(s, queue, batch)
            now = time.monotonic()
            for s in slots:
                if s.overdue(now, timeout):
                    batch.append(timeout_result(s.path, timeout, tables))
                    s.kill()
                    s.start()
                elif s.proc is not None and not s.ready and now - s.born > STARTUP_TIMEOUT:
                    raise RuntimeError(f"a batch worker did not start within {STARTUP_TIMEOUT:g} s")
            if batch:
                yield batch
    finally:
        retired += [s.retire(0.0) for s in slots if s.proc is not None]
        _reap(retired, ctx)


def _wait_time(active: list[_Slot], timeout: float | None) -> float:
    """Until the nearest deadline (a file's time limit, a start), and `POLL_SECONDS` at most."""
    now = time.monotonic()
    deadlines = [now + POLL_SECONDS]
    deadlines += [s.started + timeout for s in active if s.path is not None and timeout]
    deadlines += [s.born + STARTUP_TIMEOUT for s in active if not s.ready]
    return max(0.0, min(deadlines) - now)


def _receive(s: _Slot, queue: _Queue, batch: list[Result], retired: list[tuple[Any, float]]) -> None:
    """Handle one message from a worker: ready, reading, a result, a failure to start, or its death."""
    try:
        kind, payload = s.conn.recv()
    except BlockingIOError:  # MESSAGE_TIMEOUT: the worker stalled in the middle of a message
        _lost(s, queue, batch, f"it stalled in the middle of a message for {MESSAGE_TIMEOUT:g} s and was killed")
        return
    except (EOFError, OSError):  # EOF, or a reset: it died with our next file unread
        _lost(s, queue, batch)
        return
    if kind == "fail":
        raise RuntimeError(payload)
    if kind == "reading":
        s.reading = True
        return
    if kind == "done":
        batch.append(payload)
    s.ready = True
    path = queue.next()
    if path is None:
        retired.append(s.retire(EXIT_GRACE))
    elif not s.give(path):  # gone between two files: the file waits for the replacement
        queue.put_back(path)
        s.kill()
        s.start()


def _lost(s: _Slot, queue: _Queue, batch: list[Result], why: str | None = None) -> None:
    """A worker is gone (or stalled: `why`): its file gets an `input.crashed` record if it was reading it, else waits.

    A dead worker gets `EXIT_GRACE` for its exit code to arrive, for the
    record; a stalled one is killed at once.  Then a new worker starts.
    """
    path, reading, ready = s.path, s.reading, s.ready
    code = s.kill(EXIT_GRACE if why is None else 0.0)
    why = why or f"exit code {code}"
    if not ready:
        raise RuntimeError(
            f"a batch worker died while starting ({why}); a script that runs a batch"
            " must guard its entry point with `if __name__ == \"__main__\":`")
    if path is not None and reading:
        batch.append(crash_result(path, why, s.tables))
    elif path is not None:
        queue.put_back(path)
    s.start()
