"""The speed figures of issue 14, in one run so they compare: one core, cold start, one and two workers.

    .venv/bin/python benchmarks/bench_speed.py                  # 2,000 reports
    .venv/bin/python benchmarks/bench_speed.py --n 10000        # memory over a long batch too

Run it on a quiet machine; nothing is asserted.  It prints:
1. the messy corpus (`bench_batch.generate`: generated reports in every
   layout with mess, 80 % UTF-8 text, 10 % GB18030, 10 % HTML pages);
2. the floor: reading and decoding every file plus one regex pass over its
   text, in one process;
3. `extract_file` on one core, warm (models loaded, a first pass
   discarded): reports/s by wall and by CPU time, and the ratio to the floor;
4. the cold start: `extractor extract ONE_FILE` as a new process (median of
   5), beside a bare interpreter start and `import extractor`;
5. `extractor batch` on the same files with 1 and with 2 workers, end to
   end (start-up included): reports/s, the speed-up, and the peak memory of
   the process tree (RSS at a quarter of the files and at all of them);
   and the CPU seconds of the parent and of each worker, with the cores the
   run got (CPU / wall): on a shared machine two workers can only be worth
   two when two cores are free, and the CPU times say whether the batch
   itself loses anything (start-up, the parent's writing) when it is not.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_batch import _mix, _subset, generate, run_batch  # noqa: E402

_ANY_NUMBER = re.compile(r"\d+")


def floor_one_core(paths: list[str]) -> float:
    """reports/s of reading, decoding and one regex pass: what no reader can beat."""
    from extractor.input.load import load

    t = time.perf_counter()
    for p in paths:
        sum(1 for _ in _ANY_NUMBER.finditer(load(p).text))
    return len(paths) / (time.perf_counter() - t)


def one_core(paths: list[str]) -> tuple[float, float]:
    """(reports/s by wall time, by CPU time) of `extract_file`, warm, in this process."""
    import logging

    import extractor
    from extractor import classify

    logging.disable(logging.CRITICAL)
    classify.shipped()
    for p in paths[:50]:
        extractor.extract_file(p)
    wall, cpu = time.perf_counter(), time.process_time()
    for p in paths:
        extractor.extract_file(p).to_dict()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    logging.disable(logging.NOTSET)
    return len(paths) / wall, len(paths) / cpu


def _median_wall(cmd: list[str], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def cold_start(path: str) -> dict[str, float]:
    exe = str(Path(sys.executable).with_name("extractor"))
    return {"bare interpreter": _median_wall([sys.executable, "-c", "pass"]),
            "import extractor": _median_wall([sys.executable, "-c", "import extractor"]),
            "extractor extract ONE_FILE": _median_wall([exe, "extract", path])}


def cpu_line(cpu: dict[int, tuple[float, bool]], wall: float) -> str:
    """Where a batch's CPU went: the parent, the busiest processes (the workers), the rest; and the cores it got."""
    parent = sum(c for c, root in cpu.values() if root)
    others = sorted((c for c, root in cpu.values() if not root), reverse=True)
    total = parent + sum(others)
    busy = [c for c in others if c > 0.25 * others[0]] if others else []
    return (f"CPU {total:.1f} s: parent {parent:.1f}, workers {' + '.join(f'{c:.1f}' for c in busy)}, "
            f"fork server and the rest {sum(others) - sum(busy):.1f}; cores it got {total / wall:.2f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=2000, help="reports in the corpus (and in each batch)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--mix", default="txt=0.8,gbk=0.1,html=0.1")
    ap.add_argument("--one-core", type=int, default=500, help="reports read by extract_file on one core")
    ap.add_argument("--skip-batch", action="store_true")
    args = ap.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="bench_speed_"))
    mb = 1024 * 1024
    try:
        counts = generate(work / "in", args.n, args.seed, _mix(args.mix))
        paths = sorted(str(p) for p in (work / "in").rglob("*") if p.is_file())
        sample = paths[:: max(1, len(paths) // args.one_core)][:args.one_core]
        print(f"corpus: {args.n} reports ({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))}); "
              f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f} before the run")
        fl = floor_one_core(sample)
        wall, cpu = one_core(sample)
        print(f"floor (read, decode, one regex pass), one core: {fl:8.1f} reports/s")
        print(f"extract_file, one core, warm:                  {wall:8.1f} reports/s by wall time, {cpu:.1f} by CPU "
              f"time ({fl / wall:.1f}x the floor's time)")
        for what, s in cold_start(sample[0]).items():
            print(f"cold start, {what + ':':36} {s:6.2f} s (median of 5)")
        if not args.skip_batch:
            quarter = _subset(work / "in", work / "quarter", max(1, args.n // 4))
            rates = {}
            for workers in (1, 2):
                small = run_batch(quarter, work, workers)
                full = run_batch(work / "in", work, workers)
                rates[workers] = full["summary"]["reports"] / full["wall"]
                print(f"batch, {workers} worker{'s' if workers > 1 else ' '}: {rates[workers]:8.1f} reports/s end to end "
                      f"({full['wall']:.1f} s for {args.n}); peak RSS {small['rss'] / mb:.0f} MB at "
                      f"{args.n // 4} reports, {full['rss'] / mb:.0f} MB at {args.n}")
                print("   " + cpu_line(full["cpu"], full["wall"]))
            print(f"two workers / one worker: {rates[2] / rates[1]:.2f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
