"""The review logic (extractor.review) on a generated report whose gold is known.

The report is rendered by `extractor.generate` in the glued layout with
table 2's normative-documents row set to 12 | 1 | 84: printed glued as
"12184" with no identity over table 2 and no sentence in the prose that
settles it, so any honest reader must flag that row (several readings, none
proved).  The tests check that a reviewer sees the doubt where it is, that
fixing it yields an annotation `check-data` accepts, and that the
annotation says what the person decided.
"""
from __future__ import annotations

import copy
import hashlib
import html
import json
import random
import re
from pathlib import Path

import pytest

from extractor import generate, review as R
from extractor.gold import compare, gold_cells
from extractor.labels import labels
from extractor.pipeline import extract_file
from extractor.record import REVIEW_BELOW

SEED = 5
GLUED_RUN = {"issued": 12, "repealed": 1, "in_force": 84}


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    """(text path, text, record, gold) of the generated report."""
    d = tmp_path_factory.mktemp("review")
    rng = random.Random(SEED)
    gold = generate.random_tables(rng)
    gold["table2"]["normative_docs"] = dict(GLUED_RUN)
    g = generate.render(gold, layout="glued", mess=(), rng=rng, seed=SEED)
    path = d / f"generated_{SEED:02d}.txt"
    path.write_text(g.text, encoding="utf-8")
    rec = extract_file(path).to_dict()
    return path, g.text, rec, g.gold


def _doubtful(rec):
    """Read cells below the review threshold, with spans (the premise of several tests)."""
    out = [(t, r, c, cell) for t, rows in rec["tables"].items() for r, cols in rows.items()
           for c, cell in cols.items() if cell["value"] is not None and cell["confidence"] < REVIEW_BELOW and cell["span"]]
    assert out, "premise: the glued table-2 run '12184' has several readings and must be flagged"
    return out


def _tags_stripped(h: str) -> str:
    body = h[h.index('<div class="rv-src"'):]
    return html.unescape(re.sub(r"<[^>]+>", "", body))


# ------------------------------------------------------------------ the batch table
def test_review_frame_lists_reports_needing_review_least_confident_first(case, tmp_path):
    _, _, rec, _ = case
    sure = copy.deepcopy(rec)
    sure["source"] = {**rec["source"], "path": "sure.txt"}
    sure["needs_review"], sure["confidence"] = False, 0.99
    other = copy.deepcopy(rec)
    other["source"] = {**rec["source"], "path": "other.txt"}
    other["confidence"] = 0.7
    batch = tmp_path / "b.jsonl"
    batch.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in (other, sure, rec)) + "\n{cut mid-li",
                     encoding="utf-8")
    recs = R.read_batch(batch)
    assert len(recs) == 3  # the partial last line is skipped, not fatal
    df = R.review_frame(recs)
    assert list(df.columns) == list(R.REVIEW_COLUMNS)
    assert list(df["path"]) == [rec["source"]["path"], "other.txt"]  # sure.txt needs no review; least confident first
    assert list(df.index) == [2, 0]  # the index is the position in the batch
    row = df.iloc[0]
    assert row["low_cells"] == len(_doubtful(rec)) and row["ambiguous_cells"] >= 2
    assert "table2.ambiguous" in row["error_codes"]
    assert list(R.sort_frame(df, "confidence", ascending=False)["path"]) == ["other.txt", rec["source"]["path"]]
    assert len(R.review_frame(recs, only_review=False)) == 3


# ------------------------------------------------------------------ highlighting
def test_every_cell_and_fact_is_highlighted_in_place(case):
    _, text, rec, _ = case
    h = R.highlight_html(text, rec)
    assert _tags_stripped(h) == text  # the source is shown whole and unaltered
    ms = R.marks(rec)
    n_cells = sum(1 for *_, cell in R._cell_iter(rec) if cell.get("span") or cell.get("raw_span"))
    assert sum(m.kind in ("cell", "placeholder") for m in ms) == n_cells >= 200
    assert sum(m.kind == "fact" for m in ms) == len(rec["facts"]) > 0
    for m in ms:  # every mark's text is inside an element listing its key
        if m.kind == "issue":
            continue
        assert f'id="{R._anchor_id(rec, m.key)}"' in h
    keys = re.findall(r'data-keys="([^"]*)"', h)
    covered = {k for ks in keys for k in ks.split()}
    assert {m.key for m in ms} <= covered


def test_a_flagged_cell_is_highlighted_with_its_confidence(case):
    _, text, rec, gold = case
    h = R.highlight_html(text, rec)
    for t, r, c, cell in _doubtful(rec):
        name = f"{t}.{r}.{c}"
        s, e = cell["span"]
        colour = R.band(cell["confidence"])[1]
        tip = f"{name} = {cell['value']} (confidence {cell['confidence']:.2f})"
        # The piece of text at the cell's span carries its band colour and its tooltip.
        pat = (rf'<span class="rv-m[^"]*" style="background:{colour}" title="[^"]*{re.escape(html.escape(tip))}'
               rf'[^"]*" data-keys="[^"]*{re.escape(name)}[^"]*">{re.escape(html.escape(text[s:e]))}</span>')
        assert re.search(pat, h), f"{name} not highlighted at {s}:{e} with {tip}"
        assert colour in (R.BANDS[0][2], R.BANDS[1][2])  # below the review threshold: red or orange
    wrong = {w[0] for w in compare(rec, gold)["wrong"]}
    assert wrong and wrong <= {f"{t}.{r}.{c}" for t, r, c, _ in _doubtful(rec)}, "every wrong cell is a doubtful one"


def test_a_cell_named_by_a_failing_check_is_marked_in_source_and_tables(case):
    _, text, rec, _ = case
    bad = copy.deepcopy(rec)
    cell = bad["tables"]["table3"]["new"]["natural_person"]
    assert cell["span"], "premise: the cell was printed"
    cell["value"] += 1  # as if misread: the row total no longer holds
    bad = R.refresh(bad)
    fails = {c["rule"] for c in R.failing_checks(bad)}
    assert "table3.row_total.new" in fails and bad["needs_review"] and bad["confidence"] <= 0.5
    assert "table3.new.natural_person" in R.flagged_cells(bad)
    h = R.highlight_html(text, bad)
    s, e = cell["span"]
    assert re.search(rf'class="rv-m[^"]*rv-flag[^"]*"[^>]*title="[^"]*failing: [^"]*table3\.row_total\.new[^"]*"[^>]*>'
                     rf"{re.escape(text[s:e])}</span>", h)
    t = R.tables_html(bad)
    assert re.search(r'<td class="rv-v rv-flag"[^>]*title="table3\.new\.natural_person[^"]*"><a href="#[^"]+">⚠ ', t)
    assert "table3.row_total.new" in R.checks_html(bad, "table3")


def test_an_unsettled_failing_identity_is_saved_with_a_to_do(case, tmp_path):
    _check_data_or_skip()
    path, _, rec, _ = case
    bad = copy.deepcopy(rec)
    bad["tables"]["table3"]["new"]["natural_person"]["value"] += 1
    bad["tables"]["table3"]["new"]["natural_person"]["confidence"] = 0.6  # read in doubt
    ann = R.to_annotation(R.refresh(bad), path)
    assert ann["agency_error"] is True  # check-data demands it while an identity fails
    assert any(x.startswith("identity table3.row_total.new fails") for x in ann["review"])
    R.save_annotation(ann, tmp_path / "annotations")
    assert R.check_annotations(tmp_path / "annotations")["ok"]
    # The person fixes the cell: the identity holds, no agency error, no to-do about it.
    good = R.apply_correction(R.refresh(bad), "table3", "new", "natural_person",
                              rec["tables"]["table3"]["new"]["natural_person"]["value"])
    ann = R.to_annotation(good, path)
    assert ann["agency_error"] is False and not any("identity" in x for x in ann.get("review", []))


# ------------------------------------------------------------------ tables and candidates
def test_tables_use_the_official_labels_and_layout(case):
    _, _, rec, _ = case
    t = R.tables_html(rec)
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
    doubt = _doubtful(rec)[0]
    assert re.search(rf'<td class="rv-v rv-low"[^>]*title="{doubt[0]}\.{doubt[1]}\.{doubt[2]} = ', t)


def test_candidates_are_shown_side_by_side(case):
    _, text, rec, _ = case
    h = R.candidates_html(rec, text)
    cells = rec["tables"]["table2"]["normative_docs"]
    assert any(c.get("candidates") for c in cells.values())
    assert "table2 · normative_docs" in h and "12184" in h  # the run as printed
    for c, cell in cells.items():
        for k, cand in enumerate(cell.get("candidates") or []):
            assert f"reading {k + 1}" in h
            assert f">{cand['value']}<" in h or f">{cand['value']}<br>" in h
    assert "No ambiguous glued runs" in R.candidates_html({"tables": {}, "issues": []})


# ------------------------------------------------------------------ decisions
def test_apply_correction_sets_the_cell_logs_it_and_reruns_checks(case):
    _, _, rec, gold = case
    before = copy.deepcopy(rec)
    fixed = rec
    for col, v in GLUED_RUN.items():
        fixed = R.apply_correction(fixed, "table2", "normative_docs", col, str(v))
    assert rec == before  # the input record is never changed
    cells = fixed["tables"]["table2"]["normative_docs"]
    assert {c: cells[c]["value"] for c in GLUED_RUN} == GLUED_RUN
    assert all(cells[c]["confidence"] == 1.0 for c in GLUED_RUN)
    log = R.corrections_of(fixed)["cells"]
    assert set(log) == {f"table2.normative_docs.{c}" for c in GLUED_RUN}
    assert log["table2.normative_docs.issued"]["was"]["value"] == rec["tables"]["table2"]["normative_docs"]["issued"]["value"]
    assert compare(fixed, gold)["wrong"] == []
    amb = [i for i in fixed["issues"] if i["code"] == "table2.ambiguous"]
    assert amb and all(i.get("resolved") for i in amb)  # the ambiguity is settled by the person
    # a value the table cannot hold
    with pytest.raises(ValueError):
        R.apply_correction(rec, "table3", "new", "total", "2.5")
    with pytest.raises(ValueError):
        R.apply_correction(rec, "table3", "new", "total", "twelve")
    with pytest.raises(KeyError):
        R.apply_correction(rec, "table3", "no_such_row", "total", "1")
    assert R.parse_value("１,２３４") == 1234 and R.parse_value("") is None and R.parse_value("3.5") == 3.5
    accepted = R.accept_cell(rec, "table3", "new", "total")
    assert R.corrections_of(accepted)["cells"]["table3.new.total"]["action"] == "accepted"


def test_fact_decisions(case):
    _, _, rec, _ = case
    assert len(rec["facts"]) >= 2
    r = R.accept_fact(rec, 0)
    r = R.reject_fact(r, 1)
    assert r["facts"][0]["confidence"] == 1.0
    log = R.corrections_of(r)["facts"]
    assert {k: v["action"] for k, v in log.items()} == {"0": "accepted", "1": "rejected"}
    assert log["1"]["was"]["metric"] == rec["facts"][1]["metric"]
    r = R.correct_fact(r, 0, value="7", metric="press_conferences")
    assert r["facts"][0]["metric"] == "press_conferences" and r["facts"][0]["value"] == 7
    with pytest.raises(ValueError):
        R.correct_fact(r, 0, metric="no_such_metric")
    with pytest.raises(ValueError):
        R.correct_fact(r, 0, span=[0, 1])
    with pytest.raises(IndexError):
        R.accept_fact(r, 999)
    df = R.facts_frame(r)
    assert list(df["reviewed"][:2]) == ["corrected", "rejected"]


# ------------------------------------------------------------------ annotations
def _check_data_or_skip():
    try:
        from extractor.annotations import check_data  # noqa: F401
    except ImportError:
        pytest.skip("extractor.annotations (check-data) is not in this build yet")


def test_a_correction_produces_an_annotation_check_data_accepts(case, tmp_path):
    _check_data_or_skip()
    path, text, rec, gold = case
    fixed = rec
    for col, v in GLUED_RUN.items():
        fixed = R.apply_correction(fixed, "table2", "normative_docs", col, v)
    fixed = R.reject_fact(fixed, 1)
    ann = R.to_annotation(fixed, path)
    assert ann["id"] == path.stem
    assert ann["text"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert ann["tables"]["table2"]["normative_docs"] == GLUED_RUN
    # Every gold cell of the report is what the annotation says: the person fixed the only wrong ones.
    mine = {(t, r, c): v for t, r, c, v in gold_cells(ann["tables"])}
    assert mine == {(t, r, c): v for t, r, c, v in gold_cells(gold)}
    assert ann["facts"][1]["metric"] == "other" and "rejected" in ann["facts"][1]["note"]
    assert ann["agency_error"] is False
    assert ann["fragments"] and all(text[f["span"][0]:f["span"][1]] == f["text"] for f in ann["fragments"])
    assert "table2.normative_docs.issued 1→12" in ann["notes"]
    saved = R.save_annotation(ann, tmp_path / "annotations")
    assert saved == tmp_path / "annotations" / "reports" / f"{path.stem}.json"
    verdict = R.check_annotations(tmp_path / "annotations")
    assert verdict["ok"], verdict["errors"]
    assert verdict["checked"] == 1 and not [w for w in verdict["warnings"] if "unknown key" in w]
    # The CLI agrees.
    from typer.testing import CliRunner

    from extractor.cli import app

    res = CliRunner().invoke(app, ["check-data", "--annotations", str(tmp_path / "annotations")])
    assert res.exit_code == 0, res.output
    assert "1 annotation(s), 0 error(s)" in res.output


def test_to_annotation_round_trips(case, tmp_path):
    _check_data_or_skip()
    path, _, rec, _ = case
    fixed = R.apply_correction(rec, "table2", "normative_docs", "issued", 12)
    ann = R.to_annotation(fixed, path)
    saved = R.save_annotation(ann, tmp_path / "annotations")
    back = json.loads(saved.read_text(encoding="utf-8"))
    # Everything but the text path (re-based for where it was saved) comes back as written.
    assert {k: v for k, v in back.items() if k != "text"} == {k: v for k, v in ann.items() if k != "text"}
    assert back["text"]["sha256"] == ann["text"]["sha256"]
    assert (tmp_path / back["text"]["path"]).resolve() == path.resolve()
    # The saved annotation is the record's reading plus the person's decision, cell by cell.
    for t, r, c, v in gold_cells(back["tables"]):
        assert v == fixed["tables"][t][r][c]["value"], f"{t}.{r}.{c}"
    # And it loads as training data for the facts model (hash over the facts it carries).
    from extractor import facts_model

    docs = facts_model.load_annotations(tmp_path / "annotations")
    assert [d["id"] for d in docs] == [path.stem] and docs[0]["facts"] == back["facts"]
    assert R.used_by_training(tmp_path / "annotations", path.stem) == {"facts": True, "tables": True}
    # Review still to do is listed in the format's own `review` key.
    assert any("table2.normative_docs.repealed" in x for x in back["review"])
    assert "facts_complete" not in back  # settling the facts found says nothing of facts missed


def test_gather_annotations_makes_paths_absolute_and_later_dirs_win(case, tmp_path):
    _check_data_or_skip()
    path, _, rec, _ = case
    a, b = tmp_path / "a" / "annotations", tmp_path / "b" / "annotations"
    R.save_annotation(R.to_annotation(rec, path), a)
    R.save_annotation(R.to_annotation(R.apply_correction(rec, "table2", "normative_docs", "issued", 12), path), b)
    out = R.gather_annotations([a, b], tmp_path / "training")
    got = json.loads((out / "reports" / f"{path.stem}.json").read_text(encoding="utf-8"))
    assert Path(got["text"]["path"]).is_absolute() and Path(got["text"]["path"]).resolve() == path.resolve()
    assert got["tables"]["table2"]["normative_docs"]["issued"] == 12  # b's review overrides a's
    assert R.check_annotations(out)["ok"]
    few = R.gather_annotations([R.REPO / "annotations", b], tmp_path / "few", limit=1, always=[path.stem])
    ids = sorted(p.stem for p in few.glob("*/*.json"))
    assert path.stem in ids and len(ids) <= 3


# ------------------------------------------------------------------ the notebook's controls
def test_editor_settles_each_doubtful_cell_in_one_click_and_saves(case, tmp_path, capsys):
    """The controls as a reviewer uses them: one click per doubtful cell, one per fact, one to save."""
    _check_data_or_skip()
    pytest.importorskip("ipywidgets")
    path, _, rec, gold = case
    want = gold_cells_map(gold)
    session = R.ReviewSession(rec, tmp_path / "annotations", path)
    ed = R.editor(session)
    doubtful = {f"{t}.{r}.{c}" for t, r, c, _ in _doubtful(rec)}
    clicks = 0
    while ed.cell_pick.value in doubtful and ed.cell_pick.value not in R.corrections_of(session.record)["cells"]:
        name = ed.cell_pick.value  # pre-selected: the picker moves on by itself
        t, r, c = name.split(".")
        right = want[(t, r, c)]
        if session.record["tables"][t][r][c]["value"] == right:
            ed.accept_cell.click()
        else:
            pick = [b for b in ed.readings.children if getattr(b, "description", "") == f"use {right}"]
            assert pick, f"the right value of {name} ({right}) is one of its readings"
            pick[0].click()
        clicks += 1
        assert session.record["tables"][t][r][c]["value"] == right
    assert clicks == len(doubtful)  # one click per doubtful cell
    assert not R.low_cells(session.record)
    assert compare(session.record, gold)["wrong"] == []
    first = ed.fact_pick.value
    ed.accept_fact.click()
    assert R.corrections_of(session.record)["facts"][str(first)]["action"] == "accepted"
    ed.cell_pick.value = "table3.new.total"
    ed.cell_value.value = "x"
    ed.correct_cell.click()  # a bad value is refused, said in the status line, nothing changes
    assert "not a number" in ed.status.value and "table3.new.total" not in R.corrections_of(session.record)["cells"]
    ed.save.click()
    assert "check-data: ok" in ed.status.value
    saved = json.loads((tmp_path / "annotations" / "reports" / f"{path.stem}.json").read_text(encoding="utf-8"))
    assert saved["tables"]["table2"]["normative_docs"] == GLUED_RUN
    capsys.readouterr()


def gold_cells_map(gold):
    return {(t, r, c): v for t, r, c, v in gold_cells(gold)}


# ------------------------------------------------------------------ retraining helpers
def test_cell_calibration_counts_wrong_cells_per_confidence(case):
    _, _, rec, gold = case
    cal = R.cell_calibration([rec], [gold])
    cmp = compare(rec, gold)
    assert cal["wrong"].sum() == len(cmp["wrong"]) > 0
    assert cal["cells"].sum() <= cmp["cells"]
    low = cal[cal["hi"] <= REVIEW_BELOW]
    assert low["wrong"].sum() == len(cmp["wrong"])  # every wrong cell sits below the review threshold
    high = cal[cal["lo"] >= 0.9]
    assert high["cells"].sum() > 0 and high["wrong"].sum() == 0


def test_diff_records_names_the_cells_that_change(case):
    _, _, rec, _ = case
    new = R.apply_correction(rec, "table2", "normative_docs", "issued", 12)
    d = R.diff_records(rec, new)
    assert [x["key"] for x in d if x["kind"] == "cell"] == ["table2.normative_docs.issued"]
    assert R.diff_records(rec, rec) == []


def test_label_scores_and_plots(tmp_path):
    metas = R.model_meta(R.SHIPPED_MODELS)
    if "facts" not in metas:
        pytest.skip("no shipped facts model in models/")
    df = R.label_scores(metas, "shipped")
    assert {"overall", "posts"} <= set(df[df["family"] == "facts"]["label"])
    assert df["f1"].between(0, 1).all()
    png = R.plot_label_scores(df, tmp_path / "scores.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _model_pair(d: Path, content: bytes) -> None:
    d.mkdir(parents=True, exist_ok=True)
    (d / "facts.skops").write_bytes(content)
    (d / "facts.meta.json").write_text(json.dumps({"sha256": hashlib.sha256(content).hexdigest()}), encoding="utf-8")


def test_replace_shipped_model_only_when_confirmed(tmp_path):
    shipped, new = tmp_path / "shipped", tmp_path / "new"
    _model_pair(shipped, b"old model")
    _model_pair(new, b"new model")
    assert R.replace_shipped_model(new, False, shipped_dir=shipped) == []
    assert R.replace_shipped_model(new, "yes", shipped_dir=shipped) == []  # only True confirms
    assert (shipped / "facts.skops").read_bytes() == b"old model"
    copied = R.replace_shipped_model(new, True, shipped_dir=shipped)
    assert sorted(p.name for p in copied) == ["facts.meta.json", "facts.skops"]
    assert (shipped / "facts.skops").read_bytes() == b"new model"
    assert not list(shipped.glob(".*.new"))
    (new / "facts.skops").write_bytes(b"tampered")
    with pytest.raises(ValueError):
        R.replace_shipped_model(new, True, shipped_dir=shipped)
    assert (shipped / "facts.skops").read_bytes() == b"new model"


def test_cli_review_lists_the_batch_and_writes_one_view(case, tmp_path):
    from typer.testing import CliRunner

    from extractor.cli import app

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
