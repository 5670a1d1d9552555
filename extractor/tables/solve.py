"""Choose one reading per row so the table's identities hold, jointly.

A glued run often has several readings that each satisfy their own row
total (`2200003 25` → 22|0|0|0|0|3|25 or 2|20|0|0|0|3|25); the column
identities across the whole table decide.  The search is a dynamic
programme over the outcome rows keyed by the running column sums, so it
stays small however many rows are ambiguous.  When exactly one combination
satisfies every identity it is taken; when several do, the cheapest is kept
and the cells on which they disagree are reported as ambiguous.
"""
from __future__ import annotations

import operator
from dataclasses import dataclass, field
from itertools import product

from extractor import budget
from extractor.spec.labels import Balance
from extractor.tables.readings import Reading

# Per state of the DP, keep this many cheapest paths: enough to tell a
# unique solution from an ambiguous one and to show alternatives.
KEEP = 4
# Rows with more readings than this are trimmed to the cheapest (and the
# result is then marked incomplete).
MAX_PER_ROW = 3000
# A second solution this much dearer than the best is a clear second.
CLEAR_MARGIN = 2.0
# The joint search does at most this many steps (a state extended by a row's
# reading, or a combination of the balance rows tried); past it the result
# is marked incomplete and its cells are not claimed (`confidence.CAPPED`).
# A real table takes a few hundred (every golden record is unchanged at a cap
# of 5,000); at 200,000 a fuzzed 8 KB report spent 2 s here.
MAX_WORK = 50_000


@dataclass
class Solved:
    choice: dict[str, Reading]
    status: str  # "unique" | "preferred" | "ambiguous" | "none"
    alternatives: list[dict[str, Reading]] = field(default_factory=list)
    complete: bool = True

    def differing(self) -> set[tuple[str, int]]:
        """(row, column index) of cells some alternative solution reads differently."""
        out: set[tuple[str, int]] = set()
        for alt in self.alternatives:
            for key, r in alt.items():
                mine = self.choice.get(key)
                if mine is None:
                    continue
                for k, (a, b) in enumerate(zip(mine.values, r.values)):
                    if a != b:
                        out.add((key, k))
        return out


def _vec(r: Reading) -> tuple[int, ...]:
    if r.vector is None:
        r.vector = tuple(int(v) if isinstance(v, (int, float)) else 0 for v in r.values)
    return r.vector


def _add(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(map(operator.add, a, b))


def _sum(readings: tuple[Reading | None, ...], zero: tuple[int, ...], vec: dict[int, tuple[int, ...]]) -> tuple[int, ...]:
    """The column sums of the readings present (absent rows count 0); `vec`: id of a reading -> its vector."""
    out = zero
    for r in readings:
        if r is not None:
            out = _add(out, vec[id(r)])
    return out


def solve_table3(
    readings: dict[str, list[Reading]],
    outcome_rows: list[str],
    ncols: int,
    balance: Balance,
    work: budget.Steps | None = None,
) -> Solved:
    """Joint choice for table 3.  `readings` maps each present row to its readings.

    `balance` names the rows of the column identities (`Labels.balance`):
    the total of the outcome rows, and the rows on either side of the balance.
    `work`: a counter shared by several solves of one table (its placements,
    `table3_order`), so together they stay within `MAX_WORK`.
    """
    complete = True
    trimmed: dict[str, list[Reading]] = {}
    for k, rs in readings.items():
        if len(rs) > MAX_PER_ROW:
            complete = False
        trimmed[k] = rs[:MAX_PER_ROW]
    zero = (0,) * ncols
    # Each reading's column vector, once: the search adds them hundreds of thousands of times.
    vecs = {k: [_vec(r) for r in rs] for k, rs in trimmed.items()}
    vec = {id(r): v for k, rs in trimmed.items() for r, v in zip(rs, vecs[k])}
    # DP over outcome rows: sums -> [(cost, path)]
    states: dict[tuple[int, ...], list[tuple[float, tuple[int, ...]]]] = {zero: [(0.0, ())]}
    present_outcomes = [k for k in outcome_rows if trimmed.get(k)]
    work = work if work is not None else budget.Steps(MAX_WORK)
    exhausted = False
    for key in present_outcomes:
        if not work.take(len(states) * len(trimmed[key])):  # pathological: give up on the joint search
            exhausted = True
            break
        nxt: dict[tuple[int, ...], list[tuple[float, tuple[int, ...]]]] = {}
        for s, paths in states.items():
            for idx, (r, v) in enumerate(zip(trimmed[key], vecs[key])):
                ns = _add(s, v)
                lst = nxt.setdefault(ns, [])
                for cost, path in paths:
                    lst.append((cost + r.cost, path + (idx,)))
        for s in nxt:
            nxt[s] = sorted(nxt[s])[:KEEP]
        states = nxt

    solutions: list[tuple[float, dict[str, Reading]]] = []
    tp = trimmed.get(balance.total)
    sides = balance.lhs + balance.rhs
    for s, paths in states.items():
        if exhausted:
            break
        tps = [r for r, v in zip(tp, vecs[balance.total]) if v == s] if tp else [None]
        for tpr in tps:
            if exhausted:
                break
            proc = vec[id(tpr)] if tpr is not None else s
            for side in product(*[trimmed.get(k) or [None] for k in sides]):
                if not work.take():
                    exhausted = True
                    break
                lhs_rs, rhs_rs = side[:len(balance.lhs)], side[len(balance.lhs):]
                lhs = _sum(lhs_rs, zero, vec)
                rhs = _add(proc, _sum(rhs_rs, zero, vec))
                if any(r is not None for r in side) and lhs != rhs:
                    continue
                for cost, path in paths:
                    choice = {k: trimmed[k][i] for k, i in zip(present_outcomes, path)}
                    extra = 0.0
                    for k, r in zip((balance.total, *sides), (tpr, *side)):
                        if r is not None:
                            choice[k] = r
                            extra += r.cost
                    solutions.append((cost + extra, choice))
                    if len(solutions) > 50:
                        break
    return _decide(solutions, trimmed, complete and not exhausted)


def _decide(solutions: list[tuple[float, dict[str, Reading]]], trimmed: dict[str, list[Reading]], complete: bool) -> Solved:
    if not solutions:
        return Solved({k: rs[0] for k, rs in trimmed.items() if rs}, "none", [], complete)
    solutions.sort(key=lambda x: x[0])
    best_cost, best = solutions[0]
    # Up to 4 × MAX_WORK solutions share a few thousand readings: each reading's values are built once.
    seen: dict[int, tuple] = {}

    def values(r: Reading) -> tuple:
        got = seen.get(id(r))
        if got is None:
            got = seen[id(r)] = r.values
        return got

    mine = {k: values(r) for k, r in best.items()}
    rivals = [(cost, c) for cost, c in solutions[1:]
              if any(values(r) != mine[k] for k, r in c.items() if k in mine)]
    if not rivals:
        return Solved(best, "unique", [], complete)
    status = "preferred" if rivals[0][0] - best_cost >= CLEAR_MARGIN else "ambiguous"
    return Solved(best, status, [c for _, c in rivals[:KEEP]], complete)


def solve_groups(readings: list[Reading], group_size: int) -> Solved:
    """Table 4: readings of the whole value run, already filtered by the group totals."""
    sols = [(r.cost, {"all": r}) for r in readings]
    trimmed = {"all": readings}
    return _decide(sols, trimmed, True)
