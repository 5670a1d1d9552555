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

Mess kinds of their own (`CONVERTER_MESS`): `displaced_labels`;
`lost_column`, a table-2 row printed with one of its three numbers lost,
that number left below the table as a loose annotated line
(`3（其中修订2件）`); `loose_rows`, table 2's one-number rows as loose
lines (`行政许可 120`); `repeated_headings`, each table's heading printed
twice (`## 表二` then `表二：…`).
"""
from __future__ import annotations

import random
from typing import Protocol, Sequence

from extractor.spec.labels import labels
from extractor.training.annotations import FRAGMENT_FORMS
from extractor.training.generate.grid import Cell, Table

CONVERTER_LAYOUTS: tuple[str, ...] = ("shattered", "ocr")
# Where a converter left each label fragment: the `form` of its gold fragment (`FRAGMENT_FORMS`).
FORMS = FRAGMENT_FORMS
_FURNITURE = ("header", "table4.header")


class Writer(Protocol):
    """The document being written (`layout.Doc`): plain text, and label text with its gold fragment."""

    def add(self, s: str) -> None: ...

    def label(self, s: str, key: str, form: str) -> None: ...


# A cell as written: plain text (a value, an empty cell) or (label text, fragment label, form).
Piece = str | tuple[str, str, str]
# The agency's notes a lost number stands with when the converter moved it out of its row.
_LOST_NOTES = ("（其中修订{k}件）", "（含自然失效{k}件）", "（其中新制发{k}件）")
_TABLE_NUMBERS = {"table2": "表二", "table3": "表三", "table4": "表四"}


def _pipes(out: Writer, cells: Sequence[Piece]) -> None:
    """A markdown row `| a | b |` of pieces, each label piece recorded with its gold fragment."""
    out.add("| ")
    for i, c in enumerate(cells):
        if i:
            out.add(" | ")
        if isinstance(c, tuple):
            out.label(*c)
        else:
            out.add(c)
    out.add(" |\n")


def _rule(n: int) -> str:
    return "|" + "|".join(["---"] * max(1, n)) + "|"


def _cells(row: list[Cell]) -> list[Piece]:
    """A grid row's cells as printed intact: label cells with their fragment label, values as text."""
    return [c.text if c.value or not c.key else (c.text, c.key, "intact") for c in row]


def _broken(rng: random.Random, c: Cell, whole: str) -> list[Piece]:
    """`_shatter` of a label cell, each piece with the cell's fragment label (`whole`: the form when unbroken)."""
    pieces = _shatter(rng, c.text)
    if len(pieces) == 1:
        return [(pieces[0], c.key, whole)]
    form = "broken_header" if c.key in _FURNITURE else "broken_label"
    return [(p, c.key, form) for p in pieces]


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


def _split_row(row: list[Cell]) -> tuple[list[Cell], list[str]]:
    """(label cells, value texts) of one grid row."""
    return [c for c in row if not c.value], [c.text for c in row if c.value]


def write_converter_table(out: Writer, rows: Table, name: str, layout: str,
                          mess: frozenset[str], rng: random.Random, title: str = "") -> None:
    """A table as the converter `layout` writes it, through `out` (the document), every label fragment with
    its gold label and form (`FORMS`): the converter knows which cell each piece came from and where it put it."""
    if "repeated_headings" in mess and name in _TABLE_NUMBERS:
        out.add(f"## {_TABLE_NUMBERS[name]}\n\n{_TABLE_NUMBERS[name]}：{title}\n\n")
    if name == "table3":
        (_shattered_table3 if layout == "shattered" else _ocr_table3)(out, rows, "displaced_labels" in mess, rng)
    elif name == "table4" and layout == "ocr":
        _ocr_table4(out, rows, rng)
    elif name == "table2" and mess & {"lost_column", "loose_rows"}:
        _table2(out, rows, rng, layout == "shattered", mess)
    else:
        _plain(out, rows, rng, layout == "shattered")


def _table2(out: Writer, rows: Table, rng: random.Random, shattered: bool, mess: frozenset[str]) -> None:
    """Table 2 with a lost column (its number a loose note below) or its one-number rows as loose lines."""
    three = [r for r, row in enumerate(rows) if sum(c.value for c in row) == 3]
    lost_row = rng.choice(three) if "lost_column" in mess and three else None
    notes: list[str] = []
    for r, row in enumerate(rows):
        cells = _cells(row)
        values = [c.text for c in row if c.value]
        if r == lost_row:
            k = rng.randint(1, 2)  # the middle or the last number is the one lost
            v = str(cells.pop([i for i, c in enumerate(row) if c.value][k]))
            n = int(v) if v.isdigit() else 0
            notes.append(v + rng.choice(_LOST_NOTES).format(k=rng.randint(0, n) if n else 0))
        if "loose_rows" in mess and len(values) == 1 and len(cells) == 2:
            label, value = cells
            out.label(*label) if isinstance(label, tuple) else out.add(label)
            out.add(f" {value}\n")
            continue
        if shattered and rng.random() < 0.3:
            cells += [""] * rng.randint(1, 2)
        _pipes(out, cells)
        if r == 0:
            out.add(_rule(len(cells)) + "\n")
    out.add("\n" + "".join(note + "\n" for note in notes) + "\n")


def _plain(out: Writer, rows: Table, rng: random.Random, shattered: bool) -> None:
    """Tables 2 and 4 as markdown rows, each printed cell once (trailing empties, rules in between)."""
    for r, row in enumerate(rows):
        cells = _cells(row)
        if shattered and rng.random() < 0.3:
            cells += [""] * rng.randint(1, 2)
        _pipes(out, cells)
        if r == 0 or (shattered and rng.random() < 0.3):
            out.add(_rule(len(cells)) + "\n")
    out.add("\n")


def _shattered_table3(out: Writer, rows: Table, displaced: bool, rng: random.Random) -> None:
    header, body = rows[:3], rows[3:]
    for row in header:  # header words broken over cells and lines
        for c in row:
            pieces = _broken(rng, c, "intact")
            _pipes(out, pieces[:1] + [""] * rng.randint(0, 2))
            for p in pieces[1:]:
                _pipes(out, [p])
        if rng.random() < 0.5:
            out.add(_rule(rng.randint(1, 4)) + "\n")
    pending: list[Cell] = []  # labels a displaced layout prints one row late
    for row in body:
        labels_, values = _split_row(row)
        group, label = (labels_[:-1], labels_[-1]) if labels_ else ([], None)
        for g in group:
            if len(g.text) > 6 and rng.random() < 0.5:  # the vertical group label, one character a line
                for ch in g.text:
                    out.label(ch, g.key, "vertical")
                    out.add("\n")
            else:
                for p in _broken(rng, g, "group_cell"):
                    _pipes(out, [p])
        vals = list(values) + [""] * (rng.randint(1, 3) if rng.random() < 0.3 else 0)
        style = rng.random()
        if displaced and style < 0.35 and label is not None:  # printed after the next row: above another's numbers
            _pipes(out, [""] + vals)
            pending.append(label)
        else:
            if style < 0.55 and label is not None:
                for p in _broken(rng, label, "intact"):
                    _pipes(out, [p])
                _pipes(out, vals)
            elif style < 0.65 or label is None:
                _pipes(out, [""] + vals)  # the label lost
            else:
                _pipes(out, [(label.text, label.key, "intact")] + vals)
            for lab in pending:
                _pipes(out, [(lab.text, lab.key, "displaced")])
            pending = []
        if rng.random() < 0.3:
            out.add(_rule(rng.randint(2, 8)) + "\n")
        if rng.random() < 0.15:
            out.add("\n")
    for lab in pending:
        _pipes(out, [(lab.text, lab.key, "displaced")])
    out.add("\n")


def _generic_header(n: int) -> list[Piece]:
    word = labels().raw["render"]["ocr"]["column_word"]
    return [""] + [(f"{word}{i}", "header", "generic_header") for i in range(1, n)] + [
        (labels().col3_labels[-1], "header", "generic_header")]


def _ocr_table3(out: Writer, rows: Table, displaced: bool, rng: random.Random) -> None:
    header, body = rows[:3], rows[3:]
    if rng.random() < 0.5:
        note = header[0][0]
        _pipes(out, [(note.text, note.key, "intact")])
        out.add(_rule(1) + "\n\n")
    for _ in range(rng.randint(1, 3)):  # the applicant header, read as empty tables
        _pipes(out, ["-", "-"])
        out.add(_rule(2) + "\n\n")
    # One table per printed group: a row with a group cell, or the 一、/四、 rows, opens a table.
    tables: list[list[tuple[list[tuple[str, str]], list[str]]]] = []
    for row in body:
        labels_, values = _split_row(row)
        opens = len(labels_) > 1 or any(c.cs >= 2 and not c.value for c in row) or not tables
        if opens:
            tables.append([])
        tables[-1].append(([(_misread(rng, c.text, 0.3), c.key) for c in labels_],
                           [_torn(rng, v, 0.1) for v in values]))
    last = len(tables) - 1
    for t, trows in enumerate(tables):
        n = len(trows[0][1])
        if t == last and len(trows) > 1 and rng.random() < 0.6:
            # A header the model invented from the row labels; the rows under it unlabelled.
            _labels_cell(out, [lab for labs, _ in trows for lab in labs], "invented_header", _generic_header(n)[1:])
            out.add(_rule(n + 1) + "\n")
            for _, vals in trows:
                _pipes(out, [""] + vals)
        else:
            _pipes(out, _generic_header(n))
            out.add(_rule(n + 1) + "\n")
            for labs, vals in trows:
                _labels_cell(out, labs, "intact", vals)
        out.add("\n")


def _labels_cell(out: Writer, labs: list[tuple[str, str]], form: str, rest: Sequence[Piece]) -> None:
    """A row whose first cell holds several labels run together (a group and its first row; an invented header)."""
    out.add("| ")
    for text, key in labs:
        out.label(text, key, form)
    for c in rest:
        out.add(" | ")
        out.label(*c) if isinstance(c, tuple) else out.add(c)
    out.add(" |\n")


def _ocr_table4(out: Writer, rows: Table, rng: random.Random) -> None:
    """Table 4 as one table per group, each under its own column headers."""
    heads = [(c.text, c.key, "intact") for c in rows[2]]
    values = [c.text for c in rows[3]]
    groups = labels().group4
    glabels = labels().group4_labels
    n = len(values) // len(groups)
    for g, glabel in enumerate(glabels):
        _pipes(out, [(glabel.split("·")[-1], f"table4.{groups[g]}", "intact")])
        out.add("\n")
        _pipes(out, heads[:n])
        out.add(_rule(n) + "\n")
        _pipes(out, [_torn(rng, v, 0.1) for v in values[g * n:(g + 1) * n]])
        out.add("\n")
