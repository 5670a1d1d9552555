"""A row's value material: the printed elements between its label and the next anchor.

Whatever the flattening, a row's numbers stand after its label: this
module tokenises that stretch into atoms (runs of digits, placeholders,
dashes, page numbers, blank fields) with the kind of boundary before each
(`strong`: tab, newline, pipe; `weak`: a space; `glued`: nothing), which is
all `readings` needs to list every way to read them.  The placeholder marks
and measure words come from `labels.toml`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import re as stdre

from extractor.spec.labels import labels
from extractor.text.numerals import ORDINALS

_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
# Dashes are placeholders too, but the tokeniser reads them as runs ("——" may be one cell or two).
_DASHES = "—–-"
_SENTENCE = stdre.compile(r"[。;!?]")
# A label's remark in brackets (`(区分处理的,只计这一情形,不计其他情形)`): a sentence mark in it is no prose
# (OCR reads its `,` as `。`).
_REMARK = stdre.compile(r"\([^()]*\)|（[^（）]*）")
# A heading's ordinal (`五、`): text after a table's last run that opens a section, never a note.
_HEADING = stdre.compile(rf"[{ORDINALS}]{{1,2}}、")


@dataclass(slots=True)
class Atom:
    """One printed element of a row: a run of digits, a placeholder or a blank field.

    The search works digit by digit ("digit" atoms, made from "num" runs
    only when a row needs searching).
    """

    kind: str  # "num" | "digit" | "zero" | "dash" | "sign" | "page" | "blank" | "stroke"
    text: str
    start: int
    end: int
    # Boundary kind between this atom and the previous one (digits only):
    # "strong", "weak" (a space), "glued" (nothing), "comma" (maybe 1,234).
    before: str = "strong"



@dataclass(frozen=True, slots=True)
class LineGaps:
    """The rhythm of a one-cell-per-line table whose cells stand blank lines apart.

    Some crawlers save a Word table as one cell a line with a fixed number
    of line breaks between two cells of a row (`cell`) and a larger fixed
    number after a row's last cell (`row`); an empty cell is then only an
    empty slot in that rhythm: `cell` more breaks between two values, after
    the last value before the next label, or before the first value.
    """

    cell: int
    row: int | None

    def _slots(self, n: int, bases: tuple[int | None, ...], least: int) -> int:
        """The most empty slots `n` breaks hold over one of `bases` (0 when none fits)."""
        ks = [(n - b) // self.cell for b in bases if b is not None and n >= b and (n - b) % self.cell == 0]
        k = max(ks, default=0)
        return k if k >= least else 0

    def between(self, n: int) -> int:
        """Empty cells in a run of `n` breaks between two values."""
        k = self._slots(n, (self.cell, self.row), 0)
        return k if k or n < 2 * self.cell else n // self.cell - 1

    def after_last(self, n: int) -> int:
        """Empty cells in the run of `n` breaks after a row's last value (a row end plus slots)."""
        return self._slots(n, (self.row,), 1)

    def before_first(self, n: int) -> int:
        """Empty cells in the run of `n` breaks before a row's first value (after its label or a header row)."""
        return self._slots(n, (self.cell, self.row), 1)


# At least this many value-to-value line runs, most of them the same length, make a rhythm.
_RHYTHM_MIN = 5
_BREAKS = stdre.compile(r"\n+")


def line_gaps(text: str, start: int, end: int) -> LineGaps | None:
    """The region's cell rhythm when its values stand two or more line breaks apart; else None.

    None keeps the usual reading (every extra break between values an
    optional blank cell): single-break layouts and tab, pipe or glued rows.
    """
    between: dict[int, int] = {}
    after: dict[int, int] = {}
    for m in _BREAKS.finditer(text, start, end):
        s, e = m.span()
        if s == start or e >= end or not text[s - 1].isdigit():
            continue
        n = e - s
        nxt = text[e]
        if nxt.isdigit():
            between[n] = between.get(n, 0) + 1
        elif _is_han(nxt) or nxt in "(（":
            after[n] = after.get(n, 0) + 1
    if sum(between.values()) < _RHYTHM_MIN:
        return None
    cell = max(between, key=between.get)
    if cell < 2 or between[cell] * 2 < sum(between.values()):
        return None
    row = max(after, key=after.get) if after else None
    return LineGaps(cell, row if row is not None and row > cell else None)


@dataclass
class RowMaterial:
    """The atoms of one row, in order, and what the layout said about them."""

    atoms: list[Atom] = field(default_factory=list)

    @property
    def digits(self) -> str:
        return "".join(a.text for a in self.atoms if a.kind in ("num", "digit"))

    def empty(self) -> bool:
        return all(a.kind == "blank" for a in self.atoms)



def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u4dbf" or "\u4e00" <= ch <= "\u9fff"


@lru_cache(maxsize=1)
def placeholder_words() -> str:
    """The placeholders written as a Han character (无, 空): a cell of their own only when no word follows."""
    return "".join(dict.fromkeys(z for z in labels().zero_marks if len(z) == 1 and _is_han(z)))


@lru_cache(maxsize=1)
def _token() -> stdre.Pattern:
    """The tokens of value material, from the placeholders and measure words of the data.

    stdlib `re`: this pattern runs over every row and needs no Unicode
    classes.  The alternatives are tried in order at each token; num, weak,
    strong and pipe start with characters no other alternative can start
    with, so they go first (the commonest tokens, found sooner); the rest
    keep their priority.
    """
    L = labels()
    words = stdre.escape(placeholder_words())
    marks = "".join(dict.fromkeys(z for z in L.zero_marks if len(z) == 1 and not _is_han(z) and z not in _DASHES))
    marks = stdre.escape(marks)
    units = "|".join(stdre.escape(u) for u in sorted(L.units, key=len, reverse=True))
    return stdre.compile(
        r"(?P<num>\d+(?:\.\d+)?)"
        r"|(?P<weak> +)"
        r"|(?P<strong>[\t\n]+)"
        r"|(?P<pipe>\|)"
        r"|(?P<page>(?<=\s)[—–\-·•]{1,2} ?[1-9]\d{0,2} ?[—–\-·•]{1,2}(?=\s|$))"
        r"|(?P<rule>={3,}|_{3,})"
        r"|(?P<sign>[-−](?=\d))"
        r"|(?P<dash>[—–]+|-+)"
        rf"|(?P<zero>[{marks}]|[{words}](?!(?![{words}])[{_HAN}]))"
        r"|(?P<comma>,(?=\d{3}(?!\d)))"
        rf"|(?P<unit>{units})"
        rf"|(?P<text>[^\d\s|{marks}—–\-−]+)"
    )


@lru_cache(maxsize=1)
def _not_cell_after() -> stdre.Pattern:
    """A number glued to one of these is a date, a percentage or an ordinal."""
    return stdre.compile("|".join(stdre.escape(w) for w in labels().raw["placeholders"]["not_cell_after"]))


def material(text: str, start: int, end: int, *, stop_at_text: bool = True,
             gaps: LineGaps | None = None, strokes: bool = False) -> tuple[RowMaterial, int]:
    """The atoms between a label and the next anchor; also where reading stopped.

    Text before the first number is a label remnant and is skipped (unless
    it reads like prose); text after a number ends the row, so prose after
    the last table row is never read as values.

    With `gaps` (a table whose cells stand blank lines apart) a run of
    breaks holds as many blank cells as empty slots in the table's rhythm,
    before the first value and after the last as well as between values.

    With `strokes` (text read by OCR) a `1` or `11` standing after a pipe at
    its line's end is a "stroke": OCR reads a printed `||` or a rule's stub
    beside the last cell as `1`, so the readings may leave it out and the
    identities decide (`readings`).

    This loop runs over every token of every row, so it keeps to plain
    locals (`append`, the token's span and text read once).
    """
    mat = RowMaterial()
    append = mat.atoms.append
    field_has_content = False
    seen_value = False
    pending_blank: list[tuple[int, int]] = []
    last_run: tuple[int, int] | None = None  # the last run of line breaks, when it is a slot of `gaps`
    in_pipes = False  # a pipe seen on this line: the fields are the pipes'
    boundary = "strong"
    pos = start
    date_suffix = _not_cell_after().match
    for m in _token().finditer(text, start, end):
        kind = m.lastgroup
        s, e = m.span()
        pos = e
        if kind == "weak":
            if boundary == "glued":
                boundary = "weak"
        elif kind == "num" or kind == "zero" or kind == "dash" or kind == "sign":
            # "sign": a hyphen glued to the digits after it, a placeholder or
            # a minus (the older template's 本年增/减); the reader decides.
            if kind == "num" and date_suffix(text, e):
                pos = s  # "2023年…": prose or a date, never a cell value
                break
            if pending_blank:
                if seen_value:
                    _flush_blanks(pending_blank, append)
                pending_blank = []
            if not seen_value and last_run is not None and last_run[1] == s:
                _flush_blanks([last_run] * gaps.before_first(last_run[1] - last_run[0]), append)
            tok = m.group()
            if kind == "num" and strokes and _stroke(text, tok, s, e):
                append(Atom("stroke", tok, s, e))
                boundary = "strong"
            elif kind == "num":
                append(Atom("num", tok, s, e, boundary))
                boundary = "glued"
            elif kind == "zero" and len(tok) > 1:
                for k, ch in enumerate(tok):
                    append(Atom("zero", ch, s + k, s + k + 1))
                boundary = "strong"
            else:
                append(Atom(kind, tok, s, e))
                boundary = "glued" if kind == "sign" else "strong"
            field_has_content = True
            seen_value = True
        elif kind == "pipe" or kind == "strong":
            # A field with nothing in it, between values: a blank cell.
            if kind == "pipe":
                if not field_has_content and seen_value:
                    pending_blank.append((s, e))
                in_pipes = True
            else:
                sep = m.group()
                if in_pipes and "\n" not in sep:
                    # A tab padding a pipe cell (Word's NBSP-and-tab) is a space, not a field.
                    if boundary == "glued":
                        boundary = "weak"
                    continue
                in_pipes = False
                slots = gaps is not None and sep.count("\n") == len(sep)
                if seen_value:
                    extra = gaps.between(len(sep)) if slots else (sep.count("\n") - 1 if "\n" in sep else sep.count("\t") - 1)
                    pending_blank.extend([(s, e)] * max(0, extra))
                last_run = (s, e) if slots else None
            field_has_content = False
            boundary = "strong"
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
                if _note_number(text, mat.atoms, s):
                    pos = mat.atoms.pop().start  # `30（含自然失效21件）` on a line of its own: a note, not a cell
                    seen_value = any(a.kind != "blank" for a in mat.atoms)
                break
            tok = m.group()
            if len(tok) > 40 or _SENTENCE.search(_REMARK.sub("", tok)):
                pos = s
                break
            boundary = "strong"
    if last_run is not None and seen_value and gaps.row is not None and last_run[0] == mat.atoms[-1].end \
            and last_run[1] in (pos, end):
        _flush_blanks([last_run] * gaps.after_last(last_run[1] - last_run[0]), append)
    elif gaps is None and seen_value and mat.atoms[-1].kind != "blank":
        _flush_blanks(_trailing_fields(text, mat.atoms[-1].end, max(pos, mat.atoms[-1].end)), append)
    return mat, pos


_FIELD_PAD = " \t|\u3000\xa0"


def _trailing_fields(text: str, last: int, pos: int) -> list[tuple[int, int]]:
    """Empty fields closing the last value's line (`0\t\n`, `| 0 | |`): blank cells the row may end with.

    A tab row's trailing tab or a pipe row's empty last field is where a blank 总计 stands; it is
    also often mere padding, so the readings take it only where it is needed (a blank atom is optional).
    """
    nl = text.find("\n", last)
    line_end = len(text) if nl < 0 else nl
    if line_end > pos + 1 and text[pos:line_end].strip(_FIELD_PAD):
        return []  # the row's reading stopped at text on the same line
    seg = text[last:line_end]
    body = seg.rstrip(_FIELD_PAD)
    tail, at = seg[len(body):], last + len(body)
    if body.strip(" \u3000\xa0") and not body.strip(" \u3000\xa0").isalpha():
        return []  # something other than a unit between the last value and the row's end
    n = tail.count("|") - 1 if "|" in tail else tail.count("\t")
    return [(at, line_end)] * max(0, n)


def _stroke(text: str, tok: str, s: int, e: int) -> bool:
    """`1`/`11` right after a pipe with nothing but field marks after it on its line: maybe a misread `||`."""
    if tok not in ("1", "11") or s == 0 or text[s - 1] != "|":
        return False
    nl = text.find("\n", e)
    return not text[e:len(text) if nl < 0 else nl].strip(_FIELD_PAD)


def _note_number(text: str, atoms: list[Atom], s: int) -> bool:
    """The last atom is a number (or a placeholder) that opens its line and text follows it there: a note's."""
    if not atoms or atoms[-1].kind not in ("num", "zero", "dash") or "\n" in text[atoms[-1].end:s] \
            or _HEADING.match(text, s):
        return False
    k = atoms[-1].start
    while k > 0 and text[k - 1] in " \t\u3000":
        k -= 1
    return k > 0 and text[k - 1] == "\n"


def _flush_blanks(pending: list[tuple[int, int]], append) -> None:
    """Empty fields seen since the last value, now known to lie between values: blank cells."""
    for bs, be in pending:
        append(Atom("blank", "", bs, be))

