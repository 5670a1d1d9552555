"""Every written number of the prose that could be a count, and the words around it.

One regex over the folded text finds every number with its measure word
(1424条, 三场, 4.14万, 3200万余次, 100%); distractors (years, decree
numbers, hotline numbers), table cells (bare numbers between separators)
and numbers glued to codes are left out.  `context_of` cuts the clause,
sentence and paragraph before a number and the phrase after its unit:
the words that decide what it counts.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass

import regex as re

from extractor import budget
from extractor.narrative.view import View
from extractor.spec.metrics import rules
from extractor.text.numerals import value_of

_CLAUSE_DELIMS = frozenset(",。;:!?\n\t|")
_SENTENCE_DELIMS = frozenset("。;!?\n")
_OPEN = frozenset("([【")
_CLOSE = frozenset(")]】")
_MAX_CLAUSE = 40
_MAX_RIGHT = 20

@dataclass
class WrittenNumber:
    """A written number with its measure word, in view coordinates."""

    start: int          # where the match starts (an approx prefix included)
    end: int            # after the unit and any 余/以上
    num_start: int
    num_end: int        # after the number and its 万/亿
    number: str
    value: int | float
    unit: str | None
    approx: bool
    chinese: bool
    unit_span: tuple[int, int] | None = None


def _stop_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in rules().stopwords.finditer(text)]


def _inside(spans: list[tuple[int, int]], a: int, b: int) -> bool:
    i = bisect.bisect_right(spans, (a, 10**9)) - 1
    return i >= 0 and spans[i][0] <= a and b <= spans[i][1]


_NUMERIC_NEIGHBOUR = frozenset("0123456789.-/:#@~·_%")


def _is_distractor(view: str, m: re.Match, start: int) -> str | None:
    """The name of the distractor rule a number falls under, or None."""
    before = view[max(0, start - 24):start]
    after_pos = m.end("ap1") if m.group("ap1") else (m.end("mult") if m.group("mult") else m.end("num"))
    after = view[after_pos:after_pos + 24]
    R = rules()
    if R.before_only is not None and R.before_only.search(before):
        return "before"
    if R.after_only is not None and R.after_only.search(after):
        return "after"
    for d in R.distractors:
        if d.number is not None and not d.number.search(m.group("num")):
            continue
        if d.before is not None and not d.before.search(before):
            continue
        if d.after is not None and not d.after.search(after):
            continue
        return d.name
    return None


def _han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def _glued(left: str, after: str) -> bool:
    """A bare number standing between words ("政策文件20转载"), not between separators (a table cell)."""
    return (_han(left) or left in "”》") and (not after or _han(after) or after in ",。;、“")


def find_numbers(view: View) -> list[WrittenNumber]:
    """Every number that could be a count in the prose (distractors, years and table cells left out)."""
    text = view.text
    n = len(text)
    stops: list[tuple[int, int]] | None = None
    out: list[WrittenNumber] = []
    for k, m in enumerate(rules().written_number.finditer(text)):
        if not k % budget.EVERY:
            budget.check()
        number, unit = m.group("num"), m.group("unit")
        start, end = m.start(), m.end()
        ns, ne = m.span("num")
        left = text[start - 1] if start > 0 else ""
        if not unit:
            if not number[0].isdigit() or not _glued(left, text[end:end + 1]):
                continue
        chinese = not number[0].isdigit()
        nxt = text[ne] if ne < n else ""
        if left and (left in _NUMERIC_NEIGHBOUR or left.isascii() and left.isalpha()):
            continue
        if nxt and (nxt in "-/:#@~·_" or nxt.isascii() and nxt.isalpha() or (nxt == "." and not unit)):
            continue
        if chinese:
            if stops is None:
                stops = _stop_spans(text)
            if unit == "%" or _inside(stops, ns, ne):
                continue
        if _is_distractor(text, m, start):
            continue
        mult, ap1 = m.group("mult"), m.group("ap1")
        value = value_of(number, mult)
        if value is None:
            continue
        num_end = m.end("ap1") if ap1 else (m.end("mult") if mult else ne)
        out.append(WrittenNumber(start, end, ns, num_end, number, value, unit,
                             bool(m.group("pre") or m.group("ap0") or ap1 or m.group("ap2")), chinese,
                             m.span("unit") if unit else None))
    return out


# ================================================================== context
@dataclass
class Context:
    """The words around a candidate that decide what it counts."""

    clause_start: int
    sentence_start: int
    paragraph_start: int
    left: str           # clause before the number
    right: str          # phrase after the unit
    sentence_left: str
    paragraph_left: str


def _clause_start(text: str, pos: int, floor: int) -> int:
    """Start of the clause a number stands in: after the nearest delimiter outside brackets."""
    depth = 0
    lo = max(floor, pos - _MAX_CLAUSE)
    i = pos - 1
    while i >= lo:
        ch = text[i]
        if ch in _CLOSE:
            depth += 1
        elif ch in _OPEN:
            if depth == 0:
                return i + 1
            depth -= 1
        elif depth == 0 and ch in _CLAUSE_DELIMS:
            return i + 1
        i -= 1
    return lo


def _back_to(text: str, pos: int, delims: frozenset[str], limit: int) -> int:
    """Just after the nearest delimiter before pos (at most `limit` back)."""
    lo = max(0, pos - limit)
    return max([text.rfind(d, lo, pos) + 1 for d in delims] + [lo])


def _right_phrase(text: str, pos: int) -> str:
    out = []
    for ch in text[pos:pos + _MAX_RIGHT]:
        if ch in _CLAUSE_DELIMS or ch in "(、":
            break
        out.append(ch)
    return "".join(out)


def context_of(text: str, c: WrittenNumber, prev_end: int) -> Context:
    cs = _clause_start(text, c.start, prev_end)
    ss = _back_to(text, c.start, _SENTENCE_DELIMS, 400)
    ps = _back_to(text, c.start, frozenset("\n"), 400)
    return Context(cs, ss, ps, text[cs:c.start], _right_phrase(text, c.end), text[ss:c.start], text[ps:c.start])

