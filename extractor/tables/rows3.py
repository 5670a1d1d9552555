"""Table 3's rows as read so far, and the reading and joint solving both strategies share.

Label anchoring (`table3`) and sequence decoding (`table3_order`) differ
only in where each row's value material comes from; from there on a row is
read every way it can be (`readings`) and the table solved jointly
(`solve`), by the same code.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from extractor import budget
from extractor.spec.labels import labels
from extractor.tables.anchors import Anchor
from extractor.tables.cells import row_total_ok
from extractor.tables.material import Atom, RowMaterial
from extractor.tables.readings import BLANK_COST, Reading, enumerate_readings, forced_reading
from extractor.tables.solve import Solved, solve_table3


@dataclass
class Rows3:
    """Table 3's rows as read so far: each row's material, where it stands, its readings and status."""

    materials: dict[str, RowMaterial] = field(default_factory=dict)
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)
    readings: dict[str, list[Reading]] = field(default_factory=dict)
    status: dict[str, str] = field(default_factory=dict)
    forced: set[str] = field(default_factory=set)  # rows the layout leaves one reading: certain, identities or not
    anchors: dict[str, Anchor] = field(default_factory=dict)


# How one row's material read: (status, readings, forced), by the material's atoms and the cell count.
RowMemo = dict[tuple, tuple[str | None, list[Reading] | None, bool]]


def solve_rows(st: "Rows3", memo: RowMemo | None = None, work: budget.Steps | None = None) -> Solved:
    """Every row's readings, then the joint choice the identities leave (shared by both strategies).

    With `memo`, a row whose material was read before (another placement of
    the same table, `table3_order`) is not searched again: its readings
    depend on its atoms only, and the readings are never changed once made.
    """
    lab = labels()
    ncols = len(lab.col3)
    for row in lab.table3_rows:
        if memo is None:
            read_row(row.key, st, ncols)
        else:
            _read_row_remembered(row.key, st, ncols, memo)
    return solve_table3(st.readings, list(lab.outcome_rows), ncols, lab.balance, work)


def _read_row_remembered(key: str, st: "Rows3", ncols: int, memo: RowMemo) -> None:
    """`read_row`, from `memo` when the same atoms were read before."""
    mat = st.materials.get(key)
    if mat is None:
        return
    k = (ncols, tuple((a.kind, a.text, a.start, a.end, a.before) for a in mat.atoms))
    got = memo.get(k)
    if got is None:
        alone = Rows3(materials={key: mat})
        read_row(key, alone, ncols)
        got = memo[k] = (alone.status.get(key), alone.readings.get(key), key in alone.forced)
    status, readings, forced = got
    if forced:
        st.forced.add(key)
    if readings is not None:
        st.readings[key] = list(readings)
    if status is not None:
        st.status[key] = status


def settled(st: "Rows3", solved: Solved) -> bool:
    """The identities hold for one reading of every row read, and no row is in doubt."""
    return (solved.status in ("unique", "preferred") and solved.complete
            and not any(v in ("capped", "unreadable", "row_total_fails") for v in st.status.values()))


def read_row(key: str, st: Rows3, ncols: int) -> None:
    """Every reading of one row's material whose total adds up (or any reading, when none does)."""
    mat = st.materials.get(key)
    if mat is None:
        return
    if mat.empty():
        st.status[key] = "blank"
        return
    fast = forced_reading(mat, ncols)
    if fast is not None:
        st.forced.add(key)
        st.readings[key] = [fast]
        st.status[key] = "ok" if row_total_ok(fast.cells) else "row_total_fails"
        return
    rs, complete = enumerate_readings(mat, ncols, accept=row_total_ok)
    if complete and not rs:
        rs = lost_blank(mat, ncols)
        if rs:
            st.readings[key] = rs
            st.status[key] = "lost_blank"
            return
    if not complete:
        st.status[key] = "capped"
        if not rs:  # the cheapest readings, so the row is read with what was found (and flagged)
            rs, _ = enumerate_readings(mat, ncols, limit=200)
    elif rs:
        st.status[key] = "ok"
    else:
        rs, complete = enumerate_readings(mat, ncols, limit=200)
        st.status[key] = "row_total_fails" if rs else "unreadable"
    if rs:
        st.readings[key] = rs


# A blank placed where the row lost one is dearer the further it stands from the row's end (where
# editors strip an empty last field), by much less than a clear margin: the identities decide, or
# the placements stay ambiguous.
_FARTHER = 0.01


def lost_blank(mat: RowMaterial, ncols: int) -> list[Reading]:
    """A row one cell short, read with a blank cell at each field boundary where its total adds up.

    A flattening that strips a row's empty last field (a trailing tab) or an empty field elsewhere
    leaves one value too few; nothing in the layout says where the blank stood, so every placement is
    a reading: the identities single one out, or the cells where placements differ stay ambiguous.
    """
    atoms = mat.atoms
    if any(a.kind == "blank" for a in atoms):
        return []
    out: list[Reading] = []
    for k in range(len(atoms), -1, -1):
        if 0 < k < len(atoms) and atoms[k].before != "strong":
            continue
        at = atoms[k - 1].end if k else atoms[0].start
        placed = RowMaterial(atoms[:k] + [Atom("blank", "", at, at)] + atoms[k:])
        for r in enumerate_readings(placed, ncols, accept=row_total_ok, limit=20)[0]:
            if any(c.kind == "blank" for c in r.cells):
                out.append(Reading(r.cells, r.cost + (len(atoms) - k) * _FARTHER, r.ops))
    return out
