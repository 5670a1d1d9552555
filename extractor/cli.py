"""The `extractor` command.  Each subcommand is a thin wrapper over a library call."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from extractor.input.registry import batch_suffixes

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Read government-information-disclosure annual reports into checked data.")


@app.callback()
def _group() -> None:
    """Read government-information-disclosure annual reports into checked data."""


@app.command()
def extract(
    file: Path = typer.Argument(..., help="A report: " + " ".join(batch_suffixes())),
    pretty: bool = typer.Option(False, "--pretty", help="Indent the JSON"),
) -> None:
    """Print one report's record as JSON on stdout."""
    from extractor.pipeline import extract_file

    if not file.exists():
        typer.echo(f"extractor: no such file: {file}", err=True)
        raise typer.Exit(2)
    rec = extract_file(file).to_dict()
    sys.stdout.write(json.dumps(rec, ensure_ascii=False, indent=2 if pretty else None) + "\n")


@app.command()
def batch(
    inputs: list[str] = typer.Argument(..., help="Files, directories (recursive) and globs of " + " ".join(batch_suffixes())),
    out: Path = typer.Option(..., "--out", help="JSON Lines output: one record per input, sorted by path"),
    cells: Optional[Path] = typer.Option(None, "--cells", help="Long table of every cell (.parquet or .csv)"),
    facts: Optional[Path] = typer.Option(None, "--facts", help="Long table of every fact (.parquet or .csv)"),
    summary: Optional[Path] = typer.Option(None, "--summary", help="Write the summary as JSON here too"),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, help="Worker processes (default: all cores)"),
    resume: bool = typer.Option(False, "--resume", help="Keep the records already in --out; read only the rest"),
    timeout: float = typer.Option(120.0, "--timeout", help="Seconds one file may take (0: no limit)"),
    engine: str = typer.Option("local", "--engine", help="local (worker processes) or dask"),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="dask scheduler address (default: a local cluster)"),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Progress bar on stderr"),
    manifest: Optional[Path] = typer.Option(None, "--manifest", help="CSV: path, url, fetched_at, any other columns; "
                                            "each row goes into its record's source"),
    hierarchy: Optional[str] = typer.Option(None, "--hierarchy", help="CSV: parent, child agency names whose "
                                            "reports must add up, or 'gazetteer' (the same kind of body in every "
                                            "division under the parent's); default: no hierarchy check"),
) -> None:
    """Read many reports: one record per input in --out, a summary on stderr."""
    from extractor.batch import Options, OutputFault, format_summary, run_batch
    from extractor.batch.tables import long_table_kind

    for p in (cells, facts):
        try:
            if p is not None:
                long_table_kind(p)
        except ValueError as e:
            typer.echo(f"extractor: {e}", err=True)
            raise typer.Exit(2)
    for given in (manifest, Path(hierarchy) if hierarchy not in (None, "gazetteer") else None):
        if given is not None and not given.exists():
            typer.echo(f"extractor: no such file: {given}", err=True)
            raise typer.Exit(2)
    if engine not in ("local", "dask"):
        typer.echo(f"extractor: unknown engine {engine!r} (local or dask)", err=True)
        raise typer.Exit(2)
    opts = Options(out=out, cells=cells, facts=facts, summary=summary, workers=workers, resume=resume,
                   timeout=timeout or None, engine=engine, scheduler=scheduler, progress=progress,
                   manifest=manifest, hierarchy=hierarchy)
    try:
        result = run_batch(inputs, opts)
    except KeyboardInterrupt:
        typer.echo(f"\nextractor: interrupted; the records written so far are in {out}; "
                   "run again with --resume to finish", err=True)
        raise typer.Exit(130)
    except OutputFault as e:  # a full disk, a read-only directory: what failed and what is safe, not a traceback
        typer.echo(f"extractor: {e}", err=True)
        raise typer.Exit(e.exit_code)
    except ValueError as e:  # a manifest or hierarchy file without its columns
        typer.echo(f"extractor: {e}", err=True)
        raise typer.Exit(2)
    typer.echo(format_summary(result), err=True)


@app.command()
def panel(
    records: list[Path] = typer.Argument(..., help="Batches' JSON Lines (extractor batch ... --out FILE.jsonl)"),
    out: Path = typer.Option(..., "--out", help="The panel: .csv, .parquet or .xlsx (by the suffix)"),
    dictionary: Optional[Path] = typer.Option(None, "--dictionary", help="Also write the data dictionary (CSV) here"),
) -> None:
    """One row per report: place, every cell, the indicators, what is uncertain and which cross-report checks failed."""
    from extractor.panel import panel_kind, panel_rows, read_records, write_dictionary, write_panel

    try:
        panel_kind(out)
    except ValueError as e:
        typer.echo(f"extractor: {e}", err=True)
        raise typer.Exit(2)
    missing = [str(p) for p in records if not p.exists()]
    if missing:
        typer.echo(f"extractor: no such file: {' '.join(missing)}", err=True)
        raise typer.Exit(2)
    rows = panel_rows(read_records(records))
    n = write_panel(rows, out)
    typer.echo(f"panel: {n} reports, {len(rows[0]) if rows else 0} columns -> {out}", err=True)
    if dictionary is not None:
        typer.echo(f"dictionary: {write_dictionary(rows, dictionary)} columns -> {dictionary}", err=True)


# ---------------------------------------------------------------- annotations and the table classifier
@app.command("check-data")
def check_data(
    annotations: Optional[Path] = typer.Option(None, "--annotations", help="The annotations directory (reports/, excerpts/); default: the repo's"),
) -> None:
    """Validate every annotation: texts and their sha256, offsets, labels, facts, gold identities."""
    from extractor.training.check import check_data as run

    pr = run(annotations)
    for w in pr.warnings:
        typer.echo(f"warning: {w}", err=True)
    for e in pr.errors:
        typer.echo(f"error: {e}", err=True)
    typer.echo(f"check-data: {pr.checked} annotation(s), {len(pr.errors)} error(s), {len(pr.warnings)} warning(s)")
    if pr.errors or not pr.checked:
        raise typer.Exit(1)


@app.command()
def annotate(
    file: Path = typer.Argument(..., help="A report to annotate"),
    out: Optional[Path] = typer.Option(None, "--out", help="Write here (default: stdout)"),
) -> None:
    """Write an annotation pre-filled from the current extraction, for a person to correct."""
    from extractor.training.annotations import dumps
    from extractor.training.prefill import prefill

    if not file.exists():
        typer.echo(f"extractor: no such file: {file}", err=True)
        raise typer.Exit(2)
    root = out.resolve().parents[2] if out is not None and out.resolve().parent.name in ("reports", "excerpts") else None
    text = dumps(prefill(file, root=root, id=out.stem if out is not None else None))
    if out is None:
        sys.stdout.write(text)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        typer.echo(f"annotate: wrote {out}; correct it, then `extractor check-data`", err=True)


@app.command("import-excerpts")
def import_excerpts(
    corpus: Path = typer.Argument(..., help="A corpus folder of QNNN.txt + QNNN.gold.json (e.g. ../shared/corpus/excerpts2)"),
    annotations: Optional[Path] = typer.Option(None, "--annotations", help="The annotations directory; default: the repo's"),
) -> None:
    """Write the corpus's quote-based excerpt gold as facts-only annotations (texts referenced, never copied)."""
    from extractor.training.corpus_gold import import_dir

    written, problems = import_dir(corpus, annotations)
    for p in problems:
        typer.echo(f"error: {p}", err=True)
    typer.echo(f"import-excerpts: {len(written)} annotation(s) written, {len(problems)} not placed")
    if problems:
        raise typer.Exit(1)


@app.command()
def split(
    annotations: Optional[Path] = typer.Option(None, "--annotations", help="The annotations directory; default: the repo's"),
    add: bool = typer.Option(False, "--add", help="Keep the written split; assign only documents it does not name"),
    seed: int = typer.Option(12, "--seed", help="Seed of a new split"),
) -> None:
    """Fix the development / held-out test split of the annotated documents (annotations/split.json)."""
    from extractor.training.annotations import load_annotations
    from extractor.training.split import extend, load_split, make_split, split_path, write_split

    anns = load_annotations(annotations, kinds=("report", "excerpt"))
    if split_path(annotations).is_file() and not add:
        typer.echo("extractor: the split is already written; `--add` assigns new documents only", err=True)
        raise typer.Exit(1)
    s = extend(load_split(annotations), anns) if add else make_split(anns, seed)
    p = write_split(s, annotations)
    typer.echo(f"split: {len(s.development)} development, {len(s.test)} held-out test documents in {p}")


@app.command("export-spacy")
def export_spacy(
    out: Path = typer.Argument(..., help="The .spacy file to write"),
    annotations: Optional[Path] = typer.Option(None, "--annotations", help="The annotations directory; default: the repo's"),
    side: str = typer.Option("all", "--split", help="development, test or all"),
) -> None:
    """Write the annotated facts as a spaCy DocBin (spans in doc.spans["facts"], labelled by metric)."""
    from extractor.training.docbin import write_docbin
    from extractor.training.facts import documents
    from extractor.training.split import load_split

    if side not in ("development", "test", "all"):
        typer.echo("extractor: --split must be development, test or all", err=True)
        raise typer.Exit(2)
    sides = ("development", "test") if side == "all" else (side,)
    n = write_docbin(documents(annotations, samples=False), load_split(annotations), out, sides)
    typer.echo(f"export-spacy: {n} document(s) written to {out}")


@app.command()
def train(
    annotations: Optional[Path] = typer.Option(None, "--annotations", help="The annotations directory; default: the repo's"),
    out: Optional[Path] = typer.Option(None, "--out", help="Where the models go; default: the repo's models/"),
    which: str = typer.Option("all", "--which", help="tables, facts, prior or all"),
    cv: bool = typer.Option(False, "--cv", help="Also run the grouped cross-validation and record it in the meta and card"),
    samples: Optional[bool] = typer.Option(
        None, "--with-samples/--without-samples",
        help="Count the bundled samples (samples/ and their gold) as annotated documents; "
             "default: only when some annotation's text is absent (no ../shared beside a fresh clone)"),
) -> None:
    """Retrain from the annotations: the table classifier, the facts model and the table-2 prior."""
    from extractor import config
    from extractor.training.run import WHICH, train_models
    from extractor.training.trainset import trained_on

    if which not in ("tables", "facts", "prior", "all"):
        typer.echo("extractor: --which must be tables, facts, prior or all", err=True)
        raise typer.Exit(2)
    out = out or config.models_dir()
    try:
        res = train_models(annotations or config.annotations_dir(), out, which=WHICH if which == "all" else (which,),
                           cv=cv, samples=samples, log=lambda m: typer.echo(m, err=True))
    except ValueError as e:  # nothing to learn from: said plainly, not as a traceback
        typer.echo(f"extractor: {e}", err=True)
        raise typer.Exit(1)
    if "tables_meta" in res:
        meta = res["tables_meta"]
        typer.echo(f"tables model: {out / 'tables.skops'} ({trained_on(meta, ('report', 'sample'))}; "
                   f"+ {meta['config']['generated']} generated reports; {meta['data']['fragments']} fragments, "
                   f"fresh generated accuracy {meta['metrics']['fresh_generated']['accuracy']:.4f})")
    if "prior_meta" in res:
        meta = res["prior_meta"]
        typer.echo(f"table-2 prior: {out / meta['model']} (gold rows of {meta['documents_used']} annotated reports: "
                   + ", ".join(f"{row} {n}" for row, n in meta["rows"].items()) + ")")
    if "facts_meta" in res:
        meta = res["facts_meta"]
        typer.echo(f"facts model: {out / meta['model']} ({trained_on(meta)}; "
                   f"{meta['metrics']['candidates_all']} candidates)")
    if any((res[k].get("texts_absent") or {}).get("count") for k in ("tables_meta", "facts_meta") if k in res):
        # a fresh clone retraining into models/: the result must not pass for the shipped models
        typer.echo("note: annotated texts were absent (above), so these models did not learn from them and are "
                   "not the shipped ones; with ../shared beside the clone `extractor train` retrains those", err=True)


def _evaluate_facts(annotations: Path, samples: Optional[bool], as_json: Optional[Path]) -> None:
    from extractor.training.facts import documents, measure
    from extractor.training.facts_score import format_measure
    from extractor.training.split import load_split

    docs = documents(annotations, samples)
    if not docs:
        typer.echo("extractor: no annotated documents with facts and their texts: nothing to evaluate", err=True)
        raise typer.Exit(1)
    res = measure(docs, load_split(annotations))
    typer.echo(format_measure(res))
    typer.echo("")
    if as_json:
        as_json.write_text(json.dumps(res, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


@app.command()
def evaluate(
    annotations: Optional[Path] = typer.Option(None, "--annotations", help="The annotations directory; default: the repo's"),
    model: Optional[Path] = typer.Option(None, "--model", help="The model directory to evaluate; default: the repo's models/"),
    compare: Optional[Path] = typer.Option(None, "--compare", help="Another model directory: list the rows the two read differently"),
    folds: int = typer.Option(5, "--folds", help="Cross-validation folds (grouped by report)"),
    which: str = typer.Option("all", "--which", help="tables, facts or all"),
    as_json: Optional[Path] = typer.Option(None, "--json", help="Also write the results as JSON here"),
    samples: Optional[bool] = typer.Option(
        None, "--with-samples/--without-samples",
        help="Count the bundled samples as annotated reports (scored apart); default: as `train`, only when needed"),
) -> None:
    """Tables: per-label precision/recall, cell accuracy and silent errors, with and without the classifier.
    Facts: precision/recall/F1 per metric on the held-out test documents beside the cross-validated figure."""
    from extractor import config

    if which not in ("tables", "facts", "all"):
        typer.echo("extractor: --which must be tables, facts or all", err=True)
        raise typer.Exit(2)
    if which in ("facts", "all") and compare is None:
        _evaluate_facts(annotations or config.annotations_dir(), samples, as_json if which == "facts" else None)
        if which == "facts":
            return
    from extractor.classify.rows.model import META_NAME, load
    from extractor.training import evaluate as E
    from extractor.training.train import TrainConfig

    annotations = annotations or config.annotations_dir()
    model = model or config.models_dir()
    m, st = load(model)
    if m is None:
        typer.echo(f"extractor: {st.message}", err=True)
    if compare is not None:
        other, st2 = load(compare)
        if other is None:
            typer.echo(f"extractor: --compare: {st2.message}", err=True)
            raise typer.Exit(1)
        diffs = E.rows_read_differently(m, other, annotations)
        typer.echo(f"rows read differently by {model} (a) and {compare} (b): {len(diffs)}")
        for d in diffs:
            verdict = "a right" if d["a_right"] and not d["b_right"] else "b right" if d["b_right"] and not d["a_right"] else "both wrong" if not d["a_right"] else "both right"
            typer.echo(f"  {d['text']:40} {d['row']:36} a={d['a']} b={d['b']} gold={d['gold']} ({verdict})")
        if as_json:
            as_json.write_text(json.dumps(diffs, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return
    cfg = TrainConfig()
    meta_path = model / META_NAME
    if meta_path.exists():
        try:
            cfg = TrainConfig(**json.loads(meta_path.read_text(encoding="utf-8")).get("config", {}))
        except TypeError:
            pass
    try:
        res = E.cross_validate(annotations, cfg, E.EvalConfig(folds=folds), log=lambda x: typer.echo(x, err=True),
                               samples=samples)
    except ValueError as e:  # nothing to evaluate on: said plainly, not as a traceback
        typer.echo(f"extractor: {e}", err=True)
        raise typer.Exit(1)
    typer.echo(E.format_cv(res))
    shipped = E.evaluate_model(m, annotations, samples=samples)
    typer.echo("")
    typer.echo(f"the model in {model} (trained on the annotated reports; the generated ones are fresh):")
    for name, v in shipped.items():
        for w in ("with", "without"):
            s = v[w]
            acc = "-" if s["accuracy"] is None else f"{100 * s['accuracy']:.3f}%"  # a set with no text (no real report here)
            typer.echo(f"  {name:18} {('classifier' if w == 'with' else 'fuzzy only'):10} cells {s['cells']:>6} "
                       f"accuracy {acc} wrong {s['wrong']} silent {s['silent']}")
    if as_json:
        as_json.write_text(json.dumps({"cv": res, "model": shipped}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


@app.command()
def review(
    batch_file: Path = typer.Argument(..., help="A batch's JSON Lines (extractor batch ... --out FILE.jsonl)"),
    all_reports: bool = typer.Option(False, "--all", help="List every report, not only those needing review"),
    sort: str = typer.Option("confidence", "--sort", help="Column to sort by (confidence, n_failing, low_cells, ...)"),
    report: Optional[str] = typer.Option(None, "--report", help="A report (its position or the end of its path) to render"),
    html_out: Optional[Path] = typer.Option(None, "--html", help="Write that report's review view here (standalone HTML)"),
    reason: Optional[list[str]] = typer.Option(None, "--reason", help="Only reports with this reason (input, "
                                               "reading_doubt, agency_inconsistent, cross_report; repeatable), flagged or not"),
) -> None:
    """The reports of a batch that need a look, least certain first; optionally one report's review view as HTML.

    Corrections are made in notebooks/review.ipynb (or with extractor.review).
    """
    from extractor.review import pick_record, read_batch, review_frame, sort_frame, write_view_html

    if not batch_file.exists():
        typer.echo(f"extractor: no such file: {batch_file}", err=True)
        raise typer.Exit(2)
    records = read_batch(batch_file)
    try:
        df = review_frame(records, only_review=not all_reports, reason=reason or None)
    except ValueError as e:
        typer.echo(f"extractor: --reason: {e}", err=True)
        raise typer.Exit(2)
    if sort not in df.columns:
        typer.echo(f"extractor: --sort must be one of {', '.join(df.columns)}", err=True)
        raise typer.Exit(2)
    df = sort_frame(df, sort)
    typer.echo(df.drop(columns=["failing_checks"]).to_string() if len(df) else "no report needs review")
    if report is not None or html_out is not None:
        if report is None or html_out is None:
            typer.echo("extractor: --report and --html go together", err=True)
            raise typer.Exit(2)
        try:
            rec = pick_record(records, report)
        except (KeyError, IndexError) as e:
            typer.echo(f"extractor: --report {report}: {e}", err=True)
            raise typer.Exit(2)
        typer.echo(f"review view of {rec['source']['path']}: {write_view_html(rec, html_out)}", err=True)


@app.command()
def workbook(
    batch_file: Path = typer.Argument(..., help="A batch's JSON Lines"),
    report: str = typer.Option(..., "--report", help="The report: its position or the end of its path"),
    out: Path = typer.Option(..., "--out", help="The .xlsx to write"),
) -> None:
    """One record as an .xlsx in the official three-table layout, doubtful cells highlighted."""
    from extractor.review import pick_record, read_batch
    from extractor.review.workbook import write_workbook

    try:
        rec = pick_record(read_batch(batch_file), report)
    except (KeyError, IndexError, OSError) as e:
        typer.echo(f"extractor: --report {report}: {e}", err=True)
        raise typer.Exit(2)
    typer.echo(f"workbook: {write_workbook(rec, out)} doubtful cells highlighted -> {out}", err=True)


@app.command("labelstudio-export")
def labelstudio_export(
    records: Path = typer.Argument(..., help="A batch's JSON Lines"),
    out: Path = typer.Option(..., "--out", help="Label Studio tasks (JSON); the labelling config goes beside it"),
) -> None:
    """Records as Label Studio tasks pre-annotated with cells and facts and their scores, least certain first."""
    from extractor.review import read_batch
    from extractor.review.labelstudio import export_tasks

    typer.echo(f"labelstudio: {export_tasks(read_batch(records), out)} tasks -> {out} (+ {out.name}.config.xml)", err=True)


@app.command("labelstudio-import")
def labelstudio_import(
    tasks: Path = typer.Argument(..., help="Reviewed tasks exported from Label Studio (JSON)"),
    annotations: Optional[Path] = typer.Option(None, "--annotations", help="Where the annotations go; default: the repo's"),
    reviewer: Optional[str] = typer.Option(None, "--reviewer", help="Who reviewed (written in the notes)"),
) -> None:
    """Reviewed Label Studio tasks saved as annotations (then `extractor check-data`)."""
    from extractor import config
    from extractor.review.labelstudio import import_tasks

    written = import_tasks(tasks, annotations or config.annotations_dir(), reviewer=reviewer)
    typer.echo(f"labelstudio: {len(written)} annotation(s) written; run `extractor check-data`", err=True)


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
