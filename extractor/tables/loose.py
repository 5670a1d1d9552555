"""Numbers a table-2 row's count cannot place: a value torn over the lines of a wrapped cell, or a stray one.

A PDF flattener that reads by lines prints a value cell that wraps (a fee
amount 670.376375 in a narrow column) as two lines, `670.37637` and `5`;
where the cell is vertically centred, as Word prints it, its first line
stands above the row's label and only the `5` follows the label.  Table 2
has no identity to tell a torn number from a stray one (a page number, a
note's count), so a row with more numbers than cells, or with a number on
a line of its own just before its label, is never read with certainty:
every reading of its pieces — rejoined over the line break, or one left
out — is a candidate, the rejoined ones first, and the row is flagged
(unless the prose states the value: the narrative hints settle it as they
settle a glued run).  Tables 3 and 4 need none of this: their identities
reject a row read from a fragment.
"""
from __future__ import annotations

from dataclasses import replace
from itertools import combinations
from typing import Callable

import re as stdre

from extractor.tables.material import Atom, RowMaterial
from extractor.tables.readings import CellRead, Reading, enumerate_readings

# A line holding one number and nothing else (pipes and spaces aside): the piece of a wrapped cell.
_LONE = stdre.compile(r"(?m)^[ \t|\u3000]*(\d+(?:\.\d+)?)[ \t|\u3000]*$")
# Left-out pieces are tried in at most this many combinations (a row has a piece or two too many).
MAX_LEFT_OUT = 20
# Readings kept per row: enough to show the candidates, bounded for a run of loose lines.
MAX_TORN = 12


def lone_numbers(text: str, start: int, end: int) -> list[Atom]:
    """The numbers standing alone on their lines in text[start:end]."""
    return [Atom("num", m.group(1), m.start(1), m.end(1)) for m in _LONE.finditer(text, start, end)]


def pieces(mat: RowMaterial) -> int:
    """How many values the row prints apart (a glued or spaced run counts once: it may hold several)."""
    n = 0
    for a in mat.atoms:
        if a.kind in ("zero", "dash") or (a.kind in ("num", "sign") and a.before == "strong"):
            n += 1
    return n


def trailing_lone(text: str, mat: RowMaterial) -> list[Atom]:
    """The row's last numbers that stand on lines of their own after its first line: a next row's piece maybe."""
    out: list[Atom] = []
    for a in reversed(mat.atoms[1:]):
        if a.kind != "num" or not _alone(text, a):
            break
        out.append(a)
    return out[::-1]


def _alone(text: str, a: Atom) -> bool:
    ls = text.rfind("\n", 0, a.start) + 1
    le = text.find("\n", a.end)
    le = len(text) if le < 0 else le
    return not text[ls:a.start].strip(" \t|\u3000") and not text[a.end:le].strip(" \t|\u3000")


def torn_readings(text: str, lead: list[Atom], mat: RowMaterial, width: int, *, decimal: bool, negative: bool,
                  accept: Callable[[list[CellRead]], bool]) -> list[Reading]:
    """Every reading of `lead` + the row's material as `width` cells: pieces rejoined over a line break
    first, then with pieces on lines of their own left out; equal cost (none is proved)."""
    atoms = [replace(x, before="strong") for x in lead] + list(mat.atoms)
    joinable = [_joinable(text, atoms, k) for k in range(len(atoms))]
    relaxed = RowMaterial([replace(x, before="weak") if j else x for x, j in zip(atoms, joinable)])
    found: dict[tuple, Reading] = {}

    def add(material: RowMaterial) -> None:
        rs, _ = enumerate_readings(material, width, decimal=decimal, negative=negative, accept=accept, limit=MAX_TORN)
        for r in rs:
            found.setdefault(r.values, r)

    if any(joinable):
        add(relaxed)
    lone = [k for k, x in enumerate(atoms) if x.kind == "num" and (k < len(lead) or _alone(text, x))]
    surplus = pieces(RowMaterial(atoms)) - width
    if surplus > 0:
        for drop in list(combinations(lone, surplus))[:MAX_LEFT_OUT]:
            add(RowMaterial([x for k, x in enumerate(atoms) if k not in drop]))
    out = list(found.values())[:MAX_TORN]
    return [Reading(r.cells, 0.0, r.ops) for r in out]


def _joinable(text: str, atoms: list[Atom], k: int) -> bool:
    """Atom k is a number continuing the number before it over a line break (or over the row's label)."""
    if k == 0 or atoms[k].kind != "num" or atoms[k - 1].kind != "num":
        return False
    return "\n" in text[atoms[k - 1].end:atoms[k].start]
