"""Messy synthetic annual reports whose every value is known: the project's own test data.

Real reports reach us flattened from Word (one cell a line), from PDF (tab
rows with merged cells shifted), from HTML pages (`|` pipes, real tables),
as markdown, and from crawlers that glue a whole page onto one line.  An
extractor is only as good as the variety it has been checked against, and
hand-checked gold is scarce, so this module renders gold tables and planted
narrative facts into whole reports in those layouts, with the kinds of mess
real ones carry (bookmarks, Word comments, odd spaces, page furniture, split
labels, placeholders ...).  Mess only changes presentation: the gold stays.

Everything is deterministic for the `random.Random` passed in, and every
label is read from `extractor.labels` (data/labels.toml), never spelled here.

    >>> import random
    >>> from extractor import generate
    >>> rng = random.Random(7)
    >>> gold = generate.random_tables(rng)
    >>> g = generate.render(gold, layout="glued", mess=("thousands",), rng=rng)
    >>> g.text[:3], g.gold["table3"]["new"] == gold["table3"]["new"]
    ('标题:', True)
"""
from __future__ import annotations

import argparse
import html
import json
import random
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Sequence, Union

from extractor.labels import Row, labels, outcome_groups

LAYOUTS: tuple[str, ...] = ("cells_per_line", "tabs", "pipes", "markdown", "glued")
MESS_KINDS: tuple[str, ...] = (
    "bookmarks", "word_comments", "fullwidth", "odd_spaces", "crlf",
    "page_furniture", "split_words", "broken_labels", "thousands", "placeholders",
)
TEMPLATES: tuple[str, ...] = ("2021", "2019")

_CN_DIGITS = "零一二三四五六七八九"
_CN_ORDINALS = "一二三四五六七八九十"


# ---------------------------------------------------------------- results

@dataclass
class Generated:
    """One rendered report: its text, the gold it was rendered from, and what was planted.

    `facts` spans index `text` (code points); `gold` holds the tables in the
    corpus gold shape plus "agency" and "year".
    """
    text: str
    gold: dict
    layout: str
    mess: tuple[str, ...]
    facts: list[dict]
    seed: int | None = None
    template: str = "2021"

    def gold_record(self) -> dict:
        """The `.gold.json` content of a bundled sample: gold plus what was planted."""
        return {**self.gold, "template": self.template, "layout": self.layout,
                "mess": list(self.mess), "seed": self.seed, "facts": self.facts}


# ---------------------------------------------------------------- vocabulary

@dataclass(frozen=True)
class _Vocab:
    """The label data arranged the way the renderer walks it (built once per process)."""
    raw: dict
    title_suffix: str
    sections: tuple[tuple[str, str, tuple[str, ...]], ...]
    t2_blocks: tuple[tuple[str, tuple[Row, ...]], ...]
    t2_col_labels: dict[str, str]
    t2_content: str
    t2019: dict
    old_normative: str
    extra_labels: dict[str, str]
    t3_rows: tuple[Row, ...]
    t3_group_of: dict[str, str]
    t3_group_label: dict[str, str]
    t3_old_row: dict[str, str]
    outcome_total: str
    t3_note: str
    t3_applicant: str
    t3_legal: str
    col3_labels: tuple[str, ...]
    t4_top: tuple[str, ...]
    t4_sub: tuple[str, ...]
    col4_labels: tuple[str, ...]
    zero_marks: tuple[str, ...]
    units: tuple[str, ...]
    outcome_rows: tuple[str, ...]
    new_only_rows: tuple[str, ...]


@lru_cache(maxsize=1)
def _vocab() -> _Vocab:
    """Arrange `labels()` for rendering; why separate: the walk is done once, not per report."""
    L = labels()
    raw = L.raw
    rnd = raw["render"]
    sec_var = rnd.get("section_variants", {})
    sections = tuple((s.id, s.title, tuple(sec_var.get(s.id, [s.title]))) for s in L.sections)

    blocks: list[tuple[str, list[Row]]] = []
    for rrow, row in zip(raw["table2"]["rows"], L.table2_rows):
        if not blocks or blocks[-1][0] != rrow["group"]:
            blocks.append((rrow["group"], []))
        blocks[-1][1].append(row)
    norm = next(r for r in raw["table2"]["rows"] if r["key"] == "normative_docs")
    old_norm = next((m for m in norm["match"] if m != norm["label"]), norm["label"])
    extras = {r["key"]: r["match"][0] for r in raw["table2"].get("extra_rows", [])}

    groups = raw["table3"]["groups"]
    group_of = outcome_groups()
    group_label = {g["key"]: g["match"][0] for g in groups}
    old_row = {g["old_template_row"]: g["key"] for g in groups if "old_template_row" in g}
    outcome_total = next(i.lhs[0] for i in L.identities if i.rhs == "outcomes")

    splits = [lab.split("·") for lab in L.group4_labels]
    t4_top = tuple(dict.fromkeys(s[0] for s in splits))
    t4_sub = tuple(s[1] for s in splits if len(s) > 1)
    return _Vocab(
        raw=raw,
        title_suffix=rnd["report_title"],
        sections=sections,
        t2_blocks=tuple((g, tuple(rs)) for g, rs in blocks),
        t2_col_labels=dict(L.table2_column_labels),
        t2_content=rnd["table2_content_header"],
        t2019=dict(rnd["t2019"]),
        old_normative=old_norm,
        extra_labels=extras,
        t3_rows=L.table3_rows,
        t3_group_of=group_of,
        t3_group_label=group_label,
        t3_old_row=old_row,
        outcome_total=outcome_total,
        t3_note=rnd["table3_note"],
        t3_applicant=rnd["table3_applicant_header"],
        t3_legal=rnd["table3_legal_person_header"],
        col3_labels=L.col3_labels,
        t4_top=t4_top,
        t4_sub=t4_sub,
        col4_labels=L.col4_labels,
        zero_marks=tuple(raw["placeholders"]["zero"]),
        units=tuple(raw["placeholders"]["units"]),
        outcome_rows=L.outcome_rows,
        new_only_rows=tuple(r.key for r in L.table3_rows if r.new_template_only),
    )


# ---------------------------------------------------------------- random gold

_OUTCOME_WEIGHTS = {  # how often each outcome is used in real reports (by row key)
    "granted": 40, "partial": 10, "unable_no_info": 22, "other_other": 6,
    "denied_third_party": 3, "denied_internal_affairs": 3, "denied_process_info": 3,
    "denied_enforcement_file": 2, "denied_query": 2, "rejected_complaint": 3,
    "rejected_repeat": 3, "rejected_confirm": 2, "unable_need_create": 2, "unable_unclear": 2,
    "other_overdue_correction": 2,
}


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """`total` into `parts` positive integers (cut points): fast even for thousands."""
    parts = max(1, min(parts, total))
    if parts == 1:
        return [total]
    cuts = sorted(rng.sample(range(1, total), parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total])]


def _sized(rng: random.Random, weights: Sequence[float], ranges: Sequence[tuple[int, int]]) -> int:
    """A count from a mixture of ranges: mostly small, sometimes huge, as real tables are."""
    lo, hi = rng.choices(ranges, weights=weights)[0]
    return rng.randint(lo, hi)


def _random_table2(rng: random.Random, template: str) -> dict:
    """Table 2: mostly zeros and small document counts, decisions from 0 to millions."""
    old = template == "2019"

    def docs(p_zero: float, issued_hi: int, force_hi: int) -> dict:
        if rng.random() < p_zero:
            return {"issued": 0, "repealed": None if old else 0, "in_force": 0}
        issued = rng.randint(0, issued_hi)
        repealed = None if old else (rng.randint(0, max(1, issued_hi // 2)) if rng.random() < 0.5 else 0)
        in_force = issued + rng.randint(0, force_hi) * (10 if rng.random() < 0.1 else 1)
        return {"issued": issued, "repealed": repealed, "in_force": in_force}

    big = ((0, 0), (1, 999), (1000, 200000), (200001, 2500000))
    fees: float | int | None
    if old:
        fees = None
    elif rng.random() < 0.6:
        fees = 0
    else:
        fees = round(rng.uniform(0.01, 10000) ** rng.choice((0.5, 1.0)), rng.choice((0, 2, 2, 4)))
        fees = int(fees) if fees == int(fees) else fees
    return {
        "rules": docs(0.85, 3, 20),
        "normative_docs": docs(0.35, 15, 80),
        "licensing": _sized(rng, (40, 35, 20, 5), big),
        "punishment": _sized(rng, (45, 35, 17, 3), big),
        "coercion": _sized(rng, (65, 30, 5, 0.1), big),
        "fees_10k_yuan": fees,
    }


def _applicants(rng: random.Random, n: int) -> list[int]:
    """Split `n` applications over the six applicant columns: mostly natural persons."""
    cols = [0] * 6
    rest = n
    for i, p in ((1, 0.35), (2, 0.04), (3, 0.08), (4, 0.12), (5, 0.15)):
        if rest > 1 and rng.random() < p:
            k = rng.randint(1, max(1, rest // 4))
            cols[i] = k
            rest -= k
    cols[0] = rest
    return cols


def _random_table3(rng: random.Random, template: str) -> dict:
    """Table 3 that satisfies every identity by construction (rows, balance, outcomes)."""
    V = _vocab()
    old = template == "2019"
    n = _sized(rng, (20, 35, 28, 13, 4), ((0, 0), (1, 9), (10, 99), (100, 999), (1000, 6000)))
    new = _applicants(rng, n)
    carried_over = [(rng.randint(0, max(1, c // 8)) if rng.random() < 0.25 else 0) for c in new]
    forward = []
    for a, b in zip(new, carried_over):
        have = a + b
        forward.append(rng.randint(0, max(1, have // 6)) if have and rng.random() < 0.3 else 0)
    forward = [min(f, a + b) for f, a, b in zip(forward, new, carried_over)]
    processed = [a + b - f for a, b, f in zip(new, carried_over, forward)]

    outcomes = [k for k in V.outcome_rows if not (old and k in V.new_only_rows)]
    weights = [_OUTCOME_WEIGHTS.get(k, 1) for k in outcomes]
    cells = {k: [0] * 6 for k in outcomes}
    for col, total in enumerate(processed):
        if not total:
            continue
        k = min(total, rng.choice((1, 1, 2, 2, 3, 4, 6)))
        chosen: list[str] = []
        while len(chosen) < k:
            pick = rng.choices(outcomes, weights=weights)[0]
            if pick not in chosen:
                chosen.append(pick)
        for key, part in zip(chosen, _split(rng, total, k)):
            cells[key][col] += part

    def row(vals: list[int]) -> list[int]:
        return [*vals, sum(vals)]

    out: dict[str, list] = {}
    for r in V.t3_rows:
        if r.key in cells:
            out[r.key] = row(cells[r.key])
        elif old and r.key in V.new_only_rows:
            out[r.key] = [None] * 7
    out["new"] = row(new)
    out["carried_over"] = row(carried_over)
    out[V.outcome_total] = row(processed)
    out["carried_forward"] = row(forward)
    return {r.key: out[r.key] for r in V.t3_rows}


def _random_table4(rng: random.Random) -> dict:
    """Table 4: usually all zeros, a few reviews or suits for busy agencies."""
    busy = rng.random() < 0.35
    out = {}
    for g in labels().group4:
        if not busy or rng.random() < 0.4:
            vals = [0, 0, 0, 0]
        else:
            vals = [rng.randint(0, 6), rng.randint(0, 2) * (rng.random() < 0.3),
                    rng.randint(0, 3) * (rng.random() < 0.3), rng.randint(0, 3) * (rng.random() < 0.4)]
        out[g] = [*vals, sum(vals)]
    return out


def random_tables(rng: random.Random, *, template: str = "2021") -> dict:
    """Gold tables in the corpus gold shape that satisfy every accounting identity.

    `template="2019"` leaves what the older template lacks as null: table-2
    `repealed` and fees, and the two new （六）其他处理 rows (its single row is
    `other_other`).
    """
    if template not in TEMPLATES:
        raise ValueError(f"template must be one of {TEMPLATES}")
    return {"table2": _random_table2(rng, template), "table3": _random_table3(rng, template),
            "table4": _random_table4(rng)}


def template_of(gold: dict) -> str:
    """Which template a gold was made from: the older one lacks the new （六） rows."""
    t3 = gold.get("table3", {})
    rows = [t3.get(k) for k in _vocab().new_only_rows]
    if rows and all(r is None or all(v is None for v in r) for r in rows):
        return "2019"
    return "2021"


# ---------------------------------------------------------------- number text

_FW = {ord(c): ord(c) + 0xFEE0 for c in "0123456789.,%ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"}
_ASCII_PUNCT = {ord(c): unicodedata.normalize("NFKC", c) for c in "（）：，；"}
# Spaces around a cell value ("@"): Word's NBSP padding, ideographic spaces, a stray tab.
_ODD_SPACES = ("@\u00a0", "\u00a0@", "\u00a0\u3000@", "@\u00a0\u3000", "\u00a0@\u3000", "@\u00a0\t")


def _fmt_number(v: int | float) -> str:
    """A table value as printed: integers plain, decimals without float noise."""
    if isinstance(v, float):
        if v == int(v):
            return str(int(v))
        return repr(v)
    return str(v)


def _group3(s: str) -> str:
    """Thousands separators: 139265 -> 139,265 (decimals keep their fraction)."""
    neg = s.startswith("-")
    if neg:
        s = s[1:]
    head, dot, frac = s.partition(".")
    parts = []
    while len(head) > 3:
        parts.append(head[-3:])
        head = head[:-3]
    parts.append(head)
    return ("-" if neg else "") + ",".join(reversed(parts)) + dot + frac


def _cn_small(n: int) -> str:
    """1..99 in Chinese numerals (三场, 十二次): narrative counts are often written so."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


def _cn_ordinal(i: int) -> str:
    """1 -> 一 ... 10 -> 十 for headings."""
    return _CN_ORDINALS[i - 1]


# ---------------------------------------------------------------- mess

class _Mess:
    """Applies the chosen mess kinds to cells, labels and headings, and keeps count.

    A kind that has not fired yet fires more eagerly, so each chosen kind shows
    up in every report that has a place for it.
    """

    def __init__(self, kinds: Iterable[str], rng: random.Random, zero_marks: Sequence[str],
                 units: Sequence[str]):
        self.on = frozenset(kinds)
        unknown = self.on - set(MESS_KINDS)
        if unknown:
            raise ValueError(f"unknown mess kinds: {sorted(unknown)}")
        self.rng = rng
        self.used: dict[str, int] = {}
        self.page = rng.randint(2, 5)
        self.furniture_style = rng.randrange(5)
        marks = [*zero_marks, *(f"0{u}" for u in units[:4])]
        self.zero_style = rng.sample(marks, k=min(len(marks), rng.choice((1, 1, 2, 3))))

    def hit(self, kind: str, p: float) -> bool:
        """Whether to apply `kind` here (never when it was not chosen)."""
        if kind not in self.on:
            return False
        if kind not in self.used:
            p = max(p, 0.5)
        if self.rng.random() < p:
            self.used[kind] = self.used.get(kind, 0) + 1
            return True
        return False

    def number(self, v: int | float | None, *, cell: bool = True) -> str:
        """A value as printed, with the value-level mess kinds."""
        if v is None:
            return ""
        s = _fmt_number(v)
        on = self.on
        if not on:
            return s
        rng = self.rng
        if cell and v == 0 and "placeholders" in on and self.hit("placeholders", 0.4):
            s = rng.choice(self.zero_style)
        else:
            if abs(v) >= 1000 and "thousands" in on and self.hit("thousands", 0.85):
                s = _group3(s)
            if "fullwidth" in on and self.hit("fullwidth", 0.2 if cell else 0.3):
                s = s.translate(_FW)
        if cell:
            if "odd_spaces" in on and self.hit("odd_spaces", 0.25):
                s = rng.choice(_ODD_SPACES).replace("@", s)
            if "bookmarks" in on and self.hit("bookmarks", 0.02):
                s = self.bookmark() + s
        return s

    def bookmark(self) -> str:
        """A Word bookmark as pandoc prints it ([bookmark: _Toc92144018])."""
        rng = self.rng
        kind = rng.choice(("_GoBack", "_Toc", "_Toc", "_Hlk"))
        return f"[bookmark: {kind}]" if kind == "_GoBack" else f"[bookmark: {kind}{rng.randint(1000, 999999999)}]"

    def label(self, text: str) -> str:
        """A label cell with label-level mess: split words, broken lines, comments, bookmarks."""
        on = self.on
        if not on:
            return text
        rng = self.rng
        if "word_comments" in on and self.hit("word_comments", 0.25):
            text = _comment_ordinal(text)
        if "split_words" in on and len(text) >= 2 and self.hit("split_words", 0.12):
            text = _split_word(rng, text)
        if "broken_labels" in on and len(text) >= 4 and self.hit("broken_labels", 0.1):
            text = _break_label(rng, text)
        if "bookmarks" in on and self.hit("bookmarks", 0.04):
            text = self.bookmark() + text
        return text

    def heading(self, text: str) -> str:
        """A heading: Word bookmarks before it, list-number comments around its ordinal."""
        if not self.on:
            return text
        if self.hit("word_comments", 0.4):
            text = _comment_ordinal(text)
        if self.hit("bookmarks", 0.35):
            text = "".join(self.bookmark() for _ in range(self.rng.choice((1, 1, 3)))) + text
        return text

    def furniture(self) -> str | None:
        """A page header/footer line between table rows, or None."""
        if not self.hit("page_furniture", 0.05):
            return None
        self.page += 1
        p, total = self.page, self.page + self.rng.randint(1, 6)
        return ("— {p} —", "- {p} -", "第 {p} 页 共 {t} 页", "第{p}页", "·{p}·")[self.furniture_style].format(
            p=p, t=total)


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _split_word(rng: random.Random, text: str) -> str:
    """Stray spaces inside a label: 自 然 人 (short ones spaced out), 本年度办 理结果."""
    core = [i for i in range(1, len(text)) if _is_cjk(text[i - 1]) and _is_cjk(text[i])]
    if not core:
        return text
    if len(text) <= 4 and rng.random() < 0.6:
        cut = set(core)
    else:
        cut = {rng.choice(core)}
    return "".join((" " + ch) if i in cut else ch for i, ch in enumerate(text))


def _break_label(rng: random.Random, text: str) -> str:
    """A label wrapped in its cell: 科研\\n机构, （三）\\n\\n不予\\n\\n公开."""
    spots = [i for i in range(2, len(text) - 1)
             if (_is_cjk(text[i - 1]) or text[i - 1] in "）)") and _is_cjk(text[i])]
    if not spots:
        return text
    k = min(len(spots), rng.choice((1, 1, 2)))
    cut = set(rng.sample(spots, k))
    nl = rng.choice(("\n", "\n", "\n\n"))
    return "".join((nl + ch) if i in cut else ch for i, ch in enumerate(text))


def _comment_ordinal(text: str) -> str:
    """Word's list-number comments: <!--[if !supportLists]-->（一）<!--[endif]-->."""
    end = _ordinal_end(text)
    if not end:
        return text
    return f"<!--[if !supportLists]-->{text[:end]}<!--[endif]-->{text[end:]}"


def _ordinal_end(text: str) -> int:
    """Length of a leading list ordinal (一、 / （三） / (二) / 1.), or 0."""
    if len(text) >= 2 and text[0] in _CN_ORDINALS and text[1] in "、.":
        return 2
    if text[:1] in "（(":
        close = next((i for i, ch in enumerate(text[:5]) if ch in "）)"), -1)
        return close + 1 if close > 0 else 0
    if text[:1].isdigit() and len(text) > 1 and text[1] in ".、．":
        return 2
    return 0


# ---------------------------------------------------------------- table model

@dataclass(slots=True)
class _Cell:
    text: str
    rs: int = 1
    cs: int = 1
    value: bool = False


_Table = list[list[_Cell]]


_Slot = Union[tuple[int, int, str], None]


@lru_cache(maxsize=128)
def _recipes(sig: tuple[tuple[tuple[int, int], ...], ...], width: int) -> tuple[tuple, tuple, tuple]:
    """How each flattening reads a grid of this shape (cached: a table's shape hardly varies).

    Lays out rowspans/colspans as the HTML table algorithm does, then returns,
    per row: Word's cells (merged-down leave a blank, merged-across appear
    once), every grid position tagged o(rigin)/v(ertical)/h(orizontal)/n(one),
    and the origin cells only (an HTML page flattened).
    """
    n = len(sig)
    occ: list[list[tuple[int, int, int, int] | None]] = [[None] * width for _ in sig]
    for r, row in enumerate(sig):
        c = 0
        line = occ[r]
        for ci, (rs, cs) in enumerate(row):
            while c < width and line[c] is not None:
                c += 1
            if c >= width:
                break
            for dr in range(min(rs, n - r)):
                tgt = occ[r + dr]
                for dc in range(min(cs, width - c)):
                    tgt[c + dc] = (r, ci, dr, dc)
            c += cs
    word, full, origins = [], [], []
    for line in occ:
        w: list[tuple[int, int] | None] = []
        f: list[tuple[int, int, str] | tuple[None, None, str]] = []
        o: list[tuple[int, int]] = []
        for slot in line:
            if slot is None:
                f.append((None, None, "n"))
                continue
            ri, ci, dr, dc = slot
            if not dc:
                w.append(None if dr else (ri, ci))
            if dr == 0 and dc == 0:
                f.append((ri, ci, "o"))
                o.append((ri, ci))
            else:
                f.append((None, None, "v" if dr else "h"))
        word.append(tuple(w))
        full.append(tuple(f))
        origins.append(tuple(o))
    return tuple(word), tuple(full), tuple(origins)


def _flatten(rows: _Table, width: int) -> tuple[list[list[str]], list[list[tuple[str, str]]], list[list[str]]]:
    """The three flattenings of a table, as text (see `_recipes`)."""
    word_r, full_r, orig_r = _recipes(tuple(tuple((c.rs, c.cs) for c in row) for row in rows), width)
    word = [["" if p is None else rows[p[0]][p[1]].text for p in line] for line in word_r]
    full = [[(rows[ri][ci].text if ri is not None else "", tag) for ri, ci, tag in line] for line in full_r]
    orig = [[rows[ri][ci].text for ri, ci in line] for line in orig_r]
    return word, full, orig


def _is_value_row(row: list[_Cell]) -> bool:
    return any(c.value for c in row)


# ---------------------------------------------------------------- tables

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


def _table2(gold: dict, template: str, mess: _Mess, rng: random.Random) -> tuple[_Table, int]:
    """Table 2 as cells: one block per 第二十条 item, header row, label + values."""
    V = _vocab()
    t2 = gold["table2"]
    width = 4
    rows: _Table = []
    lab, num = mess.label, mess.number

    def block(group: str, headers: Sequence[str], body: list[tuple[str, list[Any]]]) -> None:
        rows.append([_Cell(lab(group), cs=width)])
        head = [_Cell(lab(V.t2_content))] + [_Cell(lab(h)) for h in headers]
        head[-1].cs = width - len(headers)
        rows.append(head)
        for label, vals in body:
            cells = [_Cell(lab(label))] + [_Cell(num(v), value=True) for v in vals]
            cells[-1].cs = width - len(vals)
            rows.append(cells)

    if template == "2019":
        o = V.t2019
        for group, block_rows in V.t2_blocks:
            first = block_rows[0]
            body = []
            for r in block_rows:
                name = V.old_normative if r.key == "normative_docs" else r.label
                body.append((name, _t2_values_2019(rng, r, t2)))
                if r.key == "licensing" and "other_services" in V.extra_labels:
                    body.append((V.extra_labels["other_services"], [
                        rng.randint(0, 20) if rng.random() < 0.3 else 0, 0,
                        rng.randint(0, 50) if rng.random() < 0.3 else 0]))
            if first.columns == ("issued", "repealed", "in_force"):
                headers = o["rules_headers"]
            elif first.decimal:
                headers = o["fee_headers"]
            else:
                headers = o["decision_headers"]
            block(group, headers, body)
        if "central_procurement" in V.extra_labels:
            count = rng.randint(1, 6) if rng.random() < 0.4 else 0
            amount: Any = rng.randint(5000, 3000000) if count else 0
            unit = rng.random() < 0.4
            body_p = [(V.extra_labels["central_procurement"],
                       [f"{count}笔" if unit and count else count, f"{amount}元" if unit and count else amount])]
            rows.append([_Cell(lab(o["procurement_group"]), cs=width)])
            head = [_Cell(lab(V.t2_content))] + [_Cell(lab(h)) for h in o["procurement_headers"]]
            head[-1].cs = width - 2
            rows.append(head)
            for label, vals in body_p:
                cells = [_Cell(lab(label))] + [_Cell(v if isinstance(v, str) else num(v), value=True) for v in vals]
                cells[-1].cs = width - 2
                rows.append(cells)
        return rows, width

    for group, block_rows in V.t2_blocks:
        cols = block_rows[0].columns
        headers = [V.t2_col_labels[c] for c in cols]
        body = []
        for r in block_rows:
            if cols == ("issued", "repealed", "in_force"):
                d = t2.get(r.key) or {}
                vals = [d.get(c) for c in cols]
            elif r.decimal:
                vals = [t2.get("fees_10k_yuan")]
            else:
                vals = [t2.get(r.key)]
            body.append((r.label, vals))
        block(group, headers, body)
    return rows, width


def _table3(gold: dict, template: str, mess: _Mess) -> tuple[_Table, int]:
    """Table 3 as the official grid: 3 label columns, 7 value columns, merged group labels."""
    V = _vocab()
    t3 = gold["table3"]
    lab, num = mess.label, mess.number
    width = 10
    rows: _Table = [
        [_Cell(lab(V.t3_note), rs=3, cs=3), _Cell(lab(V.t3_applicant), cs=7)],
        [_Cell(lab(V.col3_labels[0]), rs=2), _Cell(lab(V.t3_legal), cs=5), _Cell(lab(V.col3_labels[-1]), rs=2)],
        [_Cell(lab(x)) for x in V.col3_labels[1:-1]],
    ]
    old = template == "2019"
    order: list[tuple[str, str | None]] = []  # (row key or group key, kind)
    for r in V.t3_rows:
        if old and r.key in V.new_only_rows:
            continue
        if old and r.key in V.t3_old_row:
            order.append((r.key, "old_group"))
        else:
            order.append((r.key, None))
    keys = [k for k, _ in order]
    first_out = next(i for i, k in enumerate(keys) if k in V.t3_group_of)
    last_in = keys.index(V.outcome_total)
    span_results = last_in - first_out + 1
    by_key = {r.key: r for r in V.t3_rows}
    group_sizes: dict[str, int] = {}
    for k, kind in order:
        g = V.t3_group_of.get(k)
        if g and kind is None and by_key[k].ordinal is not None:
            group_sizes[g] = group_sizes.get(g, 0) + 1

    def values(k: str) -> list[_Cell]:
        vals = t3.get(k) or [None] * 7
        return [_Cell(num(v), value=True) for v in vals]

    for i, (k, kind) in enumerate(order):
        r = by_key[k]
        cells: list[_Cell] = []
        if i == first_out:
            cells.append(_Cell(lab(V.t3_group_label[V.t3_group_of[k]]), rs=span_results))
        if kind == "old_group":
            cells.append(_Cell(lab(V.t3_group_label[V.t3_old_row[k]]), cs=2))
        elif first_out <= i <= last_in and r.ordinal is not None:
            g = V.t3_group_of[k]
            if r.ordinal == 1:
                cells.append(_Cell(lab(V.t3_group_label[g]), rs=group_sizes[g]))
            cells.append(_Cell(lab(r.label)))
        elif first_out <= i <= last_in:
            cells.append(_Cell(lab(r.label), cs=2))
        else:
            cells.append(_Cell(lab(r.label), cs=3))
        rows.append(cells + values(k))
    return rows, width


def _table4(gold: dict, mess: _Mess) -> tuple[_Table, int]:
    """Table 4: 行政复议 | 行政诉讼 (未经复议直接起诉, 复议后起诉), five columns each, one value row."""
    V = _vocab()
    t4 = gold["table4"]
    lab, num = mess.label, mess.number
    n = len(V.col4_labels)
    groups = labels().group4
    width = n * len(groups)
    top = [_Cell(lab(V.t4_top[0]), cs=n)]
    if len(V.t4_top) > 1:
        top.append(_Cell(lab(V.t4_top[1]), cs=n * len(V.t4_sub)))
    second = [_Cell(lab(c), rs=2) for c in V.col4_labels] + [_Cell(lab(s), cs=n) for s in V.t4_sub]
    third = [_Cell(lab(c)) for _ in V.t4_sub for c in V.col4_labels]
    vals = [_Cell(num(v), value=True) for g in groups for v in (t4.get(g) or [None] * n)]
    return [top, second, third, vals], width


# ---------------------------------------------------------------- narrative

@dataclass(slots=True)
class _Fact:
    text: str
    metric: str
    value: int | float
    unit: str
    channel: str | None = None
    role: str = "total"
    approx: bool = False
    category: str | None = None
    section: str | None = None


_Seg = Union[str, _Fact]

_CHANNEL_PHRASES = {
    "website": ("通过门户网站发布{n}条", "政府网站公开{n}条", "在政府门户网站发布信息{n}条"),
    "weibo": ("通过官方微博发布{n}条", "政务微博发布{n}条"),
    "wechat": ("通过微信公众号发布{n}条", "微信公众号推送信息{n}条"),
    "douyin": ("抖音号发布短视频{n}条",),
    "toutiao": ("今日头条号发布{n}条",),
    "new_media": ("通过政务新媒体发布{n}条", "政务新媒体公开信息{n}条"),
    "gazette": ("在政府公报刊发{n}条",),
    "other": ("通过公开栏、电子屏等其他方式公开{n}条",),
}
_CATEGORIES = ("工作动态", "通知公告", "政策文件", "人事信息", "财政资金", "规划计划")
_SIMPLE_FACTS = {  # metric -> (unit, phrases, (lo, hi))
    "press_conferences": ("场", ("召开新闻发布会{n}场", "举办新闻发布会{n}次", "参加新闻发布会{n}场"), (1, 30)),
    "briefings": ("场", ("组织媒体通气会{n}场", "召开政策吹风会{n}次", "举办媒体座谈会{n}场"), (1, 15)),
    "hearings": ("次", ("举行听证会{n}次", "组织召开听证会{n}场"), (1, 6)),
    "interpretations": ("篇", ("发布政策解读{n}篇", "制作图解、短视频等解读材料{n}篇", "开展政策解读{n}次"), (1, 120)),
    "responses": ("次", ("回应社会关切{n}次", "回应公众关注热点{n}条", "及时回应舆情关切{n}次"), (1, 60)),
}
_OPENINGS = (
    "坚持以公开为常态、不公开为例外，围绕中心工作扎实推进政务公开",
    "认真贯彻落实《中华人民共和国政府信息公开条例》，持续提升政务公开质量",
    "聚焦群众关切，不断拓展公开领域、规范公开程序、创新公开方式",
    "把政务公开作为建设法治政府的重要抓手，统筹推进各项公开任务",
)
_MANAGEMENT = (
    "严格执行信息发布“三审三校”制度，落实先审查、后公开的要求，全年未发生泄密事件。",
    "建立健全公开属性源头认定机制，公文拟制时同步明确公开方式，确保应公开尽公开。",
    "动态更新政府信息公开指南和目录，对照标准目录逐项梳理公开事项。",
)
_PLATFORM = (
    "持续优化门户网站信息公开专栏，规范栏目设置，及时更新各类信息。",
    "加强政务新媒体日常监测，对内容更新不及时的账号督促整改。",
    "完善政府信息公开查阅点建设，为群众查阅信息提供便利。",
)
_SUPERVISION = (
    "将政务公开纳入年度绩效考核，定期通报各科室信息报送情况。",
    "主动接受社会监督，对发现的问题建立台账、限期整改。",
    "开展季度自查和第三方评估，以查促改、以评促优。",
)
_PROBLEMS = (
    "一是主动公开的深度和广度仍需拓展，部分领域信息更新不够及时；二是政策解读形式较为单一，图解、视频等方式运用不多",
    "一是工作人员业务能力有待加强，对公开属性把握不够精准；二是与公众的互动交流还不够充分",
    "一是信息发布审核流程有待进一步规范；二是依申请公开答复的说理性还需提升",
)
_IMPROVE = (
    "一是加强业务培训，提升工作人员依法公开能力；二是丰富解读形式，提高政策解读的可读性；三是健全监督考核机制，推动公开工作常态化",
    "一是强化源头管理，严格落实公开属性认定；二是拓展公开渠道，发挥政务新媒体作用；三是规范依申请公开办理流程",
    "一是对照标准目录逐项查漏补缺；二是加强与群众的互动回应；三是完善信息发布审核机制",
)
_BODIES = (
    "人民政府", "人民政府办公室", "公安局", "财政局", "自然资源局", "生态环境局", "住房和城乡建设局",
    "交通运输局", "卫生健康委员会", "市场监督管理局", "教育局", "民政局", "人力资源和社会保障局",
    "农业农村局", "文化和旅游局", "应急管理局", "医疗保障局", "司法局", "统计局", "城市管理局",
)
_PLACE_CHARS = "清源安平江宁东阳泰和兴隆永丰嘉禾青山桐溪云河临湖南北建德昌乐华新"


def random_agency(rng: random.Random) -> str:
    """A plausible agency name made from parts (no real report's name is copied)."""
    a, b = rng.sample(_PLACE_CHARS, 2)
    place = a + b + rng.choice("市县区")
    if rng.random() < 0.25:
        c, d = rng.sample(_PLACE_CHARS, 2)
        place = a + b + "市" + c + d + "区"
    if rng.random() < 0.12:
        c, d = rng.sample(_PLACE_CHARS, 2)
        return place + c + d + rng.choice(("镇人民政府", "街道办事处"))
    return place + rng.choice(_BODIES)


class _Narr:
    """Builds narrative paragraphs with planted facts; number text goes through the mess."""

    def __init__(self, rng: random.Random, mess: _Mess, facts_on: bool):
        self.rng = rng
        self.mess = mess
        self.facts_on = facts_on
        self.section: str | None = None

    def num(self, n: int, *, small_cn: bool = True) -> str:
        """A count in prose: digits, sometimes Chinese numerals, with number mess."""
        if small_cn and 0 < n <= 12 and self.rng.random() < 0.12:
            return _cn_small(n)
        return self.mess.number(n, cell=False)

    def fact(self, pattern: str, metric: str, value: int | float, unit: str, **kw: Any) -> _Fact:
        text = pattern.format(n=self.num(value) if isinstance(value, int) else _fmt_number(value))
        return _Fact(text, metric, value, unit, section=self.section, **kw)

    def approx_fact(self, pattern: str, metric: str, value: int, unit: str, **kw: Any) -> _Fact:
        """余/多/约: the printed number is a round floor of the truth, flagged approx."""
        word = self.rng.choice(("余", "多"))
        text = pattern.format(n=self.num(value, small_cn=False) + word)
        return _Fact(text, metric, value, unit, section=self.section, approx=True, **kw)

    def wan_fact(self, pattern: str, metric: str, unit: str, **kw: Any) -> _Fact:
        """A count in 万 (4.14万 = 41400)."""
        k = self.rng.randint(101, 99999)
        num = f"{k / 100:.2f}".rstrip("0").rstrip(".")
        text = pattern.format(n=num + "万")
        return _Fact(text, metric, k * 100, unit, section=self.section, **kw)


def _sub_proactive(nr: _Narr, me: str, year: int) -> list[_Seg]:
    """(一) proactive disclosure: posts in total and by channel or category, other proactive metrics."""
    rng = nr.rng
    segs: list[_Seg] = [f"{year}年，{me}"]
    if not nr.facts_on:
        return [*segs, rng.choice(_OPENINGS) + "，及时准确公开各类政府信息。"]
    chans = rng.sample(list(_CHANNEL_PHRASES), k=rng.choice((0, 2, 3, 3, 4)))
    parts = [rng.randint(10, 3000) for _ in chans]
    total = sum(parts) if parts else rng.randint(20, 5000)
    if rng.random() < 0.15:
        total = max(total, rng.randint(1200, 9000))
        parts = _split(rng, total, len(chans)) if chans else []
    if rng.random() < 0.12:
        segs.append(nr.approx_fact("主动公开政府信息{n}条", "posts", total - total % 10 if total >= 100 else total, "条"))
    else:
        segs.append(nr.fact(rng.choice(("全年主动公开政府信息{n}条", "共发布各类政府信息{n}条",
                                        "累计主动公开政务信息{n}条")), "posts", total, "条"))
    if rng.random() < 0.3:
        segs.append(f"，同比增长{rng.randint(1, 40)}.{rng.randint(0, 9)}%")  # a share, not a fact
    if chans:
        segs.append("，其中")
        for i, (ch, n) in enumerate(zip(chans, parts)):
            if i:
                segs.append(rng.choice(("，", "、")))
            segs.append(nr.fact(rng.choice(_CHANNEL_PHRASES[ch]), "posts", n, "条", channel=ch, role="part"))
    elif rng.random() < 0.5:
        cats = rng.sample(_CATEGORIES, 2)
        a = rng.randint(1, max(1, total // 2))
        segs += ["，其中", nr.fact(cats[0] + "类信息{n}条", "posts", a, "条", role="part", category=cats[0]), "、",
                 nr.fact(cats[1] + "类信息{n}条", "posts", total - a, "条", role="part", category=cats[1])]
    segs.append("。")
    for metric in rng.sample(list(_SIMPLE_FACTS), k=rng.randint(1, 3)):
        unit, phrases, (lo, hi) = _SIMPLE_FACTS[metric]
        phrase = rng.choice(phrases)
        unit = phrase[-1] if phrase[-1] in "场次篇条" else unit
        segs += [rng.choice(("全年", "本年度", "")), nr.fact(phrase, metric, rng.randint(lo, hi), unit), "。"]
    if rng.random() < 0.4:
        segs += ["相关信息", nr.wan_fact("总阅读量达{n}次", "readership", "次"), "。"]
    return segs


def _sub_requests(nr: _Narr, gold: dict, me: str, year: int) -> list[_Seg]:
    """(二) requests: the narrative restates table 3 (new, processed, carried forward)."""
    rng = nr.rng
    t3 = gold["table3"]
    new = (t3.get("new") or [None] * 7)[-1]
    done = (t3.get(_vocab().outcome_total) or [None] * 7)[-1]
    fwd = (t3.get("carried_forward") or [None] * 7)[-1]
    segs: list[_Seg] = []
    if nr.facts_on and isinstance(new, int) and new > 0:
        segs += [f"{year}年，{me}", nr.fact(rng.choice(("共收到政府信息公开申请{n}件", "全年受理依申请公开{n}件",
                                                        "新收政府信息公开申请{n}件")),
                                              "applications_received", new, "件")]
        if isinstance(done, int):
            segs += ["，", nr.fact(rng.choice(("办结{n}件", "已办结{n}件")), "applications_completed", done, "件")]
        if isinstance(fwd, int) and fwd:
            segs += ["，", nr.fact(rng.choice(("结转下年度继续办理{n}件", "转入下一年度办理{n}件")),
                                   "applications_carried_forward", fwd, "件")]
        segs.append("，均在法定期限内答复。")
    elif isinstance(new, int) and new == 0:
        segs.append(f"{year}年，{me}未收到政府信息公开申请。")
    else:
        segs.append("严格按照法定时限和程序办理政府信息公开申请，规范答复文书。")
    segs.append("严格执行《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）。")
    return segs


def _sub_management(nr: _Narr, gold: dict, year: int) -> list[_Seg]:
    """(三) management: a table-2 restatement and a date (distractors, not facts)."""
    rng = nr.rng
    nd = (gold.get("table2") or {}).get("normative_docs") or {}
    segs: list[_Seg] = [rng.choice(_MANAGEMENT)]
    if isinstance(nd.get("issued"), int) and nd.get("issued"):
        segs.append(f"全年制发行政规范性文件{nd['issued']}件，均按规定在政府网站公开。")
    segs.append(f"{year}年{rng.randint(3, 11)}月{rng.randint(1, 28)}日，召开政务公开工作推进会，部署年度重点任务。")
    return segs


def _sub_platform(nr: _Narr) -> list[_Seg]:
    """(四) platforms: new-media accounts."""
    rng = nr.rng
    segs: list[_Seg] = [rng.choice(_PLATFORM)]
    if nr.facts_on and rng.random() < 0.7:
        segs += ["目前", nr.fact(rng.choice(("运营政务新媒体账号{n}个", "开设政务新媒体{n}个", "现有政务新媒体{n}个")),
                                 "accounts", rng.randint(1, 12), "个", channel="new_media"), "。"]
    return segs


def _sub_supervision(nr: _Narr) -> list[_Seg]:
    """(五) supervision: trainings held and people trained."""
    rng = nr.rng
    segs: list[_Seg] = [rng.choice(_SUPERVISION)]
    if nr.facts_on and rng.random() < 0.8:
        phrase = rng.choice(("开展政务公开专题培训{n}期", "组织业务培训{n}次", "举办培训班{n}期"))
        segs += [rng.choice(("全年", "本年度")),
                 nr.fact(phrase, "training_sessions", rng.randint(1, 12), phrase[-1]), "，"]
        if rng.random() < 0.5:
            segs.append(nr.fact("培训{n}人次", "training_participants", rng.randint(10, 800), "人次"))
        else:
            segs.append(nr.fact("参训人员{n}人", "training_participants", rng.randint(10, 400), "人"))
        segs.append("。")
    return segs


def _sub_interaction(nr: _Narr) -> list[_Seg]:
    """(六) interaction: messages received and replied, reply rate, next to the 12345 hotline (a distractor)."""
    rng = nr.rng
    segs: list[_Seg] = ["依托12345政务服务便民热线和网站留言板受理群众诉求，"]
    if nr.facts_on and rng.random() < 0.75:
        rec = rng.randint(5, 3000)
        rep = rec if rng.random() < 0.6 else rng.randint(max(1, rec * 8 // 10), rec)
        segs += [nr.fact(rng.choice(("受理网民留言{n}件", "收到群众来信{n}件", "受理网络问政来信{n}件")),
                         "messages_received", rec, "件"), "，",
                 nr.fact(rng.choice(("办结{n}件", "已回复{n}件", "按时答复{n}件")), "messages_replied", rep, "件")]
        rate = round(100 * rep / rec, 1)
        rate_v: int | float = int(rate) if rate == int(rate) else rate
        segs += ["，", nr.fact(rng.choice(("回复率{n}%", "办结率{n}%")), "reply_rate", rate_v, "%"), "。"]
    else:
        segs.append("做到件件有回音、事事有着落。")
    return segs


def _overview_paragraphs(nr: _Narr, gold: dict, ag: str, year: int) -> list[tuple[str, list[_Seg]]]:
    """Section 1 as subsections (title, segments): always proactive, requests and interaction, some others."""
    me = nr.rng.choice(("我局", "本机关", "我单位", ag))
    first = [("主动公开", _sub_proactive(nr, me, year)), ("依申请公开", _sub_requests(nr, gold, me, year))]
    middle = [("政府信息管理", _sub_management(nr, gold, year)), ("平台建设", _sub_platform(nr)),
              ("监督保障", _sub_supervision(nr))]
    last = ("互动回应", _sub_interaction(nr))
    return [*first, *nr.rng.sample(middle, k=nr.rng.randint(1, len(middle))), last]


def _other_segments(nr: _Narr, year: int) -> list[_Seg]:
    """Section 6: fees collected (a fact) or nothing to report."""
    rng = nr.rng
    r = rng.random()
    if nr.facts_on and r < 0.3:
        return [f"{year}年度", nr.fact("收取信息处理费{n}元", "fees_collected", rng.randint(20, 2000), "元"), "。"]
    if r < 0.65:
        return ["本年度未收取信息处理费。"]
    return [rng.choice(("无其他需要报告的事项。", "无。", "本机关无其他需要报告的事项。"))]


# ---------------------------------------------------------------- document blocks

@dataclass(slots=True)
class _Block:
    kind: str                       # title | para | h1 | h2 | table | sign
    segs: list[_Seg] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    table: _Table | None = None
    width: int = 0
    name: str = ""


def _compose(gold: dict, template: str, rng: random.Random, mess: _Mess, agency: str, year: int,
             facts_on: bool) -> list[_Block]:
    """The whole report as blocks: title, intro, six sections with prose and tables, signature."""
    V = _vocab()
    nr = _Narr(rng, mess, facts_on)
    blocks: list[_Block] = []
    title = f"{agency}{year}年{'度' if rng.random() < 0.4 else ''}{V.title_suffix}"
    if rng.random() < 0.35:
        cut = rng.choice((len(agency), len(title) - 6))
        blocks.append(_Block("title", lines=[title[:cut], title[cut:]]))
    else:
        blocks.append(_Block("title", lines=[title]))

    doc_no = "国办公开办函〔2019〕60号" if template == "2019" else "国办公开办函〔2021〕30号"
    intro = (f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《中华人民共和国政府信息公开工作年度报告格式》"
             f"（{doc_no}）要求编制。")
    if rng.random() < 0.4:
        intro += "全文包括" + "、".join(t for _, t, _ in V.sections) + "等六部分。"
    intro += f"本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
    if rng.random() < 0.6:
        intro += (f"如对本报告有疑问，请与{agency}办公室联系（电话：0{rng.randint(10, 999)}-"
                  f"{rng.randint(2000000, 89999999)}；邮编：{rng.randint(100000, 860000)}）。")
    blocks.append(_Block("para", segs=[intro]))

    numbered = rng.random() > 0.08
    overview_end = len(blocks)
    for i, (sid, title_, variants) in enumerate(V.sections, start=1):
        nr.section = sid
        name = title_ if rng.random() < 0.7 else rng.choice(variants)
        head = f"{_cn_ordinal(i)}、{name}" if numbered or i > 1 else name
        blocks.append(_Block("h1", lines=[mess.heading(head)], name=sid))
        if sid == "overview":
            blocks.append(_Block("para", segs=[f"{year}年，{agency}" + rng.choice(_OPENINGS) + "。"]))
            inline = rng.random() < 0.5
            for j, (sub, segs) in enumerate(_overview_paragraphs(nr, gold, agency, year), start=1):
                label = f"（{_cn_ordinal(j)}）{sub}{rng.choice(('情况', '方面', ''))}"
                if inline:
                    blocks.append(_Block("para", segs=[mess.heading(label) + "。", *segs]))
                else:
                    blocks.append(_Block("h2", lines=[mess.heading(label)]))
                    blocks.append(_Block("para", segs=segs))
            overview_end = len(blocks)
        elif sid == "proactive":
            rows, w = _table2(gold, template, mess, rng)
            blocks.append(_Block("table", table=rows, width=w, name="table2"))
        elif sid == "requests":
            rows, w = _table3(gold, template, mess)
            blocks.append(_Block("table", table=rows, width=w, name="table3"))
        elif sid == "review_litigation":
            rows, w = _table4(gold, mess)
            blocks.append(_Block("table", table=rows, width=w, name="table4"))
        elif sid == "problems":
            blocks.append(_Block("para", segs=["（一）存在的主要问题。" + rng.choice(_PROBLEMS) + "。"]))
            blocks.append(_Block("para", segs=["（二）改进措施。" + rng.choice(_IMPROVE) + "。"]))
        else:
            blocks.append(_Block("para", segs=_other_segments(nr, year)))
    if "thousands" in mess.on and not mess.used.get("thousands") and facts_on:
        # no number >= 1000 printed yet: the overview states one, so the chosen mess shows
        nr.section = V.sections[0][0]
        visits = nr.fact("访问量{n}次", "readership", rng.randint(1200, 99999), "次", channel="website")
        blocks.insert(overview_end, _Block("para", segs=["全年门户网站", visits, "。"]))
    date = f"{year + 1}年{rng.randint(1, 3)}月{rng.randint(1, 28)}日"
    blocks.append(_Block("sign", lines=[agency, date]))
    return blocks


# ---------------------------------------------------------------- writers

class _Doc:
    """Text under construction; records fact spans as pieces are appended."""

    def __init__(self, xlate: dict | None = None):
        self.parts: list[str] = []
        self.n = 0
        self.facts: list[dict] = []
        self.xlate = xlate

    def add(self, s: str) -> None:
        if self.xlate:
            s = s.translate(self.xlate)
        self.parts.append(s)
        self.n += len(s)

    def segs(self, segs: Sequence[_Seg]) -> None:
        for s in segs:
            if isinstance(s, _Fact):
                text = s.text.translate(self.xlate) if self.xlate else s.text
                self.facts.append({
                    "metric": s.metric, "channel": s.channel, "value": s.value, "unit": s.unit,
                    "text": text, "span": [self.n, self.n + len(text)], "section": s.section,
                    "role": s.role, "approx": s.approx, "category": s.category,
                })
                self.parts.append(text)
                self.n += len(text)
            else:
                self.add(s)

    def text(self) -> str:
        return "".join(self.parts)


def _write_lines_table(doc: _Doc, block: _Block, layout: str, mess: _Mess, rng: random.Random) -> None:
    """A table in one of the line layouts (cells_per_line, tabs, pipes, markdown)."""
    rows = block.table or []
    word, full, orig = _flatten(rows, block.width)
    last = len(rows) - 1
    md_split = layout == "markdown" and block.name == "table2" and rng.random() < 0.5
    for r, row in enumerate(rows):
        if r:
            furn = mess.furniture()
            if furn:
                doc.add(furn + ("\n\n" if layout == "cells_per_line" else "\n"))
        if layout == "cells_per_line":
            doc.add("".join(f"\t{c}\n" for c in word[r]) + "\n")
        elif layout == "tabs":
            doc.add("\t".join(_shift_tabs(rng, full[r], _is_value_row(row))) + "\n")
        elif layout == "pipes":
            cells = orig[r]
            if r != last and rng.random() < 0.9:
                cells += [""] * (block.width - len(cells))
            doc.add(_pipe_row(cells) + "\n")
        else:
            cells = [t for t, _ in full[r]]
            new_table = r == 0 or (md_split and len(row) == 1 and not row[0].value)
            if new_table and r:
                doc.add("\n")
            doc.add("| " + " | ".join(cells) + " |\n")
            if new_table:
                doc.add("|" + "|".join([" --- "] * block.width) + "|\n")
    doc.add("\n")


def _shift_tabs(rng: random.Random, cells: list[tuple[str, str]], value_row: bool) -> list[str]:
    """PDF text keeps no merged-cell geometry: blanks wander to the row's end, shifting values."""
    if value_row and rng.random() < 0.35:
        lead = 0
        while lead < len(cells) and cells[lead][1] == "v":
            lead += 1
        cells = cells[lead:] + [("", "n")] * lead
    if value_row and rng.random() < 0.35:
        keep = [c for c in cells if c[1] != "h"]
        cells = keep + [("", "n")] * (len(cells) - len(keep))
    return [t for t, _ in cells]


def _pipe_row(cells: list[str]) -> str:
    """`a | b | ||` as the flattened HTML page prints rows: empty cells collapse to bars."""
    out = []
    for c in cells:
        out.append(f"{c} | " if c else "|")
    return "".join(out).rstrip()


def _write_glued_table(doc: _Doc, block: _Block, glue: Any, mess: _Mess) -> None:
    """A table on the one-line page: every non-empty cell in reading order, no separators."""
    rows = block.table or []
    orig = _flatten(rows, block.width)[2]
    for r, line in enumerate(orig):
        if r:
            furn = mess.furniture()
            if furn:
                doc.add(f" {furn} ")
        for c in line:
            if c:
                doc.add(c + glue())


def _write(blocks: list[_Block], layout: str, mess: _Mess, rng: random.Random, agency: str, year: int) -> _Doc:
    """Blocks into text in the given layout."""
    if layout == "glued":
        return _write_glued(blocks, mess, rng, agency, year)
    xlate = _ASCII_PUNCT if layout == "pipes" and rng.random() < 0.5 else None
    doc = _Doc(xlate)
    blank = layout in ("tabs", "markdown")
    md_heads = layout == "markdown" or (layout == "tabs" and rng.random() < 0.6)
    indent = layout == "cells_per_line" and rng.random() < 0.6
    for b in blocks:
        if b.kind == "title":
            if md_heads:
                doc.add("# " + "".join(b.lines) + "\n\n")
            else:
                doc.add(("\n" if layout == "cells_per_line" else "").join(b.lines) + "\n")
                doc.add("\n" if layout != "pipes" else "")
        elif b.kind == "h1":
            pre = "## " if md_heads else ("　　" if indent and b.name not in ("overview",) else "")
            doc.add(pre + b.lines[0] + "\n" + ("\n" if blank else ""))
        elif b.kind == "h2":
            doc.add(("### " if md_heads else "") + b.lines[0] + "\n" + ("\n" if blank else ""))
        elif b.kind == "para":
            if indent and rng.random() < 0.3:
                doc.add("　　")
            doc.segs(b.segs)
            doc.add("\n" + ("\n" if blank else ""))
        elif b.kind == "table":
            _write_lines_table(doc, b, layout, mess, rng)
        elif b.kind == "sign":
            pad = " " * rng.randint(20, 40) if layout == "cells_per_line" else ""
            doc.add("\n" + pad + b.lines[0] + "\n" + ("　　" if indent else pad) + b.lines[1] + "\n")
    return doc


def _write_glued(blocks: list[_Block], mess: _Mess, rng: random.Random, agency: str, year: int) -> _Doc:
    """The crawler page: a header block, then the whole body on one line, cells glued."""
    doc = _Doc()
    title = "".join(blocks[0].lines)
    month, day = rng.randint(1, 3), rng.randint(1, 28)
    stamp = f"{year + 1}-{month:02d}-{day:02d} {rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}"
    site = "".join(rng.choice("abcdefghjklmnpqrstwxyz") for _ in range(rng.randint(4, 8)))
    page_id = rng.randint(10000, 99999)
    ym = f"{year + 1}{month:02d}"
    doc.add(
        f"标题: {title}\n发布时间: {stamp}\n文号: \n发布机构: \n栏目: 政府信息公开年报\n"
        f"原文链接: https://www.{site}.gov.cn/zwgk/zfxxgk/zfxxgknb/{ym}/t{ym}{day:02d}_{page_id}.htm\n"
        f"本地目录: zwgk/zfxxgk/zfxxgknb/{ym}/{page_id}_{title}\n页面链接与图片详见 links.tsv(同目录)\n"
        f"==================== 正文 ====================\n"
    )
    style = rng.choices(("tight", "spaced", "mixed"), weights=(70, 15, 15))[0]
    if style == "tight":
        def glue() -> str:
            return " " if rng.random() < 0.03 else ""
    elif style == "spaced":
        def glue() -> str:
            return " "
    else:
        def glue() -> str:
            return " " if rng.random() < 0.5 else ""
    sep = "" if style == "tight" else " "
    doc.add(f"当前位置：首页 > 政务公开 > 政府信息公开年报 {title} 来源：{agency} 时间：{stamp} "
            f"【字体：大 中 小】 打印本页 --> ")
    for b in blocks[1:]:
        if b.kind in ("h1", "h2"):
            doc.add(sep + b.lines[0] + sep)
        elif b.kind == "para":
            doc.segs(b.segs)
        elif b.kind == "table":
            doc.add(" ")
            _write_glued_table(doc, b, glue, mess)
            doc.add(" ")
        elif b.kind == "sign":
            doc.add(" " + b.lines[0] + " " + b.lines[1])
    doc.add(" 【打印本页】 【关闭窗口】\n")
    return doc


def _crlf(text: str, facts: list[dict]) -> str:
    """Windows line ends; fact spans shift by the newlines before them."""
    for f in facts:
        s, e = f["span"]
        f["span"] = [s + text.count("\n", 0, s), e + text.count("\n", 0, e)]
    return text.replace("\n", "\r\n")


# ---------------------------------------------------------------- public API

def _copy_gold(gold: dict, agency: str, year: int) -> dict:
    """The gold as the record keeps it (tables copied so callers may mutate theirs)."""
    t2 = gold.get("table2") or {}
    return {
        "agency": agency,
        "year": year,
        "table2": {k: (dict(v) if isinstance(v, dict) else v) for k, v in t2.items()},
        "table3": {k: (list(v) if v is not None else None) for k, v in (gold.get("table3") or {}).items()},
        "table4": {k: (list(v) if v is not None else None) for k, v in (gold.get("table4") or {}).items()},
    }


def render(gold: dict, *, layout: str, mess: Iterable[str] = (), rng: random.Random | None = None,
           agency: str | None = None, year: int | None = None, facts: bool = True,
           seed: int | None = None) -> Generated:
    """Render a whole report of `gold` in `layout` with the chosen mess kinds.

    `rng` drives every choice (or `random.Random(seed)` when no rng is given).
    Agency and year default to the gold's, else are made up.  Mess changes
    presentation only: `Generated.gold` equals the input tables.
    """
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}")
    if rng is None:
        rng = random.Random(seed)
    V = _vocab()
    chosen = set(mess)
    if chosen - set(MESS_KINDS):
        raise ValueError(f"unknown mess kinds: {sorted(chosen - set(MESS_KINDS))}")
    kinds = tuple(k for k in MESS_KINDS if k in chosen)
    template = template_of(gold)
    agency = agency or gold.get("agency") or random_agency(rng)
    if year is None:
        year = gold.get("year") or (rng.randint(2019, 2020) if template == "2019" else rng.randint(2021, 2024))
    m = _Mess(kinds, rng, V.zero_marks, V.units)
    blocks = _compose(gold, template, rng, m, agency, year, facts)
    doc = _write(blocks, layout, m, rng, agency, year)
    text = doc.text()
    if "crlf" in kinds:
        text = _crlf(text, doc.facts)
    return Generated(text=text, gold=_copy_gold(gold, agency, year), layout=layout, mess=kinds,
                     facts=doc.facts, seed=seed, template=template)


def variants(gold: dict, n: int, seed: int) -> list[Generated]:
    """`n` renderings of the same gold: layouts cycle, and every mess kind is covered in 10.

    Variant i uses layout i mod 5, one mess kind on a cycle that meets each
    layout with different kinds, and up to three more kinds at random.
    """
    out = []
    k = len(MESS_KINDS)
    for i in range(n):
        s = seed * 100003 + i
        rng = random.Random(s)
        primary = MESS_KINDS[(i * 3 + i // k) % k]
        extra = rng.sample(MESS_KINDS, k=rng.choice((0, 0, 1, 2, 3)))
        kinds = tuple(dict.fromkeys([primary, *extra]))
        out.append(render(gold, layout=LAYOUTS[i % len(LAYOUTS)], mess=kinds, rng=rng, seed=s))
    return out


# ---------------------------------------------------------------- HTML

def _html_cell(c: _Cell, rng: random.Random) -> str:
    """A <td> as word-processor HTML has them: paragraphs, spans, &nbsp;."""
    attrs = (f' rowspan="{c.rs}"' if c.rs > 1 else "") + (f' colspan="{c.cs}"' if c.cs > 1 else "")
    body = html.escape(c.text).replace("\n", "<br/>")
    if c.value and rng.random() < 0.2:
        body += "&nbsp;"
    if rng.random() < 0.5:
        body = f'<p style="text-align:center"><span style="font-size:12px">{body}</span></p>'
    return f"<td{attrs}>{body}</td>"


def _html_doc(blocks: list[_Block], rng: random.Random) -> tuple[str, list[dict]]:
    """Blocks into an HTML page with real <table>s; facts without spans (the loader makes the text)."""
    out = ['<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>',
           html.escape("".join(blocks[0].lines)), "</title></head>\n<body><div class=\"article\">\n"]
    facts: list[dict] = []

    def segs_html(segs: Sequence[_Seg]) -> str:
        parts = []
        for s in segs:
            if isinstance(s, _Fact):
                facts.append({"metric": s.metric, "channel": s.channel, "value": s.value, "unit": s.unit,
                              "text": s.text, "span": None, "section": s.section, "role": s.role,
                              "approx": s.approx, "category": s.category})
                parts.append(html.escape(s.text))
            else:
                parts.append(html.escape(s))
        return "".join(parts)

    for b in blocks:
        if b.kind == "title":
            out.append(f"<h1>{html.escape(''.join(b.lines))}</h1>\n")
        elif b.kind == "h1":
            out.append(f"<h2>{html.escape(b.lines[0])}</h2>\n")
        elif b.kind == "h2":
            out.append(f"<h3>{html.escape(b.lines[0])}</h3>\n")
        elif b.kind == "para":
            out.append(f'<p style="text-indent:2em">{segs_html(b.segs)}</p>\n')
        elif b.kind == "table":
            out.append('<table border="1" cellspacing="0" cellpadding="0" width="600"><tbody>\n')
            for row in b.table or []:
                out.append("<tr>" + "".join(_html_cell(c, rng) for c in row) + "</tr>\n")
            out.append("</tbody></table>\n")
        elif b.kind == "sign":
            out.append("".join(f'<p style="text-align:right">{html.escape(x)}</p>\n' for x in b.lines))
    out.append("</div></body></html>\n")
    return "".join(out), facts


def _html_report(gold: dict, rng: random.Random, agency: str | None, year: int | None,
                 mess: Iterable[str] = ()) -> tuple[str, dict, list[dict]]:
    V = _vocab()
    template = template_of(gold)
    agency = agency or gold.get("agency") or random_agency(rng)
    if year is None:
        year = gold.get("year") or (2020 if template == "2019" else rng.randint(2021, 2024))
    m = _Mess(tuple(mess), rng, V.zero_marks, V.units)
    blocks = _compose(gold, template, rng, m, agency, year, True)
    page, facts = _html_doc(blocks, rng)
    return page, _copy_gold(gold, agency, year), facts


def render_html(gold: dict, rng: random.Random, agency: str | None = None, year: int | None = None) -> str:
    """The report as an HTML page with real <table>s (rowspan/colspan as the official grid has)."""
    return _html_report(gold, rng, agency, year)[0]


# ---------------------------------------------------------------- samples CLI

def _sample_plan(n: int) -> list[dict]:
    """What each bundled sample shows: every layout, both templates, one GB18030, one HTML."""
    plan = []
    for i in range(n):
        plan.append({"layout": LAYOUTS[i % len(LAYOUTS)], "template": "2019" if i in (3, 9) else "2021",
                     "encoding": "utf-8", "format": "text"})
    if n >= 2:
        plan[-2].update(encoding="gb18030", layout="cells_per_line")
        plan[-1].update(format="html", layout="html")
    return plan


def write_samples(out: Path, n: int, seed: int) -> list[Path]:
    """Write `sample_NN.txt|.html` with `sample_NN.gold.json`; returns the report paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, spec in enumerate(_sample_plan(n)):
        s = seed * 1000 + i
        rng = random.Random(s)
        gold = random_tables(rng, template=spec["template"])
        stem = out / f"sample_{i:02d}"
        if spec["format"] == "html":
            page, g, facts = _html_report(gold, rng, None, None)
            path = stem.with_suffix(".html")
            path.write_text(page, encoding="utf-8")
            record = {**g, "template": spec["template"], "layout": "html", "mess": [], "seed": s,
                      "facts": facts}
        else:
            mess = () if i == 0 else tuple(rng.sample(MESS_KINDS, k=rng.randint(1, 4)))
            gen = render(gold, layout=spec["layout"], mess=mess, rng=rng, seed=s)
            path = stem.with_suffix(".txt")
            path.write_bytes(gen.text.encode(spec["encoding"]))
            record = gen.gold_record()
        record.update(encoding=spec["encoding"], format=spec["format"], file=path.name)
        stem.with_suffix(".gold.json").write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n",
                                                  encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m extractor.generate --out samples --n 12 --seed 7`."""
    ap = argparse.ArgumentParser(prog="extractor.generate", description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=Path("samples"))
    ap.add_argument("--n", type=int, default=12)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    for p in write_samples(args.out, args.n, args.seed):
        print(p)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
