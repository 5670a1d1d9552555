"""The report as an HTML page with real <table>s, as word-processor HTML prints them.

The HTML reader expands rowspan/colspan itself, so the page keeps the
official grid's merged cells instead of a flattening; its facts carry no
spans because the loader, not the generator, makes the text they would
index.  Two kinds of mess belong to pages only (`PAGE_MESS`): value cells
of equal consecutive rows merged into one (`rowspan` on the first row's
values, the next rows printing only their labels), and the whole body kept
as a JavaScript string after kilobytes of unrelated script data.
"""
from __future__ import annotations

import html
import random
from collections.abc import Iterable, Sequence

from extractor.training.generate.document import Block, compose
from extractor.training.generate.grid import Cell
from extractor.training.generate.mess import Mess
from extractor.training.generate.narrative import Fact, Seg, random_agency
from extractor.training.generate.tables import copy_gold, template_of
from extractor.training.generate.vocab import vocab

PAGE_MESS: tuple[str, ...] = ("merged_values", "script_string")


def _html_cell(c: Cell, rng: random.Random) -> str:
    """A <td> as word-processor HTML has them: paragraphs, spans, &nbsp;."""
    attrs = (f' rowspan="{c.rs}"' if c.rs > 1 else "") + (f' colspan="{c.cs}"' if c.cs > 1 else "")
    body = html.escape(c.text).replace("\n", "<br/>")
    if c.value and rng.random() < 0.2:
        body += "&nbsp;"
    if rng.random() < 0.5:
        body = f'<p style="text-align:center"><span style="font-size:12px">{body}</span></p>'
    return f"<td{attrs}>{body}</td>"


def _merge_values(rows: list[list[Cell]], rng: random.Random) -> list[list[Cell]]:
    """Runs of consecutive rows with the same values, their value cells merged into the first row's."""
    out: list[list[Cell]] = []
    k = 0
    while k < len(rows):
        vals = [c.text for c in rows[k] if c.value]
        run = 1
        while (len(vals) > 1 and k + run < len(rows) and run < 3
               and [c.text for c in rows[k + run] if c.value] == vals and all(c.rs == 1 for c in rows[k + run])):
            run += 1
        if run > 1 and all(c.rs == 1 for c in rows[k] if c.value) and rng.random() < 0.7:
            out.append([Cell(c.text, run, c.cs, True) if c.value else c for c in rows[k]])
            out.extend([c for c in rows[k + i] if not c.value] for i in range(1, run))
            k += run
        else:
            out.append(rows[k])
            k += 1
    return out


def _html_doc(blocks: list[Block], rng: random.Random, merge: bool = False) -> tuple[str, list[dict]]:
    """Blocks into an HTML page with real <table>s; facts without spans (the loader makes the text)."""
    out = ['<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>',
           html.escape("".join(blocks[0].lines)), "</title></head>\n<body><div class=\"article\">\n"]
    facts: list[dict] = []

    def segs_html(segs: Sequence[Seg]) -> str:
        parts = []
        for s in segs:
            if isinstance(s, Fact):
                facts.append({"metric": s.metric, "channel": s.channel, "value": s.value, "unit": s.unit,
                              "text": s.text, "span": None, "section": s.section, "role": s.role,
                              "approx": s.approx, "category": s.category})
                parts.append(html.escape(s.text))
            else:
                parts.append(html.escape(s))
        return "".join(parts)

    for b in blocks:
        if b.kind == "title":
            out.append(f"<h1>{html.escape(''.join(b.lines))}</h1>\n")
        elif b.kind == "h1":
            out.append(f"<h2>{html.escape(b.lines[0])}</h2>\n")
        elif b.kind == "h2":
            out.append(f"<h3>{html.escape(b.lines[0])}</h3>\n")
        elif b.kind == "para":
            out.append(f'<p style="text-indent:2em">{segs_html(b.segs)}</p>\n')
        elif b.kind == "table":
            out.append('<table border="1" cellspacing="0" cellpadding="0" width="600"><tbody>\n')
            rows = b.table or []
            for row in _merge_values(rows, rng) if merge else rows:
                out.append("<tr>" + "".join(_html_cell(c, rng) for c in row) + "</tr>\n")
            out.append("</tbody></table>\n")
        elif b.kind == "sign":
            out.append("".join(f'<p style="text-align:right">{html.escape(x)}</p>\n' for x in b.lines))
    out.append("</div></body></html>\n")
    return "".join(out), facts


def html_report(gold: dict, rng: random.Random, agency: str | None, year: int | None,
                mess: Iterable[str] = ()) -> tuple[str, dict, list[dict]]:
    """The page, the gold as the record keeps it, and the planted facts (a bundled sample needs all three)."""
    words = vocab()
    template = template_of(gold)
    agency = agency or gold.get("agency") or random_agency(rng)
    if year is None:
        year = gold.get("year") or (2020 if template == "2019" else rng.randint(2021, 2024))
    page_mess = [k for k in mess if k in PAGE_MESS]
    m = Mess(tuple(k for k in mess if k not in PAGE_MESS), rng, words.zero_marks, words.units)
    blocks = compose(gold, template, rng, m, agency, year, True)
    page, facts = _html_doc(blocks, rng, merge="merged_values" in page_mess)
    if "script_string" in page_mess:
        page = script_page(page, rng)
    return page, copy_gold(gold, agency, year), facts


def script_page(page: str, rng: random.Random) -> str:
    """The page's body as a string a script writes in, after kilobytes of unrelated script data.

    Quotes and line breaks escaped as JavaScript writes them, some
    characters as `\\uXXXX` and some slashes as `\\/` (JSON encoders do both).
    """
    body = page[page.index("<body>") + len("<body>"):page.index("</body>")]
    esc = []
    for ch in body:
        if ch == "\\":
            esc.append("\\\\")
        elif ch == '"':
            esc.append('\\"')
        elif ch == "\n":
            esc.append("\\n")
        elif ch == "/" and rng.random() < 0.5:
            esc.append("\\/")
        elif 127 < ord(ch) <= 0xFFFF and rng.random() < 0.3:
            esc.append(f"\\u{ord(ch):04x}")
        else:
            esc.append(ch)
    junk = ",".join(f'"k{i}":{{"id":{rng.randint(1, 99999)},"name":"item{i}","url":"\\/static\\/{i}.js"}}'
                    for i in range(rng.randint(60, 150)))
    return ('<!DOCTYPE html>\n<html><head><meta charset="utf-8"><script>var siteConfig = {' + junk + '};</script>'
            '</head>\n<body><div id="app"></div>\n<script>\nlet content = "' + "".join(esc) + '";\n'
            'document.getElementById("app").innerHTML = content;\n</script></body></html>\n')


def render_html(gold: dict, rng: random.Random, agency: str | None = None, year: int | None = None) -> str:
    """The report as an HTML page with real <table>s (rowspan/colspan as the official grid has)."""
    return html_report(gold, rng, agency, year)[0]
