"""All the ways a row's printed digits can be read as N cells.

Flattening destroys cell boundaries in two ways: cells glued together
(`640020470`) and single numbers torn apart (`2 0`).  A row's value material
is therefore a string of digits with a boundary kind between each pair:

- ``strong`` (tab, newline, pipe): always a cell boundary;
- ``weak`` (a space): usually a boundary; reading across it (merging) costs;
- ``glued`` (nothing): usually inside a number; cutting it costs, and is the
  only way to recover glued cells.

`enumerate_readings` yields every reading of exactly N cells with its cost;
the identities (see `solve`) then decide between them.  Placeholders (`/`,
`—`, `无`) are cells of their own; an empty field the layout proves exists is
an optional blank cell (null).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator

# Costs: a cut inside a glued run is what glued layouts need, so it is cheap;
# merging across a space repairs a torn number, rarer, so dearer; a blank
# field used as a cell is cheap but not free (stray double tabs exist).
CUT_COST = 1.0
MERGE_COST = 2.5
BLANK_COST = 0.5
# Readings are enumerated up to this many; beyond it the row is "unsolved".
MAX_READINGS = 20000


@dataclass
class Atom:
    """One printed element of a row: a run of digits, a placeholder or a blank field.

    The search works digit by digit ("digit" atoms, made from "num" runs
    only when a row needs searching).
    """

    kind: str  # "num" | "digit" | "zero" | "blank"
    text: str
    start: int
    end: int
    # Boundary kind between this atom and the previous one (digits only).
    before: str = "strong"


@dataclass
class CellRead:
    value: int | float | None
    start: int | None
    end: int | None
    raw: str
    kind: str  # "number" | "zero" | "blank"
    pieces: int = 1  # how many printed tokens/pieces made it (merge > 1)
    cut: bool = False  # cut out of a glued run


@dataclass
class Reading:
    cells: list[CellRead]
    cost: float
    ops: int = 0  # number of cuts + merges

    @property
    def values(self) -> tuple:
        return tuple(c.value for c in self.cells)


@dataclass
class RowMaterial:
    """The atoms of one row, in order, and what the layout said about them."""

    atoms: list[Atom] = field(default_factory=list)

    @property
    def digits(self) -> str:
        return "".join(a.text for a in self.atoms if a.kind in ("num", "digit"))

    def empty(self) -> bool:
        return not any(a.kind in ("num", "digit", "zero") for a in self.atoms)


def _parse_number(s: str, decimal: bool) -> int | float | None:
    if "." in s:
        if not decimal or s.count(".") > 1 or s.startswith(".") or s.endswith("."):
            return None
        return float(s)
    return int(s)


def _valid_piece(s: str, decimal: bool) -> bool:
    if not s:
        return False
    if "." in s:
        if not decimal or s.count(".") != 1 or s[0] == "." or s[-1] == ".":
            return False
        head = s.split(".")[0]
        return not (len(head) > 1 and head[0] == "0")
    return not (len(s) > 1 and s[0] == "0")


def enumerate_readings(
    material: RowMaterial,
    n: int,
    *,
    decimal: bool = False,
    accept: Callable[[list[CellRead]], bool] | None = None,
    prune: Callable[[list[CellRead]], bool] | None = None,
    limit: int = MAX_READINGS,
) -> tuple[list[Reading], bool]:
    """Every reading of `material` as exactly `n` cells; (readings, complete).

    `accept` is called on each complete reading (e.g. a row-sum identity)
    and also prunes: readings it rejects are dropped.  `complete` is False
    when the limit was hit, in which case the caller must not trust
    uniqueness.  `prune(cells_so_far)` returning False cuts a partial reading
    short (table 4 checks each group's total as soon as it is complete).
    """
    fast = forced_reading(material, n, decimal)
    if fast is not None:
        ok = (accept is None or accept(fast.cells)) and (prune is None or prune(fast.cells))
        return ([fast] if ok else []), True
    atoms = _digit_atoms(material.atoms)
    out: list[Reading] = []
    complete = True
    # Minimal number of cells the remaining atoms must produce: digits in
    # strong-separated groups give at least one cell per group; zeros one each.
    m = len(atoms)
    min_rest = [0] * (m + 1)
    max_rest = [0] * (m + 1)
    for i in range(m - 1, -1, -1):
        a = atoms[i]
        if a.kind == "zero":
            min_rest[i] = min_rest[i + 1] + 1
            max_rest[i] = max_rest[i + 1] + 1
        elif a.kind == "blank":
            min_rest[i] = min_rest[i + 1]
            max_rest[i] = max_rest[i + 1] + 1
        else:
            nxt_is_new_group = i + 1 >= m or atoms[i + 1].kind != "digit" or atoms[i + 1].before == "strong"
            min_rest[i] = min_rest[i + 1] + (1 if nxt_is_new_group else 0)
            max_rest[i] = max_rest[i + 1] + (1 if a.text != "." else 0)

    cells: list[CellRead] = []

    def emit(cost: float, ops: int) -> None:
        nonlocal complete
        if accept is not None and not accept(cells):
            return
        if len(out) >= limit:
            complete = False
            return
        out.append(Reading(list(cells), cost, ops))

    def rec(i: int, cost: float, ops: int) -> None:
        if not complete:
            return
        if prune is not None and cells and not prune(cells):
            return
        if i == m:
            if len(cells) == n:
                emit(cost, ops)
            return
        left = n - len(cells)
        if left < min_rest[i] or left > max_rest[i]:
            return
        a = atoms[i]
        if a.kind == "zero":
            cells.append(CellRead(0, a.start, a.end, a.text, "zero"))
            rec(i + 1, cost, ops)
            cells.pop()
            return
        if a.kind == "blank":
            rec(i + 1, cost, ops)  # a stray empty field
            cells.append(CellRead(None, None, None, "", "blank"))
            rec(i + 1, cost + BLANK_COST, ops)
            cells.pop()
            return
        # A number starts at atom i; extend it over following digits.
        j = i
        extra_cost, extra_ops, pieces = 0.0, 0, 1
        while j < m and atoms[j].kind == "digit":
            if j > i:
                b = atoms[j].before
                if b == "strong":
                    break
                if b == "weak":
                    extra_cost += MERGE_COST
                    extra_ops += 1
                    pieces += 1
            text = "".join(x.text for x in atoms[i:j + 1])
            nxt = atoms[j + 1] if j + 1 < m else None
            ends_here_cut = nxt is not None and nxt.kind == "digit" and nxt.before == "glued"
            if _valid_piece(text, decimal):
                value = _parse_number(text, decimal)
                cut = ends_here_cut or (atoms[i].before == "glued" and i > 0 and atoms[i - 1].kind == "digit")
                cells.append(CellRead(value, atoms[i].start, atoms[j].end, text, "number", pieces, cut))
                c = cost + extra_cost + (CUT_COST if ends_here_cut else 0.0)
                o = ops + extra_ops + (1 if ends_here_cut else 0)
                rec(j + 1, c, o)
                cells.pop()
            elif text[0] == "0" and "." not in text:
                break  # a leading zero only gets worse as the number grows
            j += 1

    rec(0, 0.0, 0)
    out.sort(key=lambda r: r.cost)
    return out, complete


def _digit_atoms(atoms: list[Atom]) -> list[Atom]:
    out: list[Atom] = []
    for a in atoms:
        if a.kind != "num":
            out.append(a)
            continue
        for k, ch in enumerate(a.text):
            out.append(Atom("digit", ch, a.start + k, a.start + k + 1, a.before if k == 0 else "glued"))
    return out


def forced_reading(material: RowMaterial, n: int, decimal: bool = False) -> Reading | None:
    """The one reading the layout leaves, found without search (the common case).

    Either every printed number stands apart behind a strong separator and
    there are exactly n of them, or the row has exactly n digits so each is
    a cell (`0000000`).  None when the row needs the search.
    """
    atoms = material.atoms
    if not atoms or any(a.kind == "blank" for a in atoms):
        return None
    if len(atoms) == n and all(a.before == "strong" for a in atoms):
        cells = []
        for a in atoms:
            if a.kind == "zero":
                cells.append(CellRead(0, a.start, a.end, a.text, "zero"))
            elif _valid_piece(a.text, decimal):
                cells.append(CellRead(_parse_number(a.text, decimal), a.start, a.end, a.text, "number"))
            else:
                return None
        return Reading(cells, 0.0, 0)
    ndigits = sum(len(a.text) if a.kind == "num" else 1 for a in atoms)
    if ndigits != n or any(a.kind == "num" and "." in a.text for a in atoms):
        return None
    cells = []
    for a in atoms:
        if a.kind == "zero":
            cells.append(CellRead(0, a.start, a.end, a.text, "zero"))
            continue
        glued = len(a.text) > 1
        for k, ch in enumerate(a.text):
            cells.append(CellRead(int(ch), a.start + k, a.start + k + 1, ch, "number", 1, glued))
    return Reading(cells, 0.0, 0)


def iter_values(readings: list[Reading]) -> Iterator[tuple]:
    for r in readings:
        yield r.values
