"""Tables as PDF→markdown converters and OCR/layout models write them: labels shattered, displaced or lost.

A converter keeps the numbers of a value row together and in order, but
not its label: `shattered` is a PDF→markdown converter (a dozen small
tables and loose lines, header words broken across cells and lines, value
rows with no label, labels a row away from their values, group labels in
cells of their own, `|---|` rules between fragments, trailing empty cells,
the vertical group label one character a line); `ocr` is an OCR or layout
model (one table per group under generic column headers, the applicant
header replaced by empty `- | -` tables, the last rows under a header it
invented from their labels, table 4 split into one table per group, look-
alike characters in labels, spaces inside numbers).  Values are never
changed: gold stays gold.
"""
from __future__ import annotations

import random
from typing import Callable

from extractor.spec.labels import labels
from extractor.training.generate.grid import Cell, Table

CONVERTER_LAYOUTS: tuple[str, ...] = ("shattered", "ocr")


def _pipes(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _rule(n: int) -> str:
    return "|" + "|".join(["---"] * max(1, n)) + "|"


def _shatter(rng: random.Random, text: str) -> list[str]:
    """A word broken where the converter's cell box cut it: 商业企 / 业."""
    lead = 2 if text[:1].isdigit() else 1  # an ordinal stays with its label ("3." never alone)
    if len(text) < lead + 2 or rng.random() < 0.4:
        return [text]
    k = rng.randint(lead, len(text) - 1)
    return [text[:k], text[k:]]


def _ocr_confusions() -> dict[str, str]:
    """Look-alike characters an OCR model swaps (data: [render.ocr] confusions, pairs of characters)."""
    pairs = labels().raw["render"]["ocr"]["confusions"]
    out: dict[str, str] = {}
    for p in pairs:
        out[p[0]] = p[1]
    return out


def _misread(rng: random.Random, text: str, p: float) -> str:
    conf = _ocr_confusions()
    spots = [i for i, ch in enumerate(text) if ch in conf]
    if not spots or rng.random() >= p:
        return text
    i = rng.choice(spots)
    return text[:i] + conf[text[i]] + text[i + 1:]


def _torn(rng: random.Random, v: str, p: float) -> str:
    """A space inside a number of three or more digits (OCR): 1 234."""
    if len(v) >= 3 and v.isdigit() and rng.random() < p:
        k = rng.randint(1, len(v) - 1)
        return v[:k] + " " + v[k:]
    return v


def _split_row(row: list[Cell]) -> tuple[list[str], list[str]]:
    """(label texts, value texts) of one grid row."""
    return [c.text for c in row if not c.value], [c.text for c in row if c.value]


def write_converter_table(add: Callable[[str], None], rows: Table, name: str, layout: str, displaced: bool,
                          rng: random.Random) -> None:
    """A table as the converter `layout` writes it, through `add` (the document's writer)."""
    if name == "table3":
        (_shattered_table3 if layout == "shattered" else _ocr_table3)(add, rows, displaced, rng)
    elif name == "table4" and layout == "ocr":
        _ocr_table4(add, rows, rng)
    else:
        _plain(add, rows, rng, layout == "shattered")


def _plain(add: Callable[[str], None], rows: Table, rng: random.Random, shattered: bool) -> None:
    """Tables 2 and 4 as markdown rows, each printed cell once (trailing empties, rules in between)."""
    for r, row in enumerate(rows):
        cells = [c.text for c in row]
        if shattered and rng.random() < 0.3:
            cells += [""] * rng.randint(1, 2)
        add(_pipes(cells) + "\n")
        if r == 0 or (shattered and rng.random() < 0.3):
            add(_rule(len(cells)) + "\n")
    add("\n")


def _shattered_table3(add: Callable[[str], None], rows: Table, displaced: bool, rng: random.Random) -> None:
    header, body = rows[:3], rows[3:]
    for row in header:  # header words broken over cells and lines
        for c in row:
            pieces = _shatter(rng, c.text)
            add(_pipes(pieces[:1] + [""] * rng.randint(0, 2)) + "\n")
            for p in pieces[1:]:
                add(_pipes([p]) + "\n")
        if rng.random() < 0.5:
            add(_rule(rng.randint(1, 4)) + "\n")
    pending: list[str] = []  # labels a displaced layout prints one row late
    for row in body:
        labels_, values = _split_row(row)
        group, label = (labels_[:-1], labels_[-1]) if labels_ else ([], "")
        for g in group:
            if len(g) > 6 and rng.random() < 0.5:  # the vertical group label, one character a line
                add("".join(ch + "\n" for ch in g))
            else:
                for p in _shatter(rng, g):
                    add(_pipes([p]) + "\n")
        vals = list(values) + [""] * (rng.randint(1, 3) if rng.random() < 0.3 else 0)
        style = rng.random()
        if displaced and style < 0.35:  # printed after the next row: above another row's numbers
            add(_pipes([""] + vals) + "\n")
            pending.append(label)
        else:
            if style < 0.55:
                for p in _shatter(rng, label):
                    add(_pipes([p]) + "\n")
                add(_pipes(vals) + "\n")
            elif style < 0.65:
                add(_pipes([""] + vals) + "\n")  # the label lost
            else:
                add(_pipes([label] + vals) + "\n")
            for lab in pending:
                add(_pipes([lab]) + "\n")
            pending = []
        if rng.random() < 0.3:
            add(_rule(rng.randint(2, 8)) + "\n")
        if rng.random() < 0.15:
            add("\n")
    for lab in pending:
        add(_pipes([lab]) + "\n")
    add("\n")


def _generic_header(n: int) -> list[str]:
    word = labels().raw["render"]["ocr"]["column_word"]
    return [""] + [f"{word}{i}" for i in range(1, n)] + [labels().col3_labels[-1]]


def _ocr_table3(add: Callable[[str], None], rows: Table, displaced: bool, rng: random.Random) -> None:
    header, body = rows[:3], rows[3:]
    if rng.random() < 0.5:
        add(_pipes([header[0][0].text]) + "\n" + _rule(1) + "\n\n")
    for _ in range(rng.randint(1, 3)):  # the applicant header, read as empty tables
        add(_pipes(["-", "-"]) + "\n" + _rule(2) + "\n\n")
    # One table per printed group: a row with a group cell, or the 一、/四、 rows, opens a table.
    tables: list[list[tuple[list[str], list[str]]]] = []
    for row in body:
        labels_, values = _split_row(row)
        opens = len(labels_) > 1 or any(c.cs >= 2 and not c.value for c in row) or not tables
        if opens:
            tables.append([])
        tables[-1].append(([_misread(rng, x, 0.3) for x in labels_], [_torn(rng, v, 0.1) for v in values]))
    last = len(tables) - 1
    for t, trows in enumerate(tables):
        n = len(trows[0][1])
        if t == last and len(trows) > 1 and rng.random() < 0.6:
            # A header the model invented from the row labels; the rows under it unlabelled.
            add(_pipes(["".join(lab for labs, _ in trows for lab in labs)] + _generic_header(n)[1:]) + "\n")
            add(_rule(n + 1) + "\n")
            for _, vals in trows:
                add(_pipes([""] + vals) + "\n")
        else:
            add(_pipes(_generic_header(n)) + "\n" + _rule(n + 1) + "\n")
            for labs, vals in trows:
                add(_pipes(["".join(labs)] + vals) + "\n")
        add("\n")


def _ocr_table4(add: Callable[[str], None], rows: Table, rng: random.Random) -> None:
    """Table 4 as one table per group, each under its own column headers."""
    heads = [c.text for c in rows[2]]
    values = [c.text for c in rows[3]]
    groups = labels().group4_labels
    n = len(values) // len(groups)
    for g, glabel in enumerate(groups):
        add(_pipes([glabel.split("·")[-1]]) + "\n\n")
        add(_pipes(heads[:n]) + "\n" + _rule(n) + "\n")
        add(_pipes([_torn(rng, v, 0.1) for v in values[g * n:(g + 1) * n]]) + "\n\n")
