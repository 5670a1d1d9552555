"""Boxes on a page into the document's lines: text lines, and ruled tables as tab-joined rows.

A PDF's text layer (one box a character) and OCR (one box a run of text)
both give text with boxes, and a page's ruling lines come from its drawing
(PDF paths) or from the picture (`ocr.rulings`).  This module is the one
place that turns boxes and rulings into what the reader needs: merged
cells found from which grid borders are really drawn (the text of a cell
spanning rows or columns in its top-left slot, as `flatten` writes every
format), text outside tables in lines top to bottom, page numbers
(`- 5 -`) dropped, and a table continued across a page break kept one
table.  Coordinates are top-down (y grows down the page), in any unit: the
tolerances scale with the text height.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from extractor.input.flatten import cell_text, grid_lines, is_wide

# Tables are searched on pages of at most this many ruling segments: the
# grid is quadratic in them, and a real report page has a few hundred (564
# at most in the corpus); a fuzzed page of 26,000 is read as text lines.
MAX_EDGES = 3000
# A page number or running footer standing alone on its line: `- 5 -`, `— 5 —`, `5`, `第 5 页`, `5/12`.
PAGE_NUMBER = re.compile(r"^[-—–－·\s]*(?:第\s*)?\d{1,3}(?:\s*页)?(?:\s*/\s*\d{1,3})?(?:\s*页)?[-—–－·\s]*$")
# Where page furniture stands: the top and bottom this share of the page.
MARGIN_SHARE = 0.1


@dataclass(slots=True)
class Box:
    """Text with its box: a character of a text layer, or a run read by OCR."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(slots=True)
class Edge:
    """A ruling segment: horizontal (`at` = y, from `lo` to `hi` in x) or vertical (`at` = x, `lo`..`hi` in y)."""

    horizontal: bool
    at: float
    lo: float
    hi: float


@dataclass
class Page:
    """One page's items in reading order: (kind, lines), kind "text", "table" or "number".

    A "number" is a bare number alone on the page's outermost line (`5`):
    a page number only if another page's agrees with it (`join_pages`),
    since a table's lone cell (`0`, `9`) can stand there as well.
    """

    items: list[tuple[str, list[str]]]


class _Union:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, a: int) -> int:
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def join(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _snap(values: list[float], tol: float) -> list[float]:
    """Sorted positions with those closer than `tol` merged into their mean."""
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(g) / len(g) for g in out]


def _tables(edges: list[Edge], tol: float) -> list[list[Edge]]:
    """The edges grouped by what touches what: each group of at least 3 x 3 lines is a table's ruling."""
    if len(edges) > MAX_EDGES:
        return []
    hs = [e for e in edges if e.horizontal]
    vs = [e for e in edges if not e.horizontal]
    u = _Union(len(edges))
    idx = {id(e): k for k, e in enumerate(edges)}
    vs_sorted = sorted(vs, key=lambda e: e.at)
    xs = [e.at for e in vs_sorted]
    for h in hs:
        a = bisect.bisect_left(xs, h.lo - tol)
        b = bisect.bisect_right(xs, h.hi + tol)
        for v in vs_sorted[a:b]:
            if v.lo - tol <= h.at <= v.hi + tol:
                u.join(idx[id(h)], idx[id(v)])
    groups: dict[int, list[Edge]] = {}
    for k, e in enumerate(edges):
        groups.setdefault(u.find(k), []).append(e)
    out = []
    for group in groups.values():
        ys = _snap([e.at for e in group if e.horizontal], tol)
        xs_ = _snap([e.at for e in group if not e.horizontal], tol)
        if len(ys) >= 3 and len(xs_) >= 3:
            out.append(group)
    return out


def _by_line(edges: list[Edge], lines: list[float]) -> list[list[tuple[float, float]]]:
    """The segments on each grid line (by the nearest line), as (lo, hi)."""
    out: list[list[tuple[float, float]]] = [[] for _ in lines]
    for e in edges:
        k = bisect.bisect_left(lines, e.at)
        if k == len(lines) or k > 0 and e.at - lines[k - 1] < lines[k] - e.at:
            k -= 1
        out[k].append((e.lo, e.hi))
    return out


def _covered(segments: list[tuple[float, float]], lo: float, hi: float) -> bool:
    """Whether segments on one grid line cover most of lo..hi (a border drawn there)."""
    got = sum(max(0.0, min(hi, b) - max(lo, a)) for a, b in segments)
    return got >= (hi - lo) * 0.6


class Grid:
    """A ruled table: its column and row lines, and which grid slots merge into one cell."""

    def __init__(self, group: list[Edge], tol: float) -> None:
        self.xs = _snap([e.at for e in group if not e.horizontal], tol)
        self.ys = _snap([e.at for e in group if e.horizontal], tol)
        hs = _by_line([e for e in group if e.horizontal], self.ys)
        vs = _by_line([e for e in group if not e.horizontal], self.xs)
        nr, nc = len(self.ys) - 1, len(self.xs) - 1
        self.nr, self.nc = nr, nc
        u = _Union(nr * nc)
        for i in range(nr):
            for j in range(nc):
                if j + 1 < nc and not _covered(vs[j + 1], self.ys[i], self.ys[i + 1]):
                    u.join(i * nc + j, i * nc + j + 1)
                if i + 1 < nr and not _covered(hs[i + 1], self.xs[j], self.xs[j + 1]):
                    u.join(i * nc + j, (i + 1) * nc + j)
        self.root = [u.find(k) for k in range(nr * nc)]

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]

    def slot(self, box: Box) -> int | None:
        """The merged cell (its top-left slot) a box's centre falls in, or None outside the table."""
        cx, cy = box.cx, box.cy
        if not (self.xs[0] <= cx <= self.xs[-1] and self.ys[0] <= cy <= self.ys[-1]):
            return None
        j = min(bisect.bisect_right(self.xs, cx) - 1, self.nc - 1)
        i = min(bisect.bisect_right(self.ys, cy) - 1, self.nr - 1)
        return self.root[i * self.nc + j]

    def rows(self, cells: dict[int, list[Box]]) -> list[str]:
        grid = [[""] * self.nc for _ in range(self.nr)]
        for root, boxes in cells.items():
            grid[root // self.nc][root % self.nc] = cell_text("\n".join(text_lines(boxes)))
        return grid_lines(grid)


def text_lines(boxes: list[Box]) -> list[str]:
    """Boxes into lines, top to bottom (see `line_text`)."""
    return [t for t in (line_text(line) for line in _line_groups(boxes)) if t]


def line_text(line: list[Box]) -> str:
    """One line's boxes, left to right; a gap wider than a quarter of the line height is a space (not between Han)."""
    parts: list[str] = []
    prev: Box | None = None
    for b in line:
        if b.text == " ":
            if parts and parts[-1] != " ":
                parts.append(" ")  # a space printed as a character
            continue
        if prev is not None and parts[-1] != " " and b.x0 - prev.x1 > 0.25 * (b.bottom - b.top) \
                and not (is_wide(prev.text[-1]) and is_wide(b.text[0])):
            parts.append(" ")  # a gap between Han characters is spacing, never a word break
        parts.append(b.text)
        prev = b
    return "".join(parts).strip()


def _line_groups(boxes: list[Box]) -> list[list[Box]]:
    """Boxes whose vertical centres fall within one line's band, each line sorted left to right."""
    lines: list[tuple[float, float, list[Box]]] = []
    for b in sorted(boxes, key=lambda b: (b.cy, b.x0)):
        if lines:
            top, bottom, members = lines[-1]
            if top <= b.cy <= bottom:
                members.append(b)
                lines[-1] = (min(top, b.top), max(bottom, b.bottom), members)
                continue
        lines.append((b.top, b.bottom, [b]))
    return [sorted(members, key=lambda b: b.x0) for _, _, members in lines]


def page_layout(boxes: list[Box], edges: list[Edge], height: float) -> Page:
    """One page: its ruled tables as rows and the rest as text lines, in order top to bottom."""
    heights = sorted(b.bottom - b.top for b in boxes) or [height / 100]
    tol = max(1.0, heights[len(heights) // 2] * 0.3)
    grids = [Grid(g, tol) for g in _tables(edges, tol)]
    grids = [g for g in grids if g.nr >= 2 and g.nc >= 2]
    in_table: list[dict[int, list[Box]]] = [{} for _ in grids]
    rest: list[Box] = []
    for b in boxes:
        for k, g in enumerate(grids):
            slot = g.slot(b)
            if slot is not None:
                in_table[k].setdefault(slot, []).append(b)
                break
        else:
            rest.append(b)
    items: list[tuple[float, int, str, list[str]]] = []
    lines = [(line, text) for line in _line_groups(rest) if (text := line_text(line))]
    outer = _outermost(boxes, lines)
    for k, (line, text) in enumerate(lines):
        top = min(b.top for b in line)
        bottom = max(b.bottom for b in line)
        margin = top > height * (1 - MARGIN_SHARE) or bottom < height * MARGIN_SHARE
        if margin and PAGE_NUMBER.match(text):
            if not text.isdigit():
                continue  # a decorated page number: furniture, even where a table runs on past it
            if k in outer:
                items.append((top, 0, "number", [text]))
                continue
        items.append((top, 0, "text", [text]))
    for g, cells in zip(grids, in_table):
        rows = g.rows(cells)
        if rows:
            items.append((g.bbox[1], 1, "table", rows))
    items.sort(key=lambda it: (it[0], it[1]))
    return Page([(kind, lines) for _, _, kind, lines in items])


def _outermost(boxes: list[Box], lines: list[tuple[list[Box], str]]) -> set[int]:
    """The indexes of the text lines nothing on the page stands above (or below): where a page number stands."""
    if not lines:
        return set()
    top, bottom = min(b.top for b in boxes), max(b.bottom for b in boxes)
    return {k for k, (line, _) in enumerate(lines)
            if min(b.top for b in line) <= top or max(b.bottom for b in line) >= bottom}


def _page_numbers(pages: list[Page]) -> set[tuple[int, int]]:
    """(page, item) of the bare outermost numbers that count pages: another page's differs by as many pages.

    A lone cell value on a page's last line is kept: `9` then `0` on the next page is no count.
    """
    found = [(p, k, int(item[0])) for p, page in enumerate(pages)
             for k, (kind, item) in enumerate(page.items) if kind == "number"]
    return {(p, k) for p, k, v in found if any(q != p and w - v == q - p for q, _, w in found)}


def join_pages(pages: list[Page]) -> tuple[str, list[tuple[int, int]]]:
    """The document text, and each page's (start, end) in it.

    A table that ends one page and starts the next is one table: its rows
    run on without the blank lines around a table.  Never two blank lines
    in a row, none at the start or end.  Bare page numbers that count the
    pages are dropped (`_page_numbers`); other bare numbers are text.
    """
    lines: list[str] = []
    bounds: list[tuple[int, int]] = []
    pos = 0  # the length of "\n".join(lines)
    last_kind = ""
    span: list[int] = []  # the page's first and last character so far

    def add(line: str) -> None:
        nonlocal pos
        if line == "" and (not lines or lines[-1] == ""):
            return
        pos += len(line) + (1 if lines else 0)
        lines.append(line)
        if line:
            span[:] = [span[0] if span else pos - len(line), pos]

    numbers = _page_numbers(pages)
    for p, page in enumerate(pages):
        span = []
        items = [("text" if kind == "number" else kind, item) for k, (kind, item) in enumerate(page.items)
                 if (p, k) not in numbers]
        for k, (kind, item) in enumerate(items):
            continued = k == 0 and kind == "table" and last_kind == "table"
            if continued and lines and lines[-1] == "":
                lines.pop()
                pos -= 1
            for line in item if kind == "text" else ([] if continued else [""]) + item + [""]:
                add(line)
            last_kind = kind
        bounds.append((span[0], span[1]) if span else (pos, pos))
    while lines and lines[-1] == "":
        lines.pop()
        pos -= 1
    text = "\n".join(lines)
    return text, [(min(s, len(text)), min(e, len(text))) for s, e in bounds]
