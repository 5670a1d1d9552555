"""A small pool of long-lived workers, one case at a time each, killed and replaced past a hard limit.

Why not a `multiprocessing.Pool`: a stuck input must be killed without
losing the pool, and a worker that dies (a segfault, the memory limit) must
be told apart from one that is slow.  Each worker has its own pipe; the
parent waits on the pipes and the process sentinels at once
(`multiprocessing.connection.wait`), so a death is seen at once and a hang
when its deadline passes.  Workers are spawned (not forked) so that they
start clean, and a lost one is replaced only when there is more work, so
100k inputs cost a handful of interpreter starts, not 100k.
"""
from __future__ import annotations

import multiprocessing
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any, Callable, Iterable, Iterator

from extractor import budget

# A fresh worker imports the package and loads the models before its first case.
STARTUP_SECONDS = 180.0
# Workers dying before they read anything mean the harness cannot run (an import fails): stop.
MAX_EARLY_DEATHS = 3


@dataclass
class _Worker:
    proc: Any
    conn: Connection
    index: int | None = None  # the case it is reading
    deadline: float = 0.0
    started: float = 0.0
    meta: dict[str, Any] = field(default_factory=dict)  # kind, size, pages of the case, once it said so


class Pool:
    """`workers` processes running `target(conn, seed, scale, memory_mb, check, seconds)`.

    `target` is `benchmarks.fuzz.worker.serve`; the harness's own tests pass
    stand-ins that hang or die, to see the pool kill and replace them.
    """

    def __init__(self, workers: int, seed: int, scale: float, limit: float,
                 memory_mb: int | None = None, check: bool = True, seconds: float | None = None,
                 target: Callable[..., None] | None = None):
        self.ctx = multiprocessing.get_context("spawn")
        self.args = (seed, scale, memory_mb, check, seconds)
        self.target = target
        self.limit = limit
        self.slots: list[_Worker | None] = [None] * max(1, workers)
        self.spawned = 0
        self.early_deaths = 0

    @property
    def restarts(self) -> int:
        """Workers started to replace one that died or was killed."""
        return max(0, self.spawned - len(self.slots))

    def _spawn(self) -> _Worker:
        from benchmarks.fuzz.worker import serve

        parent, child = self.ctx.Pipe()
        proc = self.ctx.Process(target=self.target or serve, args=(child, *self.args), daemon=True)
        proc.start()
        child.close()
        self.spawned += 1
        return _Worker(proc, parent)

    def _drop(self, k: int) -> None:
        """Kill the worker in slot k (stuck or dead); a new one is started when there is work for it."""
        w = self.slots[k]
        if w is None:
            return
        if w.proc.is_alive():
            w.proc.kill()
        w.proc.join(5)
        w.conn.close()
        self.slots[k] = None

    def _lost(self, w: _Worker, status: str, now: float) -> dict[str, Any]:
        """The result of a case whose worker died or was killed.

        A worker that dies before it said it started the case never read it:
        that is the harness failing (an import, the models), not the input.
        """
        if status == "crash" and not w.meta:
            status = "harness_error"
            self.early_deaths += 1
            if self.early_deaths >= MAX_EARLY_DEATHS:
                raise RuntimeError(f"{self.early_deaths} workers died before reading a case "
                                   f"(exit code {w.proc.exitcode}): the harness cannot run here")
        res = {"index": w.index, "status": status, "seconds": now - (w.started or now), "cpu": None,
               "kind": "?", "family": "?", "format": "?", "size": 0, "pages": 1, **w.meta}
        if status != "hang":
            res["exception"] = f"the worker died (exit code {w.proc.exitcode})"
        return res

    def run(self, indices: Iterable[int]) -> Iterator[dict[str, Any]]:
        """Results of the cases, in completion order."""
        todo = iter(indices)

        def feed(k: int) -> None:
            index = next(todo, None)
            if index is None:
                return
            if self.slots[k] is None:
                self.slots[k] = self._spawn()
            w = self.slots[k]
            assert w is not None
            w.index, w.meta, w.started = index, {}, time.monotonic()
            w.deadline = w.started + self.limit + STARTUP_SECONDS
            w.conn.send(index)

        for k in range(len(self.slots)):
            feed(k)
        while True:
            busy = [(k, w) for k, w in enumerate(self.slots) if w is not None and w.index is not None]
            if not busy:
                return
            now = time.monotonic()
            timeout = max(0.0, min(w.deadline for _, w in busy) - now)
            ready = set(wait([w.conn for _, w in busy] + [w.proc.sentinel for _, w in busy], timeout))
            now = time.monotonic()
            for k, w in busy:
                if w.conn in ready or w.proc.sentinel in ready:
                    result = self._receive(w, now)
                elif now > w.deadline:
                    result = self._lost(w, "hang", now)
                else:
                    continue
                if result is None:
                    continue
                if result["status"] == "hang" or not w.proc.is_alive():  # stuck or dead: a new one if needed
                    self._drop(k)
                else:
                    w.index = None
                yield result
                feed(k)

    def _receive(self, w: _Worker, now: float) -> dict[str, Any] | None:
        """Drain the worker's pipe: a start message moves its deadline, a done message is the result."""
        try:
            while w.conn.poll():
                msg = w.conn.recv()
                if msg[0] == "start":
                    _, _, kind, size, pages = msg
                    w.meta = {"kind": kind, "size": size, "pages": pages}
                    w.started = time.monotonic()
                    w.deadline = w.started + self.limit + budget.PER_PAGE_SECONDS * (pages - 1)
                else:
                    return msg[1]
        except (EOFError, OSError):
            pass
        if not w.proc.is_alive():
            w.proc.join(1)
            return self._lost(w, "crash", now)
        return None

    def close(self) -> None:
        for w in self.slots:
            if w is not None:
                try:
                    w.conn.send(None)
                except OSError:
                    pass
        for k, w in enumerate(self.slots):
            if w is not None:
                w.proc.join(10)
                self._drop(k)


def run_cases(indices: Iterable[int], *, workers: int, seed: int, scale: float, limit: float,
              memory_mb: int | None = None, check: bool = True, seconds: float | None = None,
              on_result: Callable[[dict[str, Any]], None] | None = None,
              target: Callable[..., None] | None = None) -> tuple[list[dict[str, Any]], int]:
    """(every case's result in case order, workers replaced); `on_result` sees each as it arrives.

    `limit` is the hard limit per input (a hang past it); `seconds` the
    extractor's own budget per input (None: `extract_file`'s default).
    """
    pool = Pool(workers, seed, scale, limit, memory_mb, check, seconds, target)
    out: list[dict[str, Any]] = []
    try:
        for res in pool.run(indices):
            out.append(res)
            if on_result is not None:
                on_result(res)
    finally:
        pool.close()
    return sorted(out, key=lambda r: r["index"]), pool.restarts
