"""The output file: appended kill-safe while the batch runs, rewritten once at its end.

While workers finish, each record is appended as a whole line with one
write (`Appender`), so a kill -9 at any moment leaves whole lines only (at
worst one partial line, which `cut_partial_line` removes on resume); the
file is fsynced at most every `SYNC_EVERY` seconds and at the end, so a
power cut loses at most that much work, which `--resume` redoes.  `finalize` then rewrites the file atomically: one line per input
in sorted path order, with what the same body's other years settle of a
doubted reading and the cross-year checks, which need every record of the
batch (`checks.settle`, `checks.crossyear`).  Its result depends only on the records, so re-running gives
byte-identical output.

A write that fails (a full disk, a read-only directory) loses nothing
already written: the appender cuts back the lines it could not write whole,
the rewrites go through temporary files, and the batch ends with an
`OutputFault` that says what is safe; `--resume` then finishes (issue 10).
"""
from __future__ import annotations

import contextlib
import json
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from extractor.batch.given import GAZETTEER, manifest_key, with_provenance
from extractor.batch.records import Entry, dumps, entry_of, status_of
from extractor.batch.tables import Spool, record_batch
from extractor.checks.copypaste import copypaste_checks
from extractor.checks.crossyear import crossyear_checks
from extractor.checks.hierarchy import hierarchy_checks
from extractor.checks.settle import apply_cross_report, plan, settled_views
from extractor.record import record_cells


class OutputFault(OSError):
    """An output file could not be written: which one, why, and how many records are safe in the output.

    Still an OSError with the cause's errno, so `except OSError` goes on
    working; its message is what a person needs to go on (`--resume`), and
    `extractor batch` prints it and exits with `exit_code` instead of a traceback.
    """

    exit_code = 74  # sysexits.h EX_IOERR

    def __init__(self, doing: str, path: Path, cause: OSError, safe: int | None, total: int, out: Path) -> None:
        super().__init__(cause.errno, cause.strerror or str(cause))
        self.doing, self.path, self.cause, self.safe, self.total, self.out = doing, path, cause, safe, total, out

    def __str__(self) -> str:
        kept = (f"{self.out} is as it was" if self.safe is None
                else f"{self.safe} of {self.total} records are safely in {self.out}")
        return (f"cannot write {self.path} ({self.doing}): {self.cause}; {kept}; "
                "make room or fix the permissions, then run again with --resume to finish")


def write_atomic(path: Path, data: bytes, fsync: bool = True) -> None:
    """The whole file or nothing (temp file, os.replace): a full disk leaves the old file, never half a new one."""
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            if fsync:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise


# How often the appended records are fsynced: a power cut loses at most this much work (redone by
# --resume); a kill loses nothing written.  One fsync per record cost a 2-worker batch's parent 1.9 s of
# its 14 s (2,000 reports), time in which no worker got its next file.
SYNC_EVERY = 1.0
_clock = time.monotonic


class Appender:
    """An append-only JSONL file: each write is whole lines; fsynced every `SYNC_EVERY` seconds and on close.

    One `os.write` per batch of lines, so a process killed at any moment
    leaves whole lines (at worst a trailing partial line from a write cut
    short by the kill, which `--resume` removes).  A write that fails (a
    full disk) is cut back to the lines before it; an fsync that fails is
    cut back to what the last good fsync made safe (`synced`), since the
    lines after it may not be on the disk.
    """

    def __init__(self, path: Path, truncate: bool, fsync: bool = True, every: float | None = None) -> None:
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | (os.O_TRUNC if truncate else 0)
        self.fd = os.open(path, flags, 0o644)
        self.size = self.synced = os.fstat(self.fd).st_size
        self.fsync, self.every = fsync, SYNC_EVERY if every is None else every
        self.last_sync = _clock()

    def write(self, lines: list[bytes]) -> list[int]:
        """Append whole lines; returns the offset of each (on an OSError the file is cut back, see above)."""
        start, offsets = self.size, []
        for line in lines:
            offsets.append(self.size)
            self.size += len(line)
        data = memoryview(b"".join(lines))
        try:
            while data:
                n = os.write(self.fd, data)
                data = data[n:]
        except OSError:
            self._cut(start)
            raise
        if _clock() - self.last_sync >= self.every:
            self.sync()
        return offsets

    def sync(self) -> None:
        """Make what was written safe from a power cut (an OSError cuts the file back to the last sync)."""
        if self.fsync and self.synced != self.size:
            try:
                os.fsync(self.fd)
            except OSError:
                self._cut(self.synced)
                raise
        self.synced = self.size
        self.last_sync = _clock()

    def _cut(self, size: int) -> None:
        self.size = size
        with contextlib.suppress(OSError):  # if even this fails, --resume cuts the partial line
            os.ftruncate(self.fd, size)

    def close(self) -> None:
        try:
            self.sync()
        finally:
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


class Index:
    """path -> Entry of the record line that counts (the last one written for that path)."""

    def __init__(self, spools: dict[str, Spool]) -> None:
        self.entries: dict[str, Entry] = {}
        self.spools = spools
        self.lines = 0

    def add(self, entry: Entry, offset: int, length: int, cells: Any = None, facts: Any = None) -> None:
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
    chain_settled_cells: int = 0  # doubted cells a year chain settled (`checks.settle`)
    chain_settled_reports: int = 0
    hierarchy_checks: int = 0
    hierarchy_failed: int = 0
    copypaste_failed: int = 0

    def count_across(self, checks: list) -> None:
        for c in checks:
            if c.rule.startswith("hierarchy."):
                self.hierarchy_checks += 1
                self.hierarchy_failed += not c.ok
            elif not c.ok:
                self.copypaste_failed += 1

    def count(self, status: str, code: str | None) -> None:
        self.reports += 1
        if status == "error":
            self.errors[code or "unknown"] += 1
        elif status == "review":
            self.needs_review += 1
        else:
            self.ok += 1


def _across(entries: dict[str, Entry], pairs: list[tuple[str, str]] | str | None) -> dict[str, list]:
    """path -> the hierarchy and copy-paste checks of the batch (`pairs`: a person's parent/part list, or
    `given.GAZETTEER`; None: no hierarchy check)."""
    views = {p: e.report for p, e in entries.items() if e.report is not None}
    out: dict[str, list] = {}
    families = [copypaste_checks(views)]
    if pairs is not None:
        families.append(hierarchy_checks(views, None if pairs == GAZETTEER else pairs))
    for found in families:
        for path, checks in found.items():
            out.setdefault(path, []).extend(checks)
    return out


def finalize(out: Path, inputs: list[str], index: Index | None = None,
             pairs: list[tuple[str, str]] | str | None = None, manifest: dict[str, dict[str, str]] | None = None) -> Final:
    """Rewrite the output: one line per input, sorted by path, the checks across reports added.

    Those are the year chains (first settling what they can of doubted
    readings, `checks.settle`, then checked), the hierarchy (parts from
    `pairs`, else the gazetteer) and copy-paste; a `manifest` row goes into
    its record's `source` (`given`).

    Atomic (temp file, fsync, os.replace): a kill or a full disk during it
    leaves the old, complete file (and no temp file, but for a kill), and
    `--resume` simply runs it again.  Records that gain or
    lose cross-year checks are parsed and their long-table rows remade; all
    other lines are copied as they are.
    """
    index = index or Index.of_file(out)
    wanted = set(inputs)
    entries = {p: e for p, e in index.entries.items() if p in wanted}
    final = Final(dropped=index.lines - len(entries))
    views = {p: e.view for p, e in entries.items() if e.view is not None}
    plans = plan(views)
    cross = crossyear_checks(settled_views(views, plans))
    across = _across(entries, pairs)
    rows = {p: r for p in entries if (r := (manifest or {}).get(manifest_key(p))) is not None}
    order = sorted(entries)
    in_place = [entries[p].offset for p in order] == sorted(e.offset for e in entries.values())
    changed = [p for p in order if entries[p].has_cross or p in cross or p in plans or p in across or p in rows]
    rewrite = changed or final.dropped or not in_place
    tmp = out.with_name(f".{out.name}.tmp{os.getpid()}")
    try:
        with open(out, "rb") as src, open(tmp if rewrite else os.devnull, "wb") as dst:
            for path in order:
                e = entries[path]
                src.seek(e.offset)
                line = src.read(e.length)
                if e.has_cross or path in cross or path in plans or path in across or path in rows:
                    checks = cross.get(path, [])
                    rec = apply_cross_report(json.loads(line), plans.get(path, []), checks + across.get(path, []))
                    if path in rows:
                        rec = with_provenance(rec, rows[path])
                    line = dumps(rec)
                    settled = sum(1 for *_, cell in record_cells(rec) if cell.get("settled"))
                    final.chain_settled_cells += settled
                    final.chain_settled_reports += settled > 0
                    _remake_rows(index, e, rec)
                    e.status, e.code = status_of(rec)
                    final.crossyear_checks += len(checks)
                    final.crossyear_failed += sum(not c.ok for c in checks)
                    final.count_across(across.get(path, []))
                dst.write(line)
                final.count(e.status, e.code)
            if rewrite:
                dst.flush()
                os.fsync(dst.fileno())
        if rewrite:
            os.replace(tmp, out)
    except BaseException:
        if rewrite:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
        raise
    if rewrite:
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
