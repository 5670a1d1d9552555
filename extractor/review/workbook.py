"""A record as an .xlsx in the official three-table layout, doubtful cells highlighted, for people who check by hand.

Many checkers compare numbers against the published report in a
spreadsheet.  Each table is a sheet laid out as the report prints it (rows
with their official labels, the columns in order; table 4 as one row per
group), each value in its cell; a cell that needs review (below the review
line, or named by a failing check: `indicators.doubtful_cells`, the same
rule the indicators use) is filled and carries a comment with its
confidence, the failing checks naming it and any other readings.  A first
sheet gives the report, its failing checks and its indicators.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from extractor.indicators import doubtful_cells
from extractor.review.frames import failing_checks, flagged_cells
from extractor.review.marks import FLAG_COLOUR
from extractor.spec.indicators import definitions
from extractor.spec.labels import labels

SHEETS = ("table2", "table3", "table4")


def _grid(table: str) -> tuple[list[str], list[tuple[str, str, list[str]]]]:
    """(column headers, [(row key, printed label, the record columns of the row)]) in the official layout."""
    lab = labels()
    if table == "table2":
        cols = list(dict.fromkeys(c for r in lab.table2_rows for c in r.columns))
        return ([lab.table2_column_labels[c] for c in cols],
                [(r.key, r.label, [c if c in r.columns else "" for c in cols]) for r in lab.table2_rows])
    if table == "table3":
        return list(lab.col3_labels), [(r.key, r.label, list(lab.col3)) for r in lab.table3_rows]
    return list(lab.col4_labels), [(g, label, list(lab.col4)) for g, label in zip(lab.group4, lab.group4_labels)]


def _comment(name: str, cell: dict[str, Any], checks: dict[str, list[str]]) -> str:
    parts = [f"{name}: confidence {cell.get('confidence')}"]
    if checks.get(name):
        parts.append("failing: " + ", ".join(checks[name]))
    if cell.get("candidates"):
        parts.append("other readings: " + ", ".join(str(c.get("value")) for c in cell["candidates"]))
    return "\n".join(parts)


def write_workbook(record: dict[str, Any], target: str | os.PathLike) -> int:
    """Write the record's workbook; returns the number of highlighted cells."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    fill = PatternFill("solid", fgColor=FLAG_COLOUR.lstrip("#").upper()[-6:])
    doubtful = doubtful_cells(record)
    checks = flagged_cells(record)
    wb = Workbook()
    info = wb.active
    info.title = "report"
    src, meta = record.get("source") or {}, record.get("meta") or {}
    for row in (("path", src.get("path")), ("sha256", src.get("sha256")), ("url", src.get("url")),
                ("agency", (meta.get("agency") or {}).get("value")), ("year", (meta.get("year") or {}).get("value")),
                ("confidence", record.get("confidence")), ("needs_review", record.get("needs_review"))):
        info.append(list(row))
    info.append([])
    info.append(["failing check", "detail"])
    for c in failing_checks(record):
        info.append([c.get("rule"), c.get("detail")])
    info.append([])
    values = (record.get("indicators") or {}).get("values") or {}
    uncertain = set((record.get("indicators") or {}).get("uncertain") or ())
    info.append(["indicator", "value", "uncertain"])
    for ind in definitions().indicators:
        if ind.name in values:
            info.append([f"{ind.name} {ind.zh}", values[ind.name], ind.name in uncertain])
    marked = 0
    for table in SHEETS:
        ws = wb.create_sheet(table)
        headers, rows = _grid(table)
        ws.append(["", *headers])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for key, label, cols in rows:
            cells = ((record.get("tables") or {}).get(table) or {}).get(key) or {}
            ws.append([label, *[(cells.get(c) or {}).get("value") if c else None for c in cols]])
            for j, c in enumerate(cols):
                name = f"{table}.{key}.{c}"
                if c and name in doubtful:
                    target_cell = ws.cell(row=ws.max_row, column=j + 2)
                    target_cell.fill = fill
                    target_cell.comment = Comment(_comment(name, cells.get(c) or {}, checks), "extractor")
                    marked += 1
        ws.column_dimensions["A"].width = 48
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    wb.save(target)
    return marked
