"""The composed blocks written as text in one of the five layouts real reports reach us in.

`cells_per_line` is Word flattened by pandoc (one cell a line), `tabs` a PDF
text layer (tab rows whose merged-cell blanks wander), `pipes` an HTML page
flattened (`|` bars, empty cells collapsed), `markdown` real pipe tables,
and `glued` a crawler page with the whole body on one line.  Fact spans
are recorded as the text is written, so they index the final text.
"""
from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable, Sequence

from extractor.training.generate.converter import CONVERTER_LAYOUTS, write_converter_table
from extractor.training.generate.document import Block
from extractor.training.generate.grid import flatten, is_value_row
from extractor.training.generate.mess import Mess
from extractor.training.generate.narrative import Fact, Seg

LAYOUTS: tuple[str, ...] = ("cells_per_line", "tabs", "pipes", "markdown", "glued")

# Half-width forms of the Chinese punctuation some flattened HTML pages carry instead.
_ASCII_PUNCT = {ord(c): unicodedata.normalize("NFKC", c) for c in "（）：，；"}


class Doc:
    """Text under construction; records fact spans, and the gold fragments of label text, as pieces are appended."""

    def __init__(self, xlate: dict | None = None):
        self.parts: list[str] = []
        self.n = 0
        self.facts: list[dict] = []
        self.fragments: list[dict] = []  # annotation fragments (`training.annotations`), with their `form`
        self.xlate = xlate

    def add(self, s: str) -> None:
        if self.xlate:
            s = s.translate(self.xlate)
        self.parts.append(s)
        self.n += len(s)

    def label(self, s: str, key: str, form: str) -> None:
        """Label text whose fragment label is `key` (a converter's cell; `converter.FORMS` says where it stands)."""
        start = self.n
        self.add(s)
        text = self.parts[-1]
        lead = len(text) - len(text.lstrip())
        core = text.strip()
        if core and key:
            a = start + lead
            self.fragments.append({"span": [a, a + len(core)], "label": key, "text": core, "form": form})

    def segs(self, segs: Sequence[Seg]) -> None:
        for s in segs:
            if isinstance(s, Fact):
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


def _write_lines_table(doc: Doc, block: Block, layout: str, mess: Mess, rng: random.Random) -> None:
    """A table in one of the line layouts (cells_per_line, tabs, pipes, markdown)."""
    rows = block.table or []
    word, full, orig = flatten(rows, block.width)
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
            doc.add("\t".join(_shift_tabs(rng, full[r], is_value_row(row))) + "\n")
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


def _write_glued_table(doc: Doc, block: Block, glue: Callable[[], str], mess: Mess) -> None:
    """A table on the one-line page: every non-empty cell in reading order, no separators."""
    rows = block.table or []
    orig = flatten(rows, block.width)[2]
    for r, line in enumerate(orig):
        if r:
            furn = mess.furniture()
            if furn:
                doc.add(f" {furn} ")
        for c in line:
            if c:
                doc.add(c + glue())


def write_text(blocks: list[Block], layout: str, mess: Mess, rng: random.Random, agency: str, year: int) -> Doc:
    """Blocks into text in the given layout."""
    if layout == "glued":
        return _write_glued(blocks, mess, rng, agency, year)
    xlate = _ASCII_PUNCT if layout == "pipes" and rng.random() < 0.5 else None
    doc = Doc(xlate)
    converter = layout in CONVERTER_LAYOUTS
    blank = layout in ("tabs", "markdown") or converter
    md_heads = layout == "markdown" or converter or (layout == "tabs" and rng.random() < 0.6)
    indent = layout == "cells_per_line" and rng.random() < 0.6
    table_title = ""  # the section a table stands in: a converter may print it again as the table's heading
    for b in blocks:
        if b.kind == "title":
            if md_heads:
                doc.add("# " + "".join(b.lines) + "\n\n")
            else:
                doc.add(("\n" if layout == "cells_per_line" else "").join(b.lines) + "\n")
                doc.add("\n" if layout != "pipes" else "")
        elif b.kind == "h1":
            table_title = b.lines[0].split("、", 1)[-1]
            pre = "## " if md_heads else ("　　" if indent and b.name not in ("overview",) else "")
            doc.add(pre + b.lines[0] + "\n" + ("\n" if blank else ""))
        elif b.kind == "h2":
            doc.add(("### " if md_heads else "") + b.lines[0] + "\n" + ("\n" if blank else ""))
        elif b.kind == "para":
            if indent and rng.random() < 0.3:
                doc.add("　　")
            doc.segs(b.segs)
            doc.add("\n" + ("\n" if blank else ""))
        elif b.kind == "table" and converter:
            write_converter_table(doc, b.table or [], b.name, layout, mess.on, rng, table_title)
        elif b.kind == "table":
            _write_lines_table(doc, b, layout, mess, rng)
        elif b.kind == "sign":
            pad = " " * rng.randint(20, 40) if layout == "cells_per_line" else ""
            doc.add("\n" + pad + b.lines[0] + "\n" + ("　　" if indent else pad) + b.lines[1] + "\n")
    return doc


def _write_glued(blocks: list[Block], mess: Mess, rng: random.Random, agency: str, year: int) -> Doc:
    """The crawler page: a header block, then the whole body on one line, cells glued."""
    doc = Doc()
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


def to_cr_only(text: str) -> str:
    """Old Mac line ends, as some crawlers save reports: CR alone, no LF anywhere (spans unchanged)."""
    return text.replace("\r\n", "\r").replace("\n", "\r")


def to_crlf(text: str, facts: list[dict]) -> str:
    """Windows line ends; the spans of `facts` (facts or fragments) shift by the newlines before them."""
    for f in facts:
        s, e = f["span"]
        f["span"] = [s + text.count("\n", 0, s), e + text.count("\n", 0, e)]
    return text.replace("\n", "\r\n")
