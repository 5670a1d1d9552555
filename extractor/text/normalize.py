"""Clean flattened report text while remembering where every character came from.

Every step either deletes characters or replaces one character by one
(full-width → ASCII, odd spaces → space; junk holding digits between two
digits becomes one tab); the rare compatibility characters
whose NFKC form is longer (㈠ → (一)) map every output character to the one
source character.  So `offsets[i]` is the source index of normalised
character i, and a value read at [a, b) in the normalised text is shown at
`to_source(a, b)` in the document text: spans stay exact.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import re  # stdlib: these patterns need no Unicode properties and run on every report

import regex

# One-to-one replacements: full-width ASCII, the many spaces, CR.
_TRANSLATE = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_TRANSLATE.update({cp: 0x20 for cp in (0x00A0, 0x3000, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006,
                                       0x2007, 0x2008, 0x2009, 0x200A, 0x202F, 0x205F, 0x1680)})
_TRANSLATE.update({0x0D: 0x0A, 0x0B: 0x0A, 0x0C: 0x0A, 0x2028: 0x0A, 0x2029: 0x0A})

# str.translate with a dict is slow on CJK text; a class of the few
# characters to replace and a lookup per hit is five times faster.
_ODD_CHAR = re.compile("[" + re.escape("".join(map(chr, _TRANSLATE))) + "]")
_ONE_TO_ONE = {chr(k): chr(v) for k, v in _TRANSLATE.items()}


def _one_to_one(m: re.Match) -> str:
    return _ONE_TO_ONE[m.group()]


# Deleted outright: Word bookmarks and conditional comments, HTML comments,
# zero-width characters and soft hyphens, CR before LF.
_JUNK = re.compile(
    r"\[bookmark:[^\]\n]{0,80}\]"
    r"|<!--\[if[^\]]{0,40}\]-->|<!--\[endif\]-->|<!--.{0,200}?-->"
    r"|[\u200b-\u200f\u2060\ufeff\u00ad]"
    r"|\r(?=\n)",
    re.S,
)

# Page furniture on a line of its own: "— 3 —", "- 12 -", "·5·", "第 2 页 共 6 页", "第2页/共6页".
_PAGE = re.compile(
    r"(?m)^[ \t]*(?:[—–\-·•]{1,2}[ \t]*\d{1,3}[ \t]*[—–\-·•]{1,2}"
    r"|第[ \t]*\d{1,3}[ \t]*页[ \t]*[,/、]?[ \t]*共[ \t]*\d{1,3}[ \t]*页"
    r"|共[ \t]*\d{1,3}[ \t]*页[ \t]*第[ \t]*\d{1,3}[ \t]*页|第[ \t]*\d{1,3}[ \t]*页)[ \t]*\n"
)
# "第 2 页 共 6 页" cannot be a cell, wherever it stands.
# (Both alternatives start at a 第; the leading look-ahead says so, letting the
# scan skip every other position at once — it matches exactly the same.)
_PAGE_INLINE = re.compile(
    r"(?=第)(?:"
    r"第[ \t]*\d{1,3}[ \t]*页[ \t]*[,/、]?[ \t]*共[ \t]*\d{1,3}[ \t]*页|(?<=\s)第[ \t]*\d{1,3}[ \t]*页(?=\s)"
    r")"
)

# Markdown table rules ("| --- | :---: |") and lines of dashes: structure, not zeros.
# Whitespace runs are possessive (`*+`): each run is taken whole by the first
# quantifier that meets it, so a line of a thousand tabs is one pass, not a
# quadratic search (the next token is never whitespace, so no match is lost).
_RULE_LINE = re.compile(r"(?m)^[ \t]*+\|?(?:[ \t]*+:?[-—–=]{3,}:?[ \t]*+\|)*[ \t]*+:?[-—–=]{3,}:?[ \t]*+\|?[ \t]*+\n")

# Thousands separators inside a number: 139,265 → 139265 (only groups of exactly three).
# (variable-width look-behind: the `regex` module)
_THOUSANDS = regex.compile(r"(?<=(?<![\d.])\d{1,3})(?:,(?=\d{3}(?!\d)))|(?<=\d,\d{3}),(?=\d{3}(?!\d))")

# Whitespace inside a label: spaces or line breaks between two Chinese
# characters (or a Chinese character and CJK punctuation).  Never a tab (a
# cell boundary), never next to the placeholders 无/空 (cells of their own),
# never between digits: "2 0" may be two cells.
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_PUNCT = r"()“”‘’《》、,。:;\"「」【】\[\]"
# Every alternative starts at a space or line break: the leading look-ahead
# (same matches) spares the look-behinds at every other position.
_SPLIT = re.compile(
    r"(?=[ \n])(?:"
    rf"(?<=[{_HAN}])(?<![无空])[ \n]+(?=[{_HAN}])(?![无空]|[一二三四五六七八九十]{{1,2}}、)"
    rf"|(?<=[{_HAN}])[ ]+(?=[{_CJK_PUNCT}])|(?<=[{_CJK_PUNCT}])[ ]+(?=[{_HAN}])"
    r")"
)


@dataclass
class Normalized:
    """Normalised text and, for each of its characters, the source offset."""

    text: str
    offsets: list[int]
    source_len: int

    def to_source(self, a: int, b: int) -> tuple[int, int]:
        """Map a normalised [a, b) to the source span that shows the same characters."""
        if b <= a:
            s = self.offsets[a] if a < len(self.offsets) else self.source_len
            return s, s
        return self.offsets[a], self.offsets[b - 1] + 1

    def source_pos(self, a: int) -> int:
        return self.offsets[a] if a < len(self.offsets) else self.source_len


def delete_matches(text: str, offs: list[int], pattern, split_digits: bool = False) -> tuple[str, list[int]]:
    """Drop every match of `pattern`, carrying the offsets of what stays.

    With `split_digits`, a match that holds digits and stands between two
    digits becomes one tab (at its first character's offset) instead:
    deleting it would glue its neighbours into one number whose span shows
    the match's digits too (fuzzing: "3[bookmark: _Toc631091931]0" read as 30).
    """
    parts: list[str] = []
    new_offs: list[int] = []
    last = 0
    for m in pattern.finditer(text):
        s, e = m.span()
        if s == e:
            continue
        parts.append(text[last:s])
        new_offs.extend(offs[last:s])
        if (split_digits and 0 < s and e < len(text) and text[s - 1].isdigit() and text[e].isdigit()
                and any(ch.isdigit() for ch in m.group())):
            parts.append("\t")
            new_offs.append(offs[s])
        last = e
    if last == 0:
        return text, offs
    parts.append(text[last:])
    new_offs.extend(offs[last:])
    return "".join(parts), new_offs


def _nfkc(text: str, offs: list[int]) -> tuple[str, list[int]]:
    """NFKC character by character, so each output character keeps its source offset.

    A character whose NFKC form holds more than one digit (⅓ → 1⁄3, ⑽ → (10),
    ㉑ → 21) stays as it is: a number read from part of it would have a span
    that shows other digits (fuzzing glued ⅓ to 94 and read 941 from "94⅓").
    """
    if unicodedata.is_normalized("NFKC", text):
        return text, offs
    out: list[str] = []
    new_offs: list[int] = []
    for ch, o in zip(text, offs):
        if ch < "\u0300":
            out.append(ch)
            new_offs.append(o)
            continue
        n = unicodedata.normalize("NFKC", ch)
        if len(n) > 1 and sum(c in _ASCII_DIGITS for c in n) > 1:
            n = ch
        out.append(n)
        new_offs.extend([o] * len(n))
    return "".join(out), new_offs


_ASCII_DIGITS = frozenset("0123456789")


@lru_cache(maxsize=2)
def normalize(source: str) -> Normalized:
    """The cleaned text the readers work on, with its offset map back to `source`.

    Pure, and memoised for the last texts: the tables and the narrative
    both start from it, and a report is normalised once.  Callers must not
    mutate the result.
    """
    offs = list(range(len(source)))
    text, offs = delete_matches(source, offs, _JUNK, split_digits=True)
    text = _ODD_CHAR.sub(_one_to_one, text)
    text, offs = _nfkc(text, offs)
    text, offs = delete_matches(text, offs, _PAGE)
    text, offs = delete_matches(text, offs, _PAGE_INLINE)
    text, offs = delete_matches(text, offs, _RULE_LINE)
    text, offs = delete_matches(text, offs, _THOUSANDS)
    text, offs = delete_matches(text, offs, _SPLIT)
    return Normalized(text, offs, len(source))
