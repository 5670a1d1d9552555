"""One report as HTML for a person to check: the source highlighted, the tables as printed.

A reviewer checks a number against the page it came from, so every mark
(`review.marks`) is drawn in the source at its span, coloured by its band,
with its tooltip; the three tables are drawn in the official layout (labels
from `extractor.spec.labels`, never spelled here), every value linked to its
place in the source; the readings of an ambiguous glued run are shown side
by side.  `write_view_html` makes one report's view a standalone page
(`extractor review --html`), so no Jupyter is needed to look.
"""
from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

from extractor.confidence import ABSENT, REVIEW_BELOW
from extractor.review.frames import (failing_checks, flagged_cells, low_cells, low_facts, record_cells, review_log,
                                     source_text)
from extractor.review.marks import BANDS, FLAG_COLOUR, PERSON_COLOUR, Mark, anchor_id, band, cell_label, marks, shown
from extractor.spec.labels import labels

_CSS = """<style>
.rv-src{font-family:"Noto Sans Mono CJK SC","Noto Sans CJK SC",monospace;font-size:13px;line-height:1.7;
 white-space:pre-wrap;word-break:break-all;border:1px solid #ccc;padding:8px;background:#fcfcfc}
.rv-src .rv-m{border-radius:2px;padding:0 1px}
.rv-src .rv-fact{border-bottom:2px solid #555}
.rv-src .rv-ph{outline:1px dashed #777}
.rv-src .rv-flag{outline:2px solid #d00000}
.rv-src .rv-issue{text-decoration:underline wavy #d00000}
.rv-legend span{display:inline-block;padding:1px 6px;margin:0 4px 4px 0;border-radius:3px;font-size:12px}
table.rv-t{border-collapse:collapse;font-size:12px;margin:6px 0 14px 0}
table.rv-t td,table.rv-t th{border:1px solid #999;padding:2px 5px;text-align:center}
table.rv-t th{background:#f0f0f0;font-weight:normal}
table.rv-t td.rv-lab{text-align:left;background:#fafafa}
table.rv-t td.rv-v a{color:#000;text-decoration:none}
table.rv-t td.rv-flag{outline:2px solid #d00000;outline-offset:-2px;font-weight:bold}
table.rv-t td.rv-low{font-weight:bold}
table.rv-t td.rv-none{color:#999}
.rv-checks{font-size:12px;color:#900;margin:0 0 10px 0}
table.rv-c{border-collapse:collapse;font-size:12px}
table.rv-c td,table.rv-c th{border:1px solid #999;padding:2px 8px}
</style>"""


def legend_html() -> str:
    """The colour key shared by the source and the tables."""
    items = [f'<span style="background:{col}">{html.escape(name)}</span>' for _, name, col in BANDS]
    items.append(f'<span style="background:{PERSON_COLOUR}">set or accepted by a person</span>')
    items.append(f'<span style="outline:2px solid {FLAG_COLOUR}">named by a failing check</span>')
    items.append('<span style="outline:1px dashed #777">placeholder read as 0</span>')
    items.append('<span style="border-bottom:2px solid #555">fact (narrative)</span>')
    items.append('<span style="text-decoration:underline wavy #d00000">issue (e.g. ambiguous run)</span>')
    return _CSS + '<div class="rv-legend">' + "".join(items) + "</div>"


def highlight_html(text: str, record: dict[str, Any], *, max_height: str | None = None,
                   window: tuple[int, int] | None = None) -> str:
    """The source text as HTML with every cell and fact highlighted in place by its span.

    Overlapping marks (a fact inside an ambiguous run, a year inside a fact)
    are handled by cutting the text at every mark boundary: each piece takes
    the colour of its least confident covering mark and lists every covering
    mark in its tooltip.  Each mark's first piece carries an anchor id the
    tables link to.  `window` limits the output to [start, end) (a focus on
    one region); `max_height` makes the box scroll.
    """
    ms = [m for m in marks(record) if 0 <= m.start < m.end <= len(text)]
    lo, hi = window if window else (0, len(text))
    lo, hi = max(0, lo), min(len(text), hi)
    cuts = {lo, hi}
    for m in ms:
        cuts.update(x for x in (m.start, m.end) if lo < x < hi)
    edges = sorted(cuts)
    starts: dict[int, list[Mark]] = {}
    for m in ms:
        starts.setdefault(max(m.start, lo), []).append(m)
    parts: list[str] = []
    for a, b in zip(edges, edges[1:]):
        for m in starts.get(a, []):
            if m.start >= lo:
                parts.append(f'<a id="{anchor_id(record, m.key)}"></a>')
        seg = html.escape(text[a:b])
        cover = [m for m in ms if m.start <= a and b <= m.end]
        if not cover:
            parts.append(seg)
            continue
        classes = ["rv-m"]
        valued = [m for m in cover if m.kind != "issue"]
        style = ""
        if valued:
            worst = min(valued, key=lambda m: (m.confidence if m.confidence is not None else ABSENT))
            colour = PERSON_COLOUR if all(m.person for m in valued) else band(worst.confidence)[1]
            style = f' style="background:{colour}"'
        if any(m.kind == "fact" for m in cover):
            classes.append("rv-fact")
        if any(m.kind == "placeholder" for m in cover):
            classes.append("rv-ph")
        if any(m.flagged for m in cover):
            classes.append("rv-flag")
        if any(m.kind == "issue" for m in cover):
            classes.append("rv-issue")
        title = html.escape("\n".join(m.label for m in cover), quote=True)
        keys = html.escape(" ".join(m.key for m in cover), quote=True)
        parts.append(f'<span class="{" ".join(classes)}"{style} title="{title}" data-keys="{keys}">{seg}</span>')
    box = f' style="max-height:{max_height};overflow:auto"' if max_height else ""
    return _CSS + f'<div class="rv-src"{box}>' + "".join(parts) + "</div>"


# ------------------------------------------------------------------ the tables in the official layout
def _td(record: dict[str, Any], t: str, r: str, c: str, flags: dict[str, list[str]]) -> str:
    cell = ((record.get("tables") or {}).get(t) or {}).get(r, {}).get(c)
    name = f"{t}.{r}.{c}"
    if cell is None:
        return '<td class="rv-none">—</td>'
    person = (review_log(record)["cells"].get(name) or {}).get("action")
    classes = ["rv-v"]
    v = cell.get("value")
    conf = cell.get("confidence", ABSENT)
    if v is None:
        classes.append("rv-none")
        colour = "#ffffff"
    else:
        colour = PERSON_COLOUR if person else band(conf)[1]
    text = html.escape(shown(v))
    if name in flags:
        classes.append("rv-flag")
        text = "⚠ " + text
    if v is not None and conf < REVIEW_BELOW and not person:
        classes.append("rv-low")
        text += "?"
    if cell.get("candidates") and not person:
        text += "*"
    if person:
        text += " ✎" if person == "corrected" else " ✓"
    title = html.escape(cell_label(name, cell, flags.get(name, ()), person), quote=True)
    if cell.get("span") or cell.get("raw_span"):
        text = f'<a href="#{anchor_id(record, name)}">{text}</a>'
    return f'<td class="{" ".join(classes)}" style="background:{colour}" title="{title}">{text}</td>'


def _table2_html(record: dict[str, Any], flags: dict[str, list[str]]) -> str:
    L = labels()
    raw_rows = L.raw["table2"]["rows"]
    content = L.raw["render"]["table2_content_header"]
    out = [f'<table class="rv-t"><caption style="text-align:left">{html.escape(L.raw["table2"]["title"])}</caption>']
    prev_group = None
    for rr, row in zip(raw_rows, L.table2_rows):
        if rr["group"] != prev_group:
            prev_group = rr["group"]
            heads = "".join(f"<th>{html.escape(L.table2_column_labels[c])}</th>" for c in row.columns)
            out.append(f'<tr><th colspan="4" style="text-align:left">{html.escape(rr["group"])}</th></tr>')
            out.append(f"<tr><th>{html.escape(content)}</th>{heads}</tr>")
        tds = "".join(_td(record, "table2", row.key, c, flags) for c in row.columns)
        out.append(f'<tr><td class="rv-lab">{html.escape(row.label)}</td>{tds}</tr>')
    out.append("</table>")
    return "".join(out)


def _table3_html(record: dict[str, Any], flags: dict[str, list[str]]) -> str:
    """Table 3 as the official grid: three label columns (merged group labels), seven value columns."""
    L = labels()
    rnd = L.raw["render"]
    groups = L.raw["table3"]["groups"]
    group_label = {g["key"]: g["match"][0] for g in groups}
    group_of = L.outcome_groups
    outcome_total = L.balance.total
    keys = list(L.row3)
    first_out = next(i for i, k in enumerate(keys) if k in group_of)
    last_in = keys.index(outcome_total)
    sizes: dict[str, int] = {}
    for row in L.table3_rows:
        if row.key in group_of and row.ordinal is not None:
            sizes[group_of[row.key]] = sizes.get(group_of[row.key], 0) + 1
    cl = L.col3_labels
    out = [f'<table class="rv-t"><caption style="text-align:left">{html.escape(L.raw["table3"]["title"])}</caption>',
           f'<tr><th rowspan="3" colspan="3">{html.escape(rnd["table3_note"])}</th>'
           f'<th colspan="{len(cl)}">{html.escape(rnd["table3_applicant_header"])}</th></tr>',
           f'<tr><th rowspan="2">{html.escape(cl[0])}</th><th colspan="{len(cl) - 2}">'
           f'{html.escape(rnd["table3_legal_person_header"])}</th><th rowspan="2">{html.escape(cl[-1])}</th></tr>',
           "<tr>" + "".join(f"<th>{html.escape(x)}</th>" for x in cl[1:-1]) + "</tr>"]
    for i, row in enumerate(L.table3_rows):
        lab = []
        if i == first_out:
            lab.append(f'<td class="rv-lab" rowspan="{last_in - first_out + 1}">'
                       f'{html.escape(group_label[group_of[row.key]])}</td>')
        if first_out <= i <= last_in and row.ordinal is not None:
            g = group_of[row.key]
            if row.ordinal == 1:
                lab.append(f'<td class="rv-lab" rowspan="{sizes[g]}">{html.escape(group_label[g])}</td>')
            lab.append(f'<td class="rv-lab">{html.escape(row.label)}</td>')
        elif first_out <= i <= last_in:
            lab.append(f'<td class="rv-lab" colspan="2">{html.escape(row.label)}</td>')
        else:
            lab.append(f'<td class="rv-lab" colspan="3">{html.escape(row.label)}</td>')
        tds = "".join(_td(record, "table3", row.key, c, flags) for c in L.col3)
        out.append("<tr>" + "".join(lab) + tds + "</tr>")
    out.append("</table>")
    return "".join(out)


def _table4_html(record: dict[str, Any], flags: dict[str, list[str]]) -> str:
    """Table 4: 行政复议 | 行政诉讼 (two kinds), five columns each, one value row."""
    L = labels()
    n = len(L.col4)
    splits = [lab.split("·") for lab in L.group4_labels]
    tops: list[tuple[str, int]] = []
    for s in splits:
        if tops and tops[-1][0] == s[0]:
            tops[-1] = (s[0], tops[-1][1] + 1)
        else:
            tops.append((s[0], 1))
    row1 = "".join(f'<th colspan="{n * k}">{html.escape(top)}</th>' for top, k in tops)
    row2, row3 = [], []
    for s in splits:
        if len(s) == 1:
            row2 += [f'<th rowspan="2">{html.escape(c)}</th>' for c in L.col4_labels]
        else:
            row2.append(f'<th colspan="{n}">{html.escape(s[1])}</th>')
            row3 += [f"<th>{html.escape(c)}</th>" for c in L.col4_labels]
    vals = "".join(_td(record, "table4", g, c, flags) for g in L.group4 for c in L.col4)
    return (f'<table class="rv-t"><caption style="text-align:left">{html.escape(L.raw["table4"]["title"])}</caption>'
            f"<tr>{row1}</tr><tr>{''.join(row2)}</tr><tr>{''.join(row3)}</tr><tr>{vals}</tr></table>")


def checks_html(record: dict[str, Any], table: str | None = None) -> str:
    """The failing checks (of one table, or all), with their cause and the cells they name."""
    fails = [c for c in failing_checks(record) if table is None or c["rule"].startswith(table + ".")]
    if not fails:
        return ""
    items = []
    for c in fails:
        cause = f" — {c['cause']}" if c.get("cause") else ""
        items.append(f"<li><b>{html.escape(c['rule'])}</b>: {html.escape(c.get('detail', ''))}{html.escape(cause)}</li>")
    return f'<div class="rv-checks">Failing checks:<ul>{"".join(items)}</ul></div>'


def tables_html(record: dict[str, Any]) -> str:
    """The three tables in the official layout, failing checks and low-confidence cells marked.

    A value is coloured by its confidence band; "⚠" and a red frame mark a
    cell named by a failing identity, "?" one below the review threshold,
    "*" one with other candidate readings, "✎"/"✓" one a person corrected
    or accepted.  Each value links to its place in the highlighted source.
    """
    flags = flagged_cells(record)
    parts = [_CSS, _table2_html(record, flags), checks_html(record, "table2"),
             _table3_html(record, flags), checks_html(record, "table3"),
             _table4_html(record, flags), checks_html(record, "table4")]
    other = [c for c in failing_checks(record) if c["rule"].split(".")[0] not in ("table2", "table3", "table4")]
    if other:
        parts.append(checks_html({"checks": other}))
    return "".join(parts)


def candidates_html(record: dict[str, Any], text: str | None = None) -> str:
    """For every ambiguous glued run: the printed run, and each of its cells' readings side by side.

    The record gives each uncertain cell its readings best first
    (`candidates`); cells of one table row are shown together, one column
    per reading, with the issue that explains the ambiguity and the run as
    printed, so a reviewer compares the readings against the text.
    """
    rows: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = {}
    for t, r, c, cell in record_cells(record):
        if cell.get("candidates"):
            rows.setdefault((t, r), []).append((c, cell))
    if not rows:
        return _CSS + "<p><i>No ambiguous glued runs in this report.</i></p>"
    issues = [i for i in record.get("issues") or [] if i["code"].endswith(".ambiguous")]
    done = review_log(record)["cells"]
    out = [_CSS]
    for (t, r), cells in rows.items():
        spans = [cell.get("span") for _, cell in cells if cell.get("span")]
        issue = next((i for i in issues if i.get("span") and spans
                      and all(i["span"][0] <= s[0] and s[1] <= i["span"][1] for s in spans)),
                     next((i for i in issues if i["code"].startswith(t)), None))
        run = ""
        if text is not None and issue and issue.get("span"):
            run = text[issue["span"][0]:issue["span"][1]]
        width = max(len(cell["candidates"]) for _, cell in cells)
        head = "".join(f"<th>reading {k + 1}{' (taken)' if k == 0 else ''}</th>" for k in range(width))
        body = []
        all_cols = list(((record.get("tables") or {}).get(t) or {}).get(r, {}).keys())
        for c in all_cols:
            cell = record["tables"][t][r][c]
            name = f"{t}.{r}.{c}"
            cands = cell.get("candidates") or [{"value": cell.get("value")}]
            tds = []
            for k in range(width):
                if k < len(cands):
                    v = cands[k].get("value")
                    conf = cands[k].get("confidence")
                    colour = band(cell.get("confidence"))[1] if k == 0 and v is not None else "#ffffff"
                    extra = f"<br><small>{conf:.2f}</small>" if isinstance(conf, (int, float)) else ""
                    tds.append(f'<td style="background:{colour}">{html.escape(shown(v))}{extra}</td>')
                else:
                    tds.append('<td style="color:#bbb">=</td>')
            state = done.get(name)
            now = f" → {shown(cell.get('value'))} ({state['action']})" if state else ""
            body.append(f"<tr><th>{html.escape(name)}{html.escape(now)}</th>{''.join(tds)}</tr>")
        msg = html.escape(issue["message"]) if issue else ""
        out.append(f'<div style="margin:6px 0"><b>{html.escape(t)} · {html.escape(r)}</b>'
                   + (f' — printed run <code style="background:#ffe0e0">{html.escape(run)}</code>' if run else "")
                   + (f"<br><small>{msg}</small>" if msg else "")
                   + f'<table class="rv-c"><tr><th>cell</th>{head}</tr>{"".join(body)}</table></div>')
    return "".join(out)

def review_view_html(record: dict[str, Any], text: str, *, max_height: str | None = "520px") -> str:
    """Everything a reviewer sees for one report, in one HTML block (what the notebook shows)."""
    meta = record.get("meta") or {}
    title = f"{shown((meta.get('agency') or {}).get('value'))} · {shown((meta.get('year') or {}).get('value'))}"
    todo = low_cells(record)
    head = (f"<h3 id='{anchor_id(record, 'view')}' style='margin:4px 0'>{html.escape(title)}</h3>"
            f"<div style='font-size:12px'>{html.escape(str((record.get('source') or {}).get('path')))} · "
            f"confidence {record.get('confidence')} · needs_review {record.get('needs_review')} · "
            f"{len(failing_checks(record))} failing checks · {len(todo)} low-confidence cells · "
            f"{len(low_facts(record))} low-confidence facts</div>")
    return (head + legend_html() + "<h4>Tables</h4>" + tables_html(record)
            + "<h4>Ambiguous runs</h4>" + candidates_html(record, text)
            + "<h4>Source</h4>" + highlight_html(text, record, max_height=max_height))


def write_view_html(record: dict[str, Any], out: str | os.PathLike, text: str | None = None) -> Path:
    """The review view of one report as a standalone HTML page (no Jupyter needed to look)."""
    text = source_text(record) if text is None else text
    meta = record.get("meta") or {}
    title = html.escape(f"review: {shown((meta.get('agency') or {}).get('value'))} {shown((meta.get('year') or {}).get('value'))}")
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body style='font-family:sans-serif;margin:16px'>{review_view_html(record, text, max_height=None)}</body></html>")
    p = Path(out)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(page, encoding="utf-8")
    return p

