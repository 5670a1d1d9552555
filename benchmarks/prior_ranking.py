"""Does the learned table-2 prior put the gold reading first?  Leave one report out.

    .venv/bin/python benchmarks/prior_ranking.py

For every annotated report whose reading keeps several equally cheap
readings of a glued table-2 run (`parsing.table2.readings`), the prior is
learned again from every other annotated report (`training.prior`) and the
readings ranked by it; the gold reading's rank is printed beside the rank
the reader gives it without the prior (the size rule of `tables.table2`,
the ranking before the prior, ties in the order the readings were found).
Runs whose gold itself rests on plausibility or a chain (the annotation's
`uncertain` cells) are listed apart: their gold is a judgement, not a fact.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import extractor
from extractor import classify
from extractor.classify.prior import build
from extractor.training import prior as P
from extractor.training.annotations import load_annotations

ROOT = Path(__file__).resolve().parents[1]
COLS = ("issued", "repealed", "in_force")


def main() -> None:
    anns = load_annotations(ROOT / "annotations", with_text=False)
    shipped = classify.load_models(ROOT / "models")
    without = replace(shipped, prior=None)
    firsts = {"prior": [0, 0], "size rule": [0, 0]}
    for a in anns:
        path = (ROOT / a.data["text"]["path"]).resolve()
        if not path.exists():
            continue
        rec = extractor.extract_file(path, models=shipped).to_dict()
        readings = (rec["parsing"].get("table2") or {}).get("readings") or {}
        plain = (extractor.extract_file(path, models=without).to_dict()["parsing"].get("table2") or {}).get("readings") or {}
        if not readings:
            continue
        others = [b for b in anns if b.id != a.id]
        data, about = P.prior_data(others)
        prior = build(data, about)
        for row, rs in readings.items():
            gold = (a.data["tables"]["table2"] or {}).get(row) or {}
            values = [tuple(r["cells"][c]["value"] for c in COLS) for r in rs]
            want = tuple(gold.get(c) for c in COLS)
            if want not in values:
                print(f"{a.id} {row}: gold {want} is not among the {len(values)} readings kept")
                continue
            by_prior = sorted(values, key=lambda v: -prior.score(row, dict(zip(COLS, v))))
            by_size = [tuple(r["cells"][c]["value"] for c in COLS) for r in plain.get(row, rs)]
            doubted = any(f"table2.{row}.{c}" in (a.data.get("uncertain") or []) for c in COLS)
            rank_p, rank_s = by_prior.index(want) + 1, by_size.index(want) + 1
            if not doubted:
                firsts["prior"][0] += rank_p == 1
                firsts["size rule"][0] += rank_s == 1
                firsts["prior"][1] += 1
                firsts["size rule"][1] += 1
            print(f"{a.id} {row}: {len(values)} readings, gold {want} ranked {rank_p} by the prior (left out), "
                  f"{rank_s} by the size rule" + ("  [gold rests on plausibility or a chain]" if doubted else ""))
    for k, (first, n) in firsts.items():
        print(f"{k}: gold first in {first} of {n} runs whose gold is printed fact")


if __name__ == "__main__":
    main()
