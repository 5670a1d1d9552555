"""One report as HTML (extractor.review.html): the source highlighted in place, the tables as printed."""
from __future__ import annotations

import copy
import html
import json
import re

from typer.testing import CliRunner

from extractor.cli import app
from extractor.review.decisions import refresh
from extractor.review.frames import failing_checks, flagged_cells, record_cells
from extractor.review.html import candidates_html, checks_html, highlight_html, tables_html
from extractor.review.marks import BANDS, anchor_id, band, marks
from extractor.spec.labels import labels
from extractor.training.gold import compare
from tests.review.case import doubtful


def _tags_stripped(h: str) -> str:
    body = h[h.index('<div class="rv-src"'):]
    return html.unescape(re.sub(r"<[^>]+>", "", body))


def test_every_cell_and_fact_is_highlighted_in_place(case):
    _, text, rec, _ = case
    h = highlight_html(text, rec)
    assert _tags_stripped(h) == text  # the source is shown whole and unaltered
    ms = marks(rec)
    n_cells = sum(1 for *_, cell in record_cells(rec) if cell.get("span") or cell.get("raw_span"))
    assert sum(m.kind in ("cell", "placeholder") for m in ms) == n_cells >= 200
    assert sum(m.kind == "fact" for m in ms) == len(rec["facts"]) > 0
    for m in ms:  # every mark's text is inside an element listing its key
        if m.kind == "issue":
            continue
        assert f'id="{anchor_id(rec, m.key)}"' in h
    keys = re.findall(r'data-keys="([^"]*)"', h)
    covered = {k for ks in keys for k in ks.split()}
    assert {m.key for m in ms} <= covered


def test_a_flagged_cell_is_highlighted_with_its_confidence(case):
    _, text, rec, gold = case
    h = highlight_html(text, rec)
    for t, r, c, cell in doubtful(rec):
        name = f"{t}.{r}.{c}"
        s, e = cell["span"]
        colour = band(cell["confidence"])[1]
        tip = f"{name} = {cell['value']} (confidence {cell['confidence']:.2f})"
        # The piece of text at the cell's span carries its band colour and its tooltip.
        pat = (rf'<span class="rv-m[^"]*" style="background:{colour}" title="[^"]*{re.escape(html.escape(tip))}'
               rf'[^"]*" data-keys="[^"]*{re.escape(name)}[^"]*">{re.escape(html.escape(text[s:e]))}</span>')
        assert re.search(pat, h), f"{name} not highlighted at {s}:{e} with {tip}"
        assert colour in (BANDS[0][2], BANDS[1][2])  # below the review threshold: red or orange
    wrong = {w[0] for w in compare(rec, gold)["wrong"]}
    assert wrong and wrong <= {f"{t}.{r}.{c}" for t, r, c, _ in doubtful(rec)}, "every wrong cell is a doubtful one"


def test_a_cell_named_by_a_failing_check_is_marked_in_source_and_tables(case):
    _, text, rec, _ = case
    bad = copy.deepcopy(rec)
    cell = bad["tables"]["table3"]["new"]["natural_person"]
    assert cell["span"], "premise: the cell was printed"
    cell["value"] += 1  # as if misread: the row total no longer holds
    bad = refresh(bad)
    fails = {c["rule"] for c in failing_checks(bad)}
    assert "table3.row_total.new" in fails and bad["needs_review"] and bad["confidence"] <= 0.5
    assert "table3.new.natural_person" in flagged_cells(bad)
    h = highlight_html(text, bad)
    s, e = cell["span"]
    assert re.search(rf'class="rv-m[^"]*rv-flag[^"]*"[^>]*title="[^"]*failing: [^"]*table3\.row_total\.new[^"]*"[^>]*>'
                     rf"{re.escape(text[s:e])}</span>", h)
    t = tables_html(bad)
    assert re.search(r'<td class="rv-v rv-flag"[^>]*title="table3\.new\.natural_person[^"]*"><a href="#[^"]+">⚠ ', t)
    assert "table3.row_total.new" in checks_html(bad, "table3")


def test_tables_use_the_official_labels_and_layout(case):
    _, _, rec, _ = case
    t = tables_html(rec)
    L = labels()
    for row in L.table2_rows + L.table3_rows:
        assert html.escape(row.label) in t, row.label
    for lab in (*L.col3_labels, *L.col4_labels, *L.table2_column_labels.values()):
        assert html.escape(lab) in t
    for lab in L.group4_labels:
        for part in lab.split("·"):
            assert html.escape(part) in t
    values = re.findall(r'<td class="rv-v', t)
    n = sum(len(r.columns) for r in L.table2_rows) + len(L.row3) * len(L.col3) + len(L.group4) * len(L.col4)
    assert len(values) == n
    doubt = doubtful(rec)[0]
    assert re.search(rf'<td class="rv-v rv-low"[^>]*title="{doubt[0]}\.{doubt[1]}\.{doubt[2]} = ', t)


def test_candidates_are_shown_side_by_side(case):
    _, text, rec, _ = case
    h = candidates_html(rec, text)
    cells = rec["tables"]["table2"]["normative_docs"]
    assert any(c.get("candidates") for c in cells.values())
    assert "table2 · normative_docs" in h and "12084" in h  # the run as printed
    for c, cell in cells.items():
        for k, cand in enumerate(cell.get("candidates") or []):
            assert f"reading {k + 1}" in h
            assert f">{cand['value']}<" in h or f">{cand['value']}<br>" in h
    assert "No ambiguous glued runs" in candidates_html({"tables": {}, "issues": []})


def test_cli_review_lists_the_batch_and_writes_one_view(case, tmp_path):
    path, _, rec, _ = case
    batch = tmp_path / "b.jsonl"
    batch.write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "view.html"
    res = CliRunner().invoke(app, ["review", str(batch), "--sort", "low_cells", "--report", path.name, "--html", str(out)])
    assert res.exit_code == 0, res.output
    assert path.name in res.output and "table2.ambiguous" in res.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and 'class="rv-src"' in page and "rv-v rv-low" in page
    bad = CliRunner().invoke(app, ["review", str(batch), "--report", "nope.txt", "--html", str(out)])
    assert bad.exit_code == 2
    only = CliRunner().invoke(app, ["review", str(batch), "--reason", "agency_inconsistent"])
    assert only.exit_code == 0 and "no report needs review" in only.output
    assert path.name in CliRunner().invoke(app, ["review", str(batch), "--reason", "reading_doubt"]).output
    assert CliRunner().invoke(app, ["review", str(batch), "--reason", "typo"]).exit_code == 2
