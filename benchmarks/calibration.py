"""How often a cell at each confidence is wrong: the meaning of `confidence`.

    .venv/bin/python benchmarks/calibration.py [--generated 400] [--chains 60] [--broken 0.4]

Reads every annotated real report (annotations/reports, texts in ../shared)
through `extractor batch` (so the same body's adjacent years settle what
their chains can, as in use), a corpus of generated messy reports, and
generated bodies of three consecutive years whose table-2 chains hold or
(as real agencies' often do) break, half of them glued so the chains have
doubts to settle; compares every cell with its gold and prints, per
confidence band, how many cells there were and how many were wrong; the
silent errors (wrong and not flagged, or wrong at >= 0.9); and the cells a
chain settled (`confidence.CHAINED`) and how many of those were wrong; and
how many reports are flagged, beside how many the one-bit policy before
issue 16 flags on the same records (`cross_report.one_bit`).
"""
from __future__ import annotations

import argparse
import json
import random
import tempfile
from collections import Counter
from pathlib import Path
from typing import Iterator

import extractor
from extractor.batch import Options, run_batch
from extractor.confidence import CALIBRATION_EDGES, CERTAIN
from extractor.training import generate
from extractor.training.gold import gold_cells, same

from cross_report import one_bit  # benchmarks/: the review policy before issue 16, for the flag counts

ROOT = Path(__file__).resolve().parents[1]
# The one set of calibration bins (extractor.confidence), highest first.
BANDS = list(zip(CALIBRATION_EDGES, CALIBRATION_EDGES[1:]))[::-1]
# In the generated bodies, how often a year's table-2 chain is broken by the agency (re-counts, lapses):
# 12 of 28 cross-year checks failed in issue 16's real batch.
BROKEN = 0.4


def batch(paths: list[Path]) -> dict[str, dict]:
    """path -> record, read as `extractor batch` reads them (chains settled, cross-year checks added)."""
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "batch.jsonl"
        run_batch([str(p) for p in paths], Options(out=out, progress=False, fsync=False))
        return {r["source"]["path"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}


def records() -> Iterator[tuple[str, dict, dict]]:
    anns = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "annotations" / "reports").glob("*.json"))]
    texts = {str((ROOT / a["text"]["path"]).resolve()): a for a in anns}
    got = batch([Path(p) for p in texts if Path(p).exists()])
    for path, rec in got.items():
        yield "real", rec, texts[path]["tables"]


def generated(n: int) -> Iterator[tuple[str, dict, dict]]:
    for i in range(n):
        rng = random.Random(50_000 + i)
        gold = generate.random_tables(rng, template="2019" if i % 10 == 9 else "2021")
        mess = tuple(k for k in generate.MESS_KINDS if rng.random() < 0.35)
        g = generate.render(gold, layout=generate.LAYOUTS[i % len(generate.LAYOUTS)], mess=mess, rng=rng)
        yield "generated", extractor.extract(g.text).to_dict(), g.gold


def chained(bodies: int, broken: float = BROKEN) -> Iterator[tuple[str, dict, dict]]:
    """Generated bodies of three consecutive years; each table-2 in force chain holds, or (`BROKEN`) breaks by a few."""
    with tempfile.TemporaryDirectory() as d:
        golds: dict[str, dict] = {}
        for b in range(bodies):
            rng = random.Random(70_000 + b)
            agency = generate.random_agency(rng)
            before: dict[str, int] = {}
            for year in (2021, 2022, 2023):
                gold = generate.random_tables(rng)
                for row in ("rules", "normative_docs"):
                    docs = gold["table2"][row]
                    if row in before:
                        in_force = before[row] + docs["issued"] - docs["repealed"]
                        if rng.random() < broken:
                            in_force += rng.choice((-1, 1)) * rng.randint(1, 9)
                        docs["in_force"] = max(in_force, 0)
                    before[row] = docs["in_force"]
                layout = "glued" if rng.random() < 0.5 else rng.choice(generate.LAYOUTS)
                g = generate.render(gold, layout=layout, rng=rng, agency=agency, year=year)
                path = Path(d) / f"body{b:03d}_{year}.txt"
                path.write_text(g.text, encoding="utf-8")
                golds[str(path)] = g.gold
        for path, rec in batch([Path(p) for p in golds]).items():
            yield "chained", rec, golds[path]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--generated", type=int, default=400)
    ap.add_argument("--chains", type=int, default=60, help="generated bodies of three consecutive years")
    ap.add_argument("--broken", type=float, default=BROKEN, help="share of their table-2 chains the agency breaks")
    args = ap.parse_args()
    total: Counter = Counter()
    wrong: Counter = Counter()
    silent: Counter = Counter()
    settled: Counter = Counter()
    flags: Counter = Counter()
    for kind, rec, gold in [*records(), *generated(args.generated), *chained(args.chains, args.broken)]:
        flags[(kind, "reports")] += 1
        flags[(kind, "flagged")] += bool(rec["needs_review"])
        flags[(kind, "one-bit")] += one_bit(rec)
        for t, r, c, v in gold_cells(gold):
            cell = rec["tables"][t][r][c]
            band = next(b for b in BANDS if b[0] <= cell["confidence"] < b[1])
            total[(kind, band)] += 1
            ok = same(cell["value"], v)
            if cell.get("settled"):
                settled[(kind, "cells")] += 1
                settled[(kind, "wrong")] += not ok
            if not ok:
                wrong[(kind, band)] += 1
                if cell["confidence"] >= CERTAIN or not rec["needs_review"]:
                    silent[kind] += 1
    for kind in ("real", "generated", "chained"):
        print(f"\n{kind} reports")
        print(f"{'confidence':>12} {'cells':>8} {'wrong':>7} {'error rate':>11}")
        for b in BANDS:
            n, w = total[(kind, b)], wrong[(kind, b)]
            if n:
                print(f"{b[0]:>5.2f}–{min(b[1], 1):<5.2f} {n:>8} {w:>7} {w / n:>10.2%}")
        print(f"settled by a year chain: {settled[(kind, 'cells')]} cells, {settled[(kind, 'wrong')]} wrong")
        print(f"reports {flags[(kind, 'reports')]}: flagged {flags[(kind, 'flagged')]} "
              f"(the one-bit policy before issue 16: {flags[(kind, 'one-bit')]})")
        print(f"silent errors (wrong at >= {CERTAIN} or in a record not flagged): {silent[kind]}")


if __name__ == "__main__":
    main()
