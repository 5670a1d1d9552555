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

from bisect import insort
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Sequence

import numpy as np
import regex as re
from rapidfuzz import fuzz, process

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
# Segments of at most this many characters of values, each printed apart, are stray numbers (a page
# number, an OCR header's 数据1), left out of the decoding; a glued row of seven cells has seven digits.
STRAY_CHARS = 3


@dataclass(slots=True)
class Segment:
    """Value material between two label fragments: its lines' atoms, and the label before it."""

    start: int
    end: int
    lines: list[list[Atom]]
    label: str = ""
    label_span: tuple[int, int] = (0, 0)
    _clean: int | None = field(default=-1, repr=False)

    @property
    def atoms(self) -> list[Atom]:
        return [a for line in self.lines for a in line]

    def clean_cells(self) -> int | None:
        """How many cells, when every printed element stands apart (no glued or torn number); else None."""
        if self._clean == -1:
            self._clean = self._count_clean()
        return self._clean

    def _count_clean(self) -> int | None:
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


def segments(text: str, start: int, end: int, blank_row: int = 0) -> list[Segment]:
    """The value segments of a region in document order, each with the label text before it.

    With `blank_row`, a line of that many empty pipe fields (up to twice as
    many, the label's and trailing ones) and nothing else after the first
    row of values (`|  |  |  |  |  |  |  |`) is a row printed blank: a
    segment of blank cells, so a blank row takes its place in the order
    instead of needing a gap.
    """
    labels_: list[tuple[int, int]] = [m.span() for m in _label_run().finditer(text, start, end) if m.group("ord") or _is_label(m.group())]
    bounds = [start] + [x for s, e in labels_ for x in (s, e)] + [end]
    out: list[Segment] = []
    first: int | None = None  # where the label text since the last values begins
    for k in range(0, len(bounds), 2):
        a, b = bounds[k], bounds[k + 1]
        ls, le = labels_[k // 2 - 1] if k else (start, start)
        if k and first is None:
            first = ls
        lines = _line_atoms(text, a, b, blank_row, after_values=bool(out))
        if lines:
            # `label` is the fragment right before the values (fuzzy similarity); `label_span` every label since
            # the last values (the classifier's evidence): a row's label may stand above a group label printed
            # on its values' line (`1.申请人…` / `（六）其他处理 0 0 0 …`, pdfplumber).
            out.append(Segment(a, b, lines, text[ls:le], (first if out and first is not None else ls, le)))
            first = None
        if len(out) > MAX_SEGMENTS:
            break
    return out


def _line_atoms(text: str, a: int, b: int, blank_row: int = 0, after_values: bool = False) -> list[list[Atom]]:
    """Each line's value atoms (blank fields only between values of the same line, or a blank row's).

    Before the first row of values, empty fields are the header's, never a blank row.
    """
    out: list[list[Atom]] = []
    pos = a
    while pos < b:
        nl = text.find("\n", pos, b)
        stop = b if nl < 0 else nl
        if stop > pos:
            mat, _ = material(text, pos, stop, stop_at_text=False)
            if not mat.empty():
                out.append(mat.atoms)
            elif blank_row and (after_values or out):
                fields = _blank_fields(text, pos, stop)
                if blank_row <= fields <= 2 * blank_row:
                    out.append([Atom("blank", "", pos, stop)] * min(fields, blank_row))
        pos = stop + 1
    return out


def _blank_fields(text: str, a: int, b: int) -> int:
    """How many empty pipe fields a line of nothing but pipes and spaces holds (0 for any other line)."""
    line = text[a:b]
    if line.strip(" \t\u00a0\u3000|"):
        return 0
    return max(0, line.count("|") - 1)


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
    return label_scores(label, (row,))[0]


def label_scores(label: str, rows: tuple[Row, ...]) -> list[float]:
    """`label_score` of one fragment against every row, in one rapidfuzz call per scorer.

    Long variants are matched within the fragment (partial ratio), short
    ones only against a fragment about as short (plain ratio).
    """
    z = fold(label)
    if len(z) < 2:
        return [0.0] * len(rows)
    longs, shorts = _variants(rows)
    best = [0.0] * len(rows)
    for (variants, owners), scorer in ((longs, fuzz.partial_ratio), (shorts, fuzz.ratio)):
        if not variants:
            continue
        scores = process.cdist([z], variants, scorer=scorer, dtype=np.float64)[0]
        for v, i, sc in zip(variants, owners, scores):
            if scorer is fuzz.partial_ratio or len(z) <= len(v) + 3:
                best[i] = max(best[i], float(sc))
    return [max(0.0, (b - LABEL_MIN) / (100.0 - LABEL_MIN)) for b in best]


@lru_cache(maxsize=16)
def _variants(rows: tuple[Row, ...]) -> tuple[tuple[list[str], list[int]], tuple[list[str], list[int]]]:
    """Every row's variants, long (4+ characters) and short, each with the index of its row."""
    longs: tuple[list[str], list[int]] = ([], [])
    shorts: tuple[list[str], list[int]] = ([], [])
    for i, row in enumerate(rows):
        for v in row.match:
            dest = longs if len(v) >= 4 else shorts
            dest[0].append(v)
            dest[1].append(i)
    return longs, shorts


RowCost = Callable[[RowMaterial], float]


def decode(segs: Sequence[Segment], rows: Sequence[Row], ncols: int, free_gaps: frozenset[str],
           row_cost: RowCost, evidence: Callable[[Segment, Row], float]) -> list[Placement]:
    """The `MAX_PATHS` cheapest monotone placements of the segments on the rows, cheapest first.

    `free_gaps` are rows the template may lack (their gap costs nothing);
    `row_cost` is the structural cost of a row's material (its total failing);
    `evidence` how much the label before a segment reads as a row (0..1).
    The moves out of a state are worked out once and applied to each of
    its kept paths; a segment's splits, their row costs and its label
    evidence are computed once (they do not depend on the path).
    """
    # A short number standing apart (a page number, a header's 数据1) is never a row: every path skips it.
    segs = [seg for seg in segs if not _stray(seg)]
    S, R = len(segs), len(rows)
    # best[j][r]: up to KEEP (cost, order, structural, back) for having used segments < j and rows < r;
    # `order` keeps equal costs in the order they were found.
    best: list[list[list[tuple]]] = [[[] for _ in range(R + 1)] for _ in range(S + 1)]
    best[0][0] = [(0.0, 0, 0.0, ())]
    splits: dict[tuple[int, int], list[RowMaterial] | None] = {}
    placed: dict[tuple[int, int], float | None] = {}  # (segment, k) -> structural cost of its k rows
    counts = [_row_counts(seg, ncols, R) for seg in segs]
    skips = [(SKIP_ROWS, SKIP_ROWS) if len(seg.atoms) >= ncols else (SKIP_SMALL, 0.0) for seg in segs]
    gaps = [0.0 if row.key in free_gaps else GAP for row in rows]
    found = 0
    targets_of: dict[tuple[int, int], list[tuple[int, ...]]] = {}

    def split_cost(j: int, k: int) -> float | None:
        if (j, k) not in placed:
            mats = splits[(j, k)] = _split(segs[j], k, ncols)
            placed[(j, k)] = None if mats is None else sum(row_cost(m) for m in mats)
        return placed[(j, k)]

    work = budget.Steps()  # bounded by construction (S × R states); the document's pool and budget are the backstop
    for j in range(S + 1):
        for r in range(R + 1):
            here = best[j][r]
            if not here:
                continue
            if not work.take():  # the document's search pool ran dry: no placement (the pipeline flags the tables)
                return []
            moves: list[tuple[int, int, float, float, object]] = []
            if r < R:  # row r a gap
                moves.append((j, r + 1, STRUCTURE * gaps[r], gaps[r], "gap"))
            if j < S:  # segment j stray
                # A few stray numbers (a page number, a placeholder word cut off a label) leave the order intact.
                cost, struct = skips[j]
                moves.append((j + 1, r, STRUCTURE * cost, struct, "skip"))
                ev = None
                for k in counts[j]:
                    if k > R - r:
                        break
                    s_cost = split_cost(j, k)
                    if s_cost is None:
                        continue
                    if ev is None:
                        ev = evidence(segs[j], rows[r])
                    if (r, k) not in targets_of:
                        targets_of[(r, k)] = _targets(r, k, rows, free_gaps)
                    for targets in targets_of[(r, k)]:
                        moves.append((j + 1, targets[-1] + 1, STRUCTURE * s_cost - ev, s_cost, (k, targets)))
            for rank, (c, _, st, _) in enumerate(here):
                for dj, dr, cost, struct, move in moves:  # `push`, inlined: this loop is the decoder's cost
                    cell = best[dj][dr]
                    total = c + cost
                    if len(cell) >= KEEP and total >= cell[-1][0]:
                        continue
                    found += 1
                    insort(cell, (total, found, st + struct, (j, r, rank, move)))
                    del cell[KEEP:]
    return [_trace(best, segs, rows, ncols, splits, rank) for rank in range(len(best[S][R]))][:MAX_PATHS]


def _stray(seg: Segment) -> bool:
    atoms = seg.atoms
    return (seg.clean_cells() is not None and sum(len(a.text) for a in atoms) <= STRAY_CHARS
            and all(a.kind != "blank" for a in atoms))


def _targets(r: int, k: int, rows: Sequence[Row], free_gaps: frozenset[str]) -> list[tuple[int, ...]]:
    """The rows k consecutive rows of values starting at row r can take: the next k, or the next k
    the template has (a 2019 table's rows of values run on over the newer template's rows it lacks)."""
    out = [tuple(range(r, r + k))] if r + k <= len(rows) else []
    if k > 1 and free_gaps:
        kept = [r] + [i for i in range(r + 1, len(rows)) if rows[i].key not in free_gaps][:k - 1]
        if len(kept) == k and tuple(kept) not in out:
            out.append(tuple(kept))
    return out


def _trace(best, segs: Sequence[Segment], rows: Sequence[Row], ncols: int, splits, rank: int) -> Placement:
    S, R = len(segs), len(rows)
    cost, _, struct, back = best[S][R][rank]
    p = Placement(cost=cost, structural=struct)
    while back:
        j, r, rk, move = back
        if isinstance(move, tuple):
            seg = segs[j]
            k, targets = move
            for i, m in enumerate(splits[(j, k)]):
                key = rows[targets[i]].key
                p.materials[key] = m
                p.spans[key] = (m.atoms[0].start if m.atoms else seg.start, m.atoms[-1].end if m.atoms else seg.end)
                if i == 0:
                    p.label_before[key] = seg.label
        back = best[j][r][rk][3]
    return p

