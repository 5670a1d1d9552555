"""How well the tables are read, with and without the classifier, on reports never trained on.

`cross_validate()` (what `extractor evaluate` runs) splits the annotated
reports into folds BY REPORT (a report and all its damaged variants are
always on the same side; rows are never split), trains a model on the other
folds exactly as `extractor train` does, and reads the held-out reports:

- `real`: the annotated reports as printed;
- `messy_real`: damaged variants of them (`training.damage`: labels
  truncated, reworded, misnumbered, glued, split; noise lines);
- `samples`, `messy_samples`: the same for the bundled samples, when they
  count as annotated reports (`trainset.training_set`: a fresh clone
  without ../shared; scored apart, so a generated report never passes for a
  real one);
- `messy_generated`: fresh generated reports (`training.generate`, a seed
  training never uses), clean and damaged;
- `converter`: converter layouts of the held-out reports' gold tables
  (`samples.converter_samples`, a seed training never uses): labels
  displaced, broken, in cells of their own.  Their fragments are scored
  apart, per form (`converter_fragments`), so the older fragment figure
  stays comparable.

Each is read twice: with the fold's classifier, and fuzzy-only (no model).
Scores per set: cell accuracy against the gold, wrong cells, and silent
errors — wrong cells the record does not flag (`gold.compare`: the record
is not under review, or the cell claims >= 0.9).  The classifier's
per-label precision/recall is measured on the held-out fragments.

`rows_read_differently()` lists the rows two row classifiers read differently (`extractor
evaluate --compare`); what a whole model directory changes on a batch of
samples, cells and facts, is the retraining notebook's (`review.compare_models`).
"""
from __future__ import annotations

import random
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable

from extractor.classify import Models, load_models
from extractor.classify.rows.model import RowClassifier
from extractor.pipeline import extract
from extractor.training import train as T
from extractor.training.annotations import SAMPLE
from extractor.training.damage import damage, with_damage
from extractor.training.gold import compare, gold_cells, same
from extractor.training.metrics import calibration as bins, label_report
from extractor.training.samples import Sample, converter_samples, generated_samples, seed_of


@dataclass
class Score:
    texts: int = 0
    cells: int = 0
    right: int = 0
    silent: int = 0
    wrong: list = field(default_factory=list)  # (text id, cell, read, gold, confidence, flagged)

    def add(self, sid: str, rec: dict, gold: dict) -> None:
        c = compare(rec, gold)
        self.texts += 1
        self.cells += c["cells"]
        self.right += c["right"]
        silent = set(c["silent"])
        self.silent += len(silent)
        for name, got, want, conf in c["wrong"]:
            self.wrong.append((sid, name, got, want, conf, name not in silent))

    def summary(self, examples: int = 8) -> dict[str, Any]:
        return {"texts": self.texts, "cells": self.cells, "right": self.right,
                "accuracy": round(self.right / self.cells, 5) if self.cells else None,
                "wrong": len(self.wrong), "silent": self.silent,
                "examples": [list(w) for w in self.wrong[:examples]]}


def read(sample: Sample, m: RowClassifier | None, base: Models) -> dict:
    """The record of a sample read with row classifier `m` (None: fuzzy only) and `base`'s facts model."""
    return extract(sample.text, models=base.with_rows(m, "no classifier (evaluation baseline)")).to_dict()


@dataclass(frozen=True)
class EvalConfig:
    folds: int = 5
    damaged_per_report: int = 20  # messy variants of each held-out report
    generated: int = 40  # fresh generated reports, each clean + damaged
    damaged_per_generated: int = 2
    seed: int = 777
    converter_per_report: int = 4  # converter layouts of each held-out report's gold


def _folds(ids: list[str], k: int) -> dict[str, int]:
    return {sid: i % k for i, sid in enumerate(sorted(ids))}


def _set_names(real: Iterable[Sample]) -> tuple[str, ...]:
    """The scored sets: the samples' own only when they are among the annotated reports (else as before)."""
    extra = ("samples", "messy_samples") if any(s.kind == SAMPLE for s in real) else ()
    return ("real", "messy_real") + extra + ("messy_generated", "converter")


def cross_validate(ann_dir: Path | str | None = None, cfg: T.TrainConfig = T.TrainConfig(),
                   ecfg: EvalConfig = EvalConfig(), log=print, base: Models | None = None,
                   samples: bool | None = None) -> dict[str, Any]:
    """Grouped-by-report CV of the whole reading, with and without the classifier.

    `base` gives the facts model the records are read with (default: the
    configured models); `samples` whether the bundled samples count as
    annotated reports (`train.reports_set`: None, only when needed).
    """
    t0 = time.time()
    base = base or load_models()
    _, real = T.reports_set(ann_dir, samples, log)
    if not real:
        raise ValueError("no annotated report with its text: nothing to evaluate")
    k = max(2, min(ecfg.folds, len(real)))
    fold_of = _folds([s.id for s in real], k)
    gen_train = generated_samples(cfg.generated, cfg.seed)
    gen_eval = generated_samples(ecfg.generated, ecfg.seed, prefix="eval")
    gen_fold = _folds([s.id for s in gen_eval], k)
    n_samples = sum(s.kind == SAMPLE for s in real)
    log(f"evaluate: {len(real)} reports{f' ({n_samples} of them bundled samples)' if n_samples else ''} in {k} folds, "
        f"{len(gen_eval)} fresh generated reports ({time.time() - t0:.0f}s)")

    cache: dict[str, tuple] = {}

    def ex(s: Sample) -> tuple:
        if s.id not in cache:
            X, y, _, forms = T.examples(s)
            cache[s.id] = (X, y, forms)
        return cache[s.id]

    def data_of(samples: Iterable[Sample]) -> T.Dataset:
        d = T.Dataset()
        for s in samples:
            X, y, forms = ex(s)
            d.X += X
            d.y += y
            d.groups += [s.group] * len(y)
            d.kinds += [s.kind] * len(y)
            d.forms += forms
        return d

    sets = {name: {"with": Score(), "without": Score()} for name in _set_names(real)}
    gold_labels: list[str] = []
    pred_labels: list[str] = []
    conf_pairs: list[tuple[float, bool]] = []
    conv = T.Dataset()  # held-out converter fragments, scored apart
    conv_pred: list[str] = []
    for f in range(k):
        train_real = [s for s in real if fold_of[s.id] != f]
        test_real = [s for s in real if fold_of[s.id] == f]
        m = T.fit(data_of(T.build_samples(train_real, cfg, gen_train)), cfg)
        held: list[tuple[str, Sample]] = []
        for s in test_real:
            clean = "samples" if s.kind == SAMPLE else "real"
            held.append((clean, s))
            for i in range(ecfg.damaged_per_report):
                held.append((f"messy_{clean}", damage(s, random.Random(seed_of(ecfg.seed, s.id, i)), idx=i)))
            held += [("converter", c) for c in converter_samples([s], ecfg.converter_per_report, ecfg.seed)]
        for s in gen_eval:
            if gen_fold[s.id] != f:
                continue
            held.append(("messy_generated", s))
            for i in range(ecfg.damaged_per_generated):
                held.append(("messy_generated", damage(s, random.Random(seed_of(ecfg.seed, s.id, i)), idx=i)))
        for name, s in held:
            sets[name]["with"].add(s.id, read(s, m, base), s.gold)
            sets[name]["without"].add(s.id, read(s, None, base), s.gold)
            X, y, forms = ex(s)
            if name == "converter":
                conv.y += y
                conv.forms += forms
                conv_pred += T.predicted(m, X)
                continue
            probs = m.proba(X)
            gold_labels += y
            for p, g in zip(probs, y):
                best = max(p, key=p.get)
                pred_labels.append(best)
                conf_pairs.append((p[best], best == g))
        log(f"evaluate: fold {f + 1}/{k} held out {', '.join(s.id for s in test_real)} ({time.time() - t0:.0f}s)")
    rep = label_report(gold_labels, pred_labels)
    crep = label_report(conv.y, conv_pred)
    return {
        "folds": k,
        "grouped_by": "report",
        "config": {"train": asdict(cfg), "eval": asdict(ecfg)},
        "sets": {name: {w: sc.summary() for w, sc in v.items()} for name, v in sets.items()},
        "fragments": {"accuracy": rep["accuracy"], "row_label_recall": rep["row_label_recall"], "count": rep["fragments"]},
        "labels": rep["labels"],
        "converter_fragments": {"accuracy": crep["accuracy"], "row_label_recall": crep["row_label_recall"],
                                "count": crep["fragments"], "by_form": T.form_metrics(conv.y, conv_pred, conv.forms)},
        "calibration": calibration(conf_pairs),
        "seconds": round(time.time() - t0, 1),
    }


def calibration(pairs: list[tuple[float, bool]]) -> list[dict[str, Any]]:
    """Held-out fragments by the probability of their predicted label: how often that label was right."""
    return [{"p": f"[{b['lo']:.2f}, {min(b['hi'], 1.0):.2f}{']' if b['hi'] > 1 else ')'}", "n": b["n"], "right": b["right"]}
            for b in bins(pairs)]


def format_cv(res: dict[str, Any]) -> str:
    lines = [f"grouped cross-validation by report, {res['folds']} folds", "",
             f"{'set':18} {'reading':10} {'texts':>6} {'cells':>7} {'accuracy':>9} {'wrong':>6} {'silent':>6}"]
    for name, v in res["sets"].items():
        for w in ("with", "without"):
            s = v[w]
            acc = f"{100 * s['accuracy']:.3f}%" if s["accuracy"] is not None else "-"
            lines.append(f"{name:18} {('classifier' if w == 'with' else 'fuzzy only'):10} {s['texts']:>6} {s['cells']:>7} "
                         f"{acc:>9} {s['wrong']:>6} {s['silent']:>6}")
    lines += ["", f"held-out fragments: {res['fragments']['count']}, accuracy {res['fragments']['accuracy']:.4f}, "
              f"row-label recall {res['fragments']['row_label_recall']:.4f}", "",
              f"{'label':34} {'precision':>9} {'recall':>7} {'support':>8}"]
    for lab, v in sorted(res["labels"].items()):
        lines.append(f"{lab:34} {v['precision']:>9.4f} {v['recall']:>7.4f} {v['support']:>8}")
    cf = res.get("converter_fragments")
    if cf:
        lines += ["", f"held-out converter fragments: {cf['count']}, accuracy {cf['accuracy']:.4f}, row-label recall "
                  f"{cf['row_label_recall']:.4f}; by form: "
                  + ", ".join(f"{k} {v['accuracy']:.4f} (n={v['n']})" for k, v in cf["by_form"].items())]
    if res.get("calibration"):
        lines += ["", "calibration (held-out fragments by predicted probability): "
                  + ", ".join(f"{c['p']} n={c['n']} right={c['right']:.3f}" for c in res["calibration"])]
    for name, v in res["sets"].items():
        ex = v["with"]["examples"]
        if ex:
            lines += ["", f"wrong cells with the classifier, {name} (text, cell, read, gold, confidence, flagged):"]
            lines += [f"  {e}" for e in ex]
    return "\n".join(lines)


# ================================================================ a given model
def evaluate_model(m: RowClassifier | None, ann_dir: Path | str | None = None, ecfg: EvalConfig = EvalConfig(),
                   base: Models | None = None, samples: bool | None = None) -> dict[str, Any]:
    """Read the annotated reports (trained on: not a held-out score) and fresh generated messy reports.

    The bundled samples, when they count as annotated reports (`samples`, as
    `cross_validate`), are scored as a set of their own.
    """
    base = base or load_models()
    _, annotated = T.reports_set(ann_dir, samples, lambda _: None)
    real = [s for s in annotated if s.kind != SAMPLE]
    bundled = [s for s in annotated if s.kind == SAMPLE]
    gen = with_damage(generated_samples(ecfg.generated, ecfg.seed, prefix="eval"), ecfg.damaged_per_generated, ecfg.seed)
    out: dict[str, Any] = {}
    sets = [("annotated_reports", real)] + ([("samples", bundled)] if bundled else []) + [("messy_generated", gen)]
    for name, texts in sets:
        sc = {"with": Score(), "without": Score()}
        for s in texts:
            sc["with"].add(s.id, read(s, m, base), s.gold)
            sc["without"].add(s.id, read(s, None, base), s.gold)
        out[name] = {w: v.summary() for w, v in sc.items()}
    return out


def rows_read_differently(a: RowClassifier | None, b: RowClassifier | None, ann_dir: Path | str | None = None,
                   ecfg: EvalConfig = EvalConfig(), base: Models | None = None) -> list[dict[str, Any]]:
    """The rows two models read differently, on annotated reports, their messy variants and generated ones."""
    base = base or load_models()
    _, real = T.reports_set(ann_dir, None, lambda _: None)
    samples = list(real)
    for s in real:
        samples += [damage(s, random.Random(seed_of(ecfg.seed, s.id, i)), idx=i) for i in range(ecfg.damaged_per_report)]
    samples += with_damage(generated_samples(ecfg.generated, ecfg.seed, prefix="eval"), ecfg.damaged_per_generated, ecfg.seed)
    diffs: list[dict[str, Any]] = []
    for s in samples:
        ra, rb = read(s, a, base), read(s, b, base)
        gold = {(t, r, c): v for t, r, c, v in gold_cells(s.gold)} if s.gold else {}
        for t, rows in ra["tables"].items():
            for r, cols in rows.items():
                va = [cols[c]["value"] for c in cols]
                vb = [rb["tables"][t][r][c]["value"] for c in cols]
                if all(same(x, y) for x, y in zip(va, vb)):
                    continue
                g = [gold.get((t, r, c)) for c in cols]
                diffs.append({"text": s.id, "row": f"{t}.{r}", "a": va, "b": vb, "gold": g,
                              "a_right": all(same(x, y) for x, y in zip(va, g)),
                              "b_right": all(same(x, y) for x, y in zip(vb, g))})
    return diffs
