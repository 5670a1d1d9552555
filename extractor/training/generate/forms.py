"""The three statutory tables (第二十条 items, requests, reviews and suits) as official grids filled with gold.

The grids follow the printed forms of the 2021 and 2019 templates (merged
group labels, header rows, the older template's extra table-2 columns and
rows), so a reader is tested against the structure real reports carry;
every printed word comes from the label data through `vocab`.
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from extractor.spec.labels import Row, labels
from extractor.training.generate.grid import Cell, Table
from extractor.training.generate.mess import Mess
from extractor.training.generate.vocab import vocab

# Fragment labels of the furniture cells (`classify.rows.fragments.label_names`).
HEADER, GROUP, T4_HEADER = "header", "group", "table4.header"


def _t2_values_2019(rng: random.Random, row: Row, t2: dict) -> list[Any]:
    """The older template's table-2 values: gold where the record has it, plausible extras elsewhere."""
    if row.columns == ("issued", "repealed", "in_force"):
        d = t2[row.key]
        issued = d.get("issued")
        published = rng.randint(0, issued) if isinstance(issued, int) and issued > 0 else 0
        return [issued, published, d.get("in_force")]
    if row.columns == ("decisions",):
        last = rng.randint(0, 60) if rng.random() < 0.4 else 0
        change = rng.randint(-3, 6) if rng.random() < 0.3 else 0
        return [last, change, t2[row.key]]
    return [rng.randint(0, 30) if rng.random() < 0.3 else 0, rng.randint(-2, 3) if rng.random() < 0.2 else 0]


def table2(gold: dict, template: str, mess: Mess, rng: random.Random) -> tuple[Table, int]:
    """Table 2 as cells: one block per 第二十条 item, header row, label + values."""
    words = vocab()
    t2 = gold["table2"]
    width = 4
    rows: Table = []
    lab, num = mess.label, mess.number

    def block(group: str, headers: Sequence[str], body: list[tuple[str, str, list[Any]]]) -> None:
        rows.append([Cell(lab(group), cs=width, key=HEADER)])
        head = [Cell(lab(words.t2_content), key=HEADER)] + [Cell(lab(h), key=HEADER) for h in headers]
        head[-1].cs = width - len(headers)
        rows.append(head)
        for key, label, vals in body:
            cells = [Cell(lab(label), key=f"table2.{key}")] + [Cell(num(v), value=True) for v in vals]
            cells[-1].cs = width - len(vals)
            rows.append(cells)

    if template == "2019":
        o = words.t2019
        for group, block_rows in words.t2_blocks:
            first = block_rows[0]
            body = []
            for r in block_rows:
                name = words.old_normative if r.key == "normative_docs" else r.label
                body.append((r.key, name, _t2_values_2019(rng, r, t2)))
                if r.key == "licensing" and "other_services" in words.extra_labels:
                    body.append(("other_services", words.extra_labels["other_services"], [
                        rng.randint(0, 20) if rng.random() < 0.3 else 0, 0,
                        rng.randint(0, 50) if rng.random() < 0.3 else 0]))
            if first.columns == ("issued", "repealed", "in_force"):
                headers = o["rules_headers"]
            elif first.decimal:
                headers = o["fee_headers"]
            else:
                headers = o["decision_headers"]
            block(group, headers, body)
        if "central_procurement" in words.extra_labels:
            count = rng.randint(1, 6) if rng.random() < 0.4 else 0
            amount: Any = rng.randint(5000, 3000000) if count else 0
            unit = rng.random() < 0.4
            body_p = [(words.extra_labels["central_procurement"],
                       [f"{count}笔" if unit and count else count, f"{amount}元" if unit and count else amount])]
            rows.append([Cell(lab(o["procurement_group"]), cs=width, key=HEADER)])
            head = [Cell(lab(words.t2_content), key=HEADER)] + [Cell(lab(h), key=HEADER)
                                                               for h in o["procurement_headers"]]
            head[-1].cs = width - 2
            rows.append(head)
            for label, vals in body_p:
                cells = [Cell(lab(label), key="table2.central_procurement")] + [
                    Cell(v if isinstance(v, str) else num(v), value=True) for v in vals]
                cells[-1].cs = width - 2
                rows.append(cells)
        return rows, width

    for group, block_rows in words.t2_blocks:
        cols = block_rows[0].columns
        headers = [words.t2_col_labels[c] for c in cols]
        body = []
        for r in block_rows:
            if cols == ("issued", "repealed", "in_force"):
                d = t2.get(r.key) or {}
                vals = [d.get(c) for c in cols]
            elif r.decimal:
                vals = [t2.get("fees_10k_yuan")]
            else:
                vals = [t2.get(r.key)]
            body.append((r.key, r.label, vals))
        block(group, headers, body)
    return rows, width


def table3(gold: dict, template: str, mess: Mess) -> tuple[Table, int]:
    """Table 3 as the official grid: 3 label columns, 7 value columns, merged group labels."""
    words = vocab()
    t3 = gold["table3"]
    lab, num = mess.label, mess.number
    width = 10
    rows: Table = [
        [Cell(lab(words.t3_note), rs=3, cs=3, key=HEADER), Cell(lab(words.t3_applicant), cs=7, key=HEADER)],
        [Cell(lab(words.col3_labels[0]), rs=2, key=HEADER), Cell(lab(words.t3_legal), cs=5, key=HEADER),
         Cell(lab(words.col3_labels[-1]), rs=2, key=HEADER)],
        [Cell(lab(x), key=HEADER) for x in words.col3_labels[1:-1]],
    ]
    old = template == "2019"
    order: list[tuple[str, str | None]] = []  # (row key or group key, kind)
    for r in words.t3_rows:
        if old and r.key in words.new_only_rows:
            continue
        if old and r.key in words.t3_old_row:
            order.append((r.key, "old_group"))
        else:
            order.append((r.key, None))
    keys = [k for k, _ in order]
    first_out = next(i for i, k in enumerate(keys) if k in words.t3_group_of)
    last_in = keys.index(words.outcome_total)
    span_results = last_in - first_out + 1
    by_key = {r.key: r for r in words.t3_rows}
    group_sizes: dict[str, int] = {}
    for k, kind in order:
        g = words.t3_group_of.get(k)
        if g and kind is None and by_key[k].ordinal is not None:
            group_sizes[g] = group_sizes.get(g, 0) + 1

    def values(k: str) -> list[Cell]:
        vals = t3.get(k) or [None] * 7
        return [Cell(num(v), value=True) for v in vals]

    for i, (k, kind) in enumerate(order):
        r = by_key[k]
        cells: list[Cell] = []
        if i == first_out:
            cells.append(Cell(lab(words.t3_group_label[words.t3_group_of[k]]), rs=span_results, key=GROUP))
        if kind == "old_group":  # the older template's single row printed with its group's label
            cells.append(Cell(lab(words.t3_group_label[words.t3_old_row[k]]), cs=2, key=f"table3.{k}"))
        elif first_out <= i <= last_in and r.ordinal is not None:
            g = words.t3_group_of[k]
            if r.ordinal == 1:
                cells.append(Cell(lab(words.t3_group_label[g]), rs=group_sizes[g], key=GROUP))
            cells.append(Cell(lab(r.label), key=f"table3.{k}"))
        elif first_out <= i <= last_in:
            cells.append(Cell(lab(r.label), cs=2, key=f"table3.{k}"))
        else:
            cells.append(Cell(lab(r.label), cs=3, key=f"table3.{k}"))
        rows.append(cells + values(k))
    return rows, width


def table4(gold: dict, mess: Mess) -> tuple[Table, int]:
    """Table 4: 行政复议 | 行政诉讼 (未经复议直接起诉, 复议后起诉), five columns each, one value row."""
    words = vocab()
    t4 = gold["table4"]
    lab, num = mess.label, mess.number
    n = len(words.col4_labels)
    groups = labels().group4
    width = n * len(groups)
    # A table-4 group's own words name it (`table4.<group>`); the words above them and the columns are furniture.
    top = [Cell(lab(words.t4_top[0]), cs=n, key=f"table4.{groups[0]}")]
    if len(words.t4_top) > 1:
        top.append(Cell(lab(words.t4_top[1]), cs=n * len(words.t4_sub), key=T4_HEADER))
    second = [Cell(lab(c), rs=2, key=T4_HEADER) for c in words.col4_labels] + [
        Cell(lab(s), cs=n, key=f"table4.{g}") for s, g in zip(words.t4_sub, groups[1:])]
    third = [Cell(lab(c), key=T4_HEADER) for _ in words.t4_sub for c in words.col4_labels]
    vals = [Cell(num(v), value=True) for g in groups for v in (t4.get(g) or [None] * n)]
    return [top, second, third, vals], width
