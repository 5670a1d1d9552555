"""A document text rendered as a file of each format the extractor reads: txt, md, html, docx, pdf.

The shapes follow the test builders (`tests.helpers.blocks`: tab-holding
lines are table rows); the PDF is theirs (`tests.helpers.to_pdf`).  The
docx is written here as WordprocessingML into python-docx's own template,
because python-docx's `table.cell(i, j)` rebuilds the grid on every call
and takes seconds per report: the fuzzer makes tens of thousands.  Each
renderer may also vary the encoding (text) or the declared charset and the
markup (HTML), and says how in the case's kind.
"""
from __future__ import annotations

import io
import random
import re
import zipfile
from functools import lru_cache
from html import escape

from tests.helpers import blocks, to_pdf

FORMATS = ("txt", "md", "html", "docx", "pdf")
SUFFIX = {"txt": ".txt", "md": ".md", "html": ".html", "docx": ".docx", "pdf": ".pdf"}
FORMAT_OF = {suffix: fmt for fmt, suffix in SUFFIX.items()}

# (codec, with BOM) for plain text; big5 cannot spell simplified characters, so it writes '?'.
_TEXT_ENCODINGS = [("utf-8", False)] * 6 + [("utf-8", True), ("gb18030", False), ("big5", False),
                                            ("utf-16-le", False), ("utf-16-le", True),
                                            ("utf-16-be", False), ("utf-16-be", True)]
_BOMS = {"utf-8": b"\xef\xbb\xbf", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}
_CHARSETS = ["utf-8", "gb2312", "gbk", "gb18030", "big5", "iso-8859-1", "windows-1252", "utf-16", "x-bogus"]
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _chance(rng: random.Random | None, p: float) -> bool:
    """True with probability p; never without a generator (the plain, honest rendering)."""
    return rng is not None and rng.random() < p


def encode(rng: random.Random | None, text: str) -> tuple[bytes, str]:
    """The text in a random encoding (mostly UTF-8; UTF-8 without a generator), and its name for the kind."""
    enc, bom = rng.choice(_TEXT_ENCODINGS) if rng else _TEXT_ENCODINGS[0]
    data = text.encode(enc, "replace")
    return (_BOMS[enc] + data if bom else data), enc + ("+bom" if bom else "")


def to_markdown(text: str) -> str:
    """Pipe tables with a rule under the first row; short prose lines as headings now and then."""
    out: list[str] = []
    for kind, val in blocks(text):
        if kind == "p":
            line = str(val)
            out.append(("## " + line) if len(line) < 30 and not any(c.isdigit() for c in line) else line)
            out.append("")
        else:
            rows = [list(r) for r in val]  # type: ignore[union-attr]
            width = max(len(r) for r in rows)
            for k, row in enumerate(rows):
                cells = [c.replace("|", "\\|") for c in row] + [""] * (width - len(row))
                out.append("| " + " | ".join(cells) + " |")
                if k == 0:
                    out.append("|" + "---|" * width)
            out.append("")
    return "\n".join(out)


def to_html(rng: random.Random | None, text: str) -> str:
    """A page: paragraphs, tables with some th/thead/spans/br/entities, layout wrappers and hidden junk."""
    parts = ["<html><head><title>t</title><style>p{color:red}</style></head><body>"]
    wrap = _chance(rng, 0.3)
    if wrap:
        parts.append("<table><tr><td>" if _chance(rng, 0.5) else "<div><div><section>")
    for kind, val in blocks(text):
        if kind == "p":
            parts.append(f"<p>{escape(str(val))}</p>\n")
            if _chance(rng, 0.02):
                parts.append('<div style="display:none">' + escape(str(val)) + "</div>")
            continue
        rows = val
        parts.append("<table border=1>" + ("<thead>" if _chance(rng, 0.2) else "") + "\n")
        for r, row in enumerate(rows):  # type: ignore[union-attr]
            tag = "th" if r == 0 and _chance(rng, 0.3) else "td"
            cells = []
            for c in row:
                attrs = ""
                if rng is not None and _chance(rng, 0.03):
                    attrs = f' {rng.choice(["rowspan", "colspan"])}="{rng.choice([0, 2, 3, 1000, 99999999])}"'
                body = escape(c) or "&nbsp;"
                if _chance(rng, 0.02):
                    body = body.replace(" ", "<br>") + "<br/>"
                cells.append(f"<{tag}{attrs}>{body}</{tag}>")
            parts.append("<tr>" + "".join(cells) + "</tr>\n")
        parts.append("</table>\n")
    if wrap:
        parts.append("</td></tr></table>" if parts[1].startswith("<table") else "</section></div></div>")
    parts.append("<script>var x = '<p>0</p>';</script><!-- end --></body></html>")
    return "".join(parts)


def encode_html(rng: random.Random | None, markup: str) -> tuple[bytes, str]:
    """The page in an encoding, with a charset declaration that is mostly honest, sometimes wrong or absent."""
    enc, bom = rng.choice(_TEXT_ENCODINGS) if rng else _TEXT_ENCODINGS[0]
    r = rng.random() if rng else 0.0
    declared = {"utf-8": "utf-8", "gb18030": "gb2312", "big5": "big5"}.get(enc, "utf-16") if r < 0.6 else \
        None if r < 0.75 else rng.choice(_CHARSETS)
    if declared:
        meta = (f'<meta charset="{declared}">' if _chance(rng, 0.5) else
                f'<meta http-equiv="Content-Type" content="text/html; charset={declared}">')
        markup = markup.replace("<head>", "<head>" + meta, 1) if "<head>" in markup else meta + markup
    data = markup.encode(enc, "replace")
    return (_BOMS[enc] + data if bom else data), f"{enc}{'+bom' if bom else ''}/declared={declared}"


@lru_cache(maxsize=1)
def _docx_template() -> dict[str, bytes]:
    """The parts of python-docx's default document (styles, settings, relationships)."""
    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _run(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{escape(_XML_BAD.sub("", text), quote=False)}</w:t></w:r></w:p>'


def to_docx(text: str) -> bytes:
    """A Word file with paragraphs and real tables in body order (see the module docstring for why by hand)."""
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body = []
    for kind, val in blocks(text):
        if kind == "p":
            body.append(_run(str(val)))
            continue
        rows = val
        width = max(len(r) for r in rows)  # type: ignore[union-attr]
        body.append("<w:tbl><w:tblGrid>" + "<w:gridCol/>" * width + "</w:tblGrid>")
        for row in rows:  # type: ignore[union-attr]
            cells = list(row) + [""] * (width - len(row))
            body.append("<w:tr>" + "".join(f"<w:tc>{_run(c)}</w:tc>" for c in cells) + "</w:tr>")
        body.append("</w:tbl>")
    xml = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {ns}><w:body>{"".join(body)}</w:body></w:document>'
    parts = dict(_docx_template())
    parts["word/document.xml"] = xml.encode("utf-8")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return buf.getvalue()


def render(rng: random.Random | None, fmt: str, text: str, markup: str | None = None) -> tuple[bytes, str]:
    """The text as a file of format `fmt` (an HTML base may give its own markup): (bytes, how).

    Without a generator the rendering is plain: UTF-8, an honest charset, no markup variations.
    """
    if fmt == "txt":
        return encode(rng, text)
    if fmt == "md":
        return encode(rng, to_markdown(text))
    if fmt == "html":
        return encode_html(rng, markup if markup is not None else to_html(rng, text))
    if fmt == "docx":
        return to_docx(text), "docx"
    return to_pdf(_XML_BAD.sub("", text)), "pdf"
