"""The bundled `samples/`: a few messy reports with their gold, written from fixed seeds.

The samples are checked in and the tests read them, so the plan is fixed:
every layout, both templates, one GB18030 text and one HTML page; the same
seed must write the same bytes.
"""
from __future__ import annotations

import argparse
import json
import random
from collections.abc import Sequence
from pathlib import Path

from extractor.config import samples_dir
from extractor.training.generate.html import html_report
from extractor.training.generate.layout import LAYOUTS
from extractor.training.generate.mess import MESS_KINDS
from extractor.training.generate.render import render
from extractor.training.generate.tables import random_tables


def _sample_plan(n: int) -> list[dict]:
    """What each bundled sample shows: every layout, both templates, one GB18030, one HTML."""
    plan = []
    for i in range(n):
        plan.append({"layout": LAYOUTS[i % len(LAYOUTS)], "template": "2019" if i in (3, 9) else "2021",
                     "encoding": "utf-8", "format": "text"})
    if n >= 2:
        plan[-2].update(encoding="gb18030", layout="cells_per_line")
        plan[-1].update(format="html", layout="html")
    return plan


def write_samples(out: Path, n: int, seed: int) -> list[Path]:
    """Write `sample_NN.txt|.html` with `sample_NN.gold.json`; returns the report paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, spec in enumerate(_sample_plan(n)):
        s = seed * 1000 + i
        rng = random.Random(s)
        gold = random_tables(rng, template=spec["template"])
        stem = out / f"sample_{i:02d}"
        if spec["format"] == "html":
            page, g, facts = html_report(gold, rng, None, None)
            path = stem.with_suffix(".html")
            path.write_text(page, encoding="utf-8")
            record = {**g, "template": spec["template"], "layout": "html", "mess": [], "seed": s,
                      "facts": facts}
        else:
            mess = () if i == 0 else tuple(rng.sample(MESS_KINDS, k=rng.randint(1, 4)))
            gen = render(gold, layout=spec["layout"], mess=mess, rng=rng, seed=s)
            path = stem.with_suffix(".txt")
            path.write_bytes(gen.text.encode(spec["encoding"]))
            record = gen.gold_record()
        record.update(encoding=spec["encoding"], format=spec["format"], file=path.name)
        stem.with_suffix(".gold.json").write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n",
                                                  encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m extractor.training.generate --out samples --n 12 --seed 7` (the bundled samples' command)."""
    ap = argparse.ArgumentParser(prog="extractor.training.generate",
                                 description="Write messy synthetic reports with their gold (the bundled samples).")
    ap.add_argument("--out", type=Path, default=samples_dir())
    ap.add_argument("--n", type=int, default=12)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    for p in write_samples(args.out, args.n, args.seed):
        print(p)
    return 0
