"""Learning from the reviews: gather them, measure the new model, compare it with the shipped one, ship on request.

A model trained on a person's corrections is only worth shipping if it is
measured the way the shipped one was and its changes on known reports are
seen first.  Training itself is the CLI's (`training.run.train_models`);
this module is what the retrain notebook adds around it: one training set
out of several annotation directories, per-label scores and calibration
as plots, a cell-by-cell comparison on the bundled samples, and a copy over
the shipped models only when told `confirm=True`.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from extractor import config
from extractor.classify import forget_shipped, load_models
from extractor.classify.modelfile import sha256_file
from extractor.confidence import ABSENT, CALIBRATION_EDGES, PERSON
from extractor.pipeline import extract_file
from extractor.review.frames import record_cells
from extractor.review.marks import band
from extractor.training.annotations import KIND_DIRS, load_annotations, repo_root, write_annotation
from extractor.training.gold import compare, gold_cells
from extractor.training.metrics import calibration, f1

if TYPE_CHECKING:
    import pandas as pd

# Calibration bins for cells: the confidence module's (one set for every calibration).
CALIBRATION_BINS: tuple[float, ...] = CALIBRATION_EDGES


def gather_annotations(dirs: Sequence[str | os.PathLike], out_dir: str | os.PathLike,
                       *, limit: int | None = None, always: Sequence[str] = ()) -> Path:
    """Every annotation of `dirs` copied into one training directory (reports/ and excerpts/).

    Each text path is resolved where its annotation lives and written for the
    new directory by the format's one writer (absolute unless the text is
    under it), so the copy trains exactly as the originals would.  A later
    directory's annotation replaces an earlier one with the same id (a fresh
    review overrides the shipped annotation of the same report).  `limit`
    keeps the first N of each kind by id plus the ids in `always` (small runs
    in tests).
    """
    out = Path(out_dir)
    chosen: dict[tuple[str, str], tuple[Path, dict[str, Any]]] = {}
    for d in map(Path, dirs):
        for a in load_annotations(d, kinds=KIND_DIRS, with_text=False):
            chosen[(a.kind, a.id)] = (d, a.data)
    keep = set()
    if limit is not None:
        for kind in KIND_DIRS:
            ids = sorted(i for k, i in chosen if k == kind)
            keep |= {(kind, i) for i in ids[:limit]}
        keep |= {k for k in chosen if k[1] in set(always)}
    for (kind, aid), (d, data) in sorted(chosen.items()):
        if limit is not None and (kind, aid) not in keep:
            continue
        ann = dict(data)
        t = ann.get("text")
        if isinstance(t, dict) and isinstance(t.get("path"), str) and not Path(t["path"]).is_absolute():
            ann["text"] = {**t, "path": str((repo_root(d) / t["path"]).resolve())}
        write_annotation({**ann, "id": aid}, out, kind=kind)
    return out


def model_meta(directory: str | os.PathLike | None = None) -> dict[str, dict[str, Any]]:
    """The meta files of the models in a directory (default: the configured models/), by model name."""
    d = Path(directory) if directory is not None else config.models_dir()
    return {p.name.split(".")[0]: json.loads(p.read_text(encoding="utf-8")) for p in sorted(d.glob("*.meta.json"))}


def training_hash(directory: str | os.PathLike) -> dict[str, str | None]:
    """What each model in a directory says it was trained on (its annotations' sha256)."""
    return {k: m.get("annotations_sha256") for k, m in model_meta(directory).items()}


def label_scores(metas: dict[str, dict[str, Any]], name: str = "new") -> pd.DataFrame:
    """Per-label precision/recall/F1 from grouped CV, as a long DataFrame, for each model in `metas`.

    `metas` is `model_meta(dir)` (or the same shape from `train_models`):
    the facts model's metrics per metric; the tables model's per fragment
    label (its meta's `metrics.grouped_cv.labels`, when CV was run).  A
    tables label's F1 is computed from its precision and recall, so a meta
    written before the CV stored F1 compares the same way.
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
                     "f1": s.get("f1", f1(p, r)), "support": s.get("support", 0)})
    return pd.DataFrame(rows, columns=["model", "family", "label", "precision", "recall", "f1", "support"])


def plot_label_scores(scores: pd.DataFrame, path: str | os.PathLike) -> Path:
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
    return _save(fig, path, dpi=100)


def _save(fig: Any, path: str | os.PathLike, dpi: int) -> Path:
    """Lay out, write and close a figure (closing frees it: a notebook draws many)."""
    import matplotlib.pyplot as plt

    fig.tight_layout()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=dpi)
    plt.close(fig)
    return out


def cell_calibration(records: Sequence[dict[str, Any]], golds: Sequence[dict[str, Any]],
                     bins: Sequence[float] = CALIBRATION_BINS) -> pd.DataFrame:
    """How often cells at each confidence are wrong, against gold (`training.gold.compare`).

    One row per bin: cells, wrong, error_rate, and the bin's range.  A
    confidence means something when the error rate in its bin is below
    1 - its lower bound.  The binning is the one every evaluation uses
    (`training.metrics.calibration`); an empty bin is kept as a row of 0.
    """
    import pandas as pd

    pairs: list[tuple[float, bool]] = []
    for rec, gold in zip(records, golds):
        wrong = {w[0] for w in compare(rec, gold)["wrong"]}
        for t, r, c, g in gold_cells(gold):
            cell = rec["tables"][t][r][c]
            if g is None and cell.get("value") is None:
                continue  # a cell the report does not have, rightly not read: no confidence to judge
            pairs.append((float(cell.get("confidence", ABSENT)), f"{t}.{r}.{c}" not in wrong))
    binned = {(b["lo"], b["hi"]): b for b in calibration(pairs, bins)}
    rows = []
    for lo, hi in zip(bins, bins[1:]):
        b = binned.get((lo, hi))
        n = b["n"] if b else 0
        # `right` is a share rounded to 4 places: times n it rounds back to the count below 10,000 cells a bin.
        wrong_n = n - round(b["right"] * n) if b else 0
        rows.append({"bin": f"[{lo:.2f}, {min(hi, PERSON):.2f}{']' if hi > PERSON else ')'}", "lo": lo,
                     "hi": min(hi, PERSON), "cells": n, "wrong": wrong_n,
                     "error_rate": (wrong_n / n) if n else float("nan")})
    return pd.DataFrame(rows)


def plot_calibration(cells: pd.DataFrame, facts: Sequence[dict[str, Any]] | None, path: str | os.PathLike) -> Path:
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
    return _save(fig, path, dpi=110)


def extract_with(paths: Sequence[str | os.PathLike], directory: str | os.PathLike | None) -> list[dict[str, Any]]:
    """Records of `paths` read with the models of `directory` (None: the configured models/).

    The models are loaded from that directory and passed to the pipeline,
    nothing process-wide is swapped; a directory without one of the models
    means "without it" (rules / fuzzy matching only), never silently the
    shipped one.
    """
    models = load_models(directory)
    return [extract_file(p, models=models).to_dict() for p in paths]


def diff_records(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """The cells and facts that differ between two records of one report (value or confidence band)."""
    out = []
    for t, r, c, cell in record_cells(new):
        o = old["tables"][t][r][c]
        if o.get("value") != cell.get("value") or band(o.get("confidence"))[0] != band(cell.get("confidence"))[0]:
            out.append({"kind": "cell", "key": f"{t}.{r}.{c}", "old": o.get("value"), "new": cell.get("value"),
                        "old_confidence": o.get("confidence"), "new_confidence": cell.get("confidence")})

    def fkey(f: dict[str, Any]) -> tuple:
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
    """What changes on a sample batch when the models in `new_dir` replace `old_dir` (default: shipped).

    Returns {"reports": [...per report: path, changes, needs_review old/new,
    confidence old/new, gold right old/new], "changes": DataFrame of every
    changed cell/fact, "old": records, "new": records}.
    """
    import pandas as pd

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


def sample_paths(samples_dir: str | os.PathLike | None = None) -> list[Path]:
    """The bundled sample reports that have gold (`<name>.gold.json` beside them)."""
    d = Path(samples_dir) if samples_dir is not None else config.samples_dir()
    return sorted(p for p in d.iterdir() if p.suffix != ".json" and (d / f"{p.stem}.gold.json").exists()
                  and not p.name.endswith(".gold.json"))


def sample_golds(paths: Sequence[Path]) -> list[dict[str, Any]]:
    """The gold of each sample, in order (`sample_paths` found them)."""
    return [json.loads((p.parent / f"{p.stem}.gold.json").read_text(encoding="utf-8")) for p in paths]


def replace_shipped_model(new_dir: str | os.PathLike, confirm: bool, *,
                          shipped_dir: str | os.PathLike | None = None) -> list[Path]:
    """Copy the new model files over the shipped ones, only when `confirm` is True; returns what was copied.

    Model and meta are copied together (the meta's sha256 guards the model
    file, so a half-copied pair would be refused at load): each file goes
    to a temporary name first and is then renamed into place.  Without
    confirmation nothing is touched and an empty list is returned.  The
    process's shipped models are forgotten afterwards, so the next
    extraction loads the new ones.
    """
    if confirm is not True:
        return []
    src = Path(new_dir)
    dst = Path(shipped_dir) if shipped_dir is not None else config.models_dir()
    def vouched(p: Path) -> str | None:
        """The sha256 the model file's meta records for it; None for a file that is not a model."""
        meta = src / f"{p.stem}.meta.json"
        if p.name.endswith(".meta.json") or p.suffix not in (".skops", ".npz", ".json") or not meta.exists():
            return None
        m = json.loads(meta.read_text(encoding="utf-8"))
        return (m.get("arrays") or {}).get("sha256", "") if p.suffix == ".npz" else m.get("sha256", "")

    models = [p for p in sorted(src.iterdir()) if p.suffix in (".skops", ".npz") or vouched(p) is not None]
    files = models + [p for p in sorted(src.iterdir()) if p.name.endswith((".meta.json", "MODEL_CARD.md"))]
    if not files:
        raise FileNotFoundError(f"no model files in {src}")
    for p in models:  # refuse a model whose meta does not vouch for it
        if vouched(p) != sha256_file(p):
            raise ValueError(f"{p}: meta missing or its sha256 does not match: not shipped")
    dst.mkdir(parents=True, exist_ok=True)
    staged = []
    for p in files:
        tmp = dst / f".{p.name}.new"
        shutil.copyfile(p, tmp)
        staged.append((tmp, dst / p.name))
    for tmp, final in staged:
        os.replace(tmp, final)
    forget_shipped()
    return [final for _, final in staged]
