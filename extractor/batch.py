"""Batch cleaning: many report files in, exactly one record per file out (issue 5).

The shape of a run, and why:

1. `collect_inputs` expands files, directories and globs into one sorted list.
2. With `resume`, inputs whose (path, sha256) already has a complete line in
   the output are skipped; a trailing partial line (a kill mid-write) is cut.
3. Each remaining file goes to a worker process (`local`: our own pool, one
   file at a time per worker, so a stuck file can be killed and its worker
   replaced; `dask`: the same per-file function on a dask.distributed
   cluster).  The worker also does the per-record work the end needs (the
   digest the final pass indexes, the long-table rows), so the parent never
   parses a record it wrote.  Records are appended as whole lines with one
   write and an fsync, so a kill -9 at any moment leaves whole lines only.
4. `finalize` rewrites the output atomically (temp file + os.replace): one
   line per input in sorted path order, plus the cross-year checks, which
   need every record of the batch.  Its result depends only on the records,
   so re-running gives byte-identical output.
5. The long tables (`--cells`, `--facts`) are written last, in the same
   order, from the rows the workers made (spooled to a temporary Arrow file),
   so memory stays flat in the number of reports.
"""
from __future__ import annotations

import glob
import hashlib
import importlib
import json
import logging
import multiprocessing as mp
import os
import signal
import sys
import tempfile
import threading
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from multiprocessing.connection import wait as wait_conns
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

SUFFIXES = (".txt", ".md", ".html", ".htm", ".docx", ".pdf")
DEFAULT_EXTRACT = "extractor.pipeline:extract_document"
DEFAULT_TIMEOUT = 120.0
STARTUP_TIMEOUT = 300.0
CROSSYEAR = "crossyear."


# ------------------------------------------------------------------ inputs

def _has_magic(s: str) -> bool:
    return any(ch in s for ch in "*?[")


def _walk(directory: str) -> Iterator[str]:
    """Report files under a directory, recursively (symlinked directories are not followed)."""
    for root, dirs, files in os.walk(directory):
        dirs.sort()
        for name in files:
            if name.lower().endswith(SUFFIXES):
                yield os.path.join(root, name)


def collect_inputs(inputs: Iterable[str]) -> tuple[list[str], list[str]]:
    """(sorted unique input paths, glob patterns that matched nothing).

    An explicit path is always an input, even one that does not exist (its
    record then says `input.not_found`), so nothing the user named is lost.
    """
    found: set[str] = set()
    unmatched: list[str] = []
    for arg in map(str, inputs):
        if os.path.isdir(arg):
            found.update(_walk(arg))
        elif os.path.exists(arg) or not _has_magic(arg):
            found.add(arg)
        else:
            hits = glob.glob(arg, recursive=True)
            if not hits:
                unmatched.append(arg)
            for h in hits:
                if os.path.isdir(h):
                    found.update(_walk(h))
                elif h.lower().endswith(SUFFIXES):
                    found.add(h)
    return sorted({os.path.normpath(p) for p in found}), unmatched


def file_sha256(path: str) -> str:
    """The sha256 a record of this file carries ("" where the loader records none)."""
    from extractor.load import MAX_BYTES

    try:
        if os.path.getsize(path) > MAX_BYTES:
            return ""
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()
    except OSError:
        return ""


# ------------------------------------------------------------------ records

def dumps(record: dict[str, Any]) -> bytes:
    """The record as one JSON line (compact, key order as built; lone surrogates escaped)."""
    s = json.dumps(record, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return s.encode("utf-8", "backslashreplace") + b"\n"


def status_of(record: dict[str, Any]) -> tuple[str, str | None]:
    """("ok" | "review" | "error", the error code)."""
    err = record.get("error")
    if err:
        return "error", err.get("code")
    return ("review" if record.get("needs_review") else "ok"), None


def is_crossyear(check: dict[str, Any]) -> bool:
    return str(check.get("rule", "")).startswith(CROSSYEAR)


def _agency_key(rec: dict[str, Any]) -> tuple[str, int] | None:
    """(agency folded, year) of a readable record, or None."""
    meta = rec.get("meta") or {}
    agency = (meta.get("agency") or {}).get("value")
    year = (meta.get("year") or {}).get("value")
    if rec.get("error") or not isinstance(agency, str) or not agency.strip():
        return None
    try:
        year = int(year)
    except (TypeError, ValueError):
        return None
    return "".join(unicodedata.normalize("NFKC", agency).split()), year


T2_COLS = ("issued", "repealed", "in_force")


@lru_cache(maxsize=1)
def _col3() -> tuple[str, ...]:
    from extractor.labels import col3

    return col3()


def _values(rec: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    """The few cells the cross-year rules read, as tuples in column order (kept per record: small)."""
    tables = rec.get("tables") or {}
    t2, t3 = tables.get("table2") or {}, tables.get("table3") or {}

    def row(t: dict, r: str, cols: tuple[str, ...]) -> tuple[Any, ...]:
        cells = t.get(r) or {}
        return tuple((cells.get(c) or {}).get("value") for c in cols)

    return {"carried_forward": row(t3, "carried_forward", _col3()), "carried_over": row(t3, "carried_over", _col3()),
            "rules": row(t2, "rules", T2_COLS), "normative_docs": row(t2, "normative_docs", T2_COLS)}


@dataclass(slots=True)
class Entry:
    """One record line of the output, as the final pass needs it (no need to parse it again)."""

    path: str
    sha256: str
    status: str
    code: str | None
    key: tuple[str, int] | None
    values: dict[str, tuple[Any, ...]] | None
    has_cross: bool
    offset: int = 0
    length: int = 0
    cells: int | None = None  # record batch number in the cells spool
    facts: int | None = None

    @property
    def year(self) -> int | None:
        return self.key[1] if self.key else None


def entry_of(rec: dict[str, Any]) -> Entry:
    src = rec.get("source") or {}
    status, code = status_of(rec)
    key = _agency_key(rec)
    return Entry(path=str(src.get("path")), sha256=src.get("sha256") or "", status=status, code=code,
                 key=key, values=_values(rec) if key else None,
                 has_cross=any(is_crossyear(c) for c in rec.get("checks") or []))


# ------------------------------------------------------------------ long-table rows

CELL_COLUMNS = ("report", "sha256", "table", "row", "col", "value", "raw", "confidence",
                "needs_review", "span_start", "span_end", "report_needs_review")
FACT_COLUMNS = ("report", "sha256", "metric", "channel", "value", "unit", "role", "approx", "category",
                "section", "span_start", "span_end", "text", "confidence", "needs_review")


def _num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _float(v: Any) -> float | None:
    return float(v) if _num(v) else None


def _span(s: Any) -> tuple[int | None, int | None]:
    return (s[0], s[1]) if isinstance(s, list) and len(s) == 2 else (None, None)


def cell_columns(rec: dict[str, Any]) -> dict[str, list[Any]]:
    """The record's table cells as long-table columns.

    A cell needs review when it is uncertain, named by a failed check
    (cross-year ones included) or its report failed to read.
    """
    from extractor.record import REVIEW_BELOW

    src = rec.get("source") or {}
    flagged = {n for c in rec.get("checks") or [] if not c.get("ok") for n in c.get("cells") or []}
    broken, report_review = bool(rec.get("error")), bool(rec.get("needs_review"))
    cols: dict[str, list[Any]] = {c: [] for c in CELL_COLUMNS}
    for table, rows in (rec.get("tables") or {}).items():
        for row, cells in rows.items():
            for col, cell in cells.items():
                value, conf = cell.get("value"), float(cell.get("confidence") or 0.0)
                s, e = _span(cell.get("span"))
                raw = cell.get("raw")
                for k, v in (("report", src.get("path")), ("sha256", src.get("sha256")), ("table", table),
                             ("row", row), ("col", col), ("value", _float(value)),
                             ("raw", raw if raw is not None else value if isinstance(value, str) else None),
                             ("confidence", conf),
                             ("needs_review", broken or f"{table}.{row}.{col}" in flagged
                              or (value is not None and conf < REVIEW_BELOW)),
                             ("span_start", s), ("span_end", e), ("report_needs_review", report_review)):
                    cols[k].append(v)
    return cols


def fact_columns(rec: dict[str, Any]) -> dict[str, list[Any]]:
    from extractor.record import REVIEW_BELOW

    src = rec.get("source") or {}
    cols: dict[str, list[Any]] = {c: [] for c in FACT_COLUMNS}
    for f in rec.get("facts") or []:
        s, e = _span(f.get("span"))
        conf = float(f.get("confidence") or 0.0)
        for k, v in (("report", src.get("path")), ("sha256", src.get("sha256")), ("metric", f.get("metric")),
                     ("channel", f.get("channel")), ("value", _float(f.get("value"))), ("unit", f.get("unit")),
                     ("role", f.get("role")), ("approx", bool(f.get("approx"))), ("category", f.get("category")),
                     ("section", f.get("section")), ("span_start", s), ("span_end", e), ("text", f.get("text")),
                     ("confidence", conf), ("needs_review", conf < REVIEW_BELOW)):
            cols[k].append(v)
    return cols


@lru_cache(maxsize=None)
def arrow_schema(kind: str):
    import pyarrow as pa

    columns = CELL_COLUMNS if kind == "cells" else FACT_COLUMNS
    types = {"value": pa.float64(), "confidence": pa.float64(), "needs_review": pa.bool_(),
             "report_needs_review": pa.bool_(), "approx": pa.bool_(),
             "span_start": pa.int64(), "span_end": pa.int64()}
    return pa.schema([(c, types.get(c, pa.string())) for c in columns])


def record_batch(kind: str, rec: dict[str, Any]):
    """The record's rows for one long table as an Arrow record batch (None when it has none)."""
    import pyarrow as pa

    cols = cell_columns(rec) if kind == "cells" else fact_columns(rec)
    if not cols["report"]:
        return None
    return pa.record_batch([cols[c] for c in arrow_schema(kind).names], schema=arrow_schema(kind))


# ------------------------------------------------------------------ one file

@dataclass
class Result:
    """One finished input: its record line, its digest, and its long-table rows."""

    path: str
    line: bytes
    entry: Entry
    seconds: float = 0.0
    cells: Any = None  # pyarrow.RecordBatch | None
    facts: Any = None

    @property
    def status(self) -> str:
        return self.entry.status


def make_result(record: dict[str, Any], seconds: float, tables: tuple[bool, bool]) -> Result:
    """Everything the parent needs from one record, made where the record is (in the worker)."""
    line = dumps(record)
    entry = entry_of(record)
    cells = record_batch("cells", record) if tables[0] else None
    facts = record_batch("facts", record) if tables[1] else None
    return Result(entry.path, line, entry, seconds, cells, facts)


@lru_cache(maxsize=None)
def resolve(name: str) -> Callable:
    """"module:function" -> the function (the pipeline's extract_document by default)."""
    module, _, func = name.partition(":")
    return getattr(importlib.import_module(module), func)


def error_record(path: str, code: str, message: str, sha: str | None = None) -> dict[str, Any]:
    """A record for an input that produced no Document (missing, timed out, crashed a worker)."""
    from extractor.load import TEXT_SUFFIXES, _format_by_suffix
    from extractor.record import Issue, Report

    suffix = os.path.splitext(path)[1].lower()
    source = {"path": path, "sha256": file_sha256(path) if sha is None else sha, "encoding": None,
              "format": TEXT_SUFFIXES.get(suffix) or _format_by_suffix(suffix), "chars": 0}
    return Report(source=source, error=Issue(code, message)).to_dict()


def _record(path: str, extract: str) -> dict[str, Any]:
    from extractor.load import load

    try:
        doc = load(path)
    except FileNotFoundError:
        return error_record(path, "input.not_found", "no such file", "")
    except OSError as e:
        return error_record(path, "input.unreadable", str(e), "")
    report = resolve(extract)(doc)  # the pipeline carries the loader's warnings
    record = report.to_dict()
    dumps(record)  # fail here, inside the guard, if the record cannot be written
    return record


def process_path(path: str, extract: str = DEFAULT_EXTRACT, tables: tuple[bool, bool] = (False, False)) -> Result:
    """Load and extract one file; never raises (every failure becomes the record's error)."""
    t0 = time.perf_counter()
    try:
        record = _record(path, extract)
    except Exception as e:  # the pipeline promises not to raise; a batch must not depend on it
        record = error_record(path, "internal.error", f"{type(e).__name__}: {e}")
    return make_result(record, time.perf_counter() - t0, tables)


def timeout_result(path: str, timeout: float, tables: tuple[bool, bool]) -> Result:
    rec = error_record(path, "input.timeout", f"reading this file took longer than {timeout:g} s; it was stopped")
    return make_result(rec, timeout, tables)


def crash_result(path: str, why: str, tables: tuple[bool, bool]) -> Result:
    return make_result(error_record(path, "input.crashed", f"the worker reading this file died ({why})"), 0.0, tables)


# ------------------------------------------------------------------ local engine

def _warm_up(extract: str) -> None:
    """Load the models once, before the clock of the first file starts."""
    from extractor.load import from_text

    try:
        resolve(extract)(from_text("一、总体情况\n政府信息公开工作年度报告\n"))
    except Exception:
        pass


def _worker_main(conn, extract: str, tables: tuple[bool, bool]) -> None:
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
    _warm_up(extract)
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


_WARM_ENV = "EXTRACTOR_BATCH_WARM_UP"


def _context(extract: str) -> mp.context.BaseContext:
    """forkserver: workers fork from a clean process that has the models loaded already.

    Loading the models once there (not once per worker) makes the start and
    every replacement of a killed worker cheap, and the workers share the
    loaded models' memory.  The fork server imports this module to preload
    it; `_preload_warm_up` below then warms the pipeline named in the
    environment, which is set only while the server starts.
    """
    if "forkserver" not in mp.get_all_start_methods():
        return mp.get_context("spawn")
    from multiprocessing import forkserver

    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["extractor.batch"])
    saved = {k: os.environ.get(k) for k in (_WARM_ENV, *_ONE_THREAD)}
    os.environ[_WARM_ENV] = extract
    for k in _ONE_THREAD:
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


# Each worker is one process on one core: BLAS/OpenMP thread pools inside
# it only fight the other workers for the same cores.
_ONE_THREAD = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
_single_threaded = False


def single_threaded() -> None:
    """Limit native thread pools in this worker process to one thread (once per process)."""
    global _single_threaded
    if _single_threaded:
        return
    _single_threaded = True
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except Exception:  # threadpoolctl missing or a pool it cannot drive: only a speed matter
        pass


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


# ------------------------------------------------------------------ dask engine

def process_path_limited(path: str, extract: str, timeout: float | None,
                         tables: tuple[bool, bool] = (False, False)) -> Result:
    """`process_path` with a time limit, for engines that cannot kill a task (dask).

    The file is read in a daemon thread; past the limit the task returns an
    `input.timeout` record and the batch goes on (the thread cannot be
    killed and finishes, or not, in the background of that worker).
    """
    single_threaded()
    if not timeout:
        return process_path(path, extract, tables)
    box: list[Result] = []
    t = threading.Thread(target=lambda: box.append(process_path(path, extract, tables)), daemon=True)
    t.start()
    t.join(timeout)
    return box[0] if box else timeout_result(path, timeout, tables)


def run_dask(paths: list[str], extract: str, workers: int, timeout: float | None, scheduler: str | None,
             tables: tuple[bool, bool] = (False, False)) -> Iterator[list[Result]]:
    """The same per-file function on a dask.distributed cluster (a LocalCluster without `scheduler`).

    Workers must be able to import `extractor` and read the input paths
    (a shared filesystem).  At most a few tasks per worker thread are in
    flight, so memory stays bounded on the client too.
    """
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        window = 4 * max(1, sum(client.nthreads().values()))
        todo = iter(paths)
        owner: dict[str, str] = {}

        def submit(p: str):
            fut = client.submit(process_path_limited, p, extract, timeout, tables, pure=False)
            owner[fut.key] = p
            return fut

        ac = as_completed([submit(p) for _, p in zip(range(window), todo)])
        for done in ac.batches():
            batch: list[Result] = []
            for fut in done:
                path = owner.pop(fut.key)
                try:
                    batch.append(fut.result())
                except Exception as e:  # KilledWorker and friends
                    batch.append(crash_result(path, f"{type(e).__name__}: {e}", tables))
                fut.release()
                nxt = next(todo, None)
                if nxt is not None:
                    ac.add(submit(nxt))
            yield batch
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# ------------------------------------------------------------------ the output file

class Appender:
    """An append-only JSONL file: each write is whole lines, then fsync.

    One `os.write` per batch of lines, so a process killed at any moment
    leaves whole lines (at worst a trailing partial line from a write cut
    short by the kill, which `--resume` removes).
    """

    def __init__(self, path: Path, truncate: bool, fsync: bool = True) -> None:
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | (os.O_TRUNC if truncate else 0)
        self.fd = os.open(path, flags, 0o644)
        self.size = os.fstat(self.fd).st_size
        self.fsync = fsync

    def write(self, lines: list[bytes]) -> list[int]:
        """Append whole lines; returns the offset of each."""
        offsets = []
        for line in lines:
            offsets.append(self.size)
            self.size += len(line)
        data = memoryview(b"".join(lines))
        while data:
            n = os.write(self.fd, data)
            data = data[n:]
        if self.fsync:
            os.fsync(self.fd)
        return offsets

    def close(self) -> None:
        os.close(self.fd)


def cut_partial_line(path: Path) -> int:
    """Drop a trailing line without its newline (a write cut short); returns bytes removed."""
    size = path.stat().st_size
    with open(path, "rb+") as f:
        pos, keep = size, 0
        while pos > 0:
            step = min(65536, pos)
            f.seek(pos - step)
            chunk = f.read(step)
            if pos == size and chunk.endswith(b"\n"):
                return 0
            nl = chunk.rfind(b"\n")
            if nl >= 0:
                keep = pos - step + nl + 1
                break
            pos -= step
        if keep == size:
            return 0
        f.truncate(keep)
        f.flush()
        os.fsync(f.fileno())
    return size - keep


def iter_records(path: Path) -> Iterator[tuple[int, bytes, dict[str, Any] | None]]:
    """(offset, line, record or None when the line is not a JSON object) for each line."""
    offset = 0
    with open(path, "rb") as f:
        for line in f:
            try:
                rec = json.loads(line) if line.endswith(b"\n") else None
            except ValueError:
                rec = None
            yield offset, line, rec if isinstance(rec, dict) else None
            offset += len(line)


class Spool:
    """Long-table rows as Arrow record batches in a temporary file, one batch per record.

    Rows arrive in completion order; the final tables are written in path
    order by reading batches back by number, so nothing is held in memory.
    """

    def __init__(self, kind: str, directory: Path, prefix: str) -> None:
        import pyarrow as pa

        self.kind = kind
        fd, name = tempfile.mkstemp(prefix=f".{prefix}.{kind}-", suffix=".arrow", dir=directory)
        os.close(fd)
        self.path = Path(name)
        self._sink = pa.OSFile(str(self.path), "wb")
        self._writer = pa.ipc.new_file(self._sink, arrow_schema(kind))
        self.count = 0
        self._reader: Any = None

    def add(self, batch) -> int | None:
        if batch is None or batch.num_rows == 0:
            return None
        self._writer.write_batch(batch)
        self.count += 1
        return self.count - 1

    def reader(self):
        import pyarrow as pa

        if self._reader is None:
            self._writer.close()
            self._sink.close()
            self._reader = pa.ipc.open_file(pa.memory_map(str(self.path), "r"))
        return self._reader

    def remove(self) -> None:
        try:
            if self._reader is None:
                self._writer.close()
                self._sink.close()
        finally:
            self._reader = None
            self.path.unlink(missing_ok=True)


class Index:
    """path -> Entry of the record line that counts (the last one written for that path)."""

    def __init__(self, spools: dict[str, Spool]) -> None:
        self.entries: dict[str, Entry] = {}
        self.spools = spools
        self.lines = 0

    def add(self, entry: Entry, offset: int, length: int, cells=None, facts=None) -> None:
        entry.offset, entry.length = offset, length
        if "cells" in self.spools:
            entry.cells = self.spools["cells"].add(cells)
        if "facts" in self.spools:
            entry.facts = self.spools["facts"].add(facts)
        self.entries[entry.path] = entry
        self.lines += 1

    def add_record(self, rec: dict[str, Any], offset: int, length: int) -> None:
        """An existing line (resume, or a final pass run on its own): parse-side digest and rows."""
        self.add(entry_of(rec), offset, length,
                 record_batch("cells", rec) if "cells" in self.spools else None,
                 record_batch("facts", rec) if "facts" in self.spools else None)

    @classmethod
    def of_file(cls, path: Path, spools: dict[str, Spool] | None = None) -> "Index":
        index = cls(spools or {})
        for offset, line, rec in iter_records(path):
            index.lines += rec is None
            if rec is not None:
                index.add_record(rec, offset, len(line))
        return index


# ------------------------------------------------------------------ cross-year checks

def _fmt(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _previous(prev: Entry) -> dict[str, Any]:
    return {"path": prev.path, "sha256": prev.sha256, "year": prev.year}


def check_carried_over(prev: Entry, cur: Entry) -> dict[str, Any] | None:
    """Last year's 结转下年度继续办理 must be this year's 上年结转, column by column."""
    before = dict(zip(_col3(), prev.values["carried_forward"]))
    now = dict(zip(_col3(), cur.values["carried_over"]))
    cols = [c for c in _col3() if _num(now[c]) and _num(before[c])]
    if not cols:
        return None
    bad = [c for c in cols if abs(before[c] - now[c]) > 1e-9]
    parts = [f"{c} {_fmt(before[c])}{'≠' if c in bad else '='}{_fmt(now[c])}" for c in cols]
    return {"rule": "crossyear.carried_over", "ok": not bad,
            "detail": f"{prev.year} carried_forward vs {cur.year} carried_over: " + ", ".join(parts),
            "cells": [f"table3.carried_over.{c}" for c in (bad or cols)], "previous": _previous(prev)}


def check_normative_docs(prev: Entry, cur: Entry) -> dict[str, Any] | None:
    """现行有效 chains: last year's in_force + this year's issued − repealed = this year's in_force."""
    parts, bad_cells, all_cells = [], [], []
    for row in ("rules", "normative_docs"):
        last, now = dict(zip(T2_COLS, prev.values[row])), dict(zip(T2_COLS, cur.values[row]))
        vals = (last["in_force"], now["issued"], now["repealed"], now["in_force"])
        if not all(_num(v) for v in vals):
            continue
        before, issued, repealed, in_force = vals
        ok = abs(before + issued - repealed - in_force) < 1e-9
        parts.append(f"{row}: {_fmt(before)}+{_fmt(issued)}-{_fmt(repealed)} {'=' if ok else '≠'} {_fmt(in_force)}")
        cells = [f"table2.{row}.{c}" for c in T2_COLS]
        all_cells += cells
        if not ok:
            bad_cells += cells
    if not parts:
        return None
    return {"rule": "crossyear.normative_docs", "ok": not bad_cells,
            "detail": f"{prev.year} in_force + {cur.year} issued − repealed = {cur.year} in_force; " + "; ".join(parts),
            "cells": bad_cells or all_cells, "previous": _previous(prev)}


def crossyear_checks(entries: dict[str, Entry]) -> dict[str, list[dict[str, Any]]]:
    """path -> the cross-year checks for that record (the later year of a consecutive pair).

    When a batch holds several records of one agency and year (the same
    report as .html and .pdf), the previous year is the first by path.
    """
    by_key: dict[tuple[str, int], str] = {}
    for path in sorted(entries):
        if entries[path].key:
            by_key.setdefault(entries[path].key, path)
    out: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(entries):
        cur = entries[path]
        prev_path = by_key.get((cur.key[0], cur.key[1] - 1)) if cur.key else None
        if prev_path is None:
            continue
        prev = entries[prev_path]
        checks = [c for c in (check_carried_over(prev, cur), check_normative_docs(prev, cur)) if c]
        if checks:
            out[path] = checks
    return out


def apply_crossyear(rec: dict[str, Any], checks: list[dict[str, Any]]) -> dict[str, Any]:
    """Replace a record's cross-year checks (idempotent) and set needs_review if one fails.

    A failing check that turned needs_review on is marked `set_needs_review`,
    so a later pass that removes the check can turn it off again.
    """
    old = [c for c in rec.get("checks") or [] if is_crossyear(c)]
    if any(c.get("set_needs_review") for c in old):
        rec["needs_review"] = False
    rec["checks"] = [c for c in rec.get("checks") or [] if not is_crossyear(c)]
    for c in checks:
        c = dict(c)
        if not c["ok"] and not rec.get("needs_review"):
            rec["needs_review"] = True
            c["set_needs_review"] = True
        rec["checks"].append(c)
    return rec


# ------------------------------------------------------------------ the final pass

@dataclass
class Final:
    """What `finalize` found in the output: counts for the summary."""

    reports: int = 0
    ok: int = 0
    needs_review: int = 0
    errors: Counter = field(default_factory=Counter)
    dropped: int = 0
    crossyear_checks: int = 0
    crossyear_failed: int = 0

    def count(self, status: str, code: str | None) -> None:
        self.reports += 1
        if status == "error":
            self.errors[code or "unknown"] += 1
        elif status == "review":
            self.needs_review += 1
        else:
            self.ok += 1


def finalize(out: Path, inputs: list[str], index: Index | None = None) -> Final:
    """Rewrite the output: one line per input, sorted by path, cross-year checks added.

    Atomic (temp file, fsync, os.replace): a kill during it leaves the old,
    complete file, and `--resume` simply runs it again.  Records that gain or
    lose cross-year checks are parsed and their long-table rows remade; all
    other lines are copied as they are.
    """
    index = index or Index.of_file(out)
    wanted = set(inputs)
    entries = {p: e for p, e in index.entries.items() if p in wanted}
    final = Final(dropped=index.lines - len(entries))
    cross = crossyear_checks(entries)
    order = sorted(entries)
    in_place = [entries[p].offset for p in order] == sorted(e.offset for e in entries.values())
    changed = [p for p in order if entries[p].has_cross or p in cross]
    rewrite = changed or final.dropped or not in_place
    tmp = out.with_name(f".{out.name}.tmp{os.getpid()}")
    with open(out, "rb") as src, open(tmp if rewrite else os.devnull, "wb") as dst:
        for path in order:
            e = entries[path]
            src.seek(e.offset)
            line = src.read(e.length)
            if e.has_cross or path in cross:
                checks = cross.get(path, [])
                rec = apply_crossyear(json.loads(line), checks)
                line = dumps(rec)
                _remake_rows(index, e, rec)
                e.status, e.code = status_of(rec)
                final.crossyear_checks += len(checks)
                final.crossyear_failed += sum(not c["ok"] for c in checks)
            dst.write(line)
            final.count(e.status, e.code)
        if rewrite:
            dst.flush()
            os.fsync(dst.fileno())
    if rewrite:
        os.replace(tmp, out)
        _fsync_dir(out.parent)
    index.entries = entries
    return final


def _remake_rows(index: Index, e: Entry, rec: dict[str, Any]) -> None:
    for kind, spool in index.spools.items():
        setattr(e, kind, spool.add(record_batch(kind, rec)))


def _fsync_dir(d: Path) -> None:
    try:
        fd = os.open(d, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ------------------------------------------------------------------ long tables

def long_table_kind(path: Path) -> str:
    kind = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv"}.get(Path(path).suffix.lower())
    if kind is None:
        raise ValueError(f"{path}: a long table must be .parquet or .csv")
    return kind


def write_long_table(target: Path, spool: Spool, numbers: Iterable[int | None], chunk_rows: int = 200_000) -> int:
    """Copy the spooled batches, in the given order, to .parquet or .csv (atomically); returns rows."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    kind = long_table_kind(target)
    schema = arrow_schema(spool.kind)
    reader = spool.reader()
    tmp = target.with_name(f".{target.name}.tmp{os.getpid()}")
    writer = pq.ParquetWriter(tmp, schema) if kind == "parquet" else pacsv.CSVWriter(str(tmp), schema)
    rows, pending, pending_rows = 0, [], 0
    try:
        for n in numbers:
            if n is None:
                continue
            batch = reader.get_batch(n)
            pending.append(batch)
            pending_rows += batch.num_rows
            if pending_rows >= chunk_rows:
                writer.write_table(pa.Table.from_batches(pending, schema))
                rows, pending, pending_rows = rows + pending_rows, [], 0
        if pending or rows == 0:
            writer.write_table(pa.Table.from_batches(pending, schema))
            rows += pending_rows
    except BaseException:
        writer.close()
        tmp.unlink(missing_ok=True)
        raise
    writer.close()
    os.replace(tmp, target)
    return rows


# ------------------------------------------------------------------ the run

@dataclass
class Options:
    out: Path
    cells: Path | None = None
    facts: Path | None = None
    summary: Path | None = None
    workers: int | None = None
    resume: bool = False
    timeout: float | None = DEFAULT_TIMEOUT
    engine: str = "local"
    scheduler: str | None = None
    progress: bool = True
    extract: str = DEFAULT_EXTRACT
    fsync: bool = True

    @property
    def tables(self) -> tuple[bool, bool]:
        return (self.cells is not None, self.facts is not None)


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def remove_leftovers(opts: Options) -> None:
    """Temporary files of an earlier run of this output that was killed (spools, unfinished rewrites)."""
    patterns = [(opts.out.parent, f".{opts.out.name}.tmp*"), (opts.out.parent, f".{opts.out.name}.cells-*.arrow"),
                (opts.out.parent, f".{opts.out.name}.facts-*.arrow")]
    patterns += [(p.parent, f".{p.name}.tmp*") for p in (opts.cells, opts.facts) if p is not None]
    for directory, pattern in patterns:
        for leftover in directory.glob(pattern):
            leftover.unlink(missing_ok=True)


def _start(paths: list[str], opts: Options, spools: dict[str, Spool]) -> tuple[Index, list[str]]:
    """The index of what the output already holds (with resume) and the inputs still to read."""
    if not (opts.resume and opts.out.exists()):
        return Index(spools), paths
    cut_partial_line(opts.out)
    index = Index.of_file(opts.out, spools)
    done = {p: e.sha256 for p, e in index.entries.items()}
    return index, [p for p in paths if p not in done or done[p] != file_sha256(p)]


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, unit="report", file=sys.stderr, disable=not enabled, smoothing=0.1,
                dynamic_ncols=True, mininterval=0.3)


def _engine(todo: list[str], opts: Options, workers: int) -> Iterator[list[Result]]:
    if not todo:
        return iter(())
    if opts.engine == "dask":
        return run_dask(todo, opts.extract, workers, opts.timeout, opts.scheduler, opts.tables)
    if opts.engine != "local":
        raise ValueError(f"unknown engine {opts.engine!r} (local or dask)")
    return run_local(todo, opts.extract, workers, opts.timeout, opts.tables)


def _read_all(todo: list[str], opts: Options, workers: int, index: Index) -> None:
    """Phase 1: every file through a worker, each record appended (kill-safe) as it arrives."""
    live: Counter = Counter()
    appender = Appender(opts.out, truncate=not opts.resume, fsync=opts.fsync)
    try:
        with _progress(len(todo), opts.progress) as bar:
            for batch in _engine(todo, opts, workers):
                offsets = appender.write([r.line for r in batch])
                for r, off in zip(batch, offsets):
                    index.add(r.entry, off, len(r.line), r.cells, r.facts)
                live.update(r.status for r in batch)
                bar.set_postfix(ok=live["ok"], review=live["review"], errors=live["error"], refresh=False)
                bar.update(len(batch))
    finally:
        appender.close()


def run_batch(inputs: Iterable[str], opts: Options) -> dict[str, Any]:
    """Run a batch; returns the summary (also written to `opts.summary` when set)."""
    t0 = time.perf_counter()
    for p in (opts.cells, opts.facts):
        if p is not None:
            long_table_kind(p)
    paths, unmatched = collect_inputs(inputs)
    opts.out.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(opts)
    spools = {k: Spool(k, opts.out.parent, opts.out.name)
              for k, p in (("cells", opts.cells), ("facts", opts.facts)) if p}
    workers = opts.workers or default_workers()
    try:
        index, todo = _start(paths, opts, spools)
        _read_all(todo, opts, workers, index)
        t_read = time.perf_counter()
        final = finalize(opts.out, paths, index)
        order = sorted(index.entries)
        for kind, target in (("cells", opts.cells), ("facts", opts.facts)):
            if target is not None:
                target.parent.mkdir(parents=True, exist_ok=True)
                write_long_table(target, spools[kind], (getattr(index.entries[p], kind) for p in order))
    finally:
        for s in spools.values():
            s.remove()
    seconds = time.perf_counter() - t0
    summary = {
        "reports": final.reports, "ok": final.ok, "needs_review": final.needs_review,
        "errors": sum(final.errors.values()), "errors_by_code": dict(sorted(final.errors.items())),
        "processed": len(todo), "skipped": len(paths) - len(todo), "dropped_lines": final.dropped,
        "crossyear_checks": final.crossyear_checks, "crossyear_failed": final.crossyear_failed,
        "unmatched": unmatched, "engine": opts.engine, "workers": workers,
        "seconds": round(seconds, 3), "read_seconds": round(t_read - t0, 3),
        "reports_per_second": round(len(todo) / seconds, 2) if seconds > 0 else None,
    }
    if opts.summary:
        opts.summary.parent.mkdir(parents=True, exist_ok=True)
        opts.summary.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return summary


def format_summary(s: dict[str, Any]) -> str:
    """The summary as a few lines for a terminal."""
    errs = ", ".join(f"{k} {v}" for k, v in s["errors_by_code"].items()) or "none"
    lines = [
        f"reports {s['reports']}: ok {s['ok']}, needs review {s['needs_review']}, errors {s['errors']}",
        f"errors by code: {errs}",
        f"read {s['processed']} (skipped {s['skipped']} already done) in {s['seconds']:.1f} s"
        f" = {s['reports_per_second'] or 0:.1f} reports/s with {s['workers']} {s['engine']} workers",
    ]
    if s["crossyear_checks"]:
        lines.append(f"cross-year checks {s['crossyear_checks']}, failed {s['crossyear_failed']}")
    if s["unmatched"]:
        lines.append("matched nothing: " + " ".join(s["unmatched"]))
    return "\n".join(lines)


def _preload_warm_up() -> None:
    """In the fork server only (see `_context`): load the models before any worker forks."""
    name = os.environ.pop(_WARM_ENV, None)
    if name:
        logging.getLogger().addHandler(logging.NullHandler())
        _warm_up(name)


_preload_warm_up()
