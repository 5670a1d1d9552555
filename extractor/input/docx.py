"""Word .docx files into the document text: paragraphs and tables in body order.

The zip container is checked before anything inflates it (corrupt, old
binary .doc, zip bombs); deleted revisions, field codes and fallbacks are
skipped; merged cells keep their text once, in the first grid cell.
"""
from __future__ import annotations

import io
import zipfile
from typing import Iterable

from extractor import budget
from extractor.input.document import Document, error_document
from extractor.input.flatten import MAX_COLSPAN, Lines, cell_text, grid_lines, spreads_down
from extractor.record import Issue


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# Refuse archives that would inflate past these (no real report comes close).
ZIP_MAX_TOTAL = 512 * 1024 * 1024
ZIP_MAX_RATIO = 100
ZIP_RATIO_FLOOR = 32 * 1024 * 1024  # ratios only matter once the total is this large
ZIP_MAX_ENTRIES = 10_000
# Table cells beyond this refuse the document (`input.too_large`): a report's tables have a few hundred, a
# long report with every list as a table a few thousand; each cell costs ~7 µs to flatten, so a fuzzed
# 180 KB file of 400,000 cells (27 MB of XML) cost 4 s before anything was read.
MAX_CELLS = 100_000
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def zip_problem(data: bytes) -> Issue | None:
    """Check a zip container before anything inflates it: corrupt, or a zip bomb.

    The declared sizes bound what `zipfile` will inflate (it stops at the
    declared size and fails the CRC beyond), so checking them is enough.
    """
    if data.startswith(_OLE_MAGIC):
        return Issue("input.corrupt", "this is an old binary Word (.doc) file, not a .docx (zip) file")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except Exception as e:  # zipfile has many: BadZipFile, NotImplementedError ("zip file version 13.0"), ...
        return Issue("input.corrupt", f"not a readable .docx (zip) file: {type(e).__name__}: {e}")
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if len(infos) > ZIP_MAX_ENTRIES:
        return Issue("input.zip_bomb", f"the archive has {len(infos)} entries (limit {ZIP_MAX_ENTRIES})")
    if total > ZIP_MAX_TOTAL:
        return Issue("input.zip_bomb", f"the archive inflates to {total} bytes (limit {ZIP_MAX_TOTAL})")
    if total > ZIP_RATIO_FLOOR and total / packed > ZIP_MAX_RATIO:
        return Issue("input.zip_bomb",
                     f"the archive inflates {total / packed:.0f}-fold to {total} bytes (limit {ZIP_MAX_RATIO}-fold)")
    return None


_DOCX_SKIP = {_W + "del", _W + "moveFrom", _MC + "Fallback", _W + "instrText", _W + "delText",
              _W + "pPr", _W + "rPr", _W + "sectPr"}


def _docx_par_text(p) -> str:
    """A paragraph's text: runs, tabs and breaks, deleted revisions and fallbacks skipped."""
    from lxml import etree

    parts: list[str] = []
    walker = etree.iterwalk(p, events=("start",))
    for _, el in walker:
        tag = el.tag
        if not isinstance(tag, str) or tag in _DOCX_SKIP:
            walker.skip_subtree()
            continue
        if tag == _W + "t":
            parts.append(el.text or "")
        elif tag == _W + "tab":
            parts.append("\t")
        elif tag in (_W + "br", _W + "cr"):
            parts.append("\n")
        elif tag == _W + "noBreakHyphen":
            parts.append("-")
        elif tag == _W + "p" and el is not p:
            parts.append("\n")  # a text-box paragraph inside this one
    return "".join(parts)


def _docx_children(el) -> Iterable:
    """Block children, looking through content controls and custom XML wrappers."""
    for child in el:
        tag = child.tag
        if tag == _W + "sdt":
            content = child.find(_W + "sdtContent")
            if content is not None:
                yield from _docx_children(content)
        elif tag in (_W + "customXml", _W + "smartTag"):
            yield from _docx_children(child)
        else:
            yield child


def _docx_cell_text(tc) -> str:
    pieces: list[str] = []
    for child in _docx_children(tc):
        if child.tag == _W + "p":
            pieces.append(_docx_par_text(child))
        elif child.tag == _W + "tbl":
            pieces.extend(" ".join(r) for r in docx_table_grid(child)[0])
    return cell_text("\n".join(pieces))


def _w_val(el, path: str) -> str | None:
    found = el.find(path)
    return None if found is None else found.get(_W + "val", "")


def docx_table_grid(tbl) -> tuple[list[list[str]], int]:
    """Rows of cell texts; also how many cells took a merged value.

    A merged cell's text appears once, in its first grid cell, except a
    value cell merged down (vMerge): each row it covers repeats it
    (`flatten.spreads_down`).
    """
    grid: list[list[str]] = []
    above: dict[int, str] = {}  # grid column -> the text of the cell a vMerge there continues
    spread = 0
    for tr in _docx_children(tbl):
        if tr.tag != _W + "tr":
            continue
        budget.check()
        row: list[str] = [""] * _int(_w_val(tr, f"{_W}trPr/{_W}gridBefore"))
        for k, tc in enumerate(_docx_children(tr)):
            if tc.tag != _W + "tc":
                continue
            if not k % budget.EVERY:
                budget.check()
            span, continued, down = 1, False, False
            props = tc.find(_W + "tcPr")  # most cells have none: three path lookups per cell cost seconds on big tables
            if props is not None:
                span = max(1, _int(_w_val(props, _W + "gridSpan"), 1))
                vmerge, hmerge = _w_val(props, _W + "vMerge"), _w_val(props, _W + "hMerge")
                down = vmerge is not None and vmerge != "restart"
                continued = down or (hmerge is not None and hmerge != "restart")
            col = len(row)
            if down and spreads_down(above.get(col, "")):
                row.append(above[col])
                spread += 1
            else:
                row.append("" if continued else _docx_cell_text(tc))
                above[col] = row[-1]
            row.extend([""] * (min(span, MAX_COLSPAN) - 1))
        grid.append(row)
    return grid, spread


def _int(s: str | None, default: int = 0) -> int:
    try:
        return int(s) if s else default
    except ValueError:
        return default


def docx_body_text(body) -> tuple[str, Issue | None]:
    """Paragraphs and tables in body order (tables sit where they are in the document); the merged-values warning."""
    out = Lines(keep_tabs=True)
    for k, child in enumerate(_docx_children(body)):
        if not k % budget.EVERY:
            budget.check()
        if child.tag == _W + "p":
            out.line(_docx_par_text(child))
        elif child.tag == _W + "tbl":
            grid, spread = docx_table_grid(child)
            out.table(grid_lines(grid), merged_values=spread)
    return out.result(), out.merged_issue()


def read_docx(data: bytes, path: str | None, digest: str) -> Document:
    problem = zip_problem(data)
    if problem:
        return Document(path, "", None, "docx", digest, problem)
    try:
        import docx

        body = docx.Document(io.BytesIO(data)).element.body
        cells = sum(1 for _ in body.iter(_W + "tc"))
        if cells > MAX_CELLS:
            return error_document(path, "docx", digest, "input.too_large",
                                  f"the document's tables have {cells} cells (limit {MAX_CELLS}): not one report")
        text, merged = docx_body_text(body)
    except Exception as e:  # python-docx, zipfile, zlib and lxml all have their own errors
        return error_document(path, "docx", digest, "input.corrupt", f"not a readable .docx file: {type(e).__name__}: {e}")
    doc = Document(path, text, "utf-8", "docx", digest)
    if merged:
        doc.warnings.append(merged)
    if not text.strip():
        doc.error = Issue("input.no_text", "the document has no text")
    return doc

