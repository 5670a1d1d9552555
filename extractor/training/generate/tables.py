"""Random gold tables that satisfy every accounting identity, shaped like real ones.

The gold is made first and the text rendered from it, so every value of a
generated report is known.  Counts are drawn from mixtures (mostly zeros,
sometimes millions) because that is what real tables hold and what the
readers must survive; table 3 is built so its identities hold by
construction rather than by rejection.
"""
from __future__ import annotations

import random
from collections.abc import Sequence

from extractor.spec.labels import labels
from extractor.training.generate.vocab import vocab

TEMPLATES: tuple[str, ...] = ("2021", "2019")
# A 2021 report whose table 3 keeps the 2019 single （六）其他处理 row (seen in real PDFs).
HYBRID = "hybrid"

_OUTCOME_WEIGHTS = {  # how often each outcome is used in real reports (by row key)
    "granted": 40, "partial": 10, "unable_no_info": 22, "other_other": 6,
    "denied_third_party": 3, "denied_internal_affairs": 3, "denied_process_info": 3,
    "denied_enforcement_file": 2, "denied_query": 2, "rejected_complaint": 3,
    "rejected_repeat": 3, "rejected_confirm": 2, "unable_need_create": 2, "unable_unclear": 2,
    "other_overdue_correction": 2,
}


def split_total(rng: random.Random, total: int, parts: int) -> list[int]:
    """`total` into `parts` positive integers (cut points): fast even for thousands."""
    parts = max(1, min(parts, total))
    if parts == 1:
        return [total]
    cuts = sorted(rng.sample(range(1, total), parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total])]


def _sized(rng: random.Random, weights: Sequence[float], ranges: Sequence[tuple[int, int]]) -> int:
    """A count from a mixture of ranges: mostly small, sometimes huge, as real tables are."""
    lo, hi = rng.choices(ranges, weights=weights)[0]
    return rng.randint(lo, hi)


def _random_table2(rng: random.Random, template: str) -> dict:
    """Table 2: mostly zeros and small document counts, decisions from 0 to millions."""
    old = template == "2019"

    def docs(p_zero: float, issued_hi: int, force_hi: int) -> dict:
        if rng.random() < p_zero:
            return {"issued": 0, "repealed": None if old else 0, "in_force": 0}
        issued = rng.randint(0, issued_hi)
        repealed = None if old else (rng.randint(0, max(1, issued_hi // 2)) if rng.random() < 0.5 else 0)
        in_force = issued + rng.randint(0, force_hi) * (10 if rng.random() < 0.1 else 1)
        return {"issued": issued, "repealed": repealed, "in_force": in_force}

    big = ((0, 0), (1, 999), (1000, 200000), (200001, 2500000))
    fees: float | int | None
    if old:
        fees = None
    elif rng.random() < 0.6:
        fees = 0
    else:
        fees = round(rng.uniform(0.01, 10000) ** rng.choice((0.5, 1.0)), rng.choice((0, 2, 2, 4)))
        fees = int(fees) if fees == int(fees) else fees
    return {
        "rules": docs(0.85, 3, 20),
        "normative_docs": docs(0.35, 15, 80),
        "licensing": _sized(rng, (40, 35, 20, 5), big),
        "punishment": _sized(rng, (45, 35, 17, 3), big),
        "coercion": _sized(rng, (65, 30, 5, 0.1), big),
        "fees_10k_yuan": fees,
    }


def _applicants(rng: random.Random, n: int) -> list[int]:
    """Split `n` applications over the six applicant columns: mostly natural persons."""
    cols = [0] * 6
    rest = n
    for i, p in ((1, 0.35), (2, 0.04), (3, 0.08), (4, 0.12), (5, 0.15)):
        if rest > 1 and rng.random() < p:
            k = rng.randint(1, max(1, rest // 4))
            cols[i] = k
            rest -= k
    cols[0] = rest
    return cols


def _random_table3(rng: random.Random, template: str) -> dict:
    """Table 3 that satisfies every identity by construction (rows, balance, outcomes)."""
    words = vocab()
    old = template == "2019"
    n = _sized(rng, (20, 35, 28, 13, 4), ((0, 0), (1, 9), (10, 99), (100, 999), (1000, 6000)))
    new = _applicants(rng, n)
    carried_over = [(rng.randint(0, max(1, c // 8)) if rng.random() < 0.25 else 0) for c in new]
    forward = []
    for a, b in zip(new, carried_over):
        have = a + b
        forward.append(rng.randint(0, max(1, have // 6)) if have and rng.random() < 0.3 else 0)
    forward = [min(f, a + b) for f, a, b in zip(forward, new, carried_over)]
    processed = [a + b - f for a, b, f in zip(new, carried_over, forward)]

    outcomes = [k for k in words.outcome_rows if not (old and k in words.new_only_rows)]
    weights = [_OUTCOME_WEIGHTS.get(k, 1) for k in outcomes]
    cells = {k: [0] * 6 for k in outcomes}
    for col, total in enumerate(processed):
        if not total:
            continue
        k = min(total, rng.choice((1, 1, 2, 2, 3, 4, 6)))
        chosen: list[str] = []
        while len(chosen) < k:
            pick = rng.choices(outcomes, weights=weights)[0]
            if pick not in chosen:
                chosen.append(pick)
        for key, part in zip(chosen, split_total(rng, total, k)):
            cells[key][col] += part

    def row(vals: list[int]) -> list[int]:
        return [*vals, sum(vals)]

    out: dict[str, list] = {}
    for r in words.t3_rows:
        if r.key in cells:
            out[r.key] = row(cells[r.key])
        elif old and r.key in words.new_only_rows:
            out[r.key] = [None] * 7
    out["new"] = row(new)
    out["carried_over"] = row(carried_over)
    out[words.outcome_total] = row(processed)
    out["carried_forward"] = row(forward)
    return {r.key: out[r.key] for r in words.t3_rows}


def _random_table4(rng: random.Random) -> dict:
    """Table 4: usually all zeros, a few reviews or suits for busy agencies."""
    busy = rng.random() < 0.35
    out = {}
    for g in labels().group4:
        if not busy or rng.random() < 0.4:
            vals = [0, 0, 0, 0]
        else:
            vals = [rng.randint(0, 6), rng.randint(0, 2) * (rng.random() < 0.3),
                    rng.randint(0, 3) * (rng.random() < 0.3), rng.randint(0, 3) * (rng.random() < 0.4)]
        out[g] = [*vals, sum(vals)]
    return out


def random_tables(rng: random.Random, *, template: str = "2021") -> dict:
    """Gold tables in the corpus gold shape that satisfy every accounting identity.

    `template="2019"` leaves what the older template lacks as null: table-2
    `repealed` and fees, and the two new （六）其他处理 rows (its single row is
    `other_other`); `template="hybrid"` is a 2021 table 2 with that 2019 table 3.
    """
    if template not in TEMPLATES + (HYBRID,):
        raise ValueError(f"template must be one of {TEMPLATES + (HYBRID,)}")
    old3 = "2019" if template == HYBRID else template
    return {"table2": _random_table2(rng, "2021" if template == HYBRID else template),
            "table3": _random_table3(rng, old3), "table4": _random_table4(rng)}


def template_of(gold: dict) -> str:
    """Which template a gold was made from: the older one lacks the new （六） rows."""
    t3 = gold.get("table3", {})
    rows = [t3.get(k) for k in vocab().new_only_rows]
    if rows and all(r is None or all(v is None for v in r) for r in rows):
        return "2019"
    return "2021"


def table2_template(gold: dict) -> str:
    """Which template a gold's table 2 was made from: the older one has no repealed counts or fee amount."""
    t2 = gold.get("table2") or {}
    rules = t2.get("rules")
    if isinstance(rules, dict) and rules.get("repealed") is None and t2.get("fees_10k_yuan") is None:
        return "2019"
    return "2021"


def copy_gold(gold: dict, agency: str, year: int) -> dict:
    """The gold as the record keeps it (tables copied so callers may mutate theirs)."""
    t2 = gold.get("table2") or {}
    return {
        "agency": agency,
        "year": year,
        "table2": {k: (dict(v) if isinstance(v, dict) else v) for k, v in t2.items()},
        "table3": {k: (list(v) if v is not None else None) for k, v in (gold.get("table3") or {}).items()},
        "table4": {k: (list(v) if v is not None else None) for k, v in (gold.get("table4") or {}).items()},
    }
