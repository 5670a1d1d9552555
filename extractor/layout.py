"""Where a table's labels stand in the text, and the value material between them.

The layout-agnostic idea: whatever the flattening (one cell per line, tab
rows, pipes, markdown, one glued line), a row's numbers stand after its
label and before the next label or piece of table furniture.  So we find
anchors — row labels in their official order, headers and group labels
anywhere — and cut the text between them into each row's material.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import re as stdre

import regex as re
from rapidfuzz import fuzz

from extractor.labels import Row, labels
from extractor.readings import Atom, RowMaterial

# Tokens of value material.
# stdlib `re`: this pattern runs over every row and needs no Unicode classes.
# The alternatives are tried in order at each token; num, weak, strong and
# pipe start with characters no other alternative can start with, so they go
# first (the commonest tokens, found sooner); the rest keep their priority.
_TOKEN = stdre.compile(
    r"(?P<num>\d+(?:\.\d+)?)"
    r"|(?P<weak> +)"
    r"|(?P<strong>[\t\n]+)"
    r"|(?P<pipe>\|)"
    r"|(?P<page>(?<=\s)[—–\-·•]{1,2} ?[1-9]\d{0,2} ?[—–\-·•]{1,2}(?=\s|$))"
    r"|(?P<rule>={3,}|_{3,})"
    r"|(?P<sign>[-−](?=\d))"
    r"|(?P<dash>[—–]+|-+)"
    r"|(?P<zero>[/×]|[无空](?!(?![无空])[\u3400-\u4dbf\u4e00-\u9fff]))"
    r"|(?P<comma>,(?=\d{3}(?!\d)))"
    r"|(?P<unit>万元|[件个条项次笔元人家])"
    r"|(?P<text>[^\d\s|/—–\-−×]+)"
)
_SENTENCE = re.compile(r"[。;!?]")
# A number glued to one of these is a date, a percentage or an ordinal.
_DATE_SUFFIX = stdre.compile(r"[年月日号%]")
# Fuzzy matches below this score are not anchors.
FUZZY_MIN = 82.0


@dataclass(slots=True)
class Anchor:
    key: str  # row key, or "furniture"
    start: int
    end: int
    how: str  # "exact" | "fuzzy" | "header" | "group" | "heading"
    score: float = 100.0
    group: dict | None = None


@lru_cache(maxsize=None)
def _compiled(patterns: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in sorted(patterns, key=len, reverse=True)))


def furniture(text: str, start: int, end: int, patterns: tuple[str, ...], literals: tuple[str, ...] = ()) -> list[Anchor]:
    """Headers and group labels: never values, and they end a row's material."""
    out: list[Anchor] = []
    if patterns:
        for m in _compiled(patterns).finditer(text, start, end):
            out.append(Anchor("furniture", m.start(), m.end(), "header"))
    for lit in literals:
        for m in _literal(lit).finditer(text, start, end):
            out.append(Anchor("furniture", m.start(), m.end(), "group"))
    return out


@lru_cache(maxsize=None)
def _literal(lit: str) -> re.Pattern:
    """A group label as a compiled pattern: compiled once, not looked up per table."""
    return re.compile(re.escape(lit))


def _overlaps(a: int, b: int, spans: list[Anchor]) -> bool:
    return any(x.start < b and a < x.end for x in spans)


def _ordinal_start(text: str, s: int, ordinal: int | None) -> int:
    """Extend an anchor back over its printed ordinal ("2." of "2.重复申请").

    Glued text fuses that ordinal onto the previous row's digits
    (`00000002.其他法律…`); it belongs to the label only when punctuation
    follows it, so a bare digit is never taken from a value.
    """
    if ordinal is None:
        m = _CN_ORDINAL.search(text[max(0, s - 6):s])
        return s - (len(text[max(0, s - 6):s]) - m.start()) if m else s
    m = _ordinal_rx(ordinal).search(text[max(0, s - 5):s])
    if m is None:
        # Misnumbered ("00000003.其他法律…" for 2.): a digit and "."/"、" right
        # before a label is its number, never a cell value.
        m = _ANY_ORDINAL.search(text[max(0, s - 5):s])
    return s - (len(text[max(0, s - 5):s]) - m.start()) if m else s


_ANY_ORDINAL = re.compile(r"[(]?\d[.、)]\s*$")


# "二、" / "(一)" before a row label: part of the label, never a value.
_CN_ORDINAL = re.compile(r"(?:[一二三四五六七八九十]{1,2}、|\([一二三四五六七八九十]{1,2}\))\s*$")


@lru_cache(maxsize=None)
def _ordinal_rx(ordinal: int) -> re.Pattern:
    return re.compile(rf"[(]?{ordinal}[.、)]\s*$")


def find_rows(text: str, start: int, end: int, rows: tuple[Row, ...], blocked: list[Anchor],
              optional: frozenset[str] = frozenset()) -> list[Anchor | None]:
    """Row anchors in official order; None for a row not found.

    Exact variant matches first, searched from the previous anchor on and
    skipping furniture; rows still missing are looked for by fuzzy match in
    the gap their neighbours leave.
    """
    found: list[Anchor | None] = []
    cursor = start
    for row in rows:
        best: Anchor | None = None
        for v in row.match:
            pos = cursor
            while True:
                i = text.find(v, pos, end)
                if i < 0:
                    break
                if not _overlaps(i, i + len(v), blocked):
                    if best is None or i < best.start or (i == best.start and i + len(v) > best.end):
                        best = Anchor(row.key, i, i + len(v), "exact")
                    break
                pos = i + 1
        if best is not None:
            best.start = label_start(text, best.start, best.end, row, start)
            cursor = best.end
        found.append(best)
    # The classifier and fuzzy matching are for rows the report must have;
    # a row its template lacks (`optional`) is allowed to be missing.
    from extractor import model

    if any(a is None and row.key not in optional for row, a in zip(rows, found)):
        _fuzzy_fill(text, start, end, rows, found, blocked)
    model.observe(text, start, end, rows, found)
    return found


# Words of a reworded label left in front of the variant that matched
# ("5.属三类…" found at "三类…"): Han characters and label punctuation, never
# the placeholders 无/空, never a digit or a cell boundary.
_REMNANT = re.compile(r"(?:[无空](?=[\u4e00-\u9fff])|(?![无空])[\u4e00-\u9fff“”\"、,()]){1,12}$")


def label_start(text: str, s: int, e: int, row: Row, floor: int) -> int:
    """Where a row label found at [s, e) really starts: with its cut-off words, remnants and ordinal."""
    s = _extend_back(text, s, row.match[0], text[s:e], floor)
    s = _remnant_start(text, s, row.ordinal)
    return max(floor, _ordinal_start(text, s, row.ordinal))


def _remnant_start(text: str, s: int, ordinal: int | None) -> int:
    """Take in a reworded label's leading words, when an ordinal (or a boundary) stands before them."""
    m = _REMNANT.search(text[max(0, s - 12):s])
    if not m:
        return s
    r = s - (len(text[max(0, s - 12):s]) - m.start())
    if ordinal is not None:
        return r if _ordinal_start(text, r, ordinal) < r else s
    before = text[r - 1] if r > 0 else "\n"
    return r if before in " \t\n|" else s


def _extend_back(text: str, s: int, full: str, matched: str, floor: int) -> int:
    """Take in the part of a label a line break or space cut off before the match.

    "4.无\n正当理由大量反复申请" is found by its variant "大量反复申请"; the
    remnant "无\n正当理由" (and its ordinal) belongs to the label, not to the
    previous row's values.
    """
    k = full.find(matched)
    if k <= 0:
        return s
    prefix = full[:k]
    i, j = s - 1, len(prefix) - 1
    while j >= 0 and i >= floor:
        ch = text[i]
        if ch in " \t\n、,":
            i -= 1
            continue
        if ch != prefix[j]:
            return s
        i -= 1
        j -= 1
    return i + 1 if j < 0 else s


def _fuzzy_fill(text: str, start: int, end: int, rows: tuple[Row, ...], found: list[Anchor | None], blocked: list[Anchor]) -> None:
    """Rows exact matching missed: the trained classifier decides (`extractor.model`);
    fuzzy matching alone when no model is loaded."""
    from extractor import model

    if not model.fill_rows(text, start, end, rows, found, blocked):
        _fuzzy_only(text, start, end, rows, found, blocked)


def _fuzzy_only(text: str, start: int, end: int, rows: tuple[Row, ...], found: list[Anchor | None], blocked: list[Anchor]) -> None:
    for i, row in enumerate(rows):
        if found[i] is not None:
            continue
        lo = next((found[k].end for k in range(i - 1, -1, -1) if found[k]), start)
        hi = next((found[k].start for k in range(i + 1, len(rows)) if found[k]), end)
        gap = text[lo:hi]
        if not gap.strip() or hi - lo > 400:
            continue
        label = row.match[0]
        al = fuzz.partial_ratio_alignment(label, gap, score_cutoff=FUZZY_MIN)
        if al is None or len(label) < 3:
            continue
        s, e = lo + al.dest_start, lo + al.dest_end
        if any(ch.isdigit() for ch in text[s:e]) or _overlaps(s, e, blocked):
            continue
        found[i] = Anchor(row.key, label_start(text, s, e, row, lo), e, "fuzzy", al.score)


def material(text: str, start: int, end: int, *, stop_at_text: bool = True) -> tuple[RowMaterial, int]:
    """The atoms between a label and the next anchor; also where reading stopped.

    Text before the first number is a label remnant and is skipped (unless
    it reads like prose); text after a number ends the row, so prose after
    the last table row is never read as values.

    This loop runs over every token of every row, so it keeps to plain
    locals (`append`, the token's span and text read once).
    """
    mat = RowMaterial()
    append = mat.atoms.append
    field_has_content = False
    seen_value = False
    pending_blank: list[tuple[int, int]] = []
    boundary = "strong"
    pos = start
    date_suffix = _DATE_SUFFIX.match
    for m in _TOKEN.finditer(text, start, end):
        kind = m.lastgroup
        s, e = m.span()
        pos = e
        if kind == "weak":
            if boundary == "glued":
                boundary = "weak"
        elif kind == "num":
            if date_suffix(text, e):
                pos = s  # "2023年…": prose or a date, never a cell value
                break
            if pending_blank:
                if seen_value:
                    _flush_blanks(pending_blank, append)
                pending_blank = []
            append(Atom("num", m.group(), s, e, boundary))
            boundary = "glued"
            field_has_content = True
            seen_value = True
        elif kind == "pipe" or kind == "strong":
            # A field with nothing in it, between values: a blank cell.
            if kind == "pipe":
                if not field_has_content and seen_value:
                    pending_blank.append((s, e))
            elif seen_value:
                sep = m.group()
                extra = sep.count("\n") - 1 if "\n" in sep else sep.count("\t") - 1
                pending_blank.extend([(s, e)] * max(0, extra))
            field_has_content = False
            boundary = "strong"
        elif kind == "zero" or kind == "dash" or kind == "sign":
            # "sign": a hyphen glued to the digits after it, a placeholder or
            # a minus (the older template's 本年增/减); the reader decides.
            if pending_blank:
                if seen_value:
                    _flush_blanks(pending_blank, append)
                pending_blank = []
            tok = m.group()
            if kind == "zero" and len(tok) > 1:
                for k, ch in enumerate(tok):
                    append(Atom("zero", ch, s + k, s + k + 1))
            else:
                append(Atom(kind, tok, s, e))
            boundary = "glued" if kind == "sign" else "strong"
            field_has_content = True
            seen_value = True
        elif kind == "comma":
            # A thousands separator the normaliser could not prove (glued
            # digits before it): the number may run across it.
            boundary = "comma" if boundary == "glued" else "strong"
        elif kind == "unit" or kind == "rule":
            boundary = "strong"
        elif kind == "page":
            # "— 3 —" between spaces: a page number the flattening left in
            # line, or three cells (—, 3, —); the reader tries both.
            if pending_blank:
                if seen_value:
                    _flush_blanks(pending_blank, append)
                pending_blank = []
            append(Atom("page", m.group(), s, e))
            boundary = "strong"
        else:  # text
            if seen_value and stop_at_text:
                pos = s
                break
            tok = m.group()
            if len(tok) > 40 or _SENTENCE.search(tok):
                pos = s
                break
            boundary = "strong"
    return mat, pos


def _flush_blanks(pending: list[tuple[int, int]], append) -> None:
    """Empty fields seen since the last value, now known to lie between values: blank cells."""
    for bs, be in pending:
        append(Atom("blank", "", bs, be))


def heading_anchors(text: str, headings: list) -> list[Anchor]:
    return [Anchor("furniture", h.start, h.end, "heading") for h in headings]


def table3_groups() -> tuple[dict, ...]:
    return labels().table3_groups
