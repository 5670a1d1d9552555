"""Sequence decoding: a table's value rows placed by their order when its labels are broken.

Label anchoring (`anchors`) looks for a row's numbers between its own label
and the next; a converter that displaces, shatters or drops labels loses
the row, though its numbers are all there, in order.  This strategy reads
the table region as a sequence of value segments (the value material
between label fragments, in document order) and aligns them monotonically
to the official rows: a dynamic programme over (segment, row) where a
segment takes one or more consecutive rows (split by cell count or by
line), a row may be a gap (a blank or missing row) and a segment may be
skipped (stray numbers).  Its cost is structural first — gaps, skipped
rows of values, row totals that fail — and label evidence second (rapidfuzz
similarity of the label fragment before a segment to the row's label, and
the row classifier's probability), so labels only choose between
structurally equal placements and a displaced label never shifts the table.
The `KEEP` cheapest placements are kept and handed, cheapest first, to the
same readings and solver as label anchoring; the first whose identities
hold is taken.  A row is never invented: every value comes from the text.

Bounded by construction: at most `MAX_SEGMENTS` segments, three row counts
tried per segment (`_row_counts`), `KEEP` paths per DP state, `MAX_PATHS`
placements solved: O(segments × rows × KEEP) steps.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Sequence

import regex as re
from rapidfuzz import fuzz

from extractor import budget
from extractor.spec.labels import Row, fold, labels
from extractor.tables.material import Atom, RowMaterial, material, placeholder_words

# Past this many value segments the region is not decoded (pasted junk, not a table).
MAX_SEGMENTS = 400
# Cheapest paths kept per DP state, and placements handed to the solver.
KEEP = 6
MAX_PATHS = 6
# Structural costs, in units that label evidence (at most 1 a row) never outweighs.
STRUCTURE = 100.0
GAP = 1.0  # a row with no values (blank or missing)
SKIP_ROWS = 1.0  # stray values of a row's size or more left unplaced
SKIP_SMALL = 0.25  # a few stray numbers (a page number, a dash-only header cell)
TOTAL_FAILS = 0.5  # a row whose 总计 is not the sum of the others
LABEL_MIN = 80.0  # rapidfuzz score below which a label fragment says nothing about a row


@dataclass(slots=True)
class Segment:
    """Value material between two label fragments: its lines' atoms, and the label before it."""

    start: int
    end: int
    lines: list[list[Atom]]
    label: str = ""
    label_span: tuple[int, int] = (0, 0)

    @property
    def atoms(self) -> list[Atom]:
        return [a for line in self.lines for a in line]

    def clean_cells(self) -> int | None:
        """How many cells, when every printed element stands apart (no glued or torn number); else None."""
        n = 0
        for line in self.lines:
            for k, a in enumerate(line):
                if a.kind == "num" and k and a.before != "strong":
                    return None
                if a.kind in ("page", "sign") or (a.kind == "dash" and len(a.text) > 1) or "." in a.text:
                    return None
                n += 1
        return n


@dataclass
class Placement:
    """One alignment of segments to rows: each placed row's material and span, and what it cost."""

    materials: dict[str, RowMaterial] = field(default_factory=dict)
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)
    cost: float = 0.0
    structural: float = 0.0  # 0 when every row took a row of values and no row of values was skipped
    label_before: dict[str, str] = field(default_factory=dict)


@lru_cache(maxsize=1)
def _label_run() -> re.Pattern:
    """A label fragment: text with a Han character, or a row's single-digit ordinal ("1." of "1.属于…").

    The ordinal may stand in a cell or on a line of its own before its label
    (`| 5. |` then `| 属于三类… |`): it is never a value.
    """
    return re.compile(r"(?P<ord>\d[ \t\n|]*[.、](?=[ \t\n|]*\p{Han}))|[^\d\s|]*\p{Han}[^\d\t\n|]*")


@lru_cache(maxsize=1)
def _not_label() -> frozenset[str]:
    """Han characters that alone are values or their units (无, 空, 件 …), never a label."""
    L = labels()
    return frozenset(placeholder_words()) | frozenset("".join(L.units))


def _is_label(s: str) -> bool:
    han = [ch for ch in s if "\u3400" <= ch <= "\u9fff"]
    return bool(han) and not all(ch in _not_label() for ch in han)


def segments(text: str, start: int, end: int) -> list[Segment]:
    """The value segments of a region in document order, each with the label text before it."""
    labels_: list[tuple[int, int]] = [m.span() for m in _label_run().finditer(text, start, end) if m.group("ord") or _is_label(m.group())]
    bounds = [start] + [x for s, e in labels_ for x in (s, e)] + [end]
    out: list[Segment] = []
    for k in range(0, len(bounds), 2):
        a, b = bounds[k], bounds[k + 1]
        ls, le = labels_[k // 2 - 1] if k else (start, start)
        lines = _line_atoms(text, a, b)
        if lines:
            out.append(Segment(a, b, lines, text[ls:le], (ls, le)))
        if len(out) > MAX_SEGMENTS:
            break
    return out


def _line_atoms(text: str, a: int, b: int) -> list[list[Atom]]:
    """Each line's value atoms (blank fields only between values of the same line)."""
    out: list[list[Atom]] = []
    pos = a
    while pos < b:
        nl = text.find("\n", pos, b)
        stop = b if nl < 0 else nl
        if stop > pos:
            mat, _ = material(text, pos, stop, stop_at_text=False)
            if not mat.empty():
                out.append(mat.atoms)
        pos = stop + 1
    return out


def _row_counts(seg: Segment, ncols: int, most: int) -> list[int]:
    """How many rows a segment can hold: one, its cells in rows of `ncols`, or one a line (at most `most`)."""
    clean = seg.clean_cells()
    ks = {1, len(seg.lines)} | ({clean // ncols} if clean and clean % ncols == 0 else set())
    return sorted(k for k in ks if 1 <= k <= most)


def _split(seg: Segment, k: int, ncols: int) -> list[RowMaterial] | None:
    """The segment as k consecutive rows: by cell count when clean, else by line; None when it cannot be."""
    clean = seg.clean_cells()
    if clean is not None and clean == k * ncols:
        atoms = seg.atoms
        return [RowMaterial(_strong(atoms[i * ncols:(i + 1) * ncols])) for i in range(k)]
    if len(seg.lines) == k:
        return [RowMaterial(_strong(line)) for line in seg.lines]
    if k == 1 and clean is None:
        return [RowMaterial(_strong(seg.atoms, per_line=seg.lines))]
    return None


def _strong(atoms: list[Atom], per_line: list[list[Atom]] | None = None) -> list[Atom]:
    """Copies of the atoms with a strong boundary at the first of each line (a new row starts there)."""
    firsts = {id(line[0]) for line in per_line} if per_line else {id(atoms[0])} if atoms else set()
    return [Atom(a.kind, a.text, a.start, a.end, "strong" if id(a) in firsts else a.before) for a in atoms]


def label_score(label: str, row: Row) -> float:
    """How much the label fragment before a segment reads as `row`, 0..1 (rapidfuzz, folded)."""
    z = fold(label)
    if len(z) < 2:
        return 0.0
    best = 0.0
    for v in row.match:
        s = fuzz.partial_ratio(v, z) if len(v) >= 4 else (fuzz.ratio(v, z) if len(z) <= len(v) + 3 else 0.0)
        best = max(best, s)
    return max(0.0, (best - LABEL_MIN) / (100.0 - LABEL_MIN))


RowCost = Callable[[RowMaterial], float]


def decode(segs: Sequence[Segment], rows: Sequence[Row], ncols: int, free_gaps: frozenset[str],
           row_cost: RowCost, evidence: Callable[[Segment, Row], float]) -> list[Placement]:
    """The `MAX_PATHS` cheapest monotone placements of the segments on the rows, cheapest first.

    `free_gaps` are rows the template may lack (their gap costs nothing);
    `row_cost` is the structural cost of a row's material (its total failing);
    `evidence` how much the label before a segment reads as a row (0..1).
    """
    S, R = len(segs), len(rows)
    # best[j][r]: up to KEEP (cost, structural, back) for having used segments < j and rows < r
    best: list[list[list[tuple[float, float, tuple]]]] = [[[] for _ in range(R + 1)] for _ in range(S + 1)]
    best[0][0] = [(0.0, 0.0, ())]
    splits: dict[tuple[int, int], list[RowMaterial] | None] = {}
    costs: dict[tuple[int, int, int], float] = {}

    def push(j: int, r: int, cost: float, struct: float, back: tuple) -> None:
        cell = best[j][r]
        if len(cell) >= KEEP and cost >= cell[-1][0]:
            return
        cell.append((cost, struct, back))
        cell.sort(key=lambda x: x[0])
        del cell[KEEP:]

    work = 0
    for j in range(S + 1):
        for r in range(R + 1):
            here = best[j][r]
            if not here:
                continue
            work += 1
            if not work % budget.EVERY:
                budget.check()
            for rank, (c, st, _) in enumerate(here):
                if r < R:  # row r a gap
                    g = 0.0 if rows[r].key in free_gaps else GAP
                    push(j, r + 1, c + STRUCTURE * g, st + g, (j, r, rank, "gap"))
                if j < S:  # segment j stray
                    # A few stray numbers (a page number, a placeholder word cut off a label) leave the order intact.
                    big = len(segs[j].atoms) >= ncols
                    push(j + 1, r, c + STRUCTURE * (SKIP_ROWS if big else SKIP_SMALL), st + (SKIP_ROWS if big else 0.0),
                         (j, r, rank, "skip"))
                    for k in _row_counts(segs[j], ncols, R - r):
                        if (j, k) not in splits:
                            splits[(j, k)] = _split(segs[j], k, ncols)
                        mats = splits[(j, k)]
                        if mats is None:
                            continue
                        s_cost = 0.0
                        for i, m in enumerate(mats):
                            if (j, k, i) not in costs:
                                costs[(j, k, i)] = row_cost(m)
                            s_cost += costs[(j, k, i)]
                        ev = evidence(segs[j], rows[r])
                        push(j + 1, r + k, c + STRUCTURE * s_cost - ev, st + s_cost, (j, r, rank, k))
    return [_trace(best, segs, rows, ncols, splits, rank) for rank in range(len(best[S][R]))][:MAX_PATHS]


def _trace(best, segs: Sequence[Segment], rows: Sequence[Row], ncols: int, splits, rank: int) -> Placement:
    S, R = len(segs), len(rows)
    cost, struct, back = best[S][R][rank]
    p = Placement(cost=cost, structural=struct)
    while back:
        j, r, rk, move = back
        if isinstance(move, int):
            seg = segs[j]
            for i, m in enumerate(splits[(j, move)]):
                key = rows[r + i].key
                p.materials[key] = m
                p.spans[key] = (m.atoms[0].start if m.atoms else seg.start, m.atoms[-1].end if m.atoms else seg.end)
                if i == 0:
                    p.label_before[key] = seg.label
        back = best[j][r][rk][2]
    return p

