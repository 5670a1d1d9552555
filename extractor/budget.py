"""How long one input may take, and how much text it may have: no input runs on.

The searches are bounded by construction (`tables.readings.MAX_STEPS`,
`tables.solve.MAX_WORK`, `text.sections.MAX_CANDIDATES`), and all the
searches of one document draw on one pool of steps (`searches`,
`DOC_MAX_STEPS`): a report with hundreds of doubtful rows cannot multiply a
per-search cap by its rows.  The pool is counted in steps, not seconds, so
the same input gives the same record on any machine; when it runs dry every
search stops where it is and the pipeline flags the tables it read.  The
time budget is the backstop for everything else, for every entry point (`extract`,
`extract_file`, a notebook, a Dask task), not only `extractor batch`.  The
pipeline opens a deadline (`limit`) around each input; the long loops call
`check()`, which raises `OverBudget` past it, and the pipeline turns that
into a record with the error `input.too_slow` (what was read so far kept).
A PDF's budget grows by `PER_PAGE_SECONDS` for every page it reads.

The clock is the reading thread's CPU time, not the wall clock: the same
input must give the same record on a busy machine as on an idle one (a
batch sharing its cores with other work would otherwise turn ordinary
reports into `input.too_slow`), and "within 1 s on one core" is a CPU
figure.  The stages are CPU-bound, so a CPU budget still bounds the wall
time of any input that gets a core; `extractor batch` adds a wall-clock
timeout per file on top (`--timeout`).

`OverBudget` is a BaseException, like KeyboardInterrupt: the stages' "never
lose the record to a bug" handlers (`except Exception`) must not swallow it.
"""
from __future__ import annotations

import contextlib
import contextvars
import time
from typing import Iterator

# A whole report takes tens of milliseconds; this is for the pathological input.
DEFAULT_SECONDS = 10.0
# Each page of a PDF adds this much (a scanned page read by OCR needs it).
PER_PAGE_SECONDS = 2.0
# Decoded text beyond this is refused (`input.too_large`): no report is near it (real ones run to tens of
# thousands of characters), and the text stages hold some 70 bytes a character at their peak, so this also
# bounds memory (a 2,000-page PDF of 15 M characters rose by 1.1 GB before its budget stopped it).
MAX_TEXT_CHARS = 2_000_000
# Long loops call `check()` once every this many steps (a clock read costs).
EVERY = 1024
# All the search steps of one document (readings, joint solves, order placements): the annotated reports
# need at most ~1,300, their glued and converter-flattened variants at most ~120,000 (ha2024's glued
# layout); a step costs about 2 µs, so a document's searches stay well within a second of CPU.
DOC_MAX_STEPS = 200_000


class OverBudget(BaseException):
    """The input ran past its time budget."""

    def __init__(self, seconds: float):
        super().__init__(f"reading took longer than its budget of {seconds:g} s")
        self.seconds = seconds


# (deadline on the reading thread's CPU clock, the budget in seconds) of the input being read, or None.
_deadline: contextvars.ContextVar[list[float] | None] = contextvars.ContextVar("deadline", default=None)


clock = time.thread_time  # CPU seconds of the calling thread (see the module docstring)


@contextlib.contextmanager
def limit(seconds: float | None) -> Iterator[None]:
    """Read within `seconds` from now (None: no limit).  Nested limits keep the outer one's deadline."""
    if seconds is None or _deadline.get() is not None:
        yield
        return
    token = _deadline.set([clock() + seconds, seconds])
    try:
        yield
    finally:
        _deadline.reset(token)


def check() -> None:
    """Raise `OverBudget` when the input being read is past its deadline."""
    d = _deadline.get()
    if d is not None and clock() > d[0]:
        raise OverBudget(d[1])


class Pool:
    """The search steps left to the document being read; `dry` once a search asked for more than was left."""

    __slots__ = ("left", "cap", "dry")

    def __init__(self, cap: int) -> None:
        self.left = cap
        self.cap = cap
        self.dry = False


_pool: contextvars.ContextVar[Pool | None] = contextvars.ContextVar("pool", default=None)


@contextlib.contextmanager
def searches(cap: int = DOC_MAX_STEPS) -> Iterator[Pool]:
    """One pool of search steps for everything read inside (a nested call shares the outer pool)."""
    outer = _pool.get()
    if outer is not None:
        yield outer
        return
    pool = Pool(cap)
    token = _pool.set(pool)
    try:
        yield pool
    finally:
        _pool.reset(token)


class Steps:
    """A search's work counter: past `cap` steps, or once the document's pool is dry, the search stops (and
    says it was capped), and the budget is checked each time the count passes a multiple of `EVERY` — one
    mechanism for every bounded search."""

    __slots__ = ("n", "cap", "pool")

    def __init__(self, cap: float = float("inf")) -> None:
        self.n = 0
        self.cap = cap
        self.pool = _pool.get()

    def take(self, k: int = 1) -> bool:
        """Count `k` steps; False once past the cap or the pool."""
        before = self.n
        self.n += k
        if self.n > self.cap:
            return False
        pool = self.pool
        if pool is not None:
            pool.left -= k
            if pool.left < 0:
                pool.dry = True
                return False
        if self.n // EVERY != before // EVERY:
            check()
        return True


def extend(seconds: float) -> None:
    """Give the input being read more time (a PDF, per page read)."""
    d = _deadline.get()
    if d is not None:
        d[0] += seconds
        d[1] += seconds
