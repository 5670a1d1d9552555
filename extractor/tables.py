"""Read the three standard tables out of normalised report text.

For each table: find its region, its anchors (`layout`), each row's value
material, every reading of that material (`readings`), and the joint choice
that satisfies the identities (`solve`).  Values are copied from the text,
never computed: a total the agency printed wrong stays as printed (the
checks flag it).  Each cell's confidence says how the value was obtained:

=====  ==================================================================
0.99   printed as its own cell, and the identities covering it hold
0.97   printed as its own cell, no identity covers it (table 2)
0.96   cut out of a glued run (or a torn number re-joined), and exactly one
       reading of the whole table satisfies the identities
0.95   a placeholder (`/`, `—`, `无`) read as 0
0.93   glued, several readings satisfy the identities, this one is clearly
       the cheapest (fewest repairs)
0.85   table-2 glued run settled by a number the narrative states
0.75   glued, a clear-second reading differs on this cell
≤0.5   ambiguous: several readings fit equally; `candidates` lists them
0.3    no reading satisfies the identities and this row's reading is in doubt
=====  ==================================================================

A cell is never more certain than its row's anchor (`model.anchor_confidence`:
1.0 for an exact label match, the classifier's probability, or a fuzzy
match's score scaled below 0.85), and `checks` later caps cells named by a
failing identity at 0.85.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import regex as re

from extractor import layout as L
from extractor.labels import Row, labels
from extractor.normalize import Normalized
from extractor.readings import CellRead, Reading, RowMaterial, enumerate_readings, forced_reading
from extractor.record import Cell, Issue, empty_tables
from extractor.sections import Found
from extractor.solve import CLEAR_MARGIN, Solved, solve_groups, solve_table3

# Confidence levels (see the module docstring).
C_PRINTED = 0.99
C_PRINTED_UNCHECKED = 0.97
C_SOLVED = 0.96
C_PLACEHOLDER = 0.95
C_PREFERRED = 0.93
C_NARRATIVE = 0.85
C_SECOND = 0.75
C_AMBIGUOUS = 0.45
C_UNSOLVED = 0.3


@dataclass
class TablesRead:
    tables: dict = field(default_factory=empty_tables)
    issues: list[Issue] = field(default_factory=list)
    parsing: dict = field(default_factory=dict)
    template: str = "2021"
    # (table, row, col) read with certainty: a failed identity among these is the agency's.
    certain: set = field(default_factory=set)
    regions: dict = field(default_factory=dict)


_FIRST_VALUE = re.compile(r"\d|——|[/—–\-×]|无(?!\p{Han})")


# ------------------------------------------------------------------ regions
def _first(text: str, literals: list[str], start: int, end: int | None = None) -> int | None:
    hits = [i for i in (text.find(x, start, end if end is not None else len(text)) for x in literals) if i >= 0]
    return min(hits) if hits else None


def regions(text: str, headings: list[Found]) -> dict[str, tuple[int, int] | None]:
    """Where each table stands: after its section heading, at its first header."""
    h = {f.id: f for f in headings}
    n = len(text)
    t2 = _first(text, ["第二十条第", "信息内容"], h["proactive"].end if "proactive" in h else 0)
    s3 = h["requests"].end if "requests" in h and (t2 is None or h["requests"].end > t2) else (t2 or 0)
    t3 = _first(text, ["勾稽关系", "申请人情况", "本年新收"], s3)
    if t3 is None and t2 is not None:
        t3 = _first(text, ["勾稽关系", "申请人情况", "本年新收"], t2)
    after3 = t3 if t3 is not None else (t2 or 0)
    if "review_litigation" in h and h["review_litigation"].end > after3:
        t4 = h["review_litigation"].end
        t4_heading = h["review_litigation"].start
    else:
        t4 = _first(text, ["结果维持", "行政复议"], after3 + 1 if t3 is not None else after3)
        t4_heading = t4
    t4_end = h["problems"].start if "problems" in h and t4 is not None and h["problems"].start > t4 else None
    if t4 is not None and t4_end is None:
        t4_end = min(n, t4 + 1500)
    t2_end = None
    if t2 is not None:
        t2_end = h["requests"].start if "requests" in h and h["requests"].start > t2 else (t3 or t4_heading or n)
    t3_end = None
    if t3 is not None:
        t3_end = t4_heading if t4_heading is not None and t4_heading > t3 else n
    return {
        "table2": (t2, t2_end) if t2 is not None else None,
        "table3": (t3, t3_end) if t3 is not None else None,
        "table4": (t4, t4_end) if t4 is not None else None,
    }


# ------------------------------------------------------------------ helpers
def _region_anchors(text: str, start: int, end: int, headings: list[Found]) -> list[L.Anchor]:
    return [L.Anchor("furniture", f.start, f.end, "heading") for f in headings if start <= f.start < end]


def _next_stop(pos: int, anchors: list[L.Anchor], end: int) -> int:
    return min([a.start for a in anchors if a.start >= pos] + [end])


def _cell(norm: Normalized, src: str, c: CellRead, conf: float) -> Cell:
    if c.kind == "blank" or c.start is None:
        return Cell(None, min(conf, 0.5), None)
    s, e = norm.to_source(c.start, c.end)
    printed = src[s:e]
    if c.kind == "zero":
        return Cell(0, conf, None, printed, raw_span=(s, e))
    raw = printed if printed != str(c.value) else None
    return Cell(c.value, conf, (s, e), raw)


def _base_conf(c: CellRead, solved_ok: bool, covered: bool = True) -> float:
    if c.kind == "zero":
        return C_PLACEHOLDER
    if c.cut or c.pieces > 1:
        return C_SOLVED if solved_ok else C_UNSOLVED
    return C_PRINTED if covered else C_PRINTED_UNCHECKED


def _row_total_ok(cells: list[CellRead]) -> bool:
    vals = [c.value or 0 for c in cells]
    return vals[-1] == sum(vals[:-1])


# ------------------------------------------------------------------ table 3
def read_table3(norm: Normalized, src: str, region: tuple[int, int], headings: list[Found], out: TablesRead) -> None:
    text = norm.text
    start, end = region
    lab = labels()
    rows = lab.table3_rows
    groups = L.furniture(text, start, end, (), tuple(m for g in lab.table3_groups for m in g["match"]))
    groups = _dedupe(groups)
    heads = _region_anchors(text, start, end, headings)
    optional = frozenset(r.key for r in rows if r.new_template_only) if out.template == "2019" else frozenset()
    found = L.find_rows(text, start, end, rows, groups + heads, optional)
    first_row = next((a.start for a in found if a), end)
    header_anchors = L.furniture(text, start, first_row, lab.table3_headers)
    anchors = [a for a in found if a] + groups + heads + header_anchors
    report = {"rows_found": sum(1 for a in found if a), "fuzzy": [a.key for a in found if a and a.how in ("fuzzy", "model")]}

    ncols = len(lab.col3)
    materials: dict[str, RowMaterial] = {}
    spans: dict[str, tuple[int, int]] = {}
    for row, a in zip(rows, found):
        if a is None:
            continue
        stop = _next_stop(a.end, [x for x in anchors if x is not a], end)
        mat, _ = L.material(text, a.end, stop)
        materials[row.key] = mat
        spans[row.key] = (a.start, stop)
    # The older template: （六）其他处理 is a row of its own, with no numbered sub-rows.
    for g_anchor in groups:
        g = next((g for g in lab.table3_groups if text[g_anchor.start:g_anchor.end] in g["match"]), None)
        target = g.get("old_template_row") if g else None
        if target and (target not in materials or materials[target].empty()):
            stop = _next_stop(g_anchor.end, [x for x in anchors if x.start > g_anchor.start], end)
            mat, _ = L.material(text, g_anchor.end, stop)
            if not mat.empty() and not any(materials.get(k) for k in ("other_overdue_correction", "other_overdue_fee")):
                materials[target] = mat
                spans[target] = (g_anchor.start, stop)
                out.template = "2019"

    candidates: dict[str, list[Reading]] = {}
    row_status: dict[str, str] = {}
    forced: set[str] = set()
    for row in rows:
        mat = materials.get(row.key)
        if mat is None:
            continue
        if mat.empty():
            row_status[row.key] = "blank"
            continue
        fast = forced_reading(mat, ncols)
        if fast is not None:
            forced.add(row.key)  # the layout leaves one reading: certain, identities or not
            candidates[row.key] = [fast]
            row_status[row.key] = "ok" if _row_total_ok(fast.cells) else "row_total_fails"
            continue
        rs, complete = enumerate_readings(mat, ncols, accept=_row_total_ok)
        if rs:
            row_status[row.key] = "ok" if complete else "incomplete"
        else:
            rs, complete = enumerate_readings(mat, ncols, limit=200)
            row_status[row.key] = "row_total_fails" if rs else "unreadable"
        if rs:
            candidates[row.key] = rs

    solved = solve_table3(candidates, list(lab.outcome_rows), ncols)
    report["status"] = solved.status
    report["rows"] = row_status
    anchors_of = {a.key: a for a in found if a}
    _fill_table3(norm, src, rows, solved, candidates, row_status, materials, spans, forced, anchors_of, out)
    out.parsing["table3"] = report


def _dedupe(anchors: list[L.Anchor]) -> list[L.Anchor]:
    """Keep the longest of overlapping furniture matches."""
    anchors.sort(key=lambda a: (a.start, -(a.end - a.start)))
    kept: list[L.Anchor] = []
    for a in anchors:
        if kept and a.start < kept[-1].end:
            continue
        kept.append(a)
    return kept


def _fill_table3(norm, src, rows, solved: Solved, candidates, row_status, materials, spans, forced, anchors_of,
                 out: TablesRead) -> None:
    from extractor.model import anchor_confidence
    lab = labels()
    t = out.tables["table3"]
    differing = solved.differing()
    for row in rows:
        key = row.key
        status = row_status.get(key)
        if key not in materials:
            if not (out.template == "2019" and row.new_template_only):
                out.issues.append(Issue("table3.missing", f"row {row.label} not found"))
            else:
                out.issues.append(Issue("template.2019.absent_row", f"{row.label}: not in the older template"))
            continue
        if status == "blank":
            s, e = spans[key]
            out.issues.append(Issue("table3.blank", f"row {row.label}: cells printed blank", norm.to_source(s, e)))
            for col in lab.col3:
                t[key][col] = Cell(None, 0.5, None)
            continue
        if status == "unreadable" or key not in solved.choice:
            s, e = spans[key]
            out.issues.append(Issue("table3.unsolved", f"row {row.label}: its numbers cannot be read as 7 cells", norm.to_source(s, e)))
            continue
        reading = solved.choice[key]
        only_reading = key in forced
        anchor = anchors_of.get(key)
        # How sure we are these numbers are this row's: 1.0 for an exact label
        # match, the classifier's probability, or a fuzzy match's score.
        row_conf = anchor_confidence(anchor) if anchor is not None else 1.0
        exact = anchor is None or anchor.how == "exact"
        for k, (col, c) in enumerate(zip(lab.col3, reading.cells)):
            if only_reading:
                conf = C_PLACEHOLDER if c.kind == "zero" else C_PRINTED
            elif solved.status == "none":
                conf = C_UNSOLVED
            elif (key, k) in differing:
                conf = C_SECOND if solved.status == "preferred" else C_AMBIGUOUS
            else:
                conf = _base_conf(c, True)
                if solved.status == "preferred" and conf > C_PREFERRED and (c.cut or c.pieces > 1):
                    conf = C_PREFERRED
            cell = _cell(norm, src, c, min(conf, row_conf))
            if (key, k) in differing:
                alts = sorted({alt[key].values[k] for alt in solved.alternatives if key in alt} - {c.value}, key=str)
                cell.candidates = [{"value": c.value}] + [{"value": v} for v in alts]
            if c.kind == "blank":
                out.issues.append(Issue("table3.blank", f"{row.label} / {col}: printed blank", None))
            t[key][col] = cell
            if only_reading and exact and c.kind != "blank":
                out.certain.add(("table3", key, col))
        if status == "row_total_fails":
            s, e = spans[key]
            out.issues.append(Issue("table3.row_total", f"row {row.label}: no reading makes the total add up", norm.to_source(s, e)))
    if solved.status == "ambiguous":
        out.issues.append(Issue("table3.ambiguous", f"{len(solved.alternatives) + 1} readings of glued cells satisfy every identity; cells with `candidates` need a look"))
    if not solved.complete:
        out.issues.append(Issue("table3.unsolved", "too many readings to search completely"))


# ------------------------------------------------------------------ table 4
def read_table4(norm: Normalized, src: str, region: tuple[int, int], headings: list[Found], out: TablesRead) -> None:
    text = norm.text
    start, end = region
    lab = labels()
    first_head = text.find("结果维持", start, end)
    if first_head < 0:
        first_head = start
    heads = _dedupe(L.furniture(text, first_head, end, lab.table4_headers))
    # Values start after the header block: the last furniture before the first digit.
    m = _FIRST_VALUE.search(text, first_head, end)
    if m is None:
        out.issues.append(Issue("table4.missing", "no values found for table 4"))
        return
    first_val = m.start()
    vstart = max([a.end for a in heads if a.end <= first_val] + [first_head])
    n = len(lab.col4) * len(lab.group4)
    mat, stop = _table4_material(text, vstart, end, heads, n)
    size = len(lab.col4)

    def group_ok(cells: list[CellRead]) -> bool:
        if len(cells) % size:
            return True
        g = [c.value or 0 for c in cells[-size:]]
        return g[-1] == sum(g[:-1])

    rs, complete = enumerate_readings(mat, n, prune=group_ok)
    status = "ok"
    if not rs:
        rs, complete = enumerate_readings(mat, n, limit=200)
        status = "group_total_fails" if rs else "unreadable"
    report = {"status": status, "readings": len(rs)}
    out.parsing["table4"] = report
    if not rs:
        out.issues.append(Issue("table4.unsolved", f"table 4: its numbers cannot be read as {n} cells",
                                norm.to_source(vstart, stop)))
        return
    solved = solve_groups(rs, size)
    only = forced_reading(mat, n) is not None
    differing = solved.differing()
    t = out.tables["table4"]
    for k, c in enumerate(solved.choice["all"].cells):
        g, col = lab.group4[k // size], lab.col4[k % size]
        if only:
            conf = C_PLACEHOLDER if c.kind == "zero" else C_PRINTED
        elif status != "ok":
            conf = C_UNSOLVED
        elif ("all", k) in differing:
            conf = C_SECOND if solved.status == "preferred" else C_AMBIGUOUS
        else:
            conf = _base_conf(c, True)
        cell = _cell(norm, src, c, conf)
        if ("all", k) in differing:
            alts = sorted({a["all"].values[k] for a in solved.alternatives} - {c.value}, key=str)
            cell.candidates = [{"value": c.value}] + [{"value": v} for v in alts]
        t[g][col] = cell
        if only and c.kind != "blank":
            out.certain.add(("table4", g, col))
    if solved.status == "ambiguous":
        out.issues.append(Issue("table4.ambiguous", f"{len(solved.alternatives) + 1} readings of table 4 satisfy the totals"))


def _table4_material(text: str, start: int, end: int, heads: list[L.Anchor], n: int) -> tuple[RowMaterial, int]:
    """Table 4's values, read on across header words printed between them.

    Most reports print one row of 15 values; some print a row per group with
    its label ("行政复议 | 0 | 0 …", "未经复议直接起诉 | …"): reading stops at
    text, so when the text is table furniture the reading goes on after it.
    """
    mat, stop = L.material(text, start, end)
    by_start = {a.start: a for a in heads}
    while sum(1 for a in mat.atoms if a.kind != "blank") < n and stop < end:
        s = stop
        while s < end and text[s] in " \t\n|":
            s += 1
        a = by_start.get(s)
        if a is None:
            break
        more, stop = L.material(text, a.end, end)
        if more.atoms:
            more.atoms[0].before = "strong"
        mat.atoms.extend(more.atoms)
    return mat, stop


# ------------------------------------------------------------------ table 2
def _table2_rows(template: str) -> tuple[Row, ...]:
    lab = labels()
    by = {r.key: r for r in lab.table2_rows + lab.table2_extra_rows}
    order = ["rules", "normative_docs", "licensing", "other_services", "punishment", "coercion", "fees", "central_procurement"]
    return tuple(by[k] for k in order if k in by)


def _table2_width(row: Row, template: str) -> int:
    old = labels().old_template
    if template == "2019":
        if row.key in ("rules", "normative_docs"):
            return len(old["rules_columns"])
        if row.key == "fees":
            return len(old["fee_columns"])
        if row.key == "central_procurement":
            return 2
        return len(old["decision_columns"])
    if row.key == "other_services":
        return 3
    if row.key == "central_procurement":
        return 2
    return len(row.columns)


def _column_map(row: Row, template: str) -> list[str | None]:
    """Which record column each printed column of a table-2 row goes to."""
    old = labels().old_template
    if template != "2019":
        return list(row.columns) if row.columns else [None] * _table2_width(row, template)
    if row.key in ("rules", "normative_docs"):
        cols = old["rules_columns"]
    elif row.key == "fees":
        cols = old["fee_columns"]
    elif row.key in ("licensing", "punishment", "coercion"):
        cols = old["decision_columns"]
    else:
        return [None] * _table2_width(row, template)
    return [c if c in row.columns else None for c in cols]


_HINT_VERBS = {
    "issued": r"(?:制发|印发|出台|制定|新制定|发布|新制发|制作)",
    "repealed": r"(?:废止|废除|清理废止)",
    "in_force": r"(?:现行有效|有效)",
}
_HINT_OBJECTS = {"rules": r"规章", "normative_docs": r"(?:行政)?规范性文件"}


@lru_cache(maxsize=1)
def _hint_patterns() -> list[tuple[str, str, re.Pattern]]:
    out = []
    for row, obj in _HINT_OBJECTS.items():
        for col, verb in _HINT_VERBS.items():
            pat = rf"{verb}[^。;,\d]{{0,8}}{obj}[^。;,\d]{{0,4}}?(\d+)\s*[件个部份条]|{obj}[^。;,\d]{{0,6}}{verb}[^。;,\d]{{0,4}}?(\d+)\s*[件个部份条]"
            out.append((row, col, re.compile(pat)))
    return out


def narrative_hints(text: str, exclude: tuple[int, int] | None) -> dict[tuple[str, str], set[int]]:
    """Numbers the prose states for table-2 cells ("制发规范性文件3件")."""
    hints: dict[tuple[str, str], set[int]] = {}
    if "规章" not in text and "规范性文件" not in text:
        return hints
    for row, col, rx in _hint_patterns():
        for m in rx.finditer(text):
            if exclude and exclude[0] <= m.start() < exclude[1]:
                continue
            v = m.group(1) or m.group(2)
            hints.setdefault((row, col), set()).add(int(v))
    return hints


def _plausibility(values: tuple, row: Row) -> float:
    """A weak prior for table-2 glued runs: in force ≥ issued; few huge numbers."""
    score = 0.0
    if len(values) == 3 and row.key in ("rules", "normative_docs"):
        issued, repealed, in_force = values
        if in_force is not None and issued is not None and in_force < issued:
            score -= 2
    score -= sum(0.5 for v in values if isinstance(v, (int, float)) and v >= 10000)
    return score


def read_table2(norm: Normalized, src: str, region: tuple[int, int], headings: list[Found], out: TablesRead) -> None:
    from extractor.model import anchor_confidence

    text = norm.text
    start, end = region
    lab = labels()
    old = any(fold in text[start:end] for fold in lab.old_template["markers"])
    template = "2019" if old else "2021"
    if old:
        out.template = "2019"
    rows = _table2_rows(template)
    heads = L.furniture(text, start, end, lab.table2_headers)
    hanchors = _region_anchors(text, start, end, headings)
    found = L.find_rows(text, start, end, rows, heads, frozenset(r.key for r in rows if not r.columns))
    anchors = [a for a in found if a] + heads + hanchors
    hints: dict = {}
    hints_read = False
    t = out.tables["table2"]
    report: dict = {"rows_found": sum(1 for a in found if a), "template": template, "rows": {}}
    for row, a in zip(rows, found):
        colmap = _column_map(row, template)
        if a is None:
            if row.columns:
                out.issues.append(Issue("table2.missing", f"row {row.label} not found"))
            continue
        stop = _next_stop(a.end, [x for x in anchors if x is not a], end)
        mat, _ = L.material(text, a.end, stop)
        if not row.columns:
            continue
        if mat.empty():
            out.issues.append(Issue("table2.blank", f"row {row.label}: printed blank", norm.to_source(a.start, stop)))
            for col in row.columns:
                t[row.key][col] = Cell(None, 0.5, None)
            report["rows"][row.key] = "blank"
            continue
        width = _table2_width(row, template)
        rs, complete = enumerate_readings(mat, width, decimal=row.decimal, limit=5000, negative=template == "2019")
        if not rs:
            out.issues.append(Issue("table2.unsolved", f"row {row.label}: its numbers cannot be read as {width} cells",
                                    norm.to_source(a.start, stop)))
            report["rows"][row.key] = "unreadable"
            continue
        if len(rs) > 1 and not hints_read:  # only an ambiguous run needs the prose
            hints, hints_read = narrative_hints(text, region), True
        chosen, confs, alts, how = _choose_table2(row, rs, colmap, hints)
        row_conf = anchor_confidence(a)
        confs = [min(c, row_conf) for c in confs]
        report["rows"][row.key] = how
        for k, (col, c) in enumerate(zip(colmap, chosen.cells)):
            if col is None:
                continue
            cell = _cell(norm, src, c, confs[k])
            if alts.get(k):
                cell.candidates = [{"value": c.value}] + [{"value": v} for v in alts[k]]
            t[row.key][col] = cell
            if len(rs) == 1 and a.how == "exact":
                out.certain.add(("table2", row.key, col))
        if how == "ambiguous":
            out.issues.append(Issue("table2.ambiguous",
                                    f"row {row.label}: {len(rs)} readings of the glued run {mat.digits!r}; none is proved",
                                    norm.to_source(a.start, stop)))
    if template == "2019":
        out.issues.append(Issue("template.2019", "the older (2019) template: repealed and fee amounts are not in it"))
    out.parsing["table2"] = report


def _choose_table2(row: Row, rs: list[Reading], colmap: list[str | None], hints) -> tuple[Reading, list[float], dict, str]:
    if len(rs) == 1:
        r = rs[0]
        confs = [C_PLACEHOLDER if c.kind == "zero" else C_PRINTED_UNCHECKED if c.pieces == 1 else C_SECOND for c in r.cells]
        return r, confs, {}, "unique"
    # Narrative: readings that agree with every stated number.
    stated = [(k, hints[(row.key, col)]) for k, col in enumerate(colmap) if col and (row.key, col) in hints]
    if stated:
        fit = [r for r in rs if all(r.cells[k].value in vals for k, vals in stated)]
        if len(fit) == 1:
            r = fit[0]
            return r, [C_NARRATIVE] * len(r.cells), {}, "narrative"
        if fit:
            rs = fit
    best_cost = rs[0].cost
    contenders = [r for r in rs if r.cost < best_cost + CLEAR_MARGIN]
    if len(contenders) == 1:
        r = contenders[0]
        return r, [C_PREFERRED] * len(r.cells), {}, "preferred"
    cheapest = [r for r in contenders if r.cost <= best_cost + 1e-9]
    r = sorted(cheapest, key=lambda r: -_plausibility(r.values, row))[0]
    confs, alts = [], {}
    for k, c in enumerate(r.cells):
        others = sorted({x.cells[k].value for x in contenders} - {c.value}, key=str)
        if others:
            confs.append(C_AMBIGUOUS if len(contenders) < 4 else C_UNSOLVED)
            alts[k] = others[:6]
        else:
            confs.append(0.9)
    return r, confs, alts, "ambiguous"


# ------------------------------------------------------------------ entry
def read_tables(norm: Normalized, src: str, headings: list[Found]) -> TablesRead:
    out = TablesRead()
    regs = regions(norm.text, headings)
    out.regions = regs
    if regs["table2"]:
        read_table2(norm, src, regs["table2"], headings, out)
    else:
        out.issues.append(Issue("table2.missing", "table 2 (主动公开政府信息情况) not found"))
    if regs["table3"]:
        read_table3(norm, src, regs["table3"], headings, out)
    else:
        out.issues.append(Issue("table3.missing", "table 3 (收到和处理政府信息公开申请情况) not found"))
    if regs["table4"]:
        read_table4(norm, src, regs["table4"], headings, out)
    else:
        out.issues.append(Issue("table4.missing", "table 4 (行政复议、行政诉讼情况) not found"))
    return out
