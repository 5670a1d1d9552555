"""Peak memory one input costs, for the inputs built to hurt (issue 10), next to a normal report.

    .venv/bin/python benchmarks/bench_memory.py
    .venv/bin/python benchmarks/bench_memory.py --only html_deep_nesting pdf_300_pages

Each input is read by `extract_file` in a fresh process that has already
loaded the models and read one bundled sample (the floor: what every
worker holds anyway).  The figure is how far that process's peak resident
memory rises above the floor while it reads the input, beside the same for
an ordinary report in the same run, and the seconds it took (wall and CPU).
The inputs are the fuzzing harness's adversaries at full size
(`benchmarks/fuzz/adversarial.py`: a 1 MB one-line text, 100k-deep nested
HTML, a 300-page PDF, ...).  Not a test: nothing is asserted.
"""
from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.fuzz.adversarial import ADVERSARIES  # noqa: E402

# The child: floor first (models, warm-up on a sample), then the input; ru_maxrss is a peak, in KiB.
_CHILD = r"""
import json, resource, sys, time
import extractor
from extractor import classify
classify.shipped()
extractor.extract_file(sys.argv[2])
floor = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
wall, cpu = time.perf_counter(), time.process_time()
rec = extractor.extract_file(sys.argv[1]).to_dict()
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"floor_mb": floor / 1024, "rise_mb": (peak - floor) / 1024, "wall": wall, "cpu": cpu,
                  "error": (rec.get("error") or {}).get("code")}))
"""


def measure(path: Path, warm: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", _CHILD, str(path), str(warm)], capture_output=True, text=True,
                         timeout=1800, cwd=ROOT)
    if out.returncode != 0:
        return {"failed": out.stderr.strip().splitlines()[-1:] or ["?"]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", nargs="*", help="adversary names (default: all)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    sample = ROOT / "samples" / "sample_00.txt"
    chosen = [a for a in ADVERSARIES if not args.only or a.name in args.only]
    rows = [("ordinary report (samples/sample_01.txt)", len((ROOT / "samples" / "sample_01.txt").read_bytes()),
             measure(ROOT / "samples" / "sample_01.txt", sample))]
    with tempfile.TemporaryDirectory() as tmp:
        for adv in chosen:
            path = Path(tmp) / f"{adv.name}{adv.suffix}"
            path.write_bytes(adv.build(random.Random(f"{args.seed}:{adv.name}"), 1.0))
            rows.append((adv.name, path.stat().st_size, measure(path, sample)))
            print(f"  {adv.name}: {rows[-1][2]}", file=sys.stderr, flush=True)
    print(f"{'input':42} {'bytes':>10} {'floor MB':>9} {'rise MB':>8} {'wall s':>7} {'cpu s':>7}  error")
    for name, size, r in rows:
        if "failed" in r:
            print(f"{name:42} {size:>10} failed: {r['failed']}")
            continue
        print(f"{name:42} {size:>10} {r['floor_mb']:>9.0f} {r['rise_mb']:>8.1f} {r['wall']:>7.2f} {r['cpu']:>7.2f}"
              f"  {r['error'] or ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
