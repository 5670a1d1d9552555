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
   write (fsynced every second and at the end), so a kill -9 at any moment leaves whole lines only.
4. `finalize` rewrites the output atomically (temp file + os.replace): one
   line per input in sorted path order, with what the same body's adjacent
   years settle of a doubted reading and the cross-year checks, which need
   every record of the batch (`checks.settle`, `checks.crossyear`).  Its
   result depends only on the records, so re-running gives byte-identical
   output.
5. The long tables (`--cells`, `--facts`) are written last, in the same
   order, from the rows the workers made (spooled to a temporary Arrow file),
   so memory stays flat in the number of reports.
6. A write that fails on the way (a full disk, a read-only directory) ends
   the batch with an `OutputFault` naming the file, the error and how many
   records are safe; nothing written before is lost, and `--resume`
   finishes.  Only the output steps are guarded so (`_Output.step`): an
   unreadable input is its record's error, not a fault of the batch.

This module puts those steps together; each lives in a module of its own
(`inputs`, `records`, `local` / `dask`, `output`, `tables`).
"""
from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from extractor.batch.dask import run_dask
from extractor.batch.given import GAZETTEER, read_hierarchy, read_manifest
from extractor.batch.inputs import collect_inputs, file_sha256
from extractor.batch.local import run_local
from extractor.batch.output import (
    Appender,
    Index,
    OutputFault,
    cut_partial_line,
    finalize,
    write_atomic,
)
from extractor.batch.records import DEFAULT_EXTRACT, Result
from extractor.batch.tables import Spool, long_table_kind, write_long_table

DEFAULT_TIMEOUT = 120.0


@dataclass
class Options:
    """How to run a batch (the `extractor batch` options; `extract` names the per-file function)."""

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
    manifest: Path | None = None  # where each report came from (`given.read_manifest`)
    hierarchy: Path | str | None = None  # which bodies' reports add up to which: a CSV, "gazetteer", None: no check
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
    patterns += [(p.parent, f".{p.name}.tmp*") for p in (opts.cells, opts.facts, opts.summary) if p is not None]
    for directory, pattern in patterns:
        for leftover in directory.glob(pattern):
            leftover.unlink(missing_ok=True)


class _Output:
    """Turns an OSError of an output step into an `OutputFault` that says which file failed and what is safe.

    It keeps the inputs whose record is safely in the output (already there
    on resume, or appended since and not cut back by a failed fsync), for the message.
    """

    def __init__(self, out: Path, paths: list[str]) -> None:
        self.out, self.wanted = out, set(paths)
        self.safe: set[str] | None = None  # None: the output is as it was before this run

    def written(self, paths: Iterable[str]) -> None:
        self.safe = self.safe if self.safe is not None else set()
        self.safe.update(p for p in paths if p in self.wanted)

    def unwritten(self, paths: Iterable[str]) -> None:
        if self.safe is not None:
            self.safe.difference_update(paths)

    @contextlib.contextmanager
    def step(self, doing: str, path: Path) -> Iterator[None]:
        try:
            yield
        except OutputFault:
            raise
        except OSError as e:
            safe = None if self.safe is None else len(self.safe)
            raise OutputFault(doing, path, e, safe, len(self.wanted), self.out) from e


def _start(paths: list[str], opts: Options, spools: dict[str, Spool], output: _Output) -> tuple[Index, list[str]]:
    """The index of what the output already holds (with resume) and the inputs still to read."""
    if not (opts.resume and opts.out.exists()):
        return Index(spools), paths
    with output.step("reading the records it holds", opts.out):
        cut_partial_line(opts.out)
        index = Index.of_file(opts.out, spools)
    output.written(index.entries)
    done = {p: e.sha256 for p, e in index.entries.items()}
    return index, [p for p in paths if p not in done or done[p] != file_sha256(p)]


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, unit="report", file=sys.stderr, disable=not enabled, smoothing=0.1,
                dynamic_ncols=True, mininterval=0.3)


def _engine(todo: list[str], opts: Options, workers: int) -> Iterator[list[Result]]:
    """The engine's results; a generator, so that closing it stops the workers (after a fault, an interrupt)."""
    if not todo:
        return
    if opts.engine == "dask":
        yield from run_dask(todo, opts.extract, workers, opts.timeout, opts.scheduler, opts.tables)
    elif opts.engine == "local":
        yield from run_local(todo, opts.extract, workers, opts.timeout, opts.tables)
    else:
        raise ValueError(f"unknown engine {opts.engine!r} (local or dask)")


def _read_all(todo: list[str], opts: Options, workers: int, index: Index, output: _Output) -> None:
    """Phase 1: every file through a worker, each record appended (kill-safe) as it arrives."""
    live: Counter = Counter()
    with output.step("opening it to append records", opts.out):
        appender = Appender(opts.out, truncate=not opts.resume, fsync=opts.fsync)
    output.written(())
    results = _engine(todo, opts, workers)
    unsynced: list[tuple[int, str]] = []  # (end offset, input) of records written since the last fsync
    try:
        with _progress(len(todo), opts.progress) as bar:
            for batch in results:
                with output.step("appending records", opts.out):
                    offsets = _append(appender, [r.line for r in batch], unsynced, output)
                unsynced += [(off + len(r.line), r.path) for r, off in zip(batch, offsets)]
                output.written(r.path for r in batch)
                unsynced = [(end, path) for end, path in unsynced if end > appender.synced]
                with output.step("spooling long-table rows beside it", opts.out.parent):
                    for r, off in zip(batch, offsets):
                        index.add(r.entry, off, len(r.line), r.cells, r.facts)
                live.update(r.status for r in batch)
                bar.set_postfix(ok=live["ok"], review=live["review"], errors=live["error"], refresh=False)
                bar.update(len(batch))
    except BaseException:
        results.close()
        with contextlib.suppress(OSError):
            appender.close()
        raise
    with output.step("closing it", opts.out):
        _append(appender, None, unsynced, output)


def _append(appender: Appender, lines: list[bytes] | None, unsynced: list[tuple[int, str]],
            output: _Output) -> list[int]:
    """Append `lines` (None: close the file); a fault that cut the file back (a failed write or fsync) takes
    the records it cut out of those the fault message calls safe."""
    try:
        if lines is None:
            appender.close()
            return []
        return appender.write(lines)
    except OSError:
        output.unwritten(path for end, path in unsynced if end > appender.size)
        raise


def run_batch(inputs: Iterable[str], opts: Options) -> dict[str, Any]:
    """Run a batch; returns the summary (also written to `opts.summary` when set).

    Raises `OutputFault` when an output file cannot be written; what was
    written before stays, and a run with `resume` finishes.
    """
    t0 = time.perf_counter()
    for p in (opts.cells, opts.facts):
        if p is not None:
            long_table_kind(p)
    manifest = read_manifest(opts.manifest) if opts.manifest else None
    pairs = (None if not opts.hierarchy else GAZETTEER if str(opts.hierarchy) == GAZETTEER
             else read_hierarchy(opts.hierarchy))
    paths, unmatched = collect_inputs(inputs)
    output = _Output(opts.out, paths)
    with output.step("preparing its directory", opts.out.parent):
        opts.out.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(opts)
    spools: dict[str, Spool] = {}
    workers = opts.workers or default_workers()
    try:
        with output.step("making the temporary long-table spools beside it", opts.out.parent):
            for k, p in (("cells", opts.cells), ("facts", opts.facts)):
                if p:
                    spools[k] = Spool(k, opts.out.parent, opts.out.name)
        index, todo = _start(paths, opts, spools, output)
        _read_all(todo, opts, workers, index, output)
        t_read = time.perf_counter()
        with output.step("rewriting it in path order", opts.out):
            final = finalize(opts.out, paths, index, pairs=pairs, manifest=manifest)
        order = sorted(index.entries)
        for kind, target in (("cells", opts.cells), ("facts", opts.facts)):
            if target is not None:
                with output.step(f"writing the {kind} table", target):
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
        "chain_settled_cells": final.chain_settled_cells, "chain_settled_reports": final.chain_settled_reports,
        "hierarchy_checks": final.hierarchy_checks, "hierarchy_failed": final.hierarchy_failed,
        "copypaste_failed": final.copypaste_failed,
        "unmatched": unmatched, "engine": opts.engine, "workers": workers,
        "seconds": round(seconds, 3), "read_seconds": round(t_read - t0, 3),
        "reports_per_second": round(len(todo) / seconds, 2) if seconds > 0 else None,
    }
    if opts.summary:
        with output.step("writing the summary", opts.summary):
            opts.summary.parent.mkdir(parents=True, exist_ok=True)
            data = json.dumps(summary, ensure_ascii=False, indent=2) + "\n"
            write_atomic(opts.summary, data.encode("utf-8"), fsync=opts.fsync)
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
    if s["crossyear_checks"] or s["chain_settled_cells"]:
        lines.append(f"cross-year checks {s['crossyear_checks']}, failed {s['crossyear_failed']}; "
                     f"doubted cells settled by a chain {s['chain_settled_cells']} "
                     f"(in {s['chain_settled_reports']} reports)")
    if s.get("hierarchy_checks") or s.get("copypaste_failed"):
        lines.append(f"hierarchy checks {s['hierarchy_checks']}, failed {s['hierarchy_failed']}; "
                     f"copy-paste found {s['copypaste_failed']}")
    if s["unmatched"]:
        lines.append("matched nothing: " + " ".join(s["unmatched"]))
    return "\n".join(lines)
