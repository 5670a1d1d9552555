"""HTML pages into the document text: the declared charset honoured but checked, visible text only.

Tables (rowspan/colspan expanded) become tab-joined rows; scripts, styles,
hidden elements and layout tables do not hide or shift the report.
"""
from __future__ import annotations

import codecs
import re

from extractor import budget
from extractor.input.decode import cjk_score, decode, is_binary, looks_utf16
from extractor.input.document import Document, error_document
from extractor.input.flatten import MAX_COLSPAN, Lines, cell_text, grid_lines, spreads_down
from extractor.record import Issue

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
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or looks_utf16(data):
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
        if cjk_score(detected[0]) > 1.5 * cjk_score(text) + 0.0005:
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
# Spanned grid cells per table: a report's biggest table has a few hundred;
# past this, spans are read as 1 (filling 2 million cells of a fuzzed page's
# rowspan=2^31 colspan=10^9 cells cost seconds per table).
_MAX_GRID = 100_000
# No report table has more columns than this (table 3 has 9).
WIDE = 64


def _tag(el) -> str | None:
    t = el.tag
    return t.lower() if isinstance(t, str) else None


def _hidden(el) -> bool:
    if el.get("hidden") is not None:
        return True
    style = (el.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


_SPAN = re.compile(r"\s*(\d+)")


def _span_attr(value: str | None, limit: int) -> int:
    """rowspan/colspan as browsers read them: leading digits, at least 1, capped."""
    if not value:
        return 1
    m = _SPAN.match(value)
    n = int(m.group(1)) if m else 1
    return max(1, min(n, limit))


def _html_cell_text(cell) -> str:
    """All visible text of a cell on one line; <br>, &nbsp; and inner blocks become spaces."""
    from lxml import etree

    if len(cell) == 0:  # no child elements: the common cell, read without a walk
        return cell_text(cell.text)
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
    return cell_text("".join(parts))


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


def html_table_grid(table) -> tuple[list[list[str]], int]:
    """Expand rowspan/colspan into a rectangular grid of cell texts; also how many cells took a merged value.

    A value cell with a rowspan (`<td rowspan="3">0</td>`) fills its column
    in each row it covers (`flatten.spreads_down`); any other merged cell
    keeps its text in its first grid cell only.
    """
    rows = _html_rows(table)
    filled: dict[tuple[int, int], str] = {}
    spread = 0
    for r, tr in enumerate(rows):
        budget.check()
        c = 0
        for k, cell in enumerate(tr):
            if not k % budget.EVERY:
                budget.check()
            if _tag(cell) not in _CELL or _hidden(cell):
                continue
            while (r, c) in filled:
                c += 1
            rowspan = cell.get("rowspan")
            rs = len(rows) - r if (rowspan or "").strip() == "0" else _span_attr(rowspan, len(rows) - r)
            cs = _span_attr(cell.get("colspan"), MAX_COLSPAN)
            if len(filled) + rs * cs > _MAX_GRID:
                rs = cs = 1
            text = _html_cell_text(cell)
            down = rs > 1 and spreads_down(text)
            spread += rs - 1 if down else 0
            for dr in range(rs):
                for dc in range(cs):
                    filled[(r + dr, c + dc)] = text if dc == 0 and (dr == 0 or down) else ""
            c += cs
    # Only the origin cells hold text.  A grid wider than `WIDE` is a colspan's
    # artefact (one colspan=1000 cell pads every row of its table with 999
    # tabs; fuzzed pages of 100 KB became megabytes of text): its columns
    # empty in every row go, which shifts every row alike.
    texts = {rc: text for rc, text in filled.items() if text}
    used = sorted({c for _, c in texts})
    width = used[-1] + 1 if used else 0
    column = {c: c for c in used}
    if width > WIDE:
        column = {c: k for k, c in enumerate(used)}
        width = len(used)
    grid = [[""] * width for _ in range(len(rows))]
    for (r, c), text in texts.items():
        grid[r][column[c]] = text
    return grid, spread


def _is_layout_table(table) -> bool:
    """A table used for page layout (it holds other tables, or is one cell): read it as flow."""
    for _ in table.iterdescendants("table"):  # stops at the first: an xpath over a huge table cost seconds
        return True
    cells = 0
    for child in table:
        for tr in ([child] if _tag(child) == "tr" else child):
            if _tag(tr) == "tr":
                cells += sum(1 for cell in tr if _tag(cell) in ("td", "th"))
                if cells > 1:
                    return False
    return True


def _caption(table) -> str:
    for child in table:
        if _tag(child) == "caption":
            return _html_cell_text(child)
    return ""


def html_to_text(markup: str) -> str:
    """The visible text of an HTML page in the document-text shape (see module doc)."""
    return read_page(markup)[0]


def read_page(markup: str) -> tuple[str, str | None, Issue | None]:
    """(visible text, why the parser stopped early or None, the merged-values warning or None).

    libxml2 stops at 256 levels of nesting (2048 with huge_tree) and keeps
    only what came before; a page nested that deep is broken, and the
    record says so rather than calling it empty (fuzzing: 100,000 nested
    divs around a whole report read as "no visible text").
    """
    from lxml import etree, html

    markup = _XML_DECL.sub("", markup, count=1).replace("\x00", "")
    if not markup.strip():
        return "", None, None
    parser = html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
    try:
        root = html.document_fromstring(markup, parser=parser)
    except (etree.ParserError, ValueError):
        return "", None, None
    stopped = next((e.message for e in parser.error_log if e.type_name == "ERR_RESOURCE_LIMIT"), None)
    out = Lines()
    walker = etree.iterwalk(root, events=("start", "end"))
    skipped: set[int] = set()  # ids of elements whose subtree was not walked
    for k, (ev, el) in enumerate(walker):
        if not k % budget.EVERY:
            budget.check()
        tag = _tag(el)
        if ev == "start":
            if tag is None or tag in _DROP or _hidden(el):
                skipped.add(id(el))
                walker.skip_subtree()
                continue
            if tag == "table" and not _is_layout_table(el):
                grid, spread = html_table_grid(el)
                out.table(grid_lines(grid), _caption(el), spread)
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
    return out.result(), stopped, out.merged_issue()


# ---------------------------------------------------------------- HTML inside a script or JSON string

# A JavaScript or JSON string literal (escapes kept); the alternatives are disjoint, so matching is linear.
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'')
# Markup escaped inside a string: a tag with an escaped quote (`<p align=\"center\">`), an escaped `<`,
# or a tag followed on its line by an escaped line break.
_ESCAPED_TAG = re.compile(r'<(?:p|div|table|span|h[1-6]|tr|td)\b[^<>\n]{0,300}?\\["\']|\\u003c(?:p|div|table)\b'
                          r'|<(?:p|div|table|tr|td|br)\b[^\n]{0,300}?\\n', re.IGNORECASE)
_JS_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", re.DOTALL)
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
# Han characters in a string before it can be a report's body (a menu or an ad template is not).
_MIN_HAN = 200


def _unescape_js(body: str) -> str:
    """A string literal's content as the script means it (\\", \\n, \\uXXXX, \\xNN, \\/)."""
    def repl(m: re.Match[str]) -> str:
        e = m.group(1)
        if e[0] in "ux" and len(e) > 1:
            return chr(int(e[1:], 16))
        return _SIMPLE_ESCAPES.get(e, e)
    return _JS_ESCAPE.sub(repl, body)


_PAGE_START = re.compile(r"<(?:!doctype\s+html|html\b|\?xml[^>]*>\s*<(?:!doctype\s+html|html\b))", re.IGNORECASE)


def looks_like_page(head: str) -> bool:
    """A saved page (it opens with <!DOCTYPE html> or <html>), or markup inside a script or JSON string.

    Read as HTML whatever the file's suffix; a markdown or text file with
    some inline tags is not a page.
    """
    return bool(_PAGE_START.match(head.lstrip("\ufeff \t\r\n"))) or bool(_ESCAPED_TAG.search(head))


def embedded_markup(markup: str) -> str | None:
    """The report when a page or script keeps it as an HTML string (`let content = "<p align=\\"center\\">…"`).

    The longest string literal holding escaped markup and at least
    `_MIN_HAN` Han characters, unescaped; None when there is none.
    """
    if _ESCAPED_TAG.search(markup) is None:
        return None
    best = None
    for m in _STRING.finditer(markup):
        lit = m.group()
        if best is not None and len(lit) <= len(best):
            continue
        if _ESCAPED_TAG.search(lit) or "\\u003c" in lit.lower():
            best = lit
    if best is None:
        return None
    body = _unescape_js(best[1:-1])
    return body if sum(1 for ch in body if "\u4e00" <= ch <= "\u9fff") >= _MIN_HAN else None


def read_html(data: bytes, path: str | None, digest: str) -> Document:
    try:
        markup, enc, note = decode_html(data)
    except UnicodeError as e:
        return error_document(path, "html", digest, "input.undecodable", str(e))
    if is_binary(markup):
        return error_document(path, "html", digest, "input.binary", "the file is not text", enc)
    # A text dump saved as .html keeps its lines; only real markup is rendered.
    embedded = embedded_markup(markup)
    if embedded is not None:
        markup = embedded
    text, stopped, merged = read_page(markup) if _TAGGY.search(markup[:20000]) else (markup, None, None)
    doc = Document(path, text, enc, "html", digest)
    if embedded is not None:
        doc.warnings.append(Issue("input.embedded_html", "the report is an HTML string inside a script or "
                                                         "JSON: that string was read"))
    if merged:
        doc.warnings.append(merged)
    if note:
        doc.warnings.append(Issue("input.charset_mismatch", note))
    if stopped and not text.strip():
        doc.error = Issue("input.corrupt", f"the page is nested too deeply to read ({stopped})")
    elif stopped:
        doc.warnings.append(Issue("input.truncated", f"the page is nested too deeply ({stopped}): "
                                                     "what follows that point is not read"))
    elif not text.strip():
        doc.error = Issue("input.no_text", "the page has no visible text")
    return doc

