"""A table as the official grid (cells with rowspan/colspan) and the three ways flattening reads it.

Every layout starts from the same merged-cell grid, because that is what
the real reports were before Word, a PDF text layer or an HTML page
flattened them; each flattening loses the geometry differently, and those
differences are what the readers have to undo.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@dataclass(slots=True)
class Cell:
    """One grid cell: its printed text, spans, whether it holds a gold value, and what its label is.

    `key` is the fragment label of a label cell (`classify.rows.fragments.label_names`: `table3.granted`,
    `group`, `header` ...): a converter that moves or breaks the cell still knows what it was.
    """
    text: str
    rs: int = 1
    cs: int = 1
    value: bool = False
    key: str = ""


Table = list[list[Cell]]


@lru_cache(maxsize=128)
def _recipes(sig: tuple[tuple[tuple[int, int], ...], ...], width: int) -> tuple[tuple, tuple, tuple]:
    """How each flattening reads a grid of this shape (cached: a table's shape hardly varies).

    Lays out rowspans/colspans as the HTML table algorithm does, then returns,
    per row: Word's cells (merged-down leave a blank, merged-across appear
    once), every grid position tagged o(rigin)/v(ertical)/h(orizontal)/n(one),
    and the origin cells only (an HTML page flattened).
    """
    n = len(sig)
    occ: list[list[tuple[int, int, int, int] | None]] = [[None] * width for _ in sig]
    for r, row in enumerate(sig):
        c = 0
        line = occ[r]
        for ci, (rs, cs) in enumerate(row):
            while c < width and line[c] is not None:
                c += 1
            if c >= width:
                break
            for dr in range(min(rs, n - r)):
                tgt = occ[r + dr]
                for dc in range(min(cs, width - c)):
                    tgt[c + dc] = (r, ci, dr, dc)
            c += cs
    word, full, origins = [], [], []
    for line in occ:
        w: list[tuple[int, int] | None] = []
        f: list[tuple[int, int, str] | tuple[None, None, str]] = []
        o: list[tuple[int, int]] = []
        for slot in line:
            if slot is None:
                f.append((None, None, "n"))
                continue
            ri, ci, dr, dc = slot
            if not dc:
                w.append(None if dr else (ri, ci))
            if dr == 0 and dc == 0:
                f.append((ri, ci, "o"))
                o.append((ri, ci))
            else:
                f.append((None, None, "v" if dr else "h"))
        word.append(tuple(w))
        full.append(tuple(f))
        origins.append(tuple(o))
    return tuple(word), tuple(full), tuple(origins)


def flatten(rows: Table, width: int) -> tuple[list[list[str]], list[list[tuple[str, str]]], list[list[str]]]:
    """The three flattenings of a table, as text: Word's cells, the full tagged grid, origins only."""
    word_r, full_r, orig_r = _recipes(tuple(tuple((c.rs, c.cs) for c in row) for row in rows), width)
    word = [["" if p is None else rows[p[0]][p[1]].text for p in line] for line in word_r]
    full = [[(rows[ri][ci].text if ri is not None else "", tag) for ri, ci, tag in line] for line in full_r]
    orig = [[rows[ri][ci].text for ri, ci in line] for line in orig_r]
    return word, full, orig


def is_value_row(row: list[Cell]) -> bool:
    """A row that carries gold values (PDF text shifts only those)."""
    return any(c.value for c in row)
