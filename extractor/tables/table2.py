"""Table 2 (主动公开政府信息情况): rows anchored and read; glued runs settled by the prose or flagged.

No identity covers table 2, so a glued run with several readings is settled
only by a number the narrative states for the cell (制发规范性文件3件), or
else kept as its most plausible reading with the others as `candidates`
and flagged.  "Most plausible" is the learned prior's (`Plausibility`,
`classify.prior`) where the pipeline gives one, else a size rule; either
way it only ranks, and the issue says which ranked.  The equally cheap
readings are kept in `parsing.table2.readings`, each with its cells and
spans, so a batch can settle the run with the same body's other years
(`checks.settle`).  The older template's columns map onto the record's by
data (`Labels.table2_columns`).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Mapping, Protocol

import regex as re

from extractor import confidence
from extractor.record import Cell, Issue
from extractor.spec.labels import Row, labels
from extractor.tables.anchors import RowClassifier, find_rows, furniture
from extractor.tables.cells import TablesRead, make_cell, next_stop, printed, region_anchors
from extractor.tables.loose import loose_numbers, over_lines, pieces, torn_readings, torn_tail, trailing_lines
from extractor.tables.material import RowMaterial, material
from extractor.tables.readings import CellRead, Reading, enumerate_readings
from extractor.tables.solve import CLEAR_MARGIN
from extractor.text.normalize import Normalized
from extractor.text.sections import Found


@lru_cache(maxsize=1)
def _hint_patterns() -> list[tuple[str, str, re.Pattern]]:
    """(row, column, pattern) for every column verb and row object of the data's table-2 hints."""
    hints = labels().raw["table2"]["hints"]
    unit = f"[{hints['units']}]"
    out = []
    for row, obj in hints["objects"].items():
        for col, verb in hints["verbs"].items():
            pat = (rf"{verb}[^。;,\d]{{0,8}}{obj}[^。;,\d]{{0,4}}?(\d+)\s*{unit}"
                   rf"|{obj}[^。;,\d]{{0,6}}{verb}[^。;,\d]{{0,4}}?(\d+)\s*{unit}"
                   rf"|{obj}[^。;,\d]{{0,8}}?\d+\s*{unit}\s*[、,]\s*{verb}\s*(\d+)\s*{unit}"
                   rf"|{obj}[^。;]{{0,40}}?(\d+)\s*{unit}[^。;,、\d]{{0,4}}?{hints['passive']}{verb}")
            out.append((row, col, re.compile(pat)))
    return out


def narrative_hints(text: str, exclude: tuple[int, int] | None) -> dict[tuple[str, str], set[int]]:
    """Numbers the prose states for table-2 cells ("制发规范性文件3件")."""
    hints: dict[tuple[str, str], set[int]] = {}
    if not any(w in text for w in labels().raw["table2"]["hints"]["prefilter"]):
        return hints
    for row, col, rx in _hint_patterns():
        for m in rx.finditer(text):
            if exclude and exclude[0] <= m.start() < exclude[1]:
                continue
            v = next(g for g in m.groups() if g)
            hints.setdefault((row, col), set()).add(int(v))
    return hints


class Plausibility(Protocol):
    """How plausible a reading of a table-2 row is (a log score, higher is likelier; None: no opinion)."""

    def score(self, row: str, cells: Mapping[str, Any]) -> float | None: ...


def size_rule(values: tuple, row: Row) -> float:
    """Without the learned prior: in force ≥ issued; few huge numbers."""
    score = 0.0
    if len(values) == 3 and row.key in ("rules", "normative_docs"):
        issued, repealed, in_force = values
        if in_force is not None and issued is not None and in_force < issued:
            score -= 2
    score -= sum(0.5 for v in values if isinstance(v, (int, float)) and v >= 10000)
    return score


def read_table2(norm: Normalized, src: str, region: tuple[int, int], headings: list[Found], out: TablesRead,
                row_classifier: RowClassifier | None = None, prior: Plausibility | None = None) -> None:
    text = norm.text
    start, end = region
    lab = labels()
    old = any(fold in text[start:end] for fold in lab.old_template["markers"])
    template = "2019" if old else "2021"
    if old:
        out.template = "2019"
    out.parts["table2"] = template
    rows = lab.table2_order
    heads = furniture(text, start, end, lab.table2_headers)
    hanchors = region_anchors(text, start, end, headings)
    found = find_rows(text, start, end, "table2", rows, heads, frozenset(r.key for r in rows if not r.columns),
                      row_classifier)
    out.record_anchors("table2", rows, found)
    anchors = [a for a in found if a] + heads + hanchors
    hints: dict = {}
    hints_read = False
    t = out.tables["table2"]
    report: dict = {"rows_found": sum(1 for a in found if a), "template": template, "rows": {}}
    gaps = out.gaps
    after, carry = start, []  # where the last row's reading stopped; its loose last lines
    for row, a in zip(rows, found):
        if a is None:
            if row.columns:
                out.issues.append(Issue("table2.missing", f"row {row.label} not found"))
            continue
        stop = next_stop(a.end, [x for x in anchors if x is not a], end)
        mat, pos = material(text, a.end, stop, gaps=gaps)
        lead = carry + loose_numbers(text, after, a.start) if after <= a.start else carry
        after, carry = max(pos, a.end), []
        if not row.columns:
            continue
        if mat.empty() and not lead:
            out.issues.append(Issue("table2.blank", f"row {row.label}: printed blank", norm.to_source(a.start, stop)))
            for col in row.columns:
                t[row.key][col] = Cell(None, confidence.BLANK, None)
            report["rows"][row.key] = "blank"
            continue
        colmap = lab.table2_columns(row, template)
        width = len(colmap)
        # Only the older template's 本年增/减 column (not kept) is signed: a kept count is never negative.
        rs, complete = enumerate_readings(mat, width, decimal=row.decimal, limit=5000, negative=template == "2019",
                                          accept=_unsigned_where_kept(colmap))
        tail = torn_tail(text, mat, pos, stop)
        torn = bool(lead) or tail is not None or over_lines(text, mat, width) or (not rs and pieces(mat) > width)
        if torn:
            carry = trailing_lines(text, mat) if pieces(mat) > width else []
            loose = lead + (mat.atoms if tail is None else tail)
            rs = torn_readings(text, loose, width, decimal=row.decimal, negative=template == "2019",
                               accept=_unsigned_where_kept(colmap), printed=rs if not lead else [])
        if not rs:
            out.issues.append(Issue("table2.unsolved", f"row {row.label}: its numbers cannot be read as {width} cells",
                                    norm.to_source(a.start, stop)))
            report["rows"][row.key] = "unreadable"
            continue
        if len(rs) > 1 and not hints_read:  # only an ambiguous run needs the prose
            hints, hints_read = narrative_hints(text, region), True
        chosen, confs, alts, how, contenders = _choose_table2(row, rs, colmap, hints, prior, keep_order=torn)
        row_conf = confidence.anchor(a.how, a.score)
        if _lost_cell(text, mat, width):
            row_conf, how = min(row_conf, confidence.UNSOLVED), "lost_cell"
            out.issues.append(Issue("table2.lost_cell", f"row {row.label}: {len(mat.atoms)} numbers printed apart for "
                                                        f"{width} columns: a number was lost (moved out of its row); "
                                                        "cutting a printed number is no reading",
                                    norm.to_source(a.start, stop)))
        if torn and how != "narrative":
            row_conf, how = min(row_conf, confidence.AMBIGUOUS), "torn"
            out.issues.append(Issue("table2.loose_number", f"row {row.label}: {len(loose)} numbers printed apart "
                                                           f"for {width} columns: a number torn over the lines of "
                                                           "its cell, or a stray one; not proved",
                                    norm.to_source(lead[0].start if lead else a.start, stop)))
        if not complete:  # readings left unseen: nothing here is proved
            row_conf, how = min(row_conf, confidence.CAPPED), "capped"
            out.issues.append(Issue("table2.search_capped", f"row {row.label}: too many readings of {mat.digits!r} "
                                                            "to search completely; the values are not proved",
                                    norm.to_source(a.start, stop)))
        confs = [confidence.cell(c, row_conf) for c in confs]
        report["rows"][row.key] = how
        for k, (col, c) in enumerate(zip(colmap, chosen.cells)):
            if col is None:
                continue
            cell = make_cell(norm, src, c, confs[k])
            if alts.get(k):
                cell.candidates = [{"value": c.value}] + [{"value": v} for v in alts[k]]
            t[row.key][col] = cell
            if len(rs) == 1 and complete and a.how == "exact" and not torn:
                out.certain.add(("table2", row.key, col))
        if how == "ambiguous":
            ranked = "the prior learned from annotated reports" if _prior_ranks(prior, row, colmap, rs) else "size rules"
            report.setdefault("readings", {})[row.key] = [
                {"cells": _printed(norm, src, r, colmap), "plausibility": _rank(r, row, colmap, prior), "anchor": row_conf}
                for r in contenders]
            out.issues.append(Issue("table2.ambiguous",
                                    f"row {row.label}: {len(contenders)} equally cheap readings of the glued run "
                                    f"{mat.digits!r}; none is proved (shown first: the most plausible by {ranked})",
                                    norm.to_source(a.start, stop)))
    if template == "2019":
        out.issues.append(Issue("template.2019", "the older (2019) template: repealed and fee amounts are not in it"))
    out.parsing["table2"] = report


def _lost_cell(text: str, mat: RowMaterial, width: int) -> bool:
    """Fewer values than columns, each printed apart (`| 13 | 4 |` for three): a cell lost, not a glued run.

    Any reading of such a row splits a printed value (`13` as 1|3, `-2` as —|2), so none is a reading.
    A signed value (`-2`) is one value; values with no tab, line break or pipe between them (a space
    at most) may be a glued run, so they are not apart.
    """
    atoms = mat.atoms
    if not all(x.kind in ("num", "zero", "sign") for x in atoms):
        return False
    spans: list[list[int]] = []
    for k, x in enumerate(atoms):
        if x.kind == "num" and k and atoms[k - 1].kind == "sign" and atoms[k - 1].end == x.start:
            spans[-1][1] = x.end
        else:
            spans.append([x.start, x.end])
    apart = all(any(ch in "\t\n|" for ch in text[e:s]) for (_, e), (s, _) in zip(spans, spans[1:]))
    return 1 < len(spans) < width and apart


def _unsigned_where_kept(colmap: list[str | None]):
    """A reading filter: no negative value in a column the record keeps (fuzzing read a kept -30)."""
    def accept(cells: list[CellRead]) -> bool:
        return all(col is None or c.value is None or c.value >= 0 for col, c in zip(colmap, cells))
    return accept


def _printed(norm: Normalized, src: str, r: Reading, colmap: list[str | None]) -> dict[str, dict[str, Any]]:
    return {col: printed(norm, src, c) for col, c in zip(colmap, r.cells) if col is not None}


def _cells(r: Reading, colmap: list[str | None]) -> dict[str, Any]:
    return {col: c.value for col, c in zip(colmap, r.cells) if col is not None}


def _prior_ranks(prior: Plausibility | None, row: Row, colmap: list[str | None], rs: list[Reading]) -> bool:
    return prior is not None and prior.score(row.key, _cells(rs[0], colmap)) is not None


def _rank(r: Reading, row: Row, colmap: list[str | None], prior: Plausibility | None) -> float:
    """How plausible a reading is: the learned prior's log score where it has one, else the size rule."""
    score = prior.score(row.key, _cells(r, colmap)) if prior is not None else None
    return round(score, 6) if score is not None else size_rule(r.values, row)


def _clear(rs: list[Reading]) -> bool:
    """The cheapest reading is clearly cheaper than every other (`solve.CLEAR_MARGIN`)."""
    return len(rs) == 1 or rs[1].cost >= rs[0].cost + CLEAR_MARGIN


def _choose_table2(row: Row, rs: list[Reading], colmap: list[str | None], hints, prior: Plausibility | None,
                   keep_order: bool = False) -> tuple[Reading, list[float], dict, str, list[Reading]]:
    """(the reading taken, its cells' levels, other values per cell, how it was chosen, the contenders
    best first: for an ambiguous run, the equally cheap readings the record keeps).  `keep_order`: the
    readings come ranked by the layout (a torn row's: `loose.torn_readings`), not for the prior to rank."""
    if len(rs) == 1:
        r = rs[0]
        confs = [confidence.PLACEHOLDER if c.kind == "zero" else confidence.PRINTED_UNCHECKED if c.pieces == 1 else confidence.SECOND for c in r.cells]
        return r, confs, {}, "unique", [r]
    # Narrative: readings that agree with every stated number.
    stated = [(k, hints[(row.key, col)]) for k, col in enumerate(colmap) if col and (row.key, col) in hints]
    if stated:
        fit = [r for r in rs if all(r.cells[k].value in vals for k, vals in stated)]
        if len(fit) == 1:
            r = fit[0]
            # the prose names the reading the printed layout already clearly prefers: the layout's level stands
            level = confidence.PREFERRED if r is rs[0] and _clear(rs) else confidence.NARRATIVE
            return r, [level] * len(r.cells), {}, "narrative", [r]
        if fit:
            rs = fit
    best_cost = rs[0].cost
    contenders = rs if keep_order else [r for r in rs if r.cost < best_cost + CLEAR_MARGIN]
    if len(contenders) == 1:
        r = contenders[0]
        return r, [confidence.PREFERRED] * len(r.cells), {}, "preferred", [r]
    if keep_order:  # the layout's order first, the prior among equals
        contenders = sorted(contenders, key=lambda r: (r.cost, -_rank(r, row, colmap, prior)))
    else:
        contenders.sort(key=lambda r: (r.cost > best_cost + 1e-9, -_rank(r, row, colmap, prior)))
    r = contenders[0]
    confs, alts = [], {}
    for k, c in enumerate(r.cells):
        others = sorted({x.cells[k].value for x in contenders} - {c.value}, key=str)
        if others:
            confs.append(confidence.AMBIGUOUS if len(contenders) < 4 else confidence.UNSOLVED)
            alts[k] = others[:6]
        else:
            confs.append(confidence.AGREED)
    return r, confs, alts, "ambiguous", contenders
