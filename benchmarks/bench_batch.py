"""End-to-end throughput and peak memory of `extractor batch`, next to a floor.

    .venv/bin/python benchmarks/bench_batch.py                # 3000 reports, all cores
    .venv/bin/python benchmarks/bench_batch.py --n 500 --workers 1

What it does, all in one run so the figures compare:
1. generates N reports into a temp dir (`extractor.training.generate`: random tables
   rendered in every layout with mess; some GB18030-encoded, some HTML pages
   with real tables),
2. measures the floor: reading and decoding the same files (`extractor.input.load`),
   in one process and with all cores,
3. runs `extractor batch` (the CLI, in a subprocess, all cores, with --cells
   and --facts) at N/4 and at N reports, timing it end to end and sampling
   the peak memory of the whole process tree (RSS summed, and PSS, which
   counts pages the forked workers share only once),
and prints one table.  Not a test: nothing is asserted.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------ inputs

def _mix(spec: str) -> list[tuple[str, float]]:
    out = []
    for part in spec.split(","):
        name, _, share = part.partition("=")
        out.append((name.strip(), float(share)))
    return out


def _docx_bytes(text: str) -> bytes:
    """Tab-holding lines become a real Word table, other lines paragraphs."""
    import io

    import docx

    d = docx.Document()
    rows: list[list[str]] = []

    def flush() -> None:
        if rows:
            t = d.add_table(rows=len(rows), cols=max(len(r) for r in rows))
            for i, r in enumerate(rows):
                for j, c in enumerate(r):
                    t.cell(i, j).text = c
            rows.clear()

    for line in text.splitlines():
        if "\t" in line:
            rows.append(line.split("\t"))
        else:
            flush()
            if line.strip():
                d.add_paragraph(line)
    flush()
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def generate(out: Path, n: int, seed: int, mix: list[tuple[str, float]]) -> dict[str, int]:
    """Write n reports; returns how many of each kind."""
    from extractor.training import generate as gen

    out.mkdir(parents=True, exist_ok=True)
    kinds, weights = zip(*mix)
    counts: dict[str, int] = {}
    for i in range(n):
        rng = random.Random(seed * 1_000_003 + i)
        kind = rng.choices(kinds, weights)[0]
        counts[kind] = counts.get(kind, 0) + 1
        stem = out / f"{i // 1000:02d}" / f"r{i:05d}"
        stem.parent.mkdir(exist_ok=True)
        gold = gen.random_tables(rng, template="2019" if rng.random() < 0.1 else "2021")
        if kind == "html":
            stem.with_suffix(".html").write_text(gen.render_html(gold, rng), encoding="utf-8")
            continue
        mess = tuple(rng.sample(gen.MESS_KINDS, k=rng.randint(0, 3)))
        layout = gen.LAYOUTS[i % len(gen.LAYOUTS)] if kind != "docx" else "tabs"
        text = gen.render(gold, layout=layout, mess=mess, rng=rng).text
        if kind == "gbk":
            stem.with_suffix(".txt").write_bytes(text.encode("gb18030"))
        elif kind == "docx":
            stem.with_suffix(".docx").write_bytes(_docx_bytes(text))
        else:
            stem.with_suffix(".txt").write_text(text, encoding="utf-8")
    return counts


# ------------------------------------------------------------------ floor

def _load_one(path: str) -> int:
    from extractor.input.load import load

    return len(load(path).text)


def pipeline_alone(paths: list[str], n: int = 200) -> float:
    """reports/s of load + extract in this one process (models loaded first): the per-core ceiling."""
    import logging

    from extractor.input.load import load
    from extractor.pipeline import extract_document

    logging.disable(logging.CRITICAL)
    sample = paths[:: max(1, len(paths) // n)][:n]
    extract_document(load(sample[0]))
    t = time.perf_counter()
    for p in sample:
        extract_document(load(p)).to_dict()
    rate = len(sample) / (time.perf_counter() - t)
    logging.disable(logging.NOTSET)
    return rate


def floor(paths: list[str], workers: int) -> tuple[float, float]:
    """reports/s just reading and decoding: one process, then all cores."""
    t = time.perf_counter()
    for p in paths:
        _load_one(p)
    one = len(paths) / (time.perf_counter() - t)
    t = time.perf_counter()
    with ProcessPoolExecutor(workers) as ex:
        list(ex.map(_load_one, paths, chunksize=64))
    return one, len(paths) / (time.perf_counter() - t)


# ------------------------------------------------------------------ the batch, measured

class PeakMemory(threading.Thread):
    """Samples the memory of a process and all its descendants until stopped, and the CPU time each used.

    `cpu` maps each pid seen to (CPU seconds at its last sample, whether it
    is the root): on a shared machine the wall time says how many cores the
    run got, the CPU times what it needed.
    """

    def __init__(self, pid: int, every: float = 0.2) -> None:
        super().__init__(daemon=True)
        import psutil

        self.root = psutil.Process(pid)
        self.every = every
        self.rss = 0
        self.pss = 0
        self.cpu: dict[int, tuple[float, bool]] = {}
        self._stop_event = threading.Event()

    def run(self) -> None:
        import psutil

        tick = 0
        while not self._stop_event.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
                self.rss = max(self.rss, sum(_safe(lambda p=p: p.memory_info().rss) for p in procs))
                for p in procs:
                    with contextlib.suppress(psutil.Error):
                        t = p.cpu_times()
                        self.cpu[p.pid] = (t.user + t.system, p.pid == self.root.pid)
                if tick % 5 == 0:  # PSS reads smaps: slower, sample it less often
                    self.pss = max(self.pss, sum(_safe(lambda p=p: p.memory_full_info().pss) for p in procs))
            except psutil.Error:
                pass
            tick += 1
            self._stop_event.wait(self.every)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def _safe(f) -> int:
    try:
        return int(f())
    except Exception:
        return 0


def run_batch(inputs: Path, work: Path, workers: int) -> dict:
    """The CLI end to end in a subprocess: wall time and the peak memory of its process tree."""
    out = work / "out"
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "extractor.cli", "batch", str(inputs), "--out", str(out / "records.jsonl"),
           "--cells", str(out / "cells.parquet"), "--facts", str(out / "facts.parquet"),
           "--summary", str(out / "summary.json"), "--workers", str(workers), "--no-progress"]
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    mem = PeakMemory(proc.pid)
    mem.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - t
    mem.stop()
    if proc.returncode != 0:
        raise SystemExit(f"batch failed ({proc.returncode}):\n{err.decode(errors='replace')}")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return {"wall": wall, "rss": mem.rss, "pss": mem.pss, "summary": summary, "cpu": mem.cpu,
            "out_bytes": (out / "records.jsonl").stat().st_size}


def _subset(src: Path, dst: Path, n: int) -> Path:
    """The first n inputs of src, hard-linked into dst (same bytes, no copy)."""
    files = sorted(p for p in src.rglob("*") if p.is_file())[:n]
    for f in files:
        target = dst / f.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(f, target)
    return dst


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=3000, help="reports to generate")
    ap.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--mix", default="txt=0.8,gbk=0.1,html=0.1",
                    help="kinds and shares: txt, gbk (GB18030 text), html, docx")
    ap.add_argument("--keep", type=Path, help="generate into this directory and keep it")
    args = ap.parse_args(argv)

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench_batch_"))
    try:
        t = time.perf_counter()
        counts = generate(work / "in", args.n, args.seed, _mix(args.mix))
        gen_s = time.perf_counter() - t
        paths = sorted(str(p) for p in (work / "in").rglob("*") if p.is_file())
        size = sum(os.path.getsize(p) for p in paths)
        one, allc = floor(paths, args.workers)
        alone = pipeline_alone(paths)
        quarter = _subset(work / "in", work / "quarter", max(1, args.n // 4))
        small = run_batch(quarter, work, args.workers)
        full = run_batch(work / "in", work, args.workers)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)

    mb = 1024 * 1024
    print(f"inputs: {args.n} reports ({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))}), "
          f"{size / mb:.1f} MB, generated in {gen_s:.1f} s; {args.workers} workers, {os.cpu_count()} CPUs")
    print(f"floor (read + decode):     {one:8.1f} reports/s in one process, {allc:8.1f} reports/s on all cores")
    print(f"{'pipeline alone:':26} {alone:8.1f} reports/s in one process (load + extract, models loaded; "
          f"x{args.workers} workers = {alone * args.workers:.1f}, the ideal for the batch)")
    for label, r in ((f"batch, {max(1, args.n // 4)} reports", small), (f"batch, {args.n} reports", full)):
        s = r["summary"]
        print(f"{label + ':':26} {s['reports'] / r['wall']:8.1f} reports/s end to end ({r['wall']:.1f} s wall; "
              f"reading phase {s['read_seconds']:.1f} s), peak memory RSS {r['rss'] / mb:.0f} MB, "
              f"PSS {r['pss'] / mb:.0f} MB; ok {s['ok']}, review {s['needs_review']}, errors {s['errors']} "
              f"{s['errors_by_code'] or ''}")
    extra = args.n - small["summary"]["reports"]
    if extra > 0 and full["wall"] > small["wall"]:
        print(f"{'marginal rate:':26} {extra / (full['wall'] - small['wall']):8.1f} reports/s "
              f"(the {extra} extra reports over the extra wall time: throughput without the fixed start-up "
              f"of {max(0.0, small['wall'] - small['summary']['reports'] * (full['wall'] - small['wall']) / extra):.1f} s)")
    print(f"records: {full['out_bytes'] / args.n / 1024:.1f} KB each on average")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
