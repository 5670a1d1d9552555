"""Table 4 (行政复议、行政诉讼情况, 3 groups × 5 columns): one run of 15 values, split by the group totals."""
from __future__ import annotations

from functools import lru_cache

import regex as re

from extractor import confidence
from extractor.spec.labels import labels
from extractor.tables.anchors import Anchor, dedupe, furniture
from extractor.tables.cells import TablesRead, base_level, make_cell
from extractor.tables.material import LineGaps, RowMaterial, material, placeholder_words
from extractor.tables.readings import CellRead, enumerate_readings, forced_reading
from extractor.tables.solve import solve_groups
from extractor.record import Issue
from extractor.text.normalize import Normalized
from extractor.text.sections import Found


@lru_cache(maxsize=1)
def _first_value() -> re.Pattern:
    """Where table 4's values begin: a digit or a placeholder standing alone."""
    return re.compile(rf"\d|——|[/—–\-×]|[{placeholder_words()}](?!\p{{Han}})")


def read_table4(norm: Normalized, src: str, region: tuple[int, int], headings: list[Found], out: TablesRead) -> None:
    text = norm.text
    start, end = region
    lab = labels()
    first_head = text.find(lab.raw["table4"]["first_header"], start, end)
    if first_head < 0:
        first_head = start
    heads = dedupe(furniture(text, first_head, end, lab.table4_headers))
    # Values start after the header block: the last furniture before the first digit.
    m = _first_value().search(text, first_head, end)
    if m is None:
        out.issues.append(Issue("table4.missing", "no values found for table 4"))
        return
    first_val = m.start()
    vstart = max([a.end for a in heads if a.end <= first_val] + [first_head])
    n = len(lab.col4) * len(lab.group4)
    mat, stop = _table4_material(text, vstart, end, heads, n, out.gaps, out.by_ocr(norm, vstart))
    size = len(lab.col4)

    def group_ok(cells: list[CellRead]) -> bool:
        if len(cells) % size:
            return True
        g = [c.value or 0 for c in cells[-size:]]
        return g[-1] == sum(g[:-1])

    rs, complete = enumerate_readings(mat, n, prune=group_ok)
    status = "ok" if complete else "capped"
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
            conf = confidence.PLACEHOLDER if c.kind == "zero" else confidence.PRINTED
        elif status == "capped":
            conf = confidence.CAPPED
        elif status != "ok":
            conf = confidence.UNSOLVED
        elif ("all", k) in differing:
            conf = confidence.SECOND if solved.status == "preferred" else confidence.AMBIGUOUS
        else:
            conf = base_level(c)
        cell = make_cell(norm, src, c, conf)
        if ("all", k) in differing:
            alts = sorted({a["all"].values[k] for a in solved.alternatives} - {c.value}, key=str)
            cell.candidates = [{"value": c.value}] + [{"value": v} for v in alts]
        t[g][col] = cell
        if only and c.kind != "blank":
            out.certain.add(("table4", g, col))
    if solved.status == "ambiguous":
        out.issues.append(Issue("table4.ambiguous", f"{len(solved.alternatives) + 1} readings of table 4 satisfy the totals"))
    if status == "capped":
        out.issues.append(Issue("table4.search_capped", "too many readings to search completely: "
                                                        "the values are the cheapest found, not proved"))


def _table4_material(text: str, start: int, end: int, heads: list[Anchor], n: int,
                     gaps: LineGaps | None, strokes: bool) -> tuple[RowMaterial, int]:
    """Table 4's values, read on across header words printed between them.

    Most reports print one row of 15 values; some print a row per group with
    its label ("行政复议 | 0 | 0 …", "未经复议直接起诉 | …"): reading stops at
    text, so when the text is table furniture the reading goes on after it.
    """
    mat, stop = material(text, start, end, gaps=gaps, strokes=strokes)
    by_start = {a.start: a for a in heads}
    while sum(1 for a in mat.atoms if a.kind != "blank") < n and stop < end:
        s = stop
        while s < end and text[s] in " \t\n|":
            s += 1
        a = by_start.get(s)
        if a is None:
            break
        more, stop = material(text, a.end, end, gaps=gaps, strokes=strokes)
        if more.atoms:
            more.atoms[0].before = "strong"
        mat.atoms.extend(more.atoms)
    return mat, stop

