"""HTML, DOCX and PDF bytes into the plain document text that spans index into.

Each loader turns a structured file into one string with a fixed shape, so
the extraction core reads every format the same way:

- block elements / paragraphs on their own lines;
- every table rendered row by row, cells joined by "\\t", with merged cells
  expanded into a grid (the text stays in the origin cell, the spanned copies
  are empty) so columns line up, and a blank line before and after it.

A file that cannot be read yields a Document with an `error` (never an
exception), so a batch keeps one record per input.  Error codes:
`input.undecodable`, `input.binary`, `input.no_text`, `input.corrupt`,
`input.zip_bomb`, `input.encrypted`, `input.no_text_layer`.
"""
from __future__ import annotations

import codecs
import io
import logging
import re
import zipfile
from typing import Callable, Iterable

from extractor.load import Document, _cjk_score, _is_binary, _looks_utf16, decode
from extractor.record import Issue

# ---------------------------------------------------------------- shared text

_WS_RUN = re.compile(r"[ \t\r\n\f\v\xa0\u2028\u2029]+")
_MULTI_BLANK = re.compile(r"\n{3,}")


def _is_wide(ch: str) -> bool:
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
        if ("\n" in run or "\r" in run) and a > 0 and b < len(s) and _is_wide(s[a - 1]) and _is_wide(s[b]):
            return ""
        return "\t" if keep_tabs and "\t" in run else " "

    return _WS_RUN.sub(repl, s).strip(" \t")


def _cell(s: str | None) -> str:
    """A table cell's text: one line, no tabs (a tab would shift the columns)."""
    return collapse(s or "")


def _grid_lines(grid: list[list[str]]) -> list[str]:
    """Tab-joined rows, padded to one width so columns line up; all-empty rows dropped."""
    width = max((len(r) for r in grid), default=0)
    out = []
    for row in grid:
        if not any(row):
            continue
        out.append("\t".join(row + [""] * (width - len(row))))
    return out


class _Lines:
    """Accumulates document lines: paragraphs are collapsed, table rows kept verbatim."""

    BR = "\x00"  # a forced line break inside a paragraph (<br>, w:br)

    def __init__(self, keep_tabs: bool = False) -> None:
        self.lines: list[str] = []
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

    def table(self, rows: list[str], caption: str = "") -> None:
        self.block()
        if not rows and not caption:
            return
        self.lines.append("")
        if caption:
            self.lines.append(caption)
        self.lines.extend(rows)
        self.lines.append("")

    def result(self) -> str:
        self.block()
        return _MULTI_BLANK.sub("\n\n", "\n".join(self.lines)).strip("\n")


def _error(path: str | None, fmt: str, digest: str, code: str, message: str,
           encoding: str | None = None) -> Document:
    return Document(path, "", encoding, fmt, digest, Issue(code, message))


def load_structured(data: bytes, path: str | None, fmt: str, digest: str) -> Document:
    """Dispatch on the format; called by `extractor.load.load_bytes` for html/docx/pdf."""
    loader: dict[str, Callable[[bytes, str | None, str], Document]] = {
        "html": load_html, "docx": load_docx, "pdf": load_pdf,
    }
    try:
        return loader[fmt](data, path, digest)
    except RecursionError:
        return _error(path, fmt, digest, "input.corrupt", "the file is nested too deeply to read")
    except MemoryError:
        return _error(path, fmt, digest, "input.too_large", "the file needs more memory than allowed to read")


# ---------------------------------------------------------------- HTML: decoding

_META_CHARSET = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._:\-]+)""", re.IGNORECASE)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_TAGGY = re.compile(r"<\s*(?:html|head|body|meta|div|p|table|tr|td|span|br|h[1-6]|!doctype|title)\b",
                    re.IGNORECASE)

# Labels as pages write them -> the codecs that decode what such pages contain.
# GB2312/GBK pages routinely use GBK-only characters, so they decode as GB18030
# (a superset); ISO-8859-1 means windows-1252 on the web (WHATWG).
_CHARSET_ALIASES: dict[str, tuple[str, ...]] = {
    "gb2312": ("gb18030",), "gbk": ("gb18030",), "x-gbk": ("gb18030",), "gb_2312-80": ("gb18030",),
    "csgb2312": ("gb18030",), "chinese": ("gb18030",), "euc-cn": ("gb18030",), "gb18030": ("gb18030",),
    "big5": ("big5hkscs", "cp950"), "x-x-big5": ("big5hkscs", "cp950"), "cp950": ("cp950", "big5hkscs"),
    "big5-hkscs": ("big5hkscs",),
    "iso-8859-1": ("cp1252",), "latin1": ("cp1252",), "latin-1": ("cp1252",), "us-ascii": ("cp1252",),
    "ascii": ("cp1252",), "windows-1252": ("cp1252",),
    "utf8": ("utf-8",), "utf-8": ("utf-8",), "unicode": ("utf-8",),
}


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in <meta charset>, http-equiv or an XML declaration."""
    head = data[:8192]
    m = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    return m.group(1).decode("ascii").lower() if m else None


def _codecs_for(label: str) -> tuple[str, ...]:
    if label in _CHARSET_ALIASES:
        return _CHARSET_ALIASES[label]
    try:
        return (codecs.lookup(label).name,)
    except LookupError:
        return ()


def decode_html(data: bytes) -> tuple[str, str, str | None]:
    """(text, encoding used, note).  The declared charset is honoured but checked.

    A declaration is followed when the bytes decode with it and the result
    reads at least as much like a report as plain detection does; when it
    fails or reads worse (a GBK page labelled iso-8859-1 or utf-8, a UTF-8
    page labelled gb2312), detection wins and `note` says what happened.
    Raises UnicodeError when nothing decodes the bytes.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8"), "utf-8-sig", None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _looks_utf16(data):
        text, enc = decode(data)
        return text, enc, None
    label = declared_charset(data)
    try:
        detected: tuple[str, str] | None = decode(data)
    except UnicodeError:
        detected = None
    if label is None:
        if detected is None:
            raise UnicodeError("no known encoding decodes this page")
        return detected[0], detected[1], None
    for codec in _codecs_for(label):
        try:
            text = data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        if detected is None or detected[0] == text:
            return text, codec, None
        if _cjk_score(detected[0]) > 1.5 * _cjk_score(text) + 0.0005:
            return detected[0], detected[1], (
                f"the page declares charset {label!r} but reads as {detected[1]}; used {detected[1]}")
        return text, codec, None
    if detected is None:
        raise UnicodeError(f"the declared charset {label!r} does not decode this page, and nothing else does")
    return detected[0], detected[1], (
        f"the page declares charset {label!r}, which does not decode it; used {detected[1]}")


# ---------------------------------------------------------------- HTML: rendering

_BLOCK = {
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog",
    "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
    "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li", "main", "menu", "nav", "ol", "p", "pre",
    "section", "summary", "ul", "tr", "td", "th", "thead", "tbody", "tfoot", "table", "listing", "xmp",
}
_DROP = {"script", "style", "noscript", "template", "head", "iframe", "object", "embed", "svg", "math",
         "select", "button", "textarea", "input", "map", "canvas", "audio", "video", "frameset"}
_CELL = {"td", "th"}
_MAX_COLSPAN, _MAX_GRID = 1000, 2_000_000


def _tag(el) -> str | None:
    t = el.tag
    return t.lower() if isinstance(t, str) else None


def _hidden(el) -> bool:
    if el.get("hidden") is not None:
        return True
    style = (el.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def _span_attr(value: str | None, limit: int) -> int:
    """rowspan/colspan as browsers read them: leading digits, at least 1, capped."""
    m = re.match(r"\s*(\d+)", value or "")
    n = int(m.group(1)) if m else 1
    return max(1, min(n, limit))


def _html_cell_text(cell) -> str:
    """All visible text of a cell on one line; <br>, &nbsp; and inner blocks become spaces."""
    from lxml import etree

    parts: list[str] = []
    walker = etree.iterwalk(cell, events=("start", "end"))
    for ev, el in walker:
        tag = _tag(el)
        if ev == "start":
            if el is not cell and (tag is None or tag in _DROP or _hidden(el)):
                walker.skip_subtree()
                continue
            if tag == "br":
                parts.append(" ")
            elif tag in _BLOCK:
                parts.append("\n")
            if el.text:
                parts.append(el.text)
        else:
            if el is cell:
                break
            if tag in _BLOCK:
                parts.append("\n")
            if el.tail:
                parts.append(el.tail)
    return _cell("".join(parts))


def _html_rows(table) -> list:
    """The table's own rows (not those of nested tables), in document order."""
    rows = []
    for child in table:
        tag = _tag(child)
        if tag == "tr":
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            rows.extend(r for r in child if _tag(r) == "tr")
    return rows


def html_table_grid(table) -> list[list[str]]:
    """Expand rowspan/colspan into a rectangular grid of cell texts."""
    rows = _html_rows(table)
    filled: dict[tuple[int, int], str] = {}
    width = 0
    for r, tr in enumerate(rows):
        c = 0
        for cell in tr:
            if _tag(cell) not in _CELL or _hidden(cell):
                continue
            while (r, c) in filled:
                c += 1
            rowspan = cell.get("rowspan")
            rs = len(rows) - r if (rowspan or "").strip() == "0" else _span_attr(rowspan, len(rows) - r)
            cs = _span_attr(cell.get("colspan"), _MAX_COLSPAN)
            if len(filled) + rs * cs > _MAX_GRID:
                rs = cs = 1
            text = _html_cell_text(cell)
            for dr in range(rs):
                for dc in range(cs):
                    filled[(r + dr, c + dc)] = text if dr == dc == 0 else ""
            c += cs
            width = max(width, c)
    return [[filled.get((r, c), "") for c in range(width)] for r in range(len(rows))]


def _is_layout_table(table) -> bool:
    """A table used for page layout (it holds other tables, or is one cell): read it as flow."""
    if table.xpath(".//table"):
        return True
    cells = table.xpath("./tr/td|./tr/th|./*/tr/td|./*/tr/th")
    return len(cells) <= 1


def _caption(table) -> str:
    for child in table:
        if _tag(child) == "caption":
            return _html_cell_text(child)
    return ""


def html_to_text(markup: str) -> str:
    """The visible text of an HTML page in the document-text shape (see module doc)."""
    from lxml import etree, html

    markup = _XML_DECL.sub("", markup, count=1).replace("\x00", "")
    if not markup.strip():
        return ""
    parser = html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
    try:
        root = html.document_fromstring(markup, parser=parser)
    except (etree.ParserError, ValueError):
        return ""
    out = _Lines()
    walker = etree.iterwalk(root, events=("start", "end"))
    skipped: set[int] = set()  # ids of elements whose subtree was not walked
    for ev, el in walker:
        tag = _tag(el)
        if ev == "start":
            if tag is None or tag in _DROP or _hidden(el):
                skipped.add(id(el))
                walker.skip_subtree()
                continue
            if tag == "table" and not _is_layout_table(el):
                out.table(_grid_lines(html_table_grid(el)), _caption(el))
                skipped.add(id(el))
                walker.skip_subtree()
                continue
            if tag == "br":
                out.br()
            elif tag in _BLOCK:
                out.block()
            if el.text:
                out.text(el.text)
        else:
            if id(el) in skipped:
                skipped.discard(id(el))
            elif tag in _BLOCK:
                out.block()
            if el.tail:
                out.text(el.tail)
    return out.result()


def load_html(data: bytes, path: str | None, digest: str) -> Document:
    try:
        markup, enc, note = decode_html(data)
    except UnicodeError as e:
        return _error(path, "html", digest, "input.undecodable", str(e))
    if _is_binary(markup):
        return _error(path, "html", digest, "input.binary", "the file is not text", enc)
    # A text dump saved as .html keeps its lines; only real markup is rendered.
    text = html_to_text(markup) if _TAGGY.search(markup[:20000]) else markup
    doc = Document(path, text, enc, "html", digest)
    if note:
        doc.warnings.append(Issue("input.charset_mismatch", note))
    if not text.strip():
        doc.error = Issue("input.no_text", "the page has no visible text")
    return doc


# ---------------------------------------------------------------- DOCX

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# Refuse archives that would inflate past these (no real report comes close).
ZIP_MAX_TOTAL = 512 * 1024 * 1024
ZIP_MAX_RATIO = 100
ZIP_RATIO_FLOOR = 32 * 1024 * 1024  # ratios only matter once the total is this large
ZIP_MAX_ENTRIES = 10_000
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
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as e:
        return Issue("input.corrupt", f"not a readable .docx (zip) file: {e}")
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
            pieces.extend(" ".join(r) for r in docx_table_grid(child))
    return _cell("\n".join(pieces))


def _w_val(el, path: str) -> str | None:
    found = el.find(path)
    return None if found is None else found.get(_W + "val", "")


def docx_table_grid(tbl) -> list[list[str]]:
    """Rows of cell texts; a merged cell's text appears once, in its first grid cell."""
    grid: list[list[str]] = []
    for tr in _docx_children(tbl):
        if tr.tag != _W + "tr":
            continue
        row: list[str] = [""] * _int(_w_val(tr, f"{_W}trPr/{_W}gridBefore"))
        for tc in _docx_children(tr):
            if tc.tag != _W + "tc":
                continue
            span = max(1, _int(_w_val(tc, f"{_W}tcPr/{_W}gridSpan"), 1))
            vmerge = _w_val(tc, f"{_W}tcPr/{_W}vMerge")
            hmerge = _w_val(tc, f"{_W}tcPr/{_W}hMerge")
            continued = (vmerge is not None and vmerge != "restart") or (hmerge is not None and hmerge != "restart")
            row.append("" if continued else _docx_cell_text(tc))
            row.extend([""] * (min(span, _MAX_COLSPAN) - 1))
        grid.append(row)
    return grid


def _int(s: str | None, default: int = 0) -> int:
    try:
        return int(s) if s else default
    except ValueError:
        return default


def docx_body_text(body) -> str:
    """Paragraphs and tables in body order (tables sit where they are in the document)."""
    out = _Lines(keep_tabs=True)
    for child in _docx_children(body):
        if child.tag == _W + "p":
            out.line(_docx_par_text(child))
        elif child.tag == _W + "tbl":
            out.table(_grid_lines(docx_table_grid(child)))
    return out.result()


def load_docx(data: bytes, path: str | None, digest: str) -> Document:
    problem = zip_problem(data)
    if problem:
        return Document(path, "", None, "docx", digest, problem)
    try:
        import docx

        body = docx.Document(io.BytesIO(data)).element.body
        text = docx_body_text(body)
    except Exception as e:  # python-docx, zipfile, zlib and lxml all have their own errors
        return _error(path, "docx", digest, "input.corrupt", f"not a readable .docx file: {type(e).__name__}: {e}")
    doc = Document(path, text, "utf-8", "docx", digest)
    if not text.strip():
        doc.error = Issue("input.no_text", "the document has no text")
    return doc


# ---------------------------------------------------------------- PDF

_CID = re.compile(r"\(cid:\d+\)")
# A page of a real report holds hundreds of characters; a scan with a stamped
# page number or header holds a handful.
SCAN_CHARS_PER_PAGE = 20


def _quiet_pdfminer() -> None:
    """pdfminer logs every oddity of real-world PDFs at WARNING; they are not ours to report."""
    for name in ("pdfminer", "pdfplumber"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _real_tables(page) -> list:
    """Ruled tables of at least 2x2 (a box drawn round the page is not a table)."""
    found = []
    for t in page.find_tables():
        rows = t.extract()
        if len(rows) >= 2 and max((len(r) for r in rows), default=0) >= 2:
            found.append((t, rows))
    return found


def _inside(obj: dict, boxes: list[tuple[float, float, float, float]]) -> bool:
    cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)


def pdf_page_text(page) -> str:
    """One page: text lines and ruled tables (as tab-joined rows) in reading order, top to bottom."""
    tables = _real_tables(page)
    if not tables:
        return page.extract_text() or ""
    boxes = [t.bbox for t, _ in tables]
    rest = page.filter(lambda obj: obj.get("object_type") != "char" or not _inside(obj, boxes))
    items: list[tuple[float, int, list[str]]] = []
    for line in rest.extract_text_lines():
        items.append((line["top"], 0, [line["text"]]))
    for t, rows in tables:
        grid = [[_cell(c) for c in row] for row in rows]
        items.append((t.bbox[1], 1, ["", *_grid_lines(grid), ""]))
    items.sort(key=lambda it: (it[0], it[1]))
    return "\n".join(line for _, _, lines in items for line in lines)


def load_pdf(data: bytes, path: str | None, digest: str) -> Document:
    _quiet_pdfminer()
    try:
        import pdfplumber
        from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    except ImportError as e:  # pragma: no cover - a broken install
        return _error(path, "pdf", digest, "input.unsupported", f"PDF support is not installed: {e}")
    if b"%PDF" not in data[:1024]:
        return _error(path, "pdf", digest, "input.corrupt", "not a PDF file (no %PDF header)")
    pages: list[str] = []
    chars = images = 0
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                chars += len(page.chars)
                images += len(page.images)
                pages.append(pdf_page_text(page))
                page.close()
    except (PDFPasswordIncorrect, PDFEncryptionError) as e:
        return _error(path, "pdf", digest, "input.encrypted", f"the PDF is encrypted: {type(e).__name__}")
    except Exception as e:  # pdfminer raises many types on broken files
        return _error(path, "pdf", digest, "input.corrupt", f"not a readable PDF: {type(e).__name__}: {e}")
    if not pages:
        return _error(path, "pdf", digest, "input.corrupt", "the PDF has no pages")
    text = _MULTI_BLANK.sub("\n\n", "\n\n".join(p.strip("\n") for p in pages)).strip("\n")
    if chars == 0 or not text.strip():
        return _error(path, "pdf", digest, "input.no_text_layer",
                      f"the PDF's {len(pages)} page(s) have no text layer (a scan?); it needs OCR first")
    if not _CID.sub("", text).strip():
        return _error(path, "pdf", digest, "input.no_text_layer",
                      "the PDF's text has no Unicode mapping (only (cid:N) glyph codes); it needs OCR first")
    visible = len("".join(text.split()))
    if images and visible < SCAN_CHARS_PER_PAGE * len(pages):
        return _error(path, "pdf", digest, "input.no_text_layer",
                      f"the PDF's {len(pages)} page(s) are images with only {visible} characters of text"
                      " (a scan with page numbers?); it needs OCR first")
    return Document(path, text, None, "pdf", digest)
