"""What reading the tables produces, and the pieces every table's reader shares.

`TablesRead` carries the three tables' cells, the issues and parsing
report, the template seen, the cells read with certainty (a failed identity
among them is the agency's own arithmetic), each table's region and the row
anchors found (what annotation and training label fragments from).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from extractor import confidence
from extractor.record import Cell, Issue, empty_tables
from extractor.tables.anchors import Anchor
from extractor.tables.material import LineGaps
from extractor.tables.readings import CellRead
from extractor.text.normalize import Normalized
from extractor.text.sections import Found


@dataclass
class TablesRead:
    tables: dict = field(default_factory=empty_tables)
    issues: list[Issue] = field(default_factory=list)
    parsing: dict = field(default_factory=dict)
    template: str = "2021"
    # (table, row, col) read with certainty: a failed identity among these is the agency's.
    certain: set = field(default_factory=set)
    regions: dict = field(default_factory=dict)
    # table -> the row anchors found: (row key, start, end, how, score) in normalised offsets
    anchors: dict = field(default_factory=dict)
    # The cell rhythm of a layout whose cells stand blank lines apart (`material.line_gaps`), else None.
    gaps: LineGaps | None = None
    # Which template each part was printed in ("table2": its columns; "table3": its 其他处理 row or rows).
    parts: dict = field(default_factory=dict)
    # The stretches of the source read by OCR (`Document.ocr_spans`), where its faults are looked for.
    ocr_spans: list = field(default_factory=list)

    def by_ocr(self, norm: Normalized, pos: int) -> bool:
        """Whether normalised offset `pos` stands in text read by OCR."""
        at = norm.source_pos(pos)
        return any(s <= at < e for s, e in self.ocr_spans)

    def report_template(self) -> str:
        """The report's template: table 2's (the form's columns), else table 3's; a hybrid keeps the newer.

        A 2021 report whose table 3 keeps the 2019 single 其他处理 row is a
        2021 report with one older part (`parsing.template_parts`), not a 2019 one.
        """
        return self.parts.get("table2") or self.parts.get("table3") or self.template

    def record_anchors(self, table: str, rows, found: list[Anchor | None]) -> None:
        self.anchors[table] = [(r.key, a.start, a.end, a.how, a.score) for r, a in zip(rows, found) if a is not None]


def region_anchors(text: str, start: int, end: int, headings: list[Found]) -> list[Anchor]:
    return [Anchor("furniture", f.start, f.end, "heading") for f in headings if start <= f.start < end]


def next_stop(pos: int, anchors: list[Anchor], end: int) -> int:
    return min([a.start for a in anchors if a.start >= pos] + [end])


def make_cell(norm: Normalized, src: str, c: CellRead, conf: float) -> Cell:
    """The record's cell for a cell read: its value, printed text and span in the source."""
    if c.kind == "blank" or c.start is None:
        return Cell(None, min(conf, confidence.BLANK), None)
    s, e = norm.to_source(c.start, c.end)
    printed = src[s:e]
    if c.kind == "zero":
        return Cell(0, conf, None, printed, raw_span=(s, e))
    raw = printed if printed != str(c.value) else None
    if c.pieces > 1 and _digits(printed) != c.raw:
        return Cell(c.value, conf, None, printed, raw_span=(s, e))  # torn pieces with other cells' between
    return Cell(c.value, conf, (s, e), raw)


def _digits(s: str) -> str:
    """The digits a reader of the span sees: compatibility forms folded first (`⅓` shows a 1 and a 3)."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", s) if ch.isdigit() or ch == ".")


def printed(norm: Normalized, src: str, c: CellRead) -> dict:
    """A cell of a reading the record did not take, as the record writes cells but without a confidence:
    what a later pass needs to put it in the cell's place (`parsing`'s readings and solutions)."""
    d = make_cell(norm, src, c, confidence.ABSENT).to_dict()
    del d["confidence"]
    return d


def base_level(c: CellRead) -> float:
    """The level a cell of a reading the identities prove earns by how it was printed."""
    if c.kind == "zero":
        return confidence.PLACEHOLDER
    if c.cut or c.pieces > 1:
        return confidence.SOLVED
    return confidence.PRINTED


def row_total_ok(cells: list[CellRead]) -> bool:
    """A table-3 row reading whose last cell (总计) is the sum of the others."""
    vals = [c.value or 0 for c in cells]
    return vals[-1] == sum(vals[:-1])
