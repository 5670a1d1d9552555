"""Review and retraining: the logic behind notebooks/review.ipynb and notebooks/retrain.ipynb.

A low-confidence extraction is only useful if a person can check it
quickly, and a person's check is only worth keeping if the next model
learns from it.  This package closes that loop; the notebooks and
`extractor review` only call it, so everything is tested without a browser
or a kernel.  One module a job:

- `frames`: a batch as DataFrames (the reports that need a look, least
  certain first; a report's facts) and what "in doubt" means for a record;
- `marks` / `html`: one report as HTML, the source highlighted by
  confidence band and the tables in the official layout;
- `decisions`: a person's decisions on a copy of the record, logged, the
  record refreshed by asking a `Report`;
- `annotate`: the reviewed record as an annotation the trainers read;
- `retrain`: gather the annotations, score and plot, compare the new
  models with the shipped ones, replace them only when confirmed (training
  itself is `training.run.train_models`, the CLI's, re-exported here);
- `widgets`: the notebook's controls; `notebooks`: headless runs for tests.
"""
from extractor.review.annotate import annotation_id, check_annotations, save_annotation, to_annotation, used_by_training
from extractor.review.decisions import (accept_cell, accept_fact, apply_correction, correct_fact, correct_meta,
                                        corrections_of, parse_value, refresh, reject_fact)
from extractor.review.frames import (REVIEW_COLUMNS, REVIEW_KEY, facts_frame, failing_checks, flagged_cells,
                                     indicators_frame, low_cells,
                                     low_facts, pick_record, read_batch, record_cells, resolve_source, review_frame,
                                     review_log, run_sample_batch, sort_frame, source_text)
from extractor.review.html import (candidates_html, checks_html, highlight_html, legend_html, review_view_html,
                                   tables_html, write_view_html)
from extractor.review.marks import BANDS, FLAG_COLOUR, PERSON_COLOUR, Mark, anchor_id, band, cell_label, marks, shown
from extractor.review.notebooks import execute_notebook
from extractor.review.retrain import (CALIBRATION_BINS, cell_calibration, compare_models, diff_records, extract_with,
                                      gather_annotations, label_scores, model_meta, plot_calibration, plot_label_scores,
                                      replace_shipped_model, sample_golds, sample_paths, training_hash, write_comparison)
from extractor.review.widgets import Editor, ReviewSession, editor
from extractor.training.run import FULL, QUICK, TrainSize, train_models

__all__ = [
    # frames
    "REVIEW_COLUMNS", "REVIEW_KEY", "facts_frame", "failing_checks", "flagged_cells", "indicators_frame", "low_cells",
    "low_facts",
    "pick_record", "read_batch", "record_cells", "resolve_source", "review_frame", "review_log", "run_sample_batch",
    "sort_frame", "source_text",
    # marks, html
    "BANDS", "FLAG_COLOUR", "PERSON_COLOUR", "Mark", "anchor_id", "band", "cell_label", "marks", "shown",
    "candidates_html", "checks_html", "highlight_html", "legend_html", "review_view_html", "tables_html",
    "write_view_html",
    # decisions
    "accept_cell", "accept_fact", "apply_correction", "correct_fact", "correct_meta", "corrections_of",
    "parse_value", "refresh", "reject_fact",
    # annotate
    "annotation_id", "check_annotations", "save_annotation", "to_annotation", "used_by_training",
    # retrain
    "CALIBRATION_BINS", "cell_calibration", "compare_models", "diff_records", "extract_with", "gather_annotations",
    "label_scores", "model_meta", "plot_calibration", "plot_label_scores", "replace_shipped_model", "sample_golds",
    "sample_paths", "training_hash", "write_comparison", "FULL", "QUICK", "TrainSize", "train_models",
    # widgets, notebooks
    "Editor", "ReviewSession", "editor", "execute_notebook",
]
