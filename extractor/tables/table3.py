"""Table 3 (收到和处理政府信息公开申请情况, 25 rows × 7 columns): rows anchored, read, solved jointly.

Each row's material is read every way it can be (`readings`); the joint
choice that satisfies the column identities across the table is the
solver's (`solve`).  The older template's single （六）其他处理 row is read
where its group label stands.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from extractor import confidence
from extractor.record import Cell, Issue
from extractor.spec.labels import Row, labels
from extractor.tables.anchors import Anchor, RowClassifier, dedupe, find_rows, furniture
from extractor.tables.cells import TablesRead, base_level, make_cell, next_stop, printed, region_anchors, row_total_ok
from extractor.tables.loose import number_lines, over_lines, trailing_lines
from extractor.tables.material import LineGaps, RowMaterial, material
from extractor.tables.readings import CellRead, Reading, enumerate_readings, forced_reading
from extractor.tables.rows3 import Rows3, settled, solve_rows
from extractor.tables.solve import Solved
from extractor.tables.table3_order import read_by_order
from extractor.text.normalize import Normalized
from extractor.text.sections import Found


def read_table3(norm: Normalized, src: str, region: tuple[int, int], headings: list[Found], out: TablesRead,
                row_classifier: RowClassifier | None = None) -> None:
    text = norm.text
    start, end = region
    lab = labels()
    rows = lab.table3_rows
    groups = dedupe(furniture(text, start, end, (), lab.table3_group_matches))
    heads = region_anchors(text, start, end, headings)
    optional = frozenset(r.key for r in rows if r.new_template_only) if out.template == "2019" else frozenset()
    found = find_rows(text, start, end, "table3", rows, groups + heads, optional, row_classifier)
    out.record_anchors("table3", rows, found)
    first_row = next((a.start for a in found if a), end)
    anchors = [a for a in found if a] + groups + heads + furniture(text, start, first_row, lab.table3_headers)
    report = {"rows_found": sum(1 for a in found if a), "fuzzy": [a.key for a in found if a and a.how in ("fuzzy", "model")]}

    st = Rows3(anchors={a.key: a for a in found if a})
    gaps = out.gaps
    loose: dict[str, tuple[int, int]] = {}  # row -> a line of numbers after its reading stopped
    for row, a in zip(rows, found):
        if a is not None:
            stop = next_stop(a.end, [x for x in anchors if x is not a], end)
            st.materials[row.key], pos = material(text, a.end, stop, gaps=gaps, strokes=out.by_ocr(norm, a.end))
            st.spans[row.key] = (a.start, stop)
            lines = number_lines(text, pos, stop) if pos < stop else []
            tail = trailing_lines(text, st.materials[row.key]) if over_lines(text, st.materials[row.key], len(lab.col3)) else []
            if lines or tail:
                loose[row.key] = lines[0] if lines else (tail[0].start, tail[-1].end)
    if _old_template_row(text, groups, anchors, end, st, gaps):
        out.template = "2019"
        out.parts["table3"] = "2019"
    elif any(r.new_template_only and r.key in st.materials for r in rows):
        out.parts["table3"] = "2021"
    solved = solve_rows(st)
    report["strategy"] = "labels"
    if _needs_order(st, solved, optional):
        by_order = read_by_order(text, start, end, out.template, row_classifier, st)
        report["sequence"] = by_order.report
        if by_order.chosen is not None and (not settled(st, solved) and _keeps_lost(by_order.chosen[0], st)
                                            or _read(by_order.chosen[0]) > _read(st)):
            st, solved = by_order.chosen
            report["strategy"] = "sequence"
        elif not settled(st, solved) and by_order.unproved is not None and _read(by_order.unproved[0]) > _read(st):
            # No reading satisfies the identities, but the order places every row of values one to one.
            st, solved = by_order.unproved
            report["strategy"] = "sequence"
            report["sequence"]["status"] = "unproved"
        elif not settled(st, solved):
            # Neither strategy's reading satisfies the identities: where they disagree, nothing proves the row.
            for key in by_order.disagreeing(st):
                s, e = st.spans[key]
                st.anchors[key] = Anchor(key, s, e, "order_uncertain")
    if report["strategy"] == "labels" and loose:
        _doubt_loose(norm, rows, loose, st, out)
    report["status"] = solved.status
    report["rows"] = st.status
    differing = solved.differing()
    for row in rows:
        _fill_row(norm, src, row, solved, differing, st, out)
    if differing and solved.complete:
        report["solutions"] = _solutions(norm, src, solved, differing, st)
    if solved.status == "ambiguous":
        out.issues.append(Issue("table3.ambiguous", f"{len(solved.alternatives) + 1} readings of glued cells satisfy every identity; cells with `candidates` need a look"))
    capped = [k for k, s in st.status.items() if s == "capped"]
    if capped or not solved.complete:
        what = f"rows {', '.join(capped)}" if capped else "the joint choice"
        out.issues.append(Issue("table3.search_capped", f"too many readings to search completely ({what}): "
                                                         "the values are the cheapest found, not proved"))
    out.parsing["table3"] = report


def _doubt_loose(norm: Normalized, rows: list[Row], loose: dict[str, tuple[int, int]], st: Rows3,
                 out: TablesRead) -> None:
    """A line of numbers after a row's values that its reading did not take (text stood between) or that
    its cells cannot hold, before the next label: a piece of a cell of this row or the next one wrapped
    over lines (its first line printed above the next row's label), or a stray number.  The identities
    may hold all the same, so both rows are placed in doubt."""
    read = [r.key for r in rows if r.key in st.materials]
    for key, (s, e) in loose.items():
        nxt = read[read.index(key) + 1:read.index(key) + 2]
        for k in [key, *nxt]:
            a, b = st.spans[k]
            st.anchors[k] = Anchor(k, a, b, "order_uncertain")
        out.issues.append(Issue("table3.loose_number", f"numbers on a line of their own after row {key}, more "
                                                       "than its cells or after its reading stopped: a piece of "
                                                       "a wrapped cell, or stray; "
                                                       f"rows {', '.join([key, *nxt])} are not proved",
                                norm.to_source(s, e)))


def _needs_order(st: Rows3, solved: Solved, optional: frozenset[str]) -> bool:
    """Label anchoring left a required row unread or blank, or the identities unsatisfied: try the row order."""
    missing = any(r.key not in st.materials and r.key not in optional and not r.new_template_only
                  for r in labels().table3_rows)
    return missing or not settled(st, solved) or any(v == "blank" for v in st.status.values())


def _read(st: Rows3) -> int:
    """How many rows have values."""
    return sum(1 for m in st.materials.values() if not m.empty())


def _keeps_lost(chosen: Rows3, st: Rows3) -> bool:
    """The reading by order reads every row the label reading read only with a lost blank placed (one
    that drops such a row, its values left as a gap, is no better than the ambiguous placement)."""
    return all(k in chosen.materials and not chosen.materials[k].empty()
               for k, v in st.status.items() if v == "lost_blank")


def _solutions(norm: Normalized, src: str, solved: Solved, differing: set[tuple[str, int]], st: Rows3) -> dict:
    """The joint readings that satisfy the identities, the one taken first, on the rows where they differ:
    what a batch needs to settle them with the same body's other years (`checks.settle`)."""
    rows = sorted({key for key, _ in differing})
    cols = labels().col3
    anchors = {k: confidence.anchor(st.anchors[k].how, st.anchors[k].score) if k in st.anchors
               else confidence.value("exact_label") for k in rows}
    return {"anchors": anchors,
            "readings": [{k: {col: printed(norm, src, c) for col, c in zip(cols, sol[k].cells)} for k in rows if k in sol}
                         for sol in [solved.choice, *solved.alternatives]]}


def _old_template_row(text: str, groups: list[Anchor], anchors: list[Anchor], end: int, st: Rows3,
                      gaps: LineGaps | None) -> bool:
    """The older template: （六）其他处理 is a row of its own, with no numbered sub-rows; True when read so."""
    lab = labels()
    seen = False
    for g_anchor in groups:
        g = next((g for g in lab.table3_groups if text[g_anchor.start:g_anchor.end] in g["match"]), None)
        target = g.get("old_template_row") if g else None
        if not target or (target in st.materials and not st.materials[target].empty()):
            continue
        stop = next_stop(g_anchor.end, [x for x in anchors if x.start > g_anchor.start], end)
        mat, _ = material(text, g_anchor.end, stop, gaps=gaps)
        sub_rows = [k for k, grp in lab.outcome_groups.items() if grp == g["key"] and k != target]
        if not mat.empty() and not any(st.materials.get(k) for k in sub_rows):
            st.materials[target] = mat
            st.spans[target] = (g_anchor.start, stop)
            seen = True
    return seen


def _level(c: CellRead, k: int, key: str, solved: Solved, differing: set[tuple[str, int]], forced: bool,
           capped: bool) -> float:
    """The confidence level of one cell of the chosen reading."""
    if forced:
        return confidence.PLACEHOLDER if c.kind == "zero" else confidence.PRINTED
    if capped:
        return min(confidence.CAPPED, confidence.PLACEHOLDER if c.kind == "zero" else confidence.CAPPED)
    if solved.status == "none":
        return confidence.UNSOLVED
    if (key, k) in differing:
        return confidence.SECOND if solved.status == "preferred" else confidence.AMBIGUOUS
    level = base_level(c)
    if solved.status == "preferred" and level > confidence.PREFERRED and (c.cut or c.pieces > 1):
        level = confidence.PREFERRED
    return level


def _unplaced(cell: Cell, value, values: set) -> None:
    """A cell of a row one blank short whose placements the identities do not single out: where the
    placements read it differently, it is as doubtful as an ambiguous cell (the solver keeps only the
    cheapest alternatives, so the row's own placements name the candidates)."""
    others = sorted(values - {value}, key=str)
    if others:
        cell.confidence = min(cell.confidence, confidence.AMBIGUOUS)
        cell.candidates = [{"value": value}] + [{"value": v} for v in others]


def _fill_row(norm: Normalized, src: str, row: Row, solved: Solved, differing: set[tuple[str, int]], st: Rows3,
              out: TablesRead) -> None:
    lab = labels()
    t = out.tables["table3"]
    key = row.key
    status = st.status.get(key)
    if key not in st.materials:
        if not (out.template == "2019" and row.new_template_only):
            out.issues.append(Issue("table3.missing", f"row {row.label} not found"))
        else:
            out.issues.append(Issue("template.2019.absent_row", f"{row.label}: not in the older template"))
        return
    if status == "blank":
        s, e = st.spans[key]
        out.issues.append(Issue("table3.blank", f"row {row.label}: cells printed blank", norm.to_source(s, e)))
        for col in lab.col3:
            t[key][col] = Cell(None, confidence.BLANK, None)
        return
    if status == "unreadable" or key not in solved.choice:
        s, e = st.spans[key]
        out.issues.append(Issue("table3.unsolved", f"row {row.label}: its numbers cannot be read as 7 cells", norm.to_source(s, e)))
        return
    forced = key in st.forced
    capped = status == "capped" or not solved.complete
    anchor = st.anchors.get(key)
    row_conf = confidence.anchor(anchor.how, anchor.score) if anchor is not None else confidence.value("exact_label")
    exact = anchor is None or anchor.how == "exact"
    for k, (col, c) in enumerate(zip(lab.col3, solved.choice[key].cells)):
        cell = make_cell(norm, src, c, confidence.cell(_level(c, k, key, solved, differing, forced, capped), row_conf))
        if (key, k) in differing:
            alts = sorted({alt[key].values[k] for alt in solved.alternatives if key in alt} - {c.value}, key=str)
            cell.candidates = [{"value": c.value}] + [{"value": v} for v in alts]
        if status == "lost_blank" and solved.status != "unique":
            _unplaced(cell, c.value, {r.values[k] for r in st.readings[key]})
        if c.kind == "blank":
            out.issues.append(Issue("table3.blank", f"{row.label} / {col}: printed blank", None))
        t[key][col] = cell
        if forced and exact and c.kind != "blank":
            out.certain.add(("table3", key, col))
    if status == "row_total_fails":
        s, e = st.spans[key]
        out.issues.append(Issue("table3.row_total", f"row {row.label}: no reading makes the total add up", norm.to_source(s, e)))
