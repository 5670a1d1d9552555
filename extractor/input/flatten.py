"""The one text shape every structured reader writes, so the core reads every format the same way.

- block elements / paragraphs on their own lines;
- every table rendered row by row, cells joined by "\\t", with merged cells
  expanded into a grid (the text stays in the origin cell, the spanned copies
  are empty) so columns line up, and a blank line before and after it;
- except a value cell merged down over rows (`rowspan="3"` on a 0, Word's
  vMerge): a merged count holds for each row it covers, so each covered row
  prints it too, and the document says how many cells were filled so.
"""
from __future__ import annotations

import re

from extractor.record import Issue

# A colspan beyond this is a broken file, not a table.
MAX_COLSPAN = 1000
_WS_RUN = re.compile(r"[ \t\r\n\f\v\xa0\u2028\u2029]+")
MULTI_BLANK = re.compile(r"\n{3,}")
# A cell that is a value: a number or a placeholder mark (a merged label is never copied down).
_VALUE = re.compile("[0-9.,]+|[/\u2014\u2013\\-\u00d7]{1,2}")


def spreads_down(text: str) -> bool:
    """A merged value cell holds for every row it covers (a merged 0 over counts is 0 for each row)."""
    return bool(_VALUE.fullmatch(text))


def is_wide(ch: str) -> bool:
    """CJK ideographs, kana, CJK and full-width punctuation: scripts without word spaces."""
    o = ord(ch)
    return (0x2E80 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0xFF00 <= o <= 0xFFEF
            or 0x20000 <= o <= 0x3FFFF)


def collapse(s: str, keep_tabs: bool = False) -> str:
    """Collapse whitespace the way a browser renders it, on one line.

    A run containing a line break between two CJK characters disappears
    (CSS Text 3 segment-break rule: Chinese has no word spaces, and a source
    line break inside "部分公开（区分处理的，\\n只计这一情形" is not a space);
    any other run becomes one space (or a tab, with `keep_tabs`, when it
    holds one: Word users align columns with tabs).
    """
    def repl(m: re.Match[str]) -> str:
        run, a, b = m.group(0), m.start(), m.end()
        if ("\n" in run or "\r" in run) and a > 0 and b < len(s) and is_wide(s[a - 1]) and is_wide(s[b]):
            return ""
        return "\t" if keep_tabs and "\t" in run else " "

    return _WS_RUN.sub(repl, s).strip(" \t")


def cell_text(s: str | None) -> str:
    """A table cell's text: one line, no tabs (a tab would shift the columns)."""
    return collapse(s or "")


def grid_lines(grid: list[list[str]]) -> list[str]:
    """Tab-joined rows, padded to one width so columns line up; all-empty rows and trailing columns dropped.

    A trailing column empty in every row is a colspan's shadow: one cell of
    colspan=1000 otherwise pads every row of its table with 999 tabs (a
    fuzzed 1 MB page became 5 MB of text that way).
    """
    # Cells hold no tabs (`cell_text`), so a joined row's trailing tabs are its empty trailing cells.
    lines = ["\t".join(row).rstrip("\t") for row in grid]
    width = max((line.count("\t") + 1 for line in lines if line), default=0)
    return [line + "\t" * (width - 1 - line.count("\t")) for line in lines if line]


class Lines:
    """Accumulates document lines: paragraphs are collapsed, table rows kept verbatim."""

    BR = "\x00"  # a forced line break inside a paragraph (<br>, w:br)

    def __init__(self, keep_tabs: bool = False) -> None:
        self.lines: list[str] = []
        self.merged_values = 0  # covered cells that took a merged value cell's value
        self._para: list[str] = []
        self._keep_tabs = keep_tabs

    def text(self, s: str) -> None:
        if s:
            self._para.append(s.replace(self.BR, ""))

    def line(self, s: str) -> None:
        """A whole paragraph whose "\n" are real line breaks."""
        self.block()
        self._para.append(s.replace(self.BR, "").replace("\n", self.BR))
        self.block()

    def br(self) -> None:
        self._para.append(self.BR)

    def block(self) -> None:
        """End the current paragraph: its text goes out as one or more lines."""
        if not self._para:
            return
        raw, self._para = "".join(self._para), []
        for piece in raw.split(self.BR):
            line = collapse(piece, self._keep_tabs).strip("\u3000 ")
            if line:
                self.lines.append(line)

    def table(self, rows: list[str], caption: str = "", merged_values: int = 0) -> None:
        self.merged_values += merged_values
        self.block()
        if not rows and not caption:
            return
        self.lines.append("")
        if caption:
            self.lines.append(caption)
        self.lines.extend(rows)
        self.lines.append("")

    def merged_issue(self) -> Issue | None:
        """The warning of a document with value cells merged over rows (None without any)."""
        if not self.merged_values:
            return None
        return Issue("input.merged_values", f"{self.merged_values} table cells lie under a value cell merged "
                                            "over rows: each took the merged value")

    def result(self) -> str:
        self.block()
        return MULTI_BLANK.sub("\n\n", "\n".join(self.lines)).strip("\n")

