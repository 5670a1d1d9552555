"""Throughput and peak memory of the tables path (load → normalise → sections → tables → checks).

Not a test: run it by hand on a quiet machine.
    .venv/bin/python benchmarks/bench_tables.py [--reports 400] [--seed 1]

It renders a corpus of messy reports with the project's generator (all
layouts, both templates, random mess), then reads each one on ONE core,
warm (a first pass is discarded), and prints reports/s and the peak Python
memory (tracemalloc) of the reading loop.
"""
from __future__ import annotations

import argparse
import random
import statistics
import time
import tracemalloc

from extractor import classify
from extractor.checks.identities import run_checks
from extractor.text.normalize import normalize
from extractor.text.sections import find_sections
from extractor.tables.read import read_tables
from extractor.training import generate


def corpus(n: int, seed: int) -> list[str]:
    out = []
    for i in range(n):
        rng = random.Random(seed * 1_000_003 + i)
        gold = generate.random_tables(rng, template="2019" if i % 10 == 9 else "2021")
        mess = tuple(k for k in generate.MESS_KINDS if rng.random() < 0.3)
        out.append(generate.render(gold, layout=generate.LAYOUTS[i % len(generate.LAYOUTS)], mess=mess, rng=rng).text)
    return out


ROWS = classify.load_models().rows


def tables_path(text: str) -> None:
    norm = normalize(text)
    headings = find_sections(norm.text)
    read = read_tables(norm, text, headings, ROWS)
    run_checks(read.tables, read.certain)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reports", type=int, default=400)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    texts = corpus(args.reports, args.seed)
    chars = sum(map(len, texts))
    for t in texts:  # warm: imports, compiled patterns, caches
        tables_path(t)
    rates = []
    for _ in range(args.rounds):
        t0 = time.perf_counter()
        for t in texts:
            tables_path(t)
        rates.append(len(texts) / (time.perf_counter() - t0))
    tracemalloc.start()
    for t in texts:
        tables_path(t)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"reports: {len(texts)} ({chars / len(texts):.0f} chars each on average)")
    print(f"tables path, one core, warm: {statistics.median(rates):.0f} reports/s "
          f"(rounds: {', '.join(f'{r:.0f}' for r in rates)})")
    print(f"peak traced memory while reading: {peak / 1e6:.1f} MB")
    calls, seconds = _sequence_cost(texts)
    total = len(texts) / statistics.median(rates)
    print(f"sequence decoding (issue 11): ran on {calls} of {len(texts)} reports, {seconds * 1e3:.0f} ms "
          f"in all ({100 * seconds / total:.1f}% of the tables path)")
    conv = converter_corpus(max(10, args.reports // 10), args.seed)
    t0 = time.perf_counter()
    for t in conv:
        tables_path(t)
    rate = len(conv) / (time.perf_counter() - t0)
    calls, seconds = _sequence_cost(conv)
    print(f"converter layouts ({len(conv)} reports): {rate:.0f} reports/s; sequence decoding ran on {calls}, "
          f"{1e3 * seconds / max(1, calls):.1f} ms a call")


def converter_corpus(n: int, seed: int) -> list[str]:
    """Reports as converters leave them (the generator's shattered and OCR markdown)."""
    from extractor.training.generate.render import converter_variants

    out: list[str] = []
    for i in range(n):
        rng = random.Random(seed * 7_000_003 + i)
        out.append(converter_variants(generate.random_tables(rng), 2, seed * 31 + i)[i % 2].text)
    return out


def _sequence_cost(texts: list[str]) -> tuple[int, float]:
    """How often sequence decoding ran over `texts`, and the time it took (timed around each call)."""
    from extractor.tables import table3

    real = table3.read_by_order
    spent = [0, 0.0]

    def timed(*a, **k):
        t0 = time.perf_counter()
        try:
            return real(*a, **k)
        finally:
            spent[0] += 1
            spent[1] += time.perf_counter() - t0

    table3.read_by_order = timed
    try:
        for t in texts:
            tables_path(t)
    finally:
        table3.read_by_order = real
    return spent[0], spent[1]


if __name__ == "__main__":
    main()
