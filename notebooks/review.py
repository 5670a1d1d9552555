# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Review: fix what the machine doubts
#
# Open a batch's records, pick a report that needs a look, check its cells and
# facts against the source, correct them, and save the result as an annotation
# that the next training run (`notebooks/retrain.ipynb`, `extractor train`) uses.
#
# The logic lives in `extractor.review`; this notebook only lays it out.
# Run all cells, then use the controls under **Correct**: pick a cell (the
# doubtful ones come first, its value pre-filled), press *Accept cell* or type
# the right value and press *Correct cell*; the same for facts; then *Save
# annotation*.

# %% tags=["parameters"]
BATCH = None  # a batch's JSON Lines (extractor batch ... --out X.jsonl); None: run the batch on samples/
WORK_DIR = None  # where a batch made here is written; None: a new temporary directory
ANNOTATION_DIR = None  # where Save writes (DIR/reports/<id>.json); None: the repository's annotations/
REPORT = None  # which report to open: a path, or the end of one ("sample_09.txt"); None: the first in the table
CORRECTIONS = []  # decisions applied as if made with the controls (headless runs), e.g.
# [{"cell": "table2.licensing.decisions", "value": "0"}, {"accept": "table3.new.total"},
#  {"fact": 3, "action": "reject"}, {"fact": 4, "action": "correct", "metric": "posts", "value": "12"}]
SAVE = False  # headless runs: save the annotation at the end (the Save button does this interactively)

# %%
import tempfile
from pathlib import Path

import pandas as pd
from IPython.display import HTML, display

from extractor import config
from extractor import review as R

pd.set_option("display.max_colwidth", 60)
work = Path(WORK_DIR) if WORK_DIR else Path(tempfile.mkdtemp(prefix="review-"))
work.mkdir(parents=True, exist_ok=True)
batch_path = Path(BATCH) if BATCH else R.run_sample_batch(work)
annotation_dir = Path(ANNOTATION_DIR) if ANNOTATION_DIR else config.annotations_dir()
records = R.read_batch(batch_path)
print(f"{len(records)} records from {batch_path}; annotations go to {annotation_dir}")

# %% [markdown]
# ## Reports that need review
# Least confident first; sort by any column with `R.sort_frame(table, "low_cells")`.
# The index is the record's position in the batch.

# %%
table = R.review_frame(records)
table

# %%
if REPORT is not None:
    matches = [i for i, r in enumerate(records) if str(r["source"]["path"]).endswith(str(REPORT))]
    if not matches:
        raise ValueError(f"no record for {REPORT!r} in {batch_path}")
    index = matches[0]
else:
    index = int(table.index[0]) if len(table) else 0
session = R.ReviewSession(records[index], annotation_dir)
print(session.text_path)

# %% [markdown]
# ## The report
# Tables in the official layout (⚠ named by a failing check, ? below the review
# threshold, * other readings exist; click a value to jump to it in the source),
# the ambiguous glued runs' readings side by side, and the source with every
# cell and fact highlighted by confidence (hover for `table.row.col = value`).

# %%
display(HTML(session.view_html()))

# %%
R.facts_frame(session.record)

# %% [markdown]
# The report's indicators (rates of `shared/spec/INDICATORS.md`); `uncertain`
# marks one computed from a cell that needs review.

# %%
R.indicators_frame(session.record)

# %% [markdown]
# ## Correct

# %%
for d in CORRECTIONS:
    if "cell" in d:
        session.correct(d["cell"], d["value"])
    elif "accept" in d:
        session.accept(d["accept"])
    elif "fact" in d:
        changes = {k: v for k, v in d.items() if k not in ("fact", "action")}
        session.fact(int(d["fact"]), d["action"], **changes)
R.editor(session)

# %% [markdown]
# ## Save
# The Save button above does the same as this cell.  Below: the tables with
# the decisions made (✎ corrected, ✓ accepted, in blue).

# %%
if SAVE:
    saved = session.save()
    verdict = R.check_annotations(annotation_dir)
    print(f"saved {saved}")
    print("check-data:", "ok" if verdict["ok"] else verdict["errors"])
    print("read by the next training run:", R.used_by_training(annotation_dir, saved.stem))
print(R.corrections_of(session.record))
display(HTML(R.legend_html() + R.tables_html(session.record) + R.candidates_html(session.record, session.text)))
