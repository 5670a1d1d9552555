"""Numbers a table-2 row's count cannot place: a value torn over the lines of a wrapped cell, or a stray one.

A PDF flattener that reads by lines prints a value cell that wraps (a fee
amount 670.376375 in a narrow column) as two lines, `670.37637` and `5`;
where the cell is vertically centred, as Word prints it, its first line
stands above the row's label and only the `5` follows the label, and in a
row of several cells the other cells' values print on the line between the
two pieces (`15` / `规范性文件 3 5` / `6` for 3 | 5 | 156).  Table 2 has no
identity to tell a torn number from a stray one (a page number, a note's
count), so a row with more numbers than cells, or a number on a line of its
own just before its label, is never read with certainty: every reading of
its pieces — each line's pieces given to columns in order and a column's
pieces joined top to bottom, or a piece on a line of its own left out — is
a candidate, the joined ones first, and the row is flagged (unless the
prose states the value: the narrative hints settle it as they settle a
glued run).  Table 3's identities reject most readings of a fragment, but
not all (a torn column read consistently in every row can add up): a line
of numbers between two rows that neither row's reading took doubts both
(`number_lines`).
"""
from __future__ import annotations

from dataclasses import replace
from itertools import combinations, islice, product
from typing import Callable

import re as stdre

from extractor.tables.material import Atom, RowMaterial
from extractor.tables.readings import CellRead, Reading, enumerate_readings, parse_number, valid_piece

# A number as a wrapped cell may print a piece of it (a decimal torn at its point: `7.` / `61`, `22` / `.5`).
_NUM = r"(?:\d+(?:\.\d*)?|\.\d+)"
_PAD = " \t|\u3000"
# A line holding numbers and nothing else (pipes and spaces aside): a wrapped row's other line.
_NUMBERS = stdre.compile(rf"(?m)^[{_PAD}]*{_NUM}(?:[{_PAD}]+{_NUM})*[{_PAD}]*$")
_ONE = stdre.compile(_NUM)
# Ways of giving each line's pieces to the columns, tried at most (a torn row has three or four lines).
MAX_PLACINGS = 500
# Left-out pieces are tried in at most this many combinations (a row has a piece or two too many).
MAX_LEFT_OUT = 20
# The order of a torn row's readings (their cost): as printed < placed by lines < joined over a break
# < a piece left out.
PLACED = 25.0
JOINED = 50.0
LEFT_OUT = 100.0
# Readings kept of each kind (placed, joined, one left-out combination): enough to show the candidates.
EACH = 6


def number_lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The lines of text[start:end] holding numbers and nothing else (a wrapped row's other lines)."""
    return [m.span() for m in _NUMBERS.finditer(text, start, end)]


def loose_numbers(text: str, start: int, end: int) -> list[Atom]:
    """The numbers of the lines of text[start:end] that hold numbers and nothing else, as a row's atoms
    (a line's first after a line break, the others after a space)."""
    out: list[Atom] = []
    for s, e in number_lines(text, start, end):
        for k, m in enumerate(_ONE.finditer(text, s, e)):
            out.append(Atom("num", m.group(), m.start(), m.end(), "weak" if k else "strong"))
    return out


def pieces(mat: RowMaterial) -> int:
    """How many values the row prints apart (a space apart counts: it is a cell boundary more often than
    a torn number; a glued run counts once)."""
    return sum(1 for a in mat.atoms if a.kind in ("zero", "dash") or (a.kind in ("num", "sign") and a.before != "glued"))


def trailing_lines(text: str, mat: RowMaterial) -> list[Atom]:
    """The row's last numbers on lines of numbers only, after its first line: the next row's first line maybe."""
    atoms = mat.atoms
    if not atoms:
        return []
    first_line = _line(text, atoms[0].start)
    out: list[Atom] = []
    for a in reversed(atoms[1:]):
        if a.kind != "num" or not _alone(text, a) or _line(text, a.start) == first_line:
            break
        out.append(a)
    return out[::-1]


def torn_tail(text: str, mat: RowMaterial, pos: int, stop: int) -> list[Atom] | None:
    """The row's pieces when its last number is torn at its decimal point (`39` / `7.` / `61`): the
    reading stopped at the point, so the pieces after it are gathered; None when the row does not end so."""
    atoms = list(mat.atoms)
    if atoms and atoms[-1].kind == "num" and atoms[-1].end == pos and text.startswith(".", pos):
        last = atoms.pop()
        return atoms + [replace(last, text=last.text + ".", end=pos + 1)] + loose_numbers(text, pos + 1, stop)
    rest = loose_numbers(text, pos, stop)
    if rest and (rest[0].text.endswith(".") and "\n" not in text[pos:rest[0].start]
                 or rest[0].text.startswith(".") and not text[pos:rest[0].start].strip(_PAD + "\r\n")):
        return atoms + rest
    return None


def over_lines(text: str, mat: RowMaterial, width: int) -> bool:
    """More values than cells, printed over several lines: a wrapped cell's pieces, or a stray number."""
    atoms = mat.atoms
    return pieces(mat) > width and any("\n" in text[a.end:b.start] for a, b in zip(atoms, atoms[1:]))


def _line(text: str, pos: int) -> tuple[int, int]:
    ls = text.rfind("\n", 0, pos) + 1
    le = text.find("\n", pos)
    return ls, len(text) if le < 0 else le


def _alone(text: str, a: Atom) -> bool:
    """The atom stands on a line of numbers only."""
    ls, le = _line(text, a.start)
    return _NUMBERS.fullmatch(text, ls, le) is not None


def torn_readings(text: str, atoms: list[Atom], width: int, *, decimal: bool, negative: bool,
                  accept: Callable[[list[CellRead]], bool], printed: list[Reading] = ()) -> list[Reading]:
    """Every reading of a row's pieces `atoms` (loose ones included) as `width` cells, none proved; the
    cost only orders them: the readings of the row as printed (`printed`: across spaces at most), then
    pieces placed by lines and joined (the least off-centre first), then joined over any line break,
    then with pieces on lines of their own left out."""
    found: dict[tuple, Reading] = {}

    def keep(cells: list[CellRead], cost: float) -> None:
        if accept(cells):
            found.setdefault(tuple(c.value for c in cells), Reading(cells, cost, 0))

    for r in printed[:EACH]:
        keep(r.cells, r.cost)
    for off, cells in sorted(_placed(text, atoms, width, decimal), key=lambda x: x[0])[:EACH]:
        keep(cells, off)
    joinable = [_joinable(text, atoms, k) for k in range(len(atoms))]
    if any(joinable):
        relaxed = RowMaterial([replace(x, before="weak") if j else x for x, j in zip(atoms, joinable)])
        for r in _readings(relaxed, width, decimal, negative)[:EACH]:
            keep(r.cells, JOINED + r.cost)
    lone = [k for k, x in enumerate(atoms) if x.kind == "num" and _alone(text, x)]
    surplus = pieces(RowMaterial(atoms)) - width
    if surplus > 0:
        for drop in islice(combinations(lone, surplus), MAX_LEFT_OUT):
            for r in _readings(RowMaterial([x for k, x in enumerate(atoms) if k not in drop]), width, decimal, negative):
                keep(r.cells, LEFT_OUT + r.cost)
    return sorted(found.values(), key=lambda r: r.cost)


def _readings(mat: RowMaterial, width: int, decimal: bool, negative: bool) -> list[Reading]:
    return enumerate_readings(mat, width, decimal=decimal, negative=negative, limit=EACH)[0]


def _placed(text: str, atoms: list[Atom], width: int, decimal: bool) -> list[tuple[float, list[CellRead]]]:
    """Each line's numbers given to columns left to right, a column's pieces joined top to bottom; with
    how far its cells sit off the row's middle line (Word centres a cell's lines)."""
    if not atoms or any(a.kind != "num" for a in atoms):
        return []
    lines: list[list[Atom]] = [[atoms[0]]]
    for prev, a in zip(atoms, atoms[1:]):
        if "\n" in text[prev.end:a.start]:
            lines.append([a])
        else:
            lines[-1].append(a)
    if len(lines) < 2 or any(len(line) > width for line in lines):
        return []
    middle = (len(lines) - 1) / 2
    scored = []
    for choice in islice(product(*(combinations(range(width), len(line)) for line in lines)), MAX_PLACINGS):
        cols: list[list[tuple[int, Atom]]] = [[] for _ in range(width)]
        for k, (line, where) in enumerate(zip(lines, choice)):
            for a, c in zip(line, where):
                cols[c].append((k, a))
        cells = [_joined([a for _, a in col], decimal) for col in cols]
        if all(c is not None for c in cells):
            off = sum(abs(sum(k for k, _ in col) / len(col) - middle) for col in cols)
            scored.append((off, cells))
    return scored


def _joined(col: list[Atom], decimal: bool) -> CellRead | None:
    s = "".join(a.text for a in col)
    if not col or not valid_piece(s, decimal):
        return None
    return CellRead(parse_number(s, decimal), col[0].start, col[-1].end, s, "number", len(col))


def _joinable(text: str, atoms: list[Atom], k: int) -> bool:
    """Atom k is a number continuing the number before it over a line break (or over the row's label)."""
    if k == 0 or atoms[k].kind != "num" or atoms[k - 1].kind != "num":
        return False
    return "\n" in text[atoms[k - 1].end:atoms[k].start]
