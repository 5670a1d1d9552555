"""The review tests' case: a generated report whose gold is known, with one glued run nobody can settle.

The report is rendered by the generator in the glued layout with table 2's
normative-documents row set to 1 | 20 | 84: printed glued as "12084" with
no identity over table 2 and no sentence in the prose that settles it, so
any honest reader must flag that row (several readings, none proved).  The
tests check that a reviewer sees the doubt where it is, that fixing it
yields an annotation `check-data` accepts, and that the annotation says
what the person decided.
"""
from __future__ import annotations

import random
from pathlib import Path
from typing import Any, NamedTuple

from extractor.confidence import REVIEW_BELOW
from extractor.pipeline import extract_file
from extractor.training import generate
from extractor.training.gold import gold_cells
from tests.helpers import shipped_models

SEED = 5
GLUED_RUN = {"issued": 1, "repealed": 20, "in_force": 84}


class Case(NamedTuple):
    path: Path
    text: str
    record: dict[str, Any]
    gold: dict[str, Any]


def make_case(directory: Path) -> Case:
    """(text path, text, record, gold) of the generated report, written into `directory`."""
    rng = random.Random(SEED)
    gold = generate.random_tables(rng)
    gold["table2"]["normative_docs"] = dict(GLUED_RUN)
    g = generate.render(gold, layout="glued", mess=(), rng=rng, seed=SEED)
    path = directory / f"generated_{SEED:02d}.txt"
    path.write_text(g.text, encoding="utf-8")
    rec = extract_file(path, models=shipped_models()).to_dict()
    return Case(path, g.text, rec, g.gold)


def doubtful(rec: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
    """Read cells below the review threshold, with spans (the premise of several tests)."""
    out = [(t, r, c, cell) for t, rows in rec["tables"].items() for r, cols in rows.items()
           for c, cell in cols.items() if cell["value"] is not None and cell["confidence"] < REVIEW_BELOW and cell["span"]]
    assert out, "premise: the glued table-2 run '12084' has several readings and must be flagged"
    return out


def gold_cells_map(gold: dict[str, Any]) -> dict[tuple[str, str, str], Any]:
    return {(t, r, c): v for t, r, c, v in gold_cells(gold)}
