"""The kinds of mess real reports carry, applied to cells, labels and headings.

Mess only changes presentation, never a value: a placeholder stands for a
zero, a thousands separator or a full-width digit still spells the same
number, a split or broken label still folds back to its core.  The readers
are checked against each kind, so each one must really show up when chosen.
"""
from __future__ import annotations

import random
from collections.abc import Iterable, Sequence

from extractor.text.numerals import ORDINALS
from extractor.training.generate.printed import format_number

MESS_KINDS: tuple[str, ...] = (
    "bookmarks", "word_comments", "fullwidth", "odd_spaces", "crlf",
    "page_furniture", "split_words", "broken_labels", "thousands", "placeholders",
)
# The converters' mess (`converter_variants`): labels printed a row away from
# their values, tables under an outline of their own after the prose, CR-only
# line ends.  Kept apart so the classic variants stay as they were.
CONVERTER_MESS: tuple[str, ...] = ("displaced_labels", "restarted_outline", "cr_only")

_FW = {ord(c): ord(c) + 0xFEE0 for c in "0123456789.,%ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"}
# Spaces around a cell value ("@"): Word's NBSP padding, ideographic spaces, a stray tab.
_ODD_SPACES = ("@\u00a0", "\u00a0@", "\u00a0\u3000@", "@\u00a0\u3000", "\u00a0@\u3000", "@\u00a0\t")


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


class Mess:
    """Applies the chosen mess kinds to cells, labels and headings, and keeps count.

    A kind that has not fired yet fires more eagerly, so each chosen kind shows
    up in every report that has a place for it.
    """

    def __init__(self, kinds: Iterable[str], rng: random.Random, zero_marks: Sequence[str],
                 units: Sequence[str]):
        self.on = frozenset(kinds)
        unknown = self.on - set(MESS_KINDS) - set(CONVERTER_MESS)
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
        s = format_number(v)
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
    if len(text) >= 2 and text[0] in ORDINALS and text[1] in "、.":
        return 2
    if text[:1] in "（(":
        close = next((i for i, ch in enumerate(text[:5]) if ch in "）)"), -1)
        return close + 1 if close > 0 else 0
    if text[:1].isdigit() and len(text) > 1 and text[1] in ".、．":
        return 2
    return 0
