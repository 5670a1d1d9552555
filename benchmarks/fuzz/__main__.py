"""The command line of the fuzzing harness (see the package docstring)."""
from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.fuzz.pool import run_cases
from benchmarks.fuzz.sources import bases, record_checker, shared_present
from benchmarks.fuzz.summary import report, save, summarize


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.fuzz", description=__doc__)
    ap.add_argument("--n", type=int, default=1000, help="inputs to run (case numbers 0..n-1)")
    ap.add_argument("--start", type=int, default=0, help="first case number (to replay a part of a run)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2, help="worker processes (the machine is shared: 2)")
    ap.add_argument("--limit", type=float, default=60.0,
                    help="hard limit per input in seconds (plus the PDF per-page budget); past it: a hang")
    ap.add_argument("--seconds", type=float, help="the extractor's budget per input (default: its own, 10 s)")
    ap.add_argument("--scale", type=float, default=1.0, help="size factor of the adversarial inputs")
    ap.add_argument("--memory-mb", type=int, default=4096, help="address-space limit per worker (0: none)")
    ap.add_argument("--slowest", type=int, default=10, help="slowest inputs to list and keep")
    ap.add_argument("--out", type=Path, help="keep summary, results.jsonl and the worst inputs here")
    ap.add_argument("--only", type=int, nargs="*", help="run just these case numbers")
    args = ap.parse_args(argv)
    # A `kill` of the run stops its workers too (the pool's cleanup runs on SystemExit, not on a bare SIGTERM).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    checked = record_checker() is not None
    print(f"fuzz: seed {args.seed}, {len(bases())} base reports"
          f"{'' if shared_present() else ' (samples only: ../shared absent)'}, {args.workers} workers, "
          f"hard limit {args.limit:g} s{'' if checked else '; conformance NOT checked: ../shared/tools absent'}",
          file=sys.stderr)
    indices = args.only if args.only else range(args.start, args.start + args.n)
    log = None
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        log = (args.out / "results.jsonl").open("w", encoding="utf-8")
    progress = _Progress(len(indices))

    def on_result(r: dict[str, Any]) -> None:
        if log is not None:
            log.write(json.dumps(r, ensure_ascii=False) + "\n")
            log.flush()
        progress.add(r)

    started = time.monotonic()
    results, restarts = run_cases(indices, workers=args.workers, seed=args.seed, scale=args.scale,
                                  limit=args.limit, memory_mb=args.memory_mb or None, check=checked,
                                  seconds=args.seconds,
                                  on_result=on_result)
    if log is not None:
        log.close()
    s = summarize(results, restarts, checked, args.slowest)
    s["wall_seconds"] = time.monotonic() - started
    s["args"] = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}
    if args.out:
        kept = save(args.out, results, s, args.seed, args.scale, args.slowest)
        print(f"kept {len(kept)} inputs in {args.out}", file=sys.stderr)
    print(report(s))
    return 1 if s["crashes"] or s["hangs"] or s["nonconforming"] else 0


class _Progress:
    """A line on stderr every 30 s: how far, and what was found so far."""

    def __init__(self, total: int):
        self.total, self.n, self.last = total, 0, time.monotonic()
        self.found: dict[str, int] = {"crash": 0, "hang": 0, "nonconforming": 0, "too_slow": 0}
        self.worst = (0.0, "")

    def add(self, r: dict[str, Any]) -> None:
        self.n += 1
        if r["status"] in ("crash", "hang"):
            self.found[r["status"]] += 1
        if r.get("n_problems"):
            self.found["nonconforming"] += 1
        if r.get("error") == "input.too_slow":
            self.found["too_slow"] += 1
        if r["status"] == "ok" and r["seconds"] > self.worst[0]:
            self.worst = (r["seconds"], f"#{r['index']} {r['kind']}")
        if time.monotonic() - self.last > 30 or self.n == self.total:
            self.last = time.monotonic()
            print(f"[{time.strftime('%H:%M:%S')}] {self.n}/{self.total} "
                  + " ".join(f"{k} {v}" for k, v in self.found.items())
                  + f"  slowest {self.worst[0]:.2f} s {self.worst[1][:90]}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
