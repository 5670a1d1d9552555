"""One input through `extractor.extract_file`, in a long-lived worker process, and what came of it.

A worker loads the models once and then serves case numbers: it rebuilds
the case from (seed, number), says it has started (so the parent's hard
limit counts from here, with the PDF's pages allowed for), reads the file
and checks the record and its spans against the document text.  Only the
`extract_file` call is timed; building and checking are not.
"""
from __future__ import annotations

import logging
import resource
import shutil
import tempfile
import time
import traceback
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Callable

from benchmarks.fuzz.cases import Case, make_case
from benchmarks.fuzz.sources import ROOT, record_checker

Checker = Callable[[dict, str], list]


def run_case(case: Case, workdir: Path, problems: Checker | None, seconds: float | None = None) -> dict[str, Any]:
    """Read the case's file (within `seconds`, default the extractor's); an exception escaping is a crash."""
    import extractor
    from extractor import budget

    path = workdir / f"case{case.suffix}"
    path.write_bytes(case.data)
    out: dict[str, Any] = {"index": case.index, "kind": case.kind, "family": case.family,
                           "format": case.format, "size": len(case.data), "pages": case.pages}
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        record = extractor.extract_file(path, seconds=seconds if seconds is not None else budget.DEFAULT_SECONDS)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:  # noqa: BLE001 - anything escaping is what we are looking for
        out.update(status="crash", seconds=time.perf_counter() - wall, cpu=time.process_time() - cpu,
                   exception=f"{type(e).__name__}: {e}", traceback=traceback.format_exc(limit=-8))
        return out
    out.update(status="ok", seconds=time.perf_counter() - wall, cpu=time.process_time() - cpu)
    rec = record.to_dict()
    err = rec.get("error") or {}
    out["error"] = err.get("code")
    if out["error"] == "internal.error":
        out["message"] = err.get("message", "")[:500]
    if problems is not None:
        try:
            found = problems(rec, extractor.load(path).text)
        except Exception as e:  # noqa: BLE001 - the checker choking on a record is non-conformance too
            found = [f"check_record raised {type(e).__name__}: {e}"]
        out["problems"] = [str(p)[:300] for p in found[:5]]
        out["n_problems"] = len(found)
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def serve(conn: Connection, seed: int, scale: float, memory_mb: int | None, check: bool,
          seconds: float | None = None) -> None:
    """Worker main loop: case numbers in, ("start", …) then ("done", result) out; None stops it."""
    if memory_mb:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    import extractor
    from extractor import classify

    # The pipeline logs the traceback of an internal error; the result carries it, the terminal need not.
    logging.getLogger("extractor").setLevel(logging.CRITICAL)
    classify.shipped()
    extractor.extract_file(ROOT / "samples" / "sample_00.txt")  # warm: imports and compiled rules, so no case pays for them
    problems = record_checker() if check else None
    workdir = Path(tempfile.mkdtemp(prefix="fuzz-"))
    try:
        while True:
            index = conn.recv()
            if index is None:
                return
            try:
                case = make_case(seed, index, scale)
            except Exception:  # noqa: BLE001 - a harness bug, reported apart from the extractor's
                conn.send(("done", {"index": index, "kind": "?", "family": "?", "format": "?", "size": 0,
                                    "pages": 1, "status": "harness_error", "seconds": 0.0, "cpu": 0.0,
                                    "traceback": traceback.format_exc(limit=-8)}))
                continue
            conn.send(("start", index, case.kind, len(case.data), case.pages))
            conn.send(("done", run_case(case, workdir, problems, seconds)))
    except (EOFError, KeyboardInterrupt, BrokenPipeError):
        return
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
