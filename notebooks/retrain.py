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
# # Retrain: learn from the reviews, compare, ship only when sure
#
# Trains on every annotation (the repository's and any review session's),
# reports grouped cross-validation (folds by report), compares the new model
# with the shipped one on the sample batch (which cells and facts change),
# plots per-label scores and confidence calibration, and replaces the shipped
# model only when `CONFIRM` is set to `True` below.  Logic: `extractor.review`.

# %% tags=["parameters"]
ANNOTATION_DIRS = None  # annotation directories to train on; None: the repository's annotations/
EXTRA_ANNOTATIONS = []  # more directories (a review session's ANNOTATION_DIR); a later one wins on the same id
OUT_DIR = None  # new model, plots, comparison; None: a new temporary directory
LIMIT = None  # train on the first N annotations of each kind (+ the extra ones): quick runs and tests
SAMPLES_DIR = None  # the sample batch of the comparison; None: the bundled samples/
MAX_SAMPLES = None  # compare on the first N samples only
SHIPPED_DIR = None  # the shipped models; None: the repository's models/
SEED = None  # None: each trainer's own default seed
QUICK = False  # True: a small tables training set and a 2-fold CV (tests, a first look); False: as `extractor train`
TABLES = True  # train the tables model too
TABLES_CV = True  # grouped CV of the tables model (folds by report) before training it
CONFIRM = False  # set True (after reading the comparison) to copy the new model over the shipped one

# %%
import json
import tempfile
from pathlib import Path

from IPython.display import Image, display

from extractor import config
from extractor import review as R

out = Path(OUT_DIR) if OUT_DIR else Path(tempfile.mkdtemp(prefix="retrain-"))
out.mkdir(parents=True, exist_ok=True)
shipped = Path(SHIPPED_DIR) if SHIPPED_DIR else config.models_dir()
dirs = [Path(d) for d in (ANNOTATION_DIRS or [config.annotations_dir()])] + [Path(d) for d in EXTRA_ANNOTATIONS]
extra_ids = [p.stem for d in EXTRA_ANNOTATIONS for p in Path(d).glob("*/*.json")]
training_dir = R.gather_annotations(dirs, out / "training", limit=LIMIT, always=extra_ids)
verdict = R.check_annotations(training_dir)
print(f"training set: {verdict['checked']} annotations; check-data", "ok" if verdict["ok"] else verdict["errors"][:5])

# %% [markdown]
# ## Train (grouped cross-validation inside)

# %%
trained = R.train_models(training_dir, out / "model", seed=SEED, size=R.QUICK if QUICK else R.FULL,
                         which=("prior", "tables", "facts") if TABLES else ("prior", "facts"), cv=TABLES_CV, log=print)
new_meta = R.model_meta(out / "model")
old_meta = R.model_meta(shipped)
hashes = {"new": R.training_hash(out / "model"), "shipped": R.training_hash(shipped)}
print(json.dumps(hashes, indent=1))
print("facts, grouped CV overall:", trained["facts"]["cv_model"]["strict"]["overall"])

# %% [markdown]
# ## Per-label scores: new vs shipped

# %%
import pandas as pd

scores = pd.concat([R.label_scores(new_meta, "new"), R.label_scores(old_meta, "shipped")])
labels_png = R.plot_label_scores(scores, out / "label_scores.png")
display(Image(filename=str(labels_png)))
scores.pivot_table(index=["family", "label"], columns="model", values=["f1", "support"])

# %% [markdown]
# ## Compare on the sample batch: which cells and facts change

# %%
paths = R.sample_paths(SAMPLES_DIR)[: MAX_SAMPLES or None]
golds = R.sample_golds(paths)
cmp = R.compare_models(paths, out / "model", shipped, golds)
comparison = R.write_comparison(cmp, out / "comparison.json",
                                {"training_hash": hashes, "training_check": verdict,
                                 "facts_cv_overall": {"new": trained["facts"]["cv_model"]["strict"]["overall"],
                                                      "shipped": ((((old_meta.get("facts") or {}).get("metrics") or {})
                                                                   .get("cv_model") or {}).get("strict") or {}).get("overall")},
                                 "tables_cv": {k: v for k, v in (trained.get("tables_cv") or {}).items() if k != "config"}})
print(f"comparison written to {comparison}")
pd.DataFrame(cmp["reports"])

# %%
cmp["changes"].head(50)

# %% [markdown]
# ## Calibration: how often is a value wrong at each confidence?
# Cells against the samples' gold (read with the new model); facts from the
# grouped cross-validation.  A bar above the dashed line is a confidence that
# claims more than it delivers.

# %%
cells_cal = R.cell_calibration(cmp["new"], golds)
calibration_png = R.plot_calibration(cells_cal, trained["facts"]["cv_model"].get("calibration"), out / "calibration.png")
display(Image(filename=str(calibration_png)))
cells_cal

# %% [markdown]
# ## Ship
# Read the comparison first.  Set `CONFIRM = True` in the parameters cell and
# run again to copy the new model over the shipped one.

# %%
copied = R.replace_shipped_model(out / "model", CONFIRM, shipped_dir=shipped)
print("replaced: " + ", ".join(map(str, copied)) if copied else f"not replaced (CONFIRM is {CONFIRM}); new model in {out / 'model'}")
