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
from typing import Callable

import regex as re

from extractor import budget
from extractor.tables.material import Atom, RowMaterial

# Costs: a cut inside a glued run is what glued layouts need, so it is cheap;
# merging across a space repairs a torn number, rarer, so dearer; a blank
# field used as a cell is cheap but not free (stray double tabs exist).
CUT_COST = 1.0
MERGE_COST = 2.5
BLANK_COST = 0.5
# Skipping an in-line "— 3 —" as a page number.
PAGE_COST = 0.5
# Leaving out an OCR "stroke" (`material`: a `1` after a row's last pipe, maybe a misread `||`):
# dearer than any one cut or merge, so a reading that keeps it wins whenever the identities allow it.
STROKE_COST = 3.0
# Readings are enumerated up to this many; beyond it the row is "unsolved".
MAX_READINGS = 20000
# Every branch the search tries is a step.  Past this many the search stops
# and says it is incomplete: a row of 40 glued digits (millions of splits)
# then costs tens of milliseconds, not minutes.  Real rows take a few
# hundred steps (the most seen on the corpus and 400 generated reports is in
# the README's speed section).
MAX_STEPS = 20_000
# The search recurses once per atom (a digit, a placeholder, a blank field),
# so a row of more atoms than this is not searched but read as capped: real
# rows have under 20, and a pasted run of a thousand blanks or digits would
# otherwise overflow the stack (RecursionError; found by benchmarks/fuzz).
MAX_ATOMS = 200
# The most digits before the decimal point of one cell: no count or amount in
# a report reaches a trillion, so a longer run is glued cells or pasted junk,
# never one value (unchecked, a pasted run became a 1,501-digit "count").
MAX_DIGITS = 12
STEPS_SEEN = [0]  # the most steps one enumeration took in this process (for the benchmark)


_PAGE_PARTS = re.compile(r"([—–\-·•]{1,2}) ?(\d{1,3}) ?([—–\-·•]{1,2})")


@dataclass(slots=True)
class CellRead:
    value: int | float | None
    start: int | None
    end: int | None
    raw: str
    kind: str  # "number" | "zero" | "blank"
    pieces: int = 1  # how many printed tokens/pieces made it (merge > 1)
    cut: bool = False  # cut out of a glued run


@dataclass(slots=True)
class Reading:
    cells: list[CellRead]
    cost: float
    ops: int = 0  # number of cuts + merges
    # The cells as integers (a blank or a decimal as its integer part), made once by the solver: a reading
    # is never changed once made, and the placements of one table share their rows' readings.
    vector: tuple[int, ...] | None = field(default=None, compare=False, repr=False)

    @property
    def values(self) -> tuple:
        return tuple(c.value for c in self.cells)



def parse_number(s: str, decimal: bool) -> int | float | None:
    if "." in s:
        if not decimal or s.count(".") > 1 or s.startswith(".") or s.endswith("."):
            return None
        return float(s)
    return int(s)


def valid_piece(s: str, decimal: bool) -> bool:
    if not s:
        return False
    if "." in s:
        if not decimal or s.count(".") != 1 or s[0] == "." or s[-1] == ".":
            return False
        head = s.split(".")[0]
        return not (len(head) > 1 and head[0] == "0") and len(head) <= MAX_DIGITS
    return not (len(s) > 1 and s[0] == "0") and len(s) <= MAX_DIGITS


def enumerate_readings(
    material: RowMaterial,
    n: int,
    *,
    decimal: bool = False,
    accept: Callable[[list[CellRead]], bool] | None = None,
    prune: Callable[[list[CellRead]], bool] | None = None,
    limit: int = MAX_READINGS,
    negative: bool = False,
    max_steps: int = MAX_STEPS,
) -> tuple[list[Reading], bool]:
    """Every reading of `material` as exactly `n` cells; (readings, complete).

    `accept` is called on each complete reading (e.g. a row-sum identity)
    and also prunes: readings it rejects are dropped.  `complete` is False
    when `limit` readings were found or `max_steps` branches tried (or the
    row has over `MAX_ATOMS` atoms), in which case the caller must not trust
    uniqueness.  `prune(cells_so_far)` returning False cuts a partial reading
    short (table 4 checks each group's total as soon as it is complete).
    `negative` lets a hyphen glued to digits be a minus sign (only the older
    template's 本年增/减 column has signed numbers).
    """
    fast = forced_reading(material, n, decimal, negative)
    if fast is not None:
        ok = (accept is None or accept(fast.cells)) and (prune is None or prune(fast.cells))
        return ([fast] if ok else []), True
    # Counted before the digits are split into atoms of their own: a megabyte run of digits would
    # otherwise cost a million atoms (and a second of CPU) on every call, only to be refused.
    if sum(len(a.text) if a.kind == "num" else 1 for a in material.atoms) > MAX_ATOMS:
        return [], False
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
        lo, hi = _cell_range(a, atoms[i + 1] if i + 1 < m else None, negative)
        min_rest[i] = min_rest[i + 1] + lo
        max_rest[i] = max_rest[i + 1] + hi

    cells: list[CellRead] = []

    def emit(cost: float, ops: int) -> None:
        nonlocal complete
        if accept is not None and not accept(cells):
            return
        if len(out) >= limit:
            complete = False
            return
        out.append(Reading(list(cells), cost, ops))

    steps = budget.Steps(max_steps)

    def rec(i: int, cost: float, ops: int) -> None:
        nonlocal complete
        if not complete:  # cut short: the calls still pending return at once, uncounted
            return
        if not steps.take():
            complete = False
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
        if a.kind == "dash":
            # "——" is one placeholder, "————" two (or four single dashes).
            k = len(a.text)
            for cnt in range(k, (k + 1) // 2 - 1, -1):
                size = [k // cnt + (1 if q < k % cnt else 0) for q in range(cnt)]
                pos = a.start
                for sz in size:
                    cells.append(CellRead(0, pos, pos + sz, a.text[:sz], "zero"))
                    pos += sz
                extra = 0.0 if cnt in (k, (k + 1) // 2) else BLANK_COST
                rec(i + 1, cost + extra, ops)
                del cells[len(cells) - cnt:]
            return
        if a.kind == "sign":
            cells.append(CellRead(0, a.start, a.end, a.text, "zero"))
            rec(i + 1, cost, ops)
            cells.pop()
            if negative and i + 1 < m and atoms[i + 1].kind == "digit":
                number_from(i + 1, cost, ops, sign=a)
            return
        if a.kind == "page":
            rec(i + 1, cost + PAGE_COST, ops)  # a page number left in line
            m_ = _PAGE_PARTS.match(a.text)
            if m_:
                (ls, le), (ns, ne), (rs_, re_) = m_.span(1), m_.span(2), m_.span(3)
                cells.extend([CellRead(0, a.start + ls, a.start + le, m_.group(1), "zero"),
                              CellRead(int(m_.group(2)), a.start + ns, a.start + ne, m_.group(2), "number"),
                              CellRead(0, a.start + rs_, a.start + re_, m_.group(3), "zero")])
                rec(i + 1, cost, ops)
                del cells[-3:]
            return
        if a.kind == "stroke":
            cells.append(CellRead(int(a.text), a.start, a.end, a.text, "number"))
            rec(i + 1, cost, ops)
            cells.pop()
            rec(i + 1, cost + STROKE_COST, ops + 1)  # a misread stroke, not a cell
            return
        if a.kind == "blank":
            rec(i + 1, cost, ops)  # a stray empty field
            cells.append(CellRead(None, None, None, "", "blank"))
            rec(i + 1, cost + BLANK_COST, ops)
            cells.pop()
            return
        number_from(i, cost, ops)

    def number_from(i: int, cost: float, ops: int, sign: Atom | None = None) -> None:
        """Every number that can start at digit atom i, each followed by the rest of the row."""
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
            # A cut where a comma stands is no repair: the comma may separate cells.
            ends_here_cut = nxt is not None and nxt.kind == "digit" and nxt.before == "glued"
            if valid_piece(text, decimal) and not (sign and text.strip("0.") == ""):
                value = parse_number(text, decimal)
                start = atoms[i].start
                if sign is not None:
                    value, start, text = -value, sign.start, sign.text + text
                cut = ends_here_cut or (atoms[i].before == "glued" and i > 0 and atoms[i - 1].kind == "digit")
                cells.append(CellRead(value, start, atoms[j].end, text, "number", pieces, cut))
                c = cost + extra_cost + (CUT_COST if ends_here_cut else 0.0)
                o = ops + extra_ops + (1 if ends_here_cut else 0)
                rec(j + 1, c, o)
                cells.pop()
            elif text[0] == "0" and "." not in text or len(text.split(".")[0]) > MAX_DIGITS:
                break  # a leading zero or too many digits only gets worse as the number grows
            j += 1

    rec(0, 0.0, 0)
    STEPS_SEEN[0] = max(STEPS_SEEN[0], steps.n)
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


def _cell_range(a: Atom, nxt: Atom | None, negative: bool) -> tuple[int, int]:
    """How few and how many cells atom `a` can contribute (prunes the search)."""
    if a.kind == "zero":
        return 1, 1
    if a.kind in ("blank", "stroke"):
        return 0, 1
    if a.kind == "page":
        return 0, 3
    if a.kind == "dash":
        return (len(a.text) + 1) // 2, len(a.text)
    if a.kind == "sign":
        return (0 if negative else 1), 1
    new_group = nxt is None or nxt.kind != "digit" or nxt.before == "strong"
    return (1 if new_group else 0), (1 if a.text != "." else 0)


def forced_reading(material: RowMaterial, n: int, decimal: bool = False, negative: bool = False) -> Reading | None:
    """The one reading the layout leaves, found without search (the common case).

    Either every printed number stands apart behind a strong separator and
    there are exactly n of them, or the row has exactly n digits so each is
    a cell (`0000000`); empty fields closing the row past them are padding.
    None when the row needs the search.
    """
    atoms = material.atoms
    while atoms and atoms[-1].kind == "blank" and len(atoms) > n:
        atoms = atoms[:-1]  # a row's empty last field (`material._trailing_fields`) beyond its n values
    if not atoms or any(a.kind in ("blank", "page", "stroke") or a.before == "comma" or (a.kind == "dash" and len(a.text) > 1)
                        or (a.kind == "sign" and negative) for a in atoms):
        return None
    if len(atoms) == n and all(a.before == "strong" or a.kind != "num" for a in atoms):
        cells = []
        for a in atoms:
            if a.kind != "num":
                cells.append(CellRead(0, a.start, a.end, a.text, "zero"))
            elif valid_piece(a.text, decimal) and a.before == "strong":
                cells.append(CellRead(parse_number(a.text, decimal), a.start, a.end, a.text, "number"))
            else:
                return None
        return Reading(cells, 0.0, 0)
    ndigits = sum(len(a.text) if a.kind == "num" else 1 for a in atoms)
    if ndigits != n or any(a.kind == "num" and "." in a.text for a in atoms):
        return None
    cells = []
    for a in atoms:
        if a.kind != "num":
            cells.append(CellRead(0, a.start, a.end, a.text, "zero"))
            continue
        glued = len(a.text) > 1
        for k, ch in enumerate(a.text):
            cells.append(CellRead(int(ch), a.start + k, a.start + k + 1, ch, "number", 1, glued))
    return Reading(cells, 0.0, 0)
