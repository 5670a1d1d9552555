"""How often a cell at each confidence is wrong: the meaning of `confidence`.

    .venv/bin/python benchmarks/calibration.py [--generated 400]

Reads every annotated real report (annotations/reports, texts in ../shared)
and a corpus of generated messy reports, compares every cell with its gold
and prints, per confidence band, how many cells there were and how many
were wrong; plus the silent errors (wrong and not flagged).
"""
from __future__ import annotations

import argparse
import json
import random
from collections import Counter
from pathlib import Path

import extractor
from extractor.confidence import CALIBRATION_EDGES, CERTAIN
from extractor.training import generate
from extractor.training.gold import gold_cells, same

ROOT = Path(__file__).resolve().parents[1]
# The one set of calibration bins (extractor.confidence), highest first.
BANDS = list(zip(CALIBRATION_EDGES, CALIBRATION_EDGES[1:]))[::-1]


def records():
    for p in sorted((ROOT / "annotations" / "reports").glob("*.json")):
        ann = json.loads(p.read_text(encoding="utf-8"))
        path = (ROOT / ann["text"]["path"]).resolve()
        if path.exists():
            yield "real", extractor.extract_file(path).to_dict(), ann["tables"]


def generated(n: int):
    for i in range(n):
        rng = random.Random(50_000 + i)
        gold = generate.random_tables(rng, template="2019" if i % 10 == 9 else "2021")
        mess = tuple(k for k in generate.MESS_KINDS if rng.random() < 0.35)
        g = generate.render(gold, layout=generate.LAYOUTS[i % len(generate.LAYOUTS)], mess=mess, rng=rng)
        yield "generated", extractor.extract(g.text).to_dict(), g.gold


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--generated", type=int, default=400)
    args = ap.parse_args()
    total: Counter = Counter()
    wrong: Counter = Counter()
    silent: Counter = Counter()
    for kind, rec, gold in [*records(), *generated(args.generated)]:
        for t, r, c, v in gold_cells(gold):
            cell = rec["tables"][t][r][c]
            band = next(b for b in BANDS if b[0] <= cell["confidence"] < b[1])
            total[(kind, band)] += 1
            if not same(cell["value"], v):
                wrong[(kind, band)] += 1
                if cell["confidence"] >= CERTAIN or not rec["needs_review"]:
                    silent[kind] += 1
    for kind in ("real", "generated"):
        print(f"\n{kind} reports")
        print(f"{'confidence':>12} {'cells':>8} {'wrong':>7} {'error rate':>11}")
        for b in BANDS:
            n, w = total[(kind, b)], wrong[(kind, b)]
            if n:
                print(f"{b[0]:>5.2f}–{min(b[1], 1):<5.2f} {n:>8} {w:>7} {w / n:>10.2%}")
        print(f"silent errors (wrong at >= {CERTAIN} or in a record not flagged): {silent[kind]}")


if __name__ == "__main__":
    main()
