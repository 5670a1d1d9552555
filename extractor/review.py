"""Review and retraining: the logic behind notebooks/review.ipynb and notebooks/retrain.ipynb.

A low-confidence extraction is only useful if a person can check it
quickly, and a person's check is only worth keeping if the next model
learns from it.  This module closes that loop; the notebooks only call it,
so everything here is tested without a browser or a kernel.

Review (one report at a time):

- `read_batch` / `review_frame`: a batch's JSON Lines as a DataFrame of the
  reports that need a look, least certain first (sortable by any column).
- `highlight_html`: the source text with every cell and fact marked in place
  by its span (a placeholder read as 0 by its `raw_span`), coloured by
  confidence, with a tooltip `table.row.col = value (confidence)`.
- `tables_html`: the three tables in the official layout (labels from
  `extractor.labels`, never spelled here), failing checks and low-confidence
  cells marked, every cell linked to its place in the source.
- `candidates_html`: the readings of an ambiguous glued run side by side.
- `apply_correction` / `accept_cell` / `accept_fact` / `correct_fact` /
  `reject_fact`: a person's decisions, applied to a copy of the record
  (checks re-run) and logged in the record's `review` key.
- `to_annotation` / `save_annotation`: the reviewed record as an annotation
  in the format `extractor check-data` validates (`extractor.annotations`),
  so the next `train` uses it.

Retraining:

- `gather_annotations`: every annotation directory into one training set
  (text paths made absolute, so a copy trains the same as the original).
- `train_models`: the model modules' own training (facts model; the tables
  model when its trainer is present), into a directory of its own.
- `label_scores`, `cell_calibration`, `plot_label_scores`, `plot_calibration`:
  per-label scores from grouped cross-validation and how often cells at each
  confidence are wrong (against the bundled samples' gold).
- `compare_models`: which cells and facts of a sample batch change when the
  new model replaces the shipped one.
- `replace_shipped_model`: copies the new model over the shipped one, and
  only when told `confirm=True`.

Notebook plumbing: `ReviewSession` (one report under review) and `Editor`
(its ipywidgets: accept / correct a cell or a fact, take a reading, save);
`used_by_training` (will the trainers read a saved annotation);
`write_view_html` (one report's view as a page, `extractor review --html`);
`execute_notebook` (headless runs with injected parameters, for tests).
"""
from __future__ import annotations

import contextlib
import copy
import datetime as _dt
import hashlib
import html
import json
import logging
import os
import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from extractor.labels import labels, outcome_groups
from extractor.record import CERTAIN, REVIEW_BELOW

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
SHIPPED_MODELS = REPO / "models"

# Confidence bands, lowest first: (lower bound, name, colour).  The bounds
# are the record's own thresholds, so a colour means what `needs_review`
# means: red/orange are below REVIEW_BELOW (a person must look), yellow is
# "probably right", green is the claim of being right (CERTAIN).
BANDS: tuple[tuple[float, str, str], ...] = (
    (0.0, "doubtful (< 0.5)", "#ff9b9b"),
    (0.5, f"low (< {REVIEW_BELOW})", "#ffc982"),
    (REVIEW_BELOW, f"probable (< {CERTAIN})", "#fff08a"),
    (CERTAIN, f"certain (≥ {CERTAIN})", "#bfe8c4"),
)
PERSON_COLOUR = "#a9cbff"  # a value a person set or accepted
FLAG_COLOUR = "#d00000"  # a cell named by a failing check
# Calibration bins for cells (the record's thresholds are bin edges).
CALIBRATION_BINS: tuple[float, ...] = (0.0, 0.5, REVIEW_BELOW, CERTAIN, 0.97, 1.0000001)
# Issue codes that put a record under review until a person settles them.
_OPEN_ISSUES = (".blank", ".missing", ".ambiguous", ".unsolved")
_REVIEW_KEY = "review"


# ================================================================ batch → table
def read_batch(path: str | os.PathLike) -> list[dict[str, Any]]:
    """The records of a batch's JSON Lines file, in file order.

    A line that is not a JSON object is skipped with a warning rather than
    failing the whole view: a batch cut by a kill may end in a partial line,
    and the reviewer still wants the rest.
    """
    out: list[dict[str, Any]] = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except ValueError:
                log.warning("%s:%d: not JSON, skipped", path, n)
                continue
            if isinstance(rec, dict):
                out.append(rec)
    return out


def run_sample_batch(out_dir: str | os.PathLike, inputs: Sequence[str | os.PathLike] | None = None,
                     workers: int | None = None) -> Path:
    """Run `extractor batch` (the library call) on `inputs` (default: the bundled samples) into out_dir.

    Why here: the review notebook must open *some* batch on a fresh clone;
    with no path given it makes one from `samples/` in a temporary directory.
    """
    from extractor.batch import Options, run_batch

    out = Path(out_dir) / "batch.jsonl"
    srcs = [str(p) for p in (inputs or [SAMPLES])]
    run_batch(srcs, Options(out=out, workers=workers, progress=False, fsync=False))
    return out


def _cell_iter(record: dict[str, Any]) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    for t, rows in (record.get("tables") or {}).items():
        for r, cols in rows.items():
            for c, cell in cols.items():
                yield t, r, c, cell


def _reviewed(record: dict[str, Any]) -> dict[str, Any]:
    return record.get(_REVIEW_KEY) or {"cells": {}, "facts": {}}


def low_cells(record: dict[str, Any], below: float = REVIEW_BELOW) -> list[str]:
    """Names (table.row.col) of read cells a person has not settled whose confidence is below `below`."""
    done = _reviewed(record)["cells"]
    return [f"{t}.{r}.{c}" for t, r, c, cell in _cell_iter(record)
            if cell.get("value") is not None and cell.get("confidence", 0) < below and f"{t}.{r}.{c}" not in done]


def low_facts(record: dict[str, Any], below: float = REVIEW_BELOW) -> list[int]:
    """Indexes of facts not yet settled whose confidence is below `below`."""
    done = _reviewed(record)["facts"]
    return [i for i, f in enumerate(record.get("facts") or [])
            if f.get("confidence", 0) < below and str(i) not in done]


def failing_checks(record: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in record.get("checks") or [] if not c.get("ok", True)]


def flagged_cells(record: dict[str, Any]) -> dict[str, list[str]]:
    """Cell name → the failing checks that name it."""
    out: dict[str, list[str]] = {}
    for ch in failing_checks(record):
        for name in ch.get("cells") or []:
            out.setdefault(name, []).append(ch["rule"])
    return out


REVIEW_COLUMNS = ("path", "agency", "year", "confidence", "needs_review", "failing_checks", "n_failing",
                  "error_codes", "low_cells", "low_facts", "ambiguous_cells", "template")


def review_frame(records: Iterable[dict[str, Any]] | str | os.PathLike, *, only_review: bool = True):
    """One row per report (least certain first): what a reviewer sorts and picks from.

    Columns: path, agency, year, confidence, needs_review, failing_checks
    (the rules, joined), n_failing, error_codes (issue codes, joined and
    de-duplicated), low_cells / low_facts (how many below the review
    threshold), ambiguous_cells (cells with candidate readings), template.
    The index is the record's position in the batch, so `records[i]` is the
    row's record after any sort.
    """
    import pandas as pd

    recs = read_batch(records) if isinstance(records, (str, os.PathLike)) else list(records)
    rows = []
    for i, rec in enumerate(recs):
        if only_review and not rec.get("needs_review"):
            continue
        meta = rec.get("meta") or {}
        fails = [c["rule"] for c in failing_checks(rec)]
        codes = list(dict.fromkeys(i_["code"] for i_ in rec.get("issues") or []))
        if rec.get("error") and rec["error"].get("code") not in codes:
            codes.insert(0, rec["error"]["code"])
        rows.append({
            "path": (rec.get("source") or {}).get("path"),
            "agency": (meta.get("agency") or {}).get("value"),
            "year": (meta.get("year") or {}).get("value"),
            "confidence": rec.get("confidence"),
            "needs_review": bool(rec.get("needs_review")),
            "failing_checks": ", ".join(fails),
            "n_failing": len(fails),
            "error_codes": ", ".join(codes),
            "low_cells": len(low_cells(rec)),
            "low_facts": len(low_facts(rec)),
            "ambiguous_cells": sum(1 for *_, c in _cell_iter(rec) if c.get("candidates")),
            "template": rec.get("template"),
            "_index": i,
        })
    df = pd.DataFrame(rows, columns=[*REVIEW_COLUMNS, "_index"])
    df = df.set_index("_index")
    df.index.name = None
    return sort_frame(df)


def sort_frame(df, by: str | Sequence[str] = ("confidence", "n_failing", "low_cells"),
               ascending: bool | Sequence[bool] | None = None):
    """Sort the review table; default: least confident, then most failing checks, then most low cells."""
    by = [by] if isinstance(by, str) else list(by)
    if ascending is None:
        ascending = [not (b in ("n_failing", "low_cells", "low_facts", "ambiguous_cells")) for b in by]
    return df.sort_values(by=by, ascending=ascending, kind="stable", na_position="first")


# ================================================================ the source text
def resolve_source(record: dict[str, Any], base: str | os.PathLike | None = None) -> Path:
    """The record's source file: its path as given to the batch, tried from `base`, the cwd and the repo."""
    p = Path((record.get("source") or {}).get("path") or "")
    if p.is_absolute():
        return p
    for b in [Path(base) if base else None, Path.cwd(), REPO]:
        if b is not None and (b / p).exists():
            return (b / p).resolve()
    return p


def source_text(record: dict[str, Any], base: str | os.PathLike | None = None) -> str:
    """The document text every span of the record indexes into (`extractor.load(path).text`)."""
    from extractor.load import load

    doc = load(resolve_source(record, base))
    if doc.error is not None:
        raise ValueError(f"{doc.path}: {doc.error.message}")
    sha = (record.get("source") or {}).get("sha256")
    if sha and doc.sha256 != sha:
        log.warning("%s changed since the batch read it: spans may be off", doc.path)
    return doc.text


# ================================================================ marks
@dataclass(frozen=True)
class Mark:
    """A highlighted stretch of the source: one cell, fact or issue."""

    start: int
    end: int
    kind: str  # "cell" | "placeholder" | "fact" | "meta" | "issue"
    key: str  # table.row.col, fact[i], meta.agency, issue code
    label: str  # the tooltip
    confidence: float | None
    flagged: bool = False
    person: bool = False


def band(confidence: float | None) -> tuple[str, str]:
    """(name, colour) of the confidence band a value falls in."""
    c = 0.0 if confidence is None else float(confidence)
    name, colour = BANDS[0][1], BANDS[0][2]
    for lo, n, col in BANDS:
        if c >= lo:
            name, colour = n, col
    return name, colour


def _fmt(v: Any) -> str:
    if v is None:
        return "∅"
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def _cell_label(name: str, cell: dict[str, Any], flags: Sequence[str] = (), person: str | None = None) -> str:
    s = f"{name} = {_fmt(cell.get('value'))} (confidence {cell.get('confidence', 0):.2f})"
    if cell.get("raw") is not None:
        s += f" printed {cell['raw']!r}"
    if cell.get("candidates"):
        s += " · readings: " + " / ".join(_fmt(c.get("value")) for c in cell["candidates"])
    if flags:
        s += " · failing: " + ", ".join(flags)
    if person:
        s += f" · {person} by a person"
    return s


def _fact_name(i: int, f: dict[str, Any]) -> str:
    ch = f".{f['channel']}" if f.get("channel") else ""
    return f"fact[{i}] {f.get('metric')}{ch}"


def marks(record: dict[str, Any]) -> list[Mark]:
    """Every cell, fact, meta value and issue span of the record as a Mark (what gets highlighted)."""
    flags = flagged_cells(record)
    rv = _reviewed(record)
    out: list[Mark] = []
    for t, r, c, cell in _cell_iter(record):
        name = f"{t}.{r}.{c}"
        span, kind = cell.get("span"), "cell"
        if not span and cell.get("raw_span"):
            span, kind = cell["raw_span"], "placeholder"
        if not span:
            continue
        person = (rv["cells"].get(name) or {}).get("action")
        out.append(Mark(span[0], span[1], kind, name, _cell_label(name, cell, flags.get(name, ()), person),
                        cell.get("confidence"), bool(flags.get(name)), bool(person)))
    for k, cell in (record.get("meta") or {}).items():
        if cell and cell.get("span"):
            name = f"meta.{k}"
            out.append(Mark(cell["span"][0], cell["span"][1], "meta", name, _cell_label(name, cell),
                            cell.get("confidence")))
    for i, f in enumerate(record.get("facts") or []):
        if not f.get("span"):
            continue
        act = (rv["facts"].get(str(i)) or {}).get("action")
        lab = f"{_fact_name(i, f)} = {_fmt(f.get('value'))} (confidence {f.get('confidence', 0):.2f})"
        if f.get("role") == "part":
            lab += " part" + (f" of {f['category']}" if f.get("category") else "")
        if act:
            lab += f" · {act} by a person"
        out.append(Mark(f["span"][0], f["span"][1], "fact", f"fact[{i}]", lab, f.get("confidence"),
                        False, bool(act)))
    for iss in record.get("issues") or []:
        if iss.get("span") and not iss.get("resolved"):
            out.append(Mark(iss["span"][0], iss["span"][1], "issue", iss["code"],
                            f"{iss['code']}: {iss['message']}", None))
    return out


def _anchor_id(record: dict[str, Any], key: str) -> str:
    rid = hashlib.sha1(str((record.get("source") or {}).get("path")).encode()).hexdigest()[:8]
    return f"rv-{rid}-" + re.sub(r"[^A-Za-z0-9_-]+", "-", key).strip("-")


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
                parts.append(f'<a id="{_anchor_id(record, m.key)}"></a>')
        seg = html.escape(text[a:b])
        cover = [m for m in ms if m.start <= a and b <= m.end]
        if not cover:
            parts.append(seg)
            continue
        classes = ["rv-m"]
        valued = [m for m in cover if m.kind != "issue"]
        style = ""
        if valued:
            worst = min(valued, key=lambda m: (m.confidence if m.confidence is not None else 0.0))
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


# ================================================================ tables in the official layout
def _td(record: dict[str, Any], t: str, r: str, c: str, flags: dict[str, list[str]]) -> str:
    cell = ((record.get("tables") or {}).get(t) or {}).get(r, {}).get(c)
    name = f"{t}.{r}.{c}"
    if cell is None:
        return '<td class="rv-none">—</td>'
    person = (_reviewed(record)["cells"].get(name) or {}).get("action")
    classes = ["rv-v"]
    v = cell.get("value")
    conf = cell.get("confidence", 0.0)
    if v is None:
        classes.append("rv-none")
        colour = "#ffffff"
    else:
        colour = PERSON_COLOUR if person else band(conf)[1]
    text = html.escape(_fmt(v))
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
    title = html.escape(_cell_label(name, cell, flags.get(name, ()), person), quote=True)
    if cell.get("span") or cell.get("raw_span"):
        text = f'<a href="#{_anchor_id(record, name)}">{text}</a>'
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
    group_of = outcome_groups()
    outcome_total = next(i.lhs[0] for i in L.identities if i.rhs == "outcomes")
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
    for t, r, c, cell in _cell_iter(record):
        if cell.get("candidates"):
            rows.setdefault((t, r), []).append((c, cell))
    if not rows:
        return _CSS + "<p><i>No ambiguous glued runs in this report.</i></p>"
    issues = [i for i in record.get("issues") or [] if i["code"].endswith(".ambiguous")]
    done = _reviewed(record)["cells"]
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
                    tds.append(f'<td style="background:{colour}">{html.escape(_fmt(v))}{extra}</td>')
                else:
                    tds.append('<td style="color:#bbb">=</td>')
            state = done.get(name)
            now = f" → {_fmt(cell.get('value'))} ({state['action']})" if state else ""
            body.append(f"<tr><th>{html.escape(name)}{html.escape(now)}</th>{''.join(tds)}</tr>")
        msg = html.escape(issue["message"]) if issue else ""
        out.append(f'<div style="margin:6px 0"><b>{html.escape(t)} · {html.escape(r)}</b>'
                   + (f' — printed run <code style="background:#ffe0e0">{html.escape(run)}</code>' if run else "")
                   + (f"<br><small>{msg}</small>" if msg else "")
                   + f'<table class="rv-c"><tr><th>cell</th>{head}</tr>{"".join(body)}</table></div>')
    return "".join(out)


def facts_frame(record: dict[str, Any]):
    """The record's facts as a DataFrame (index = the fact's index, what accept/correct/reject take)."""
    import pandas as pd

    rv = _reviewed(record)["facts"]
    rows = []
    for i, f in enumerate(record.get("facts") or []):
        rows.append({"metric": f.get("metric"), "channel": f.get("channel"), "value": f.get("value"),
                     "unit": f.get("unit"), "role": f.get("role"), "confidence": f.get("confidence"),
                     "text": f.get("text"), "reviewed": (rv.get(str(i)) or {}).get("action", "")})
    df = pd.DataFrame(rows, columns=["metric", "channel", "value", "unit", "role", "confidence", "text", "reviewed"])
    df["value"] = pd.Series([r["value"] for r in rows], dtype=object)  # 1424 stays 1424, not 1424.0
    return df


def review_view_html(record: dict[str, Any], text: str, *, max_height: str | None = "520px") -> str:
    """Everything a reviewer sees for one report, in one HTML block (what the notebook shows)."""
    meta = record.get("meta") or {}
    title = f"{_fmt((meta.get('agency') or {}).get('value'))} · {_fmt((meta.get('year') or {}).get('value'))}"
    todo = low_cells(record)
    head = (f"<h3 id='{_anchor_id(record, 'view')}' style='margin:4px 0'>{html.escape(title)}</h3>"
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
    title = html.escape(f"review: {_fmt((meta.get('agency') or {}).get('value'))} {_fmt((meta.get('year') or {}).get('value'))}")
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body style='font-family:sans-serif;margin:16px'>{review_view_html(record, text, max_height=None)}</body></html>")
    p = Path(out)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(page, encoding="utf-8")
    return p


def pick_record(records: Sequence[dict[str, Any]], which: str | int) -> dict[str, Any]:
    """A record by its position in the batch, or by (the end of) its source path."""
    if isinstance(which, int) or str(which).isdigit():
        return records[int(which)]
    hits = [r for r in records if str((r.get("source") or {}).get("path")).endswith(str(which))]
    if len(hits) != 1:
        raise KeyError(f"{len(hits)} records match {which!r}")
    return hits[0]


# ================================================================ a person's decisions
def parse_value(s: Any, *, decimal: bool = True) -> int | float | None:
    """A value typed by a person: '' / '∅' / 'null' → None, '1,234' / '１２３４' → 1234, '3.5' → 3.5."""
    if s is None or isinstance(s, (int, float)) and not isinstance(s, bool):
        return s
    t = unicodedata.normalize("NFKC", str(s)).strip().replace(",", "").replace(" ", "")
    if t.lower() in ("", "∅", "null", "none"):
        return None
    if re.fullmatch(r"-?\d+", t):
        return int(t)
    if decimal and re.fullmatch(r"-?\d+\.\d+", t):
        return float(t)
    raise ValueError(f"not a number: {s!r}")


def _is_decimal(table: str, row: str) -> bool:
    return table == "table2" and any(r.key == row and r.decimal for r in labels().table2_rows)


def _log(rec: dict[str, Any]) -> dict[str, Any]:
    rv = rec.setdefault(_REVIEW_KEY, {"cells": {}, "facts": {}})
    rv.setdefault("cells", {})
    rv.setdefault("facts", {})
    return rv


def apply_correction(record: dict[str, Any], table: str, row: str, col: str, value: Any) -> dict[str, Any]:
    """A copy of the record with one cell set by a person, its checks re-run.

    The cell keeps its span (where it was read) and gets confidence 1.0:
    a person looked.  The record's `review` key logs the decision (value,
    what the machine had read), which `to_annotation` writes out.  Raises
    KeyError for a cell the record shape does not have and ValueError for
    a value the table cannot hold (tables 3 and 4 count applications: integers).
    """
    rec = copy.deepcopy(record)
    cell = rec["tables"][table][row][col]  # KeyError: not a cell of the record
    v = parse_value(value, decimal=_is_decimal(table, row))
    if isinstance(v, float) and not _is_decimal(table, row):
        raise ValueError(f"{table}.{row}.{col} holds whole numbers, not {v}")
    if isinstance(v, (int, float)) and v < 0 and table != "table2":
        raise ValueError(f"{table}.{row}.{col} cannot be negative")
    name = f"{table}.{row}.{col}"
    rv = _log(rec)
    was = (rv["cells"].get(name) or {}).get("was", {"value": cell.get("value"), "confidence": cell.get("confidence")})
    cell["value"] = v
    cell["confidence"] = 1.0
    rv["cells"][name] = {"action": "corrected" if v != was["value"] else "accepted", "value": v, "was": was}
    return refresh(rec)


def accept_cell(record: dict[str, Any], table: str, row: str, col: str) -> dict[str, Any]:
    """A copy of the record with the cell's reading confirmed by a person (same value, confidence 1.0)."""
    return apply_correction(record, table, row, col, record["tables"][table][row][col].get("value"))


def correct_meta(record: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """A copy with meta.agency / meta.year / meta.published_on set by a person."""
    rec = copy.deepcopy(record)
    cell = rec.setdefault("meta", {}).setdefault(key, {"value": None, "confidence": 0.0, "span": None})
    if key == "year":
        value = parse_value(value, decimal=False)
    rv = _log(rec)
    rv.setdefault("meta", {})[key] = {"value": value, "was": cell.get("value")}
    cell["value"], cell["confidence"] = value, 1.0
    return refresh(rec)


FACT_FIELDS = ("metric", "channel", "value", "unit", "span", "text", "role", "approx", "category")


def _fact(rec: dict[str, Any], index: int) -> dict[str, Any]:
    facts = rec.get("facts") or []
    if not 0 <= index < len(facts):
        raise IndexError(f"no fact {index} (the record has {len(facts)})")
    return facts[index]


def _settle_fact(record: dict[str, Any], index: int, action: str, changes: dict[str, Any] | None = None) -> dict[str, Any]:
    """A copy with fact `index` settled by a person: logged with what it was, confidence 1.0."""
    rec = copy.deepcopy(record)
    f = _fact(rec, index)
    entry: dict[str, Any] = {"action": action}
    if changes is not None:
        entry["changes"] = changes
    entry["was"] = {k: f.get(k) for k in ("metric", "channel", "value", "confidence")}
    f.update(changes or {})
    f["confidence"] = 1.0
    _log(rec)["facts"][str(index)] = entry
    return refresh(rec)


def accept_fact(record: dict[str, Any], index: int) -> dict[str, Any]:
    """A copy with fact `index` confirmed as read (confidence 1.0)."""
    return _settle_fact(record, index, "accepted")


def correct_fact(record: dict[str, Any], index: int, **changes: Any) -> dict[str, Any]:
    """A copy with fact `index` corrected (metric, channel, value, role, approx, category, unit).

    The span is the text's and stays: a fact that is not where the machine
    says is a rejection plus a new fact.  `value` is parsed like a cell's.
    """
    bad = set(changes) - {"metric", "channel", "value", "unit", "role", "approx", "category"}
    if bad:
        raise ValueError(f"cannot change {sorted(bad)} of a fact")
    if "metric" in changes:
        from extractor.annotations import metric_names

        if changes["metric"] not in metric_names():
            raise ValueError(f"unknown metric {changes['metric']!r}")
    if changes.get("channel"):
        from extractor.annotations import channel_names

        if changes["channel"] not in channel_names():
            raise ValueError(f"unknown channel {changes['channel']!r}")
    if "value" in changes:
        changes["value"] = parse_value(changes["value"])
        if changes["value"] is None:
            raise ValueError("a fact has a value (reject it instead)")
    return _settle_fact(record, index, "corrected", changes)


def reject_fact(record: dict[str, Any], index: int) -> dict[str, Any]:
    """A copy with fact `index` marked as not a fact (a distractor): annotated as metric "other"."""
    return _settle_fact(record, index, "rejected")


def corrections_of(record: dict[str, Any]) -> dict[str, Any]:
    """The person's decisions carried by a reviewed record (what `to_annotation` writes)."""
    rv = _reviewed(record)
    return {"cells": dict(rv.get("cells", {})), "facts": dict(rv.get("facts", {})), "meta": dict(rv.get("meta", {}))}


def refresh(rec: dict[str, Any]) -> dict[str, Any]:
    """Re-run the identity checks and recompute confidence / needs_review after a person's change (in place).

    Same rules as `Report`: the minimum confidence, capped at 0.5 while a
    check fails; an ambiguous run stops asking for review once a person has
    settled every cell with readings in it.
    """
    from extractor.checks import run_checks
    from extractor.record import Cell

    tables = {t: {r: {c: Cell(cell.get("value"), cell.get("confidence", 0.0)) for c, cell in cols.items()}
                  for r, cols in rows.items()} for t, rows in (rec.get("tables") or {}).items()}
    certain = {(t, r, c) for t, rows in tables.items() for r, cols in rows.items() for c, cell in cols.items()
               if cell.confidence >= CERTAIN}
    # run_checks caps the confidence of cells named by a failing check: on
    # these throw-away Cells only, the record's confidences stay as they are.
    fresh = {ch.rule: ch.to_dict() for ch in run_checks(tables, certain)}
    checks = []
    for ch in rec.get("checks") or []:
        if ch.get("rule") in fresh:
            checks.append(fresh.pop(ch["rule"]))
        else:
            checks.append(ch)
    checks.extend(fresh.values())
    rec["checks"] = checks
    ok_rules = {c["rule"] for c in checks if c.get("ok")}
    issues = []
    for i in rec.get("issues") or []:
        if i["code"].endswith((".check_failed", ".agency_error")) and i["message"].split(":")[0] in ok_rules:
            continue
        issues.append(i)
    done = _reviewed(rec)["cells"]
    for i in issues:
        if i["code"].endswith(".ambiguous"):
            inside = [f"{t}.{r}.{c}" for t, r, c, cell in _cell_iter(rec) if cell.get("candidates")
                      and (not i.get("span") or (cell.get("span") and i["span"][0] <= cell["span"][0] < i["span"][1]))]
            if inside and all(n in done for n in inside):
                i["resolved"] = True
    rec["issues"] = issues
    facts = [f for k, f in enumerate(rec.get("facts") or [])
             if (_reviewed(rec)["facts"].get(str(k)) or {}).get("action") != "rejected"]
    confs = [cell.get("confidence", 0.0) for *_, cell in _cell_iter(rec) if cell.get("value") is not None]
    confs += [f.get("confidence", 0.0) for f in facts]
    fails = any(not c.get("ok", True) for c in checks)
    conf = 0.0 if rec.get("error") or not confs else min(confs)
    if fails:
        conf = min(conf, 0.5)
    rec["confidence"] = round(conf, 4)
    rec["needs_review"] = bool(
        rec.get("error") or fails
        or any(cell.get("value") is not None and cell.get("confidence", 0) < REVIEW_BELOW for *_, cell in _cell_iter(rec))
        or any(f.get("confidence", 0) < REVIEW_BELOW for f in facts)
        or any(i["code"].endswith(_OPEN_ISSUES) and not i.get("resolved") for i in issues))
    return rec


# ================================================================ annotations
def _repo_of(annotation_dir: str | os.PathLike) -> Path:
    """The directory an annotation directory's text paths are relative to (its parent)."""
    return Path(annotation_dir).resolve().parent


def _text_ref(text_path: Path, root: Path) -> str:
    """A text path as annotations write it: relative to the root when under it, else absolute."""
    p = Path(text_path).resolve()
    try:
        return p.relative_to(root.resolve()).as_posix()
    except ValueError:
        if root.resolve() == REPO:  # ../shared and friends: relative like the shipped annotations
            rel = os.path.relpath(p, root)
            if not rel.startswith("../.."):
                return Path(rel).as_posix()
        return str(p)


def annotation_id(text_path: str | os.PathLike) -> str:
    """The id (= file name) of a report's annotation: the text file's stem, as `extractor annotate` names it."""
    return Path(text_path).stem


def to_annotation(record: dict[str, Any], text_path: str | os.PathLike, corrections: dict[str, Any] | None = None,
                  *, root: str | os.PathLike | None = None, fragments: list[dict[str, Any]] | None = None,
                  reviewer: str | None = None) -> dict[str, Any]:
    """The reviewed record as an annotation in the `extractor check-data` format (extractor.annotations).

    - tables: the record's cells in the corpus gold shape, a person's
      corrections applied (`corrections`, default: the record's own `review` log);
    - facts: every fact the machine tagged, as corrected; a rejected one is
      written with metric "other" (a quantity that is not a spec fact), which
      is how the facts model learns what not to tag;
    - fragments: the row, header and group fragments of the tables as the
      current extraction anchors them (`annotations.label_fragments`);
    - agency_error: true when an identity still fails after the review (as
      check-data requires); if cells in it were read in doubt and nobody
      settled them, `review` says so;
    - review: what a person has *not* settled yet (the format's to-do list);
      absent when every doubtful cell, fact and failing identity was looked at;
    - notes: who changed what, so the next person sees the history.

    `text_path` is written relative to `root` (the repository, default) when
    it is under it, else absolute (the format allows that for one-off files).
    """
    from extractor.annotations import FACT_KEYS, gold_shape

    corr = corrections if corrections is not None else corrections_of(record)
    rec = copy.deepcopy(record)
    rec[_REVIEW_KEY] = {"cells": dict(corr.get("cells") or {}), "facts": dict(corr.get("facts") or {}),
                        "meta": dict(corr.get("meta") or {})}
    for name, d in (corr.get("cells") or {}).items():
        t, r, c = name.split(".")
        rec["tables"][t][r][c]["value"] = d["value"] if isinstance(d, dict) else d
        rec["tables"][t][r][c]["confidence"] = 1.0
    tp = Path(text_path)
    data = tp.read_bytes()
    facts = []
    fact_log = corr.get("facts") or {}
    for i, f in enumerate(rec.get("facts") or []):
        d = dict(f)
        act = fact_log.get(str(i)) or {}
        if act.get("action") == "corrected":
            d.update(act.get("changes") or {})
        out = {k: d.get(k) for k in FACT_KEYS}
        if act.get("action") == "rejected":
            out["metric"] = "other"
            out["channel"] = None
            out["note"] = f"not a fact (rejected in review; machine read {f.get('metric')})"
        facts.append(out)
    refresh(rec)
    # check-data requires agency_error whenever the gold tables break an
    # identity.  When the cells involved were read in doubt and nobody fixed
    # them, that is not yet known to be the agency's arithmetic: it is saved
    # (so the work is not lost) with a to-do saying exactly that.
    from extractor.annotations import table_identity_failures

    fails = [c for c in rec.get("checks") or [] if not c.get("ok", True) and c["rule"].split(".")[0] in ("table3", "table4")]
    agency_error = bool(fails) or bool(table_identity_failures(gold_shape(rec["tables"])))
    unsure = [c for c in fails if c.get("cause") != "agency"]
    if fragments is None:
        from extractor.annotations import label_fragments
        from extractor.load import load

        fragments = label_fragments(load(tp).text)
    meta = rec.get("meta") or {}
    for k, d in (corr.get("meta") or {}).items():
        meta.setdefault(k, {})["value"] = d["value"] if isinstance(d, dict) else d
    n_cells = {a: sum(1 for d in (corr.get("cells") or {}).values() if isinstance(d, dict) and d.get("action") == a)
               for a in ("corrected", "accepted")}
    n_facts = {a: sum(1 for d in fact_log.values() if d.get("action") == a) for a in ("accepted", "corrected", "rejected")}
    stamp = _dt.date.today().isoformat()
    changed = [f"{n} {(d.get('was') or {}).get('value')!s}→{d.get('value')!s}"
               for n, d in (corr.get("cells") or {}).items() if isinstance(d, dict) and d.get("action") == "corrected"]
    notes = (f"reviewed{' by ' + reviewer if reviewer else ''} on {stamp} (extractor.review): "
             f"cells {n_cells['corrected']} corrected, {n_cells['accepted']} accepted; facts "
             f"{n_facts['accepted']} accepted, {n_facts['corrected']} corrected, {n_facts['rejected']} rejected"
             + (f"; changed {', '.join(changed[:20])}" if changed else "")
             + ". Unreviewed values are the machine's reading.")
    ann: dict[str, Any] = {
        "id": annotation_id(tp),
        "text": {"path": _text_ref(tp, Path(root) if root else REPO), "sha256": hashlib.sha256(data).hexdigest()},
        "agency": (meta.get("agency") or {}).get("value"),
        "year": (meta.get("year") or {}).get("value"),
        "tables": gold_shape(rec["tables"]),
        "agency_error": agency_error,
        "notes": notes,
        "facts": facts,
        "fragments": fragments,
    }
    if isinstance(ann["year"], str) and ann["year"].isdigit():
        ann["year"] = int(ann["year"])
    todo = [f"identity {c['rule']} fails ({c.get('detail')}) on cells read in doubt: correct them, "
            "or accept them if the report itself does not add up" for c in unsure]
    todo += [f"check cell {n} (confidence below {REVIEW_BELOW})" for n in low_cells(rec)]
    todo += [f"check fact {i}: {rec['facts'][i].get('text')}" for i in low_facts(rec)]
    if todo:
        ann["review"] = todo
    # No `facts_complete`: a reviewer settles the facts the machine found,
    # which says nothing about facts it missed.
    return ann


def save_annotation(annotation: dict[str, Any], annotation_dir: str | os.PathLike) -> Path:
    """Write the annotation to DIR/reports/<id>.json (the layout `check-data` and `train` read).

    The text path is re-based for DIR: relative to DIR's parent (the
    repository for `annotations/`) when the text is under it, else absolute,
    so the annotation resolves wherever it is saved.  Written atomically.
    """
    from extractor.annotations import dumps

    d = Path(annotation_dir)
    ann = dict(annotation)
    text = ann["text"]
    p = Path(text["path"])
    src = p if p.is_absolute() else (REPO / p).resolve()
    ann["text"] = {**text, "path": _text_ref(src, _repo_of(d))}
    out = d / "reports" / f"{ann['id']}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".json.tmp")
    tmp.write_text(dumps(ann), encoding="utf-8")
    os.replace(tmp, out)
    return out


def check_annotations(annotation_dir: str | os.PathLike) -> dict[str, Any]:
    """`extractor check-data` on a directory: {"ok", "errors", "warnings", "checked"}."""
    from extractor.annotations import check_data

    pr = check_data(Path(annotation_dir))
    return {"ok": not pr.errors, "errors": list(pr.errors), "warnings": list(pr.warnings), "checked": pr.checked}


def used_by_training(annotation_dir: str | os.PathLike, annotation_id: str) -> dict[str, bool]:
    """Whether each trainer will read the annotation `annotation_id` from this directory.

    check-data can accept an annotation a trainer still leaves out (the
    facts trainer, for one, reads texts as UTF-8 with newline translation,
    so a CRLF or GB18030 report does not match its hash and is skipped):
    the reviewer is told rather than left to find out from the next model.
    """
    from extractor import facts_model
    from extractor.annotations import load_annotations

    out = {"facts": any(d["id"] == annotation_id for d in facts_model.load_annotations(annotation_dir))}
    out["tables"] = any(a.id == annotation_id and a.text is not None for a in load_annotations(Path(annotation_dir)))
    return out


# ================================================================ retraining
def gather_annotations(dirs: Sequence[str | os.PathLike], out_dir: str | os.PathLike,
                       *, limit: int | None = None, always: Sequence[str] = ()) -> Path:
    """Every annotation of `dirs` copied into one training directory (reports/ and excerpts/).

    Text paths are made absolute (resolved where the annotation lives), so
    the copy trains exactly as the originals would.  A later directory's
    annotation replaces an earlier one with the same id (a fresh review
    overrides the shipped annotation of the same report).  `limit` keeps the
    first N of each kind by id plus the ids in `always` (small runs in tests).
    """
    out = Path(out_dir)
    chosen: dict[tuple[str, str], tuple[Path, dict[str, Any]]] = {}
    for d in map(Path, dirs):
        for kind in ("reports", "excerpts"):
            for p in sorted((d / kind).glob("*.json")):
                data = json.loads(p.read_text(encoding="utf-8"))
                chosen[(kind, data.get("id", p.stem))] = (p, data)
    keep = set()
    if limit is not None:
        for kind in ("reports", "excerpts"):
            ids = sorted(i for k, i in chosen if k == kind)
            keep |= {(kind, i) for i in ids[:limit]}
        keep |= {k for k in chosen if k[1] in set(always)}
    for (kind, aid), (p, data) in sorted(chosen.items()):
        if limit is not None and (kind, aid) not in keep:
            continue
        ann = dict(data)
        t = ann.get("text")
        if isinstance(t, dict) and isinstance(t.get("path"), str) and not Path(t["path"]).is_absolute():
            ann["text"] = {**t, "path": str((_repo_of(p.parent.parent) / t["path"]).resolve())}
        target = out / kind / f"{aid}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(ann, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return out


@dataclass(frozen=True)
class TrainSize:
    """How much the tables trainer makes of the annotations (damaged variants, generated reports) and how
    hard its grouped CV works.  `QUICK` keeps a run under a minute on two cores (tests, a first look);
    `FULL` is what `extractor train` / `extractor evaluate` use by default."""

    damaged_per_report: int | None = None
    generated: int | None = None
    damaged_per_generated: int | None = None
    calibration_folds: int | None = None
    cv_folds: int | None = None
    cv_damaged_per_report: int | None = None
    cv_generated: int | None = None
    cv_damaged_per_generated: int | None = None


FULL = TrainSize()
QUICK = TrainSize(damaged_per_report=1, generated=4, damaged_per_generated=0, calibration_folds=2,
                  cv_folds=2, cv_damaged_per_report=1, cv_generated=2, cv_damaged_per_generated=0)


def _tables_configs(size: TrainSize, seed: int | None):
    """(TrainConfig, EvalConfig) of the tables trainer for a size, or None when that trainer is absent."""
    try:
        from extractor import evaluate as E
        from extractor import train as T
    except ImportError:
        return None
    tc = {k: v for k, v in (("damaged_per_report", size.damaged_per_report), ("generated", size.generated),
                            ("damaged_per_generated", size.damaged_per_generated),
                            ("calibration_folds", size.calibration_folds), ("seed", seed)) if v is not None}
    ec = {k: v for k, v in (("folds", size.cv_folds), ("damaged_per_report", size.cv_damaged_per_report),
                            ("generated", size.cv_generated), ("damaged_per_generated", size.cv_damaged_per_generated))
          if v is not None}
    return T.TrainConfig(**tc), E.EvalConfig(**ec)


def train_models(annotation_dir: str | os.PathLike, out_dir: str | os.PathLike, *, seed: int | None = None,
                 size: TrainSize = FULL, tables: bool = True, cv: bool = True,
                 log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Train the models on one annotation directory into `out_dir`, with grouped CV; returns metrics and metas.

    - facts model: `extractor.facts_model.train` (leave-one-report-out CV inside);
    - tables model: `extractor.evaluate.cross_validate` (folds by report) when
      `cv`, then `extractor.train.train`, which records that CV in its meta —
      both only when those modules are present and `tables` is true.

    Nothing is written outside `out_dir` (the shipped models are replaced only
    by `replace_shipped_model`).
    """
    from extractor import facts_model

    say = log or (lambda m: logging.getLogger(__name__).info("%s", m))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"dir": str(out)}
    result["facts"] = facts_model.train(annotation_dir, out, seed=seed or 0)
    result["facts_meta"] = json.loads((out / facts_model.META_NAME).read_text(encoding="utf-8"))
    cfgs = _tables_configs(size, seed) if tables else None
    if cfgs is not None:
        from extractor import evaluate as E
        from extractor import train as T

        tcfg, ecfg = cfgs
        cvres = E.cross_validate(annotation_dir, tcfg, ecfg, log=say) if cv else None
        result["tables_cv"] = cvres
        result["tables_meta"] = T.train(annotation_dir, out, tcfg, cv=cvres, log=say)
        if hasattr(T, "write_card"):  # as `extractor train` does: the card travels with the model
            T.write_card(out, result["tables_meta"])
    return result



def model_meta(directory: str | os.PathLike = SHIPPED_MODELS) -> dict[str, dict[str, Any]]:
    """The meta files of the models in a directory, by model name ("facts", "tables")."""
    out = {}
    for p in sorted(Path(directory).glob("*.meta.json")):
        out[p.name.split(".")[0]] = json.loads(p.read_text(encoding="utf-8"))
    return out


def training_hash(directory: str | os.PathLike) -> dict[str, str | None]:
    """What each model in a directory says it was trained on (its annotations' sha256)."""
    return {k: m.get("annotations_sha256") for k, m in model_meta(directory).items()}


def label_scores(metas: dict[str, dict[str, Any]], name: str = "new"):
    """Per-label precision/recall/F1 from grouped CV, as a long DataFrame, for each model in `metas`.

    `metas` is `model_meta(dir)` (or the same shape from `train_models`):
    the facts model's metrics per metric; the tables model's per fragment
    label (its meta's `metrics.grouped_cv.labels`, when CV was run).
    """
    import pandas as pd

    rows = []
    strict = ((((metas.get("facts") or {}).get("metrics") or {}).get("cv_model") or {}).get("strict")) or {}
    for lab, s in strict.items():
        if isinstance(s, dict) and "f1" in s:
            rows.append({"model": name, "family": "facts", "label": lab, "precision": s["precision"],
                         "recall": s["recall"], "f1": s["f1"], "support": s.get("tp", 0) + s.get("fn", 0)})
    cv = (((metas.get("tables") or {}).get("metrics") or {}).get("grouped_cv")) or {}
    for lab, s in (cv.get("labels") or {}).items():
        p, r = s.get("precision", 0.0), s.get("recall", 0.0)
        rows.append({"model": name, "family": "tables", "label": lab, "precision": p, "recall": r,
                     "f1": (2 * p * r / (p + r)) if p + r else 0.0, "support": s.get("support", 0)})
    return pd.DataFrame(rows, columns=["model", "family", "label", "precision", "recall", "f1", "support"])


def plot_label_scores(scores, path: str | os.PathLike) -> Path:
    """Per-label F1 (grouped CV), one panel per model family, one bar colour per model; PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fams = [f for f in ("facts", "tables") if (scores["family"] == f).any()] or ["facts"]
    heights = [max(4, scores[scores["family"] == f]["label"].nunique()) for f in fams]
    fig, axes = plt.subplots(len(fams), 1, figsize=(9, 0.3 * sum(heights) + 1.5 * len(fams)),
                             gridspec_kw={"height_ratios": heights}, squeeze=False)
    for ax, fam in zip(axes[:, 0], fams):
        sub = scores[scores["family"] == fam]
        if sub.empty:
            ax.set_title(f"{fam}: no scores")
            continue
        piv = sub.pivot_table(index="label", columns="model", values="f1", aggfunc="first")
        order = sorted(piv.index, key=lambda x: (x != "overall", x), reverse=True)
        piv.loc[order].plot.barh(ax=ax, width=0.8)
        ax.set_xlim(0, 1.05)
        ax.set_xlabel("F1 (grouped cross-validation)")
        ax.set_ylabel("")
        ax.tick_params(axis="y", labelsize=7 if len(piv) > 20 else 9)
        ax.set_title(f"{fam} model: per-label F1")
        ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


def cell_calibration(records: Sequence[dict[str, Any]], golds: Sequence[dict[str, Any]],
                     bins: Sequence[float] = CALIBRATION_BINS):
    """How often cells at each confidence are wrong, against gold (extractor.gold.compare).

    One row per bin: cells, wrong, error_rate, and the bin's range.  A
    confidence means something when the error rate in its bin is below
    1 - its lower bound.
    """
    import pandas as pd

    from extractor.gold import compare, gold_cells

    pairs: list[tuple[float, bool]] = []
    for rec, gold in zip(records, golds):
        cmp = compare(rec, gold)
        wrong = {w[0] for w in cmp["wrong"]}
        for t, r, c, g in gold_cells(gold):
            cell = rec["tables"][t][r][c]
            if g is None and cell.get("value") is None:
                continue  # a cell the report does not have, rightly not read: no confidence to judge
            pairs.append((float(cell.get("confidence", 0.0)), f"{t}.{r}.{c}" in wrong))
    rows = []
    for lo, hi in zip(bins, bins[1:]):
        sel = [w for c, w in pairs if lo <= c < hi]
        rows.append({"bin": f"[{lo:.2f}, {min(hi, 1.0):.2f}{']' if hi > 1 else ')'}", "lo": lo, "hi": min(hi, 1.0),
                     "cells": len(sel), "wrong": sum(sel),
                     "error_rate": (sum(sel) / len(sel)) if sel else float("nan")})
    return pd.DataFrame(rows)


def plot_calibration(cells, facts: Sequence[dict[str, Any]] | None, path: str | os.PathLike) -> Path:
    """Error rate per confidence bin (cells against sample gold; facts from grouped CV); PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    ax = axes[0]
    x = range(len(cells))
    ax.bar(x, cells["error_rate"].fillna(0), color="#d9534f")
    ax.plot(x, [1 - lo for lo in cells["lo"]], "k--", lw=1, label="allowed: 1 − lower bound")
    for i, (n, w) in enumerate(zip(cells["cells"], cells["wrong"])):
        ax.annotate(f"{w}/{n}", (i, 0), textcoords="offset points", xytext=(0, 3), ha="center", fontsize=8)
    ax.set_xticks(list(x), list(cells["bin"]), rotation=20, fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("share wrong")
    ax.set_title("Cells: wrong at each confidence (sample gold)")
    ax.legend(fontsize=8)
    ax = axes[1]
    facts = list(facts or [])
    if facts:
        xs = range(len(facts))
        ax.bar(xs, [1 - f["right"] for f in facts], color="#f0ad4e")
        for i, f in enumerate(facts):
            ax.annotate(str(f["facts"]), (i, 0), textcoords="offset points", xytext=(0, 3), ha="center", fontsize=8)
        ax.set_xticks(list(xs), [f["confidence"] for f in facts], rotation=20, fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_title("Facts: wrong at each confidence (grouped CV)")
    fig.tight_layout()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


@contextlib.contextmanager
def models_from(directory: str | os.PathLike | None) -> Iterator[None]:
    """Extract with the models in `directory` inside the block (None: the shipped ones), then restore.

    In-process on purpose: a batch's worker processes fork from a server
    that loaded the models once, so pointing $EXTRACTOR_MODELS elsewhere
    mid-session would silently keep the old model there.
    """
    from extractor import facts_model
    from extractor import model as tables_model

    # A directory without one of the models means "without it" (rules / fuzzy
    # matching only), never silently the shipped one.
    d = Path(directory) if directory else None
    facts_model.reload(d)
    tables_model.reload(d)
    try:
        yield
    finally:
        facts_model.reload()
        tables_model.reload()


def extract_with(paths: Sequence[str | os.PathLike], directory: str | os.PathLike | None) -> list[dict[str, Any]]:
    """Records of `paths` read with the models in `directory` (None: shipped)."""
    from extractor.pipeline import extract_file

    with models_from(directory):
        return [extract_file(p).to_dict() for p in paths]


def diff_records(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """The cells and facts that differ between two records of one report (value or confidence band)."""
    out = []
    for t, r, c, cell in _cell_iter(new):
        o = old["tables"][t][r][c]
        if o.get("value") != cell.get("value") or band(o.get("confidence"))[0] != band(cell.get("confidence"))[0]:
            out.append({"kind": "cell", "key": f"{t}.{r}.{c}", "old": o.get("value"), "new": cell.get("value"),
                        "old_confidence": o.get("confidence"), "new_confidence": cell.get("confidence")})

    def fkey(f):
        return (f.get("metric"), f.get("channel"), f.get("value"), tuple(f.get("span") or ()))

    of = {fkey(f): f for f in old.get("facts") or []}
    nf = {fkey(f): f for f in new.get("facts") or []}
    for k in sorted(set(of) | set(nf), key=lambda k: (k[3], str(k[0]))):
        a, b = of.get(k), nf.get(k)
        if a and b and band(a.get("confidence"))[0] == band(b.get("confidence"))[0]:
            continue
        f = b or a
        out.append({"kind": "fact", "key": f"{f.get('metric')}{'.' + f['channel'] if f.get('channel') else ''} "
                    f"@{f.get('span')} {f.get('text')}",
                    "old": a.get("value") if a else None, "new": b.get("value") if b else None,
                    "old_confidence": a.get("confidence") if a else None,
                    "new_confidence": b.get("confidence") if b else None})
    return out


def compare_models(paths: Sequence[str | os.PathLike], new_dir: str | os.PathLike,
                   old_dir: str | os.PathLike | None = None, golds: Sequence[dict[str, Any] | None] | None = None
                   ) -> dict[str, Any]:
    """What changes on a sample batch when the model in `new_dir` replaces `old_dir` (default: shipped).

    Returns {"reports": [...per report: path, changes, needs_review old/new,
    confidence old/new, gold right old/new], "changes": DataFrame of every
    changed cell/fact, "old": records, "new": records}.
    """
    import pandas as pd

    from extractor.gold import compare

    old = extract_with(paths, old_dir)
    new = extract_with(paths, new_dir)
    reports, rows = [], []
    for i, (p, a, b) in enumerate(zip(paths, old, new)):
        ch = diff_records(a, b)
        entry = {"path": str(p), "changes": len(ch), "needs_review_old": a["needs_review"],
                 "needs_review_new": b["needs_review"], "confidence_old": a["confidence"],
                 "confidence_new": b["confidence"]}
        g = golds[i] if golds else None
        if g:
            entry["gold_right_old"] = compare(a, g)["right"]
            entry["gold_right_new"] = compare(b, g)["right"]
        reports.append(entry)
        rows += [{"path": str(p), **c} for c in ch]
    changes = pd.DataFrame(rows, columns=["path", "kind", "key", "old", "new", "old_confidence", "new_confidence"])
    return {"reports": reports, "changes": changes, "old": old, "new": new}


def write_comparison(result: dict[str, Any], path: str | os.PathLike, extra: dict[str, Any] | None = None) -> Path:
    """The comparison as JSON: per-report summary and every changed cell/fact."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc = {"reports": result["reports"],
           "changes": json.loads(result["changes"].to_json(orient="records", force_ascii=False)),
           **(extra or {})}
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return out


def sample_paths(samples_dir: str | os.PathLike = SAMPLES) -> list[Path]:
    """The bundled sample reports that have gold (`<name>.gold.json` beside them)."""
    d = Path(samples_dir)
    return sorted(p for p in d.iterdir() if p.suffix != ".json" and (d / f"{p.stem}.gold.json").exists()
                  and not p.name.endswith(".gold.json"))


def sample_golds(paths: Sequence[Path]) -> list[dict[str, Any]]:
    return [json.loads((p.parent / f"{p.stem}.gold.json").read_text(encoding="utf-8")) for p in paths]


def replace_shipped_model(new_dir: str | os.PathLike, confirm: bool, *,
                          shipped_dir: str | os.PathLike = SHIPPED_MODELS) -> list[Path]:
    """Copy the new model files over the shipped ones, only when `confirm` is True; returns what was copied.

    Model and meta are copied together (the meta's sha256 guards the model
    file, so a half-copied pair would be refused at load): each file goes
    to a temporary name first and is then renamed into place.  Without
    confirmation nothing is touched and an empty list is returned.
    """
    if confirm is not True:
        return []
    src, dst = Path(new_dir), Path(shipped_dir)
    files = [p for p in sorted(src.iterdir()) if p.name.endswith((".skops", ".meta.json")) or p.name == "MODEL_CARD.md"]
    if not files:
        raise FileNotFoundError(f"no model files in {src}")
    for p in files:  # refuse a model whose meta does not vouch for it
        if p.suffix == ".skops":
            meta = src / (p.name[: -len(".skops")] + ".meta.json")
            if not meta.exists() or json.loads(meta.read_text(encoding="utf-8")).get("sha256") != hashlib.sha256(p.read_bytes()).hexdigest():
                raise ValueError(f"{p}: meta missing or its sha256 does not match: not shipped")
    dst.mkdir(parents=True, exist_ok=True)
    staged = []
    for p in files:
        tmp = dst / f".{p.name}.new"
        shutil.copyfile(p, tmp)
        staged.append((tmp, dst / p.name))
    for tmp, final in staged:
        os.replace(tmp, final)
    return [final for _, final in staged]


# ================================================================ widgets (the notebook's controls)
class ReviewSession:
    """One report under review in a notebook: the current record, its text, and the save target.

    Kept here (not in the notebook) so the widget callbacks are plain,
    tested functions; the notebook only lays the widgets out.
    """

    def __init__(self, record: dict[str, Any], annotation_dir: str | os.PathLike,
                 text_path: str | os.PathLike | None = None):
        self.original = record
        self.record = copy.deepcopy(record)
        self.text_path = Path(text_path) if text_path else resolve_source(record)
        self.text = _load_text(self.text_path)
        self.annotation_dir = Path(annotation_dir)
        self.saved: Path | None = None

    def correct(self, name: str, value: Any) -> None:
        t, r, c = name.split(".")
        self.record = apply_correction(self.record, t, r, c, value)

    def accept(self, name: str) -> None:
        t, r, c = name.split(".")
        self.record = accept_cell(self.record, t, r, c)

    def fact(self, index: int, action: str, **changes: Any) -> None:
        if action == "accept":
            self.record = accept_fact(self.record, index)
        elif action == "reject":
            self.record = reject_fact(self.record, index)
        elif action == "correct":
            self.record = correct_fact(self.record, index, **changes)
        else:
            raise ValueError(f"unknown action {action!r}")

    def save(self) -> Path:
        self.saved = save_annotation(to_annotation(self.record, self.text_path), self.annotation_dir)
        return self.saved

    def cells_to_review(self) -> list[str]:
        """Low-confidence and flagged cells first (what the cell picker offers), then every other read cell."""
        flags = flagged_cells(self.record)
        first = list(dict.fromkeys(low_cells(self.record) + [n for n in flags if n not in _reviewed(self.record)["cells"]]))
        rest = [f"{t}.{r}.{c}" for t, r, c, cell in _cell_iter(self.record) if f"{t}.{r}.{c}" not in first]
        return first + rest

    def view_html(self) -> str:
        return review_view_html(self.record, self.text)


def _load_text(path: Path) -> str:
    from extractor.load import load

    return load(path).text


class Editor:
    """ipywidgets to accept or correct a cell or a fact, and to save the annotation.

    Clicks per decision (the cell picker lists doubtful and flagged cells
    first and pre-selects the first, its value pre-filled; after each
    decision it moves on to the next cell still in doubt):
    - take another reading of an ambiguous cell: 1 click (its reading button);
    - accept the pre-selected cell: 1 click; type a value: click the box,
      type, 1 click on "Correct cell";
    - any other cell: 2 more clicks (open the picker, choose);
    - a fact: the first doubtful one is pre-selected and the picker moves
      on after each decision, so "Accept fact" / "Not a fact" is 1 click;
      a correction is: pick the metric / type the value, "Correct fact";
    - "Save annotation": 1 click, `check-data`'s verdict shown beside it.
    The tables re-render under the controls after every decision.
    """

    def __init__(self, session: ReviewSession):
        import ipywidgets as W

        from extractor.annotations import metric_names

        self.session = session
        self.view = W.Output()
        self.status = W.HTML()
        self.cell_pick = W.Dropdown(options=session.cells_to_review(), description="cell",
                                    layout=W.Layout(width="420px"))
        self.cell_value = W.Text(description="value", layout=W.Layout(width="200px"))
        self.accept_cell = W.Button(description="Accept cell", button_style="success")
        self.correct_cell = W.Button(description="Correct cell", button_style="warning")
        self.readings = W.HBox()
        facts = session.record.get("facts") or []
        self.fact_pick = W.Dropdown(
            options=[(f"{i}: {f.get('text')} → {f.get('metric')} {_fmt(f.get('value'))} ({f.get('confidence', 0):.2f})", i)
                     for i, f in enumerate(facts)], description="fact", layout=W.Layout(width="520px"))
        self.fact_metric = W.Dropdown(options=sorted(metric_names()), description="metric")
        self.fact_value = W.Text(description="value", layout=W.Layout(width="200px"))
        self.accept_fact = W.Button(description="Accept fact", button_style="success")
        self.reject_fact = W.Button(description="Not a fact", button_style="danger")
        self.correct_fact = W.Button(description="Correct fact", button_style="warning")
        self.save = W.Button(description="Save annotation", button_style="primary")

        self.cell_pick.observe(lambda _: self._show_cell(), names="value")
        self.fact_pick.observe(lambda _: self._show_fact(), names="value")
        self.accept_cell.on_click(lambda _: self._do(lambda: session.accept(self.cell_pick.value), "accepted {}"))
        self.correct_cell.on_click(lambda _: self._do(lambda: session.correct(self.cell_pick.value, self.cell_value.value),
                                                      "corrected {}"))
        self.accept_fact.on_click(lambda _: self._do_fact(lambda: session.fact(self.fact_pick.value, "accept"), "accepted"))
        self.reject_fact.on_click(lambda _: self._do_fact(lambda: session.fact(self.fact_pick.value, "reject"), "rejected"))
        self.correct_fact.on_click(lambda _: self._do_fact(
            lambda: session.fact(self.fact_pick.value, "correct", metric=self.fact_metric.value, value=self.fact_value.value),
            "corrected"))
        self.save.on_click(lambda _: self._save())
        self._show_cell()
        todo = low_facts(session.record)
        if todo:  # start on the first doubtful fact
            self.fact_pick.value = todo[0]
        self._show_fact()
        self._redraw()
        self.widget = W.VBox([
            W.HBox([self.cell_pick, self.cell_value, self.accept_cell, self.correct_cell]),
            self.readings,
            W.HBox([self.fact_pick, self.fact_metric, self.fact_value]),
            W.HBox([self.accept_fact, self.reject_fact, self.correct_fact, self.save]),
            self.status, self.view])

    def _ipython_display_(self):  # so a notebook cell ending in Editor(...) shows the controls
        from IPython.display import display

        display(self.widget)

    def _cell(self) -> dict[str, Any] | None:
        if not self.cell_pick.value:
            return None
        t, r, c = self.cell_pick.value.split(".")
        return self.session.record["tables"][t][r][c]

    def _show_cell(self) -> None:
        import ipywidgets as W

        cell = self._cell()
        self.cell_value.value = "" if not cell or cell.get("value") is None else _fmt(cell["value"])
        buttons = []
        for cand in (cell or {}).get("candidates") or []:
            b = W.Button(description=f"use {_fmt(cand.get('value'))}", layout=W.Layout(width="auto"))
            b.on_click(lambda _, v=cand.get("value"): self._do(
                lambda: self.session.correct(self.cell_pick.value, v), "took a reading for {}"))
            buttons.append(b)
        self.readings.children = ([W.HTML("readings:")] + buttons) if buttons else []

    def _show_fact(self) -> None:
        from extractor.annotations import metric_names

        if self.fact_pick.value is None:
            return
        f = self.session.record["facts"][self.fact_pick.value]
        self.fact_metric.value = f.get("metric") if f.get("metric") in metric_names() else "other"
        self.fact_value.value = _fmt(f.get("value"))

    def _do(self, action: Callable[[], None], message: str) -> None:
        try:
            action()
        except (ValueError, IndexError, KeyError) as e:
            self.status.value = f"<span style='color:#c00'>{html.escape(str(e))}</span>"
            return
        done = self.cell_pick.value
        self._redraw()
        self._advance()
        self.status.value = html.escape(message.format(done))

    def _do_fact(self, action: Callable[[], None], verb: str) -> None:
        """A fact decision, then on to the next fact still in doubt."""
        i = self.fact_pick.value
        try:
            action()
        except (ValueError, IndexError, KeyError) as e:
            self.status.value = f"<span style='color:#c00'>{html.escape(str(e))}</span>"
            return
        todo = [k for k in low_facts(self.session.record) if k != i]
        if todo:
            self.fact_pick.value = next((k for k in todo if k > i), todo[0])
        self._show_fact()
        self.status.value = html.escape(f"fact {i} {verb}; {len(todo)} doubtful facts left")

    def _advance(self) -> None:
        """After a decision, pre-select the next cell still in doubt (so the next decision is one click)."""
        current = self.cell_pick.value
        options = self.session.cells_to_review()
        todo = set(low_cells(self.session.record)) | {
            n for n in flagged_cells(self.session.record) if n not in _reviewed(self.session.record)["cells"]}
        nxt = options[0] if options and options[0] in todo else current
        with self.cell_pick.hold_trait_notifications():
            self.cell_pick.options = options
            self.cell_pick.value = nxt
        self._show_cell()

    def _redraw(self) -> None:
        from IPython.display import HTML, display

        self.view.clear_output(wait=True)
        with self.view:  # the tables (where a decision shows); the full view is the notebook's cell above
            display(HTML(legend_html() + tables_html(self.session.record)
                         + candidates_html(self.session.record, self.session.text)))

    def _save(self) -> None:
        p = self.session.save()
        verdict = check_annotations(self.session.annotation_dir)
        self.status.value = html.escape(
            f"saved {p}; check-data: {'ok' if verdict['ok'] else '; '.join(verdict['errors'][:3])}")


def editor(session: ReviewSession) -> Editor:
    """The review controls for a session (see `Editor`)."""
    return Editor(session)


# ================================================================ running the notebooks headless
def execute_notebook(path: str | os.PathLike, parameters: dict[str, Any] | None = None, *,
                     cwd: str | os.PathLike | None = None, timeout: int = 600, kernel_name: str = "python3",
                     out_path: str | os.PathLike | None = None):
    """Execute a notebook from a fresh kernel with `parameters` injected after its "parameters" cell.

    Papermill's convention without papermill: a cell tagged
    "injected-parameters" follows the tagged cell and overrides its values.
    Paths are passed as strings.  Returns the executed notebook (and writes
    it to `out_path` when given); raises nbclient's CellExecutionError when a
    cell fails.
    """
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(str(path), as_version=4)
    if parameters:
        def lit(v: Any) -> str:
            if isinstance(v, Path):
                return repr(str(v))
            if isinstance(v, (list, tuple)):
                return "[" + ", ".join(lit(x) for x in v) + "]"
            return repr(v)

        src = "# Injected parameters\n" + "\n".join(f"{k} = {lit(v)}" for k, v in parameters.items())
        cell = nbformat.v4.new_code_cell(src, metadata={"tags": ["injected-parameters"]})
        at = next((i for i, c in enumerate(nb.cells) if "parameters" in (c.metadata.get("tags") or [])), -1)
        nb.cells.insert(at + 1, cell)
    where = Path(cwd) if cwd else Path(path).resolve().parent
    where.mkdir(parents=True, exist_ok=True)
    client = NotebookClient(nb, timeout=timeout, kernel_name=kernel_name, store_widget_state=True,
                            resources={"metadata": {"path": str(where)}})
    client.execute()
    if out_path:
        nbformat.write(nb, str(out_path))
    return nb
