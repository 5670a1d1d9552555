"""Training the table classifier: annotations + messy variants in, `models/tables.*` out.

`train()` is what `extractor train` runs:

1. every report annotation (`annotations/reports/*.json`) with its text and
   labelled fragments;
2. damaged variants of each (`damage()`): row labels truncated, reworded
   (characters dropped, inserted, replaced, swapped), misnumbered, glued to
   their numbers, split over lines, and noise lines put between rows —
   the gold tables stay, the fragment labels move with the text;
3. generated reports (`extractor.generate`: the five layouts and their
   mess, fresh gold tables) labelled from their own extraction (kept only
   when every cell is read right), and damaged the same way;
4. one feature dict per candidate fragment (`model.FEATURES`), a
   DictVectorizer, and LogisticRegression in CalibratedClassifierCV with
   folds grouped by report.

Everything is seeded (`TrainConfig.seed`); the same annotations give the
same model and the same metrics.  Saved with skops only.
"""
from __future__ import annotations

import bisect
import hashlib
import json
import random
import time
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable

import regex as re

from extractor import model as M
from extractor.annotations import Annotation, annotations_sha256, label_fragments, load_annotations


@dataclass(frozen=True)
class TrainConfig:
    seed: int = 20240601
    damaged_per_report: int = 12  # damaged variants of each annotated report
    generated: int = 60  # generated reports (fresh gold tables)
    damaged_per_generated: int = 1  # damaged variants of each generated report (besides the clean one)
    C: float = 4.0  # LogisticRegression inverse regularisation
    calibration_folds: int = 3
    max_iter: int = 3000
    min_groups: int = 2  # an n-gram must occur in this many reports to be a feature


# ================================================================ samples
@dataclass
class Sample:
    """A text with labelled fragments (source offsets) and the gold tables it shows."""

    id: str
    group: str  # reports (and their variants) share a group: CV never splits one
    text: str
    fragments: list[dict]
    gold: dict | None
    kind: str  # real | real-damaged | generated | generated-damaged


def real_samples(anns: Iterable[Annotation]) -> list[Sample]:
    out = []
    for a in anns:
        if a.kind != "report" or a.text is None:
            continue
        out.append(Sample(a.id, a.id, a.text, list(a.data.get("fragments", [])), a.data.get("tables"), "real"))
    return out


# ---------------------------------------------------------------- damage
_ORD = re.compile(r"^\s*(?:\d[.、．]|[（(][一二三四五六七八九十]{1,2}[)）]|[一二三四五六七八九十]{1,2}、)\s*")
_CN = "一二三四五六七八九十"
# Generic function words reports put into or before a label (not label text).
_FILLERS = ("的", "等", "类", "之", "、", "及", "和", "其", "所", "中")
_PREFIXES = ("涉及", "对", "因", "其中", "含")
_NOISE_LINES = ("续表", "单位：件", "（续）", "注：", "表格", "备注", "附表", "单位:个")
_MARKUP = re.compile(r"<!--|-->|\[bookmark|[<>\[\]]")
DAMAGE_KINDS = ("truncate", "reword", "misnumber", "glue", "split", "noise")


def _label_chars(rng: random.Random) -> str:
    from extractor.labels import labels

    L = labels()
    pool = "".join(r.label for r in L.table3_rows + L.table2_rows)
    return rng.choice([ch for ch in pool if "\u4e00" <= ch <= "\u9fff"])


def _reword(core: str, rng: random.Random) -> str:
    s = list(core)
    for _ in range(rng.choice((1, 1, 2, 3))):
        op = rng.choice(("delete", "insert", "substitute", "swap", "prefix"))
        if op == "delete" and len(s) > 2:
            del s[rng.randrange(len(s))]
        elif op == "insert":
            s.insert(rng.randrange(len(s) + 1), rng.choice(_FILLERS))
        elif op == "substitute" and s:
            s[rng.randrange(len(s))] = _label_chars(rng)
        elif op == "swap" and len(s) > 2:
            i = rng.randrange(len(s) - 1)
            s[i], s[i + 1] = s[i + 1], s[i]
        elif op == "prefix":
            s[:0] = list(rng.choice(_PREFIXES))
    return "".join(s)


def _misnumber(prefix: str, rng: random.Random) -> str:
    if not prefix.strip():
        return rng.choice(("", f"{rng.randint(1, 9)}.", f"({rng.choice(_CN)})"))
    p = prefix.strip()
    if rng.random() < 0.25:
        return ""
    if p[0].isdigit():
        d = rng.choice([x for x in "123456789" if x != p[0]])
        return d + p[1:]
    m = re.search(f"[{_CN}]+", p)
    if m:
        new = rng.choice([x for x in _CN if x != m.group()])
        if rng.random() < 0.3:
            return f"{_CN.index(new) + 1}."
        return p[:m.start()] + new + p[m.end():]
    return p


def _damage_one(label_text: str, kind: str, rng: random.Random) -> str | None:
    m = _ORD.match(label_text)
    prefix = label_text[:m.end()] if m else ""
    core = label_text[len(prefix):]
    if kind == "truncate":
        if len(core) < 3:
            return None
        k = rng.randint(2, len(core) - 1)
        core = core[:k] if rng.random() < 0.6 else core[-k:]
        return prefix + core
    if kind == "reword":
        return prefix + _reword(core, rng)
    if kind == "misnumber":
        return _misnumber(prefix, rng) + core
    if kind == "split":
        if len(core) < 2:
            return None
        i = rng.randint(1, len(core) - 1)
        sep = rng.choice(("\n", "\t", " ", "\n\n", "\t\n"))
        if prefix and rng.random() < 0.4:
            return prefix + sep + core
        return prefix + core[:i] + sep + core[i:]
    return None


def _narrative_clause(text: str, fragments: list[dict], rng: random.Random) -> str:
    lo = min((f["span"][0] for f in fragments), default=len(text))
    head = text[:lo]
    parts = [p for p in re.split(r"[。;；，,\n]", head) if 4 <= len(p.strip()) <= 30]
    return rng.choice(parts).strip() if parts else rng.choice(_NOISE_LINES)


def damage(s: Sample, rng: random.Random, n_edits: int | None = None, idx: int = 0) -> Sample:
    """A messy variant of `s`: damaged row labels and noise lines; fragments move with the text."""
    frs = sorted(s.fragments, key=lambda f: f["span"][0])
    # Labels printed with markup around them (Word comments, bookmarks) are left alone:
    # cutting into the markup makes text no report prints.
    rows = [i for i, f in enumerate(frs) if f["label"].startswith(("table2.", "table3."))
            and not _MARKUP.search(s.text[f["span"][0]:f["span"][1]])]
    if not rows:
        return s
    k = n_edits if n_edits is not None else rng.choice((1, 2, 2, 3, 4, 6))
    chosen = sorted(rng.sample(rows, min(k, len(rows))))
    edits: dict[int, tuple[str, str]] = {}  # fragment index -> (kind, new text)
    for i in chosen:
        kind = rng.choice(DAMAGE_KINDS)
        t = s.text[frs[i]["span"][0]:frs[i]["span"][1]]
        if kind in ("glue", "noise"):
            edits[i] = (kind, t)
            continue
        new = _damage_one(t, kind, rng)
        if new is not None and new.strip():
            edits[i] = (kind, new)
    out_text: list[str] = []
    out_frs: list[dict] = []
    pos = 0
    length = 0

    def emit(chunk: str) -> None:
        nonlocal length
        out_text.append(chunk)
        length += len(chunk)

    for i, f in enumerate(frs):
        a, b = f["span"]
        between = s.text[pos:a]
        kind, new = edits.get(i, ("", s.text[a:b]))
        if kind == "glue":
            between = between.rstrip(" \t\n|")
        if kind == "noise":
            emit(between)
            noise = _narrative_clause(s.text, frs, rng) if rng.random() < 0.5 else rng.choice(_NOISE_LINES)
            emit("\n")
            out_frs.append({"span": [length, length + len(noise)], "label": "noise"})
            emit(noise)
            emit("\n")
        else:
            emit(between)
        start = length
        emit(new)
        out_frs.append({"span": [start, length], "label": f["label"]})
        pos = b
        if kind == "glue":
            nxt = frs[i + 1]["span"][0] if i + 1 < len(frs) else len(s.text)
            m = re.match(r"[ \t\n|]+", s.text[pos:nxt])
            if m:
                pos += m.end()
    emit(s.text[pos:])
    kind = "real-damaged" if s.kind.startswith("real") else "generated-damaged"
    return Sample(f"{s.id}~d{idx}", s.group, "".join(out_text), out_frs, s.gold, kind)


# ---------------------------------------------------------------- generated
def generated_samples(n: int, seed: int, *, prefix: str = "gen") -> list[Sample]:
    """`n` generated reports labelled from their own extraction (only those read entirely right)."""
    from extractor import generate as G
    from extractor.gold import compare
    from extractor.pipeline import extract

    out: list[Sample] = []
    k = 0
    tries = 0
    while len(out) < n and tries < 3 * n:
        rng = random.Random(seed * 7919 + tries)
        template = "2019" if rng.random() < 0.15 else "2021"
        gold = G.random_tables(rng, template=template)
        g = G.variants(gold, 1 + tries % 5, seed + tries)[-1]
        tries += 1
        with M.use(None), M.capture() as cap:
            rec = extract(g.text).to_dict()
        if compare(rec, g.gold)["wrong"]:
            continue
        frs = label_fragments(g.text, cap.calls)
        gid = f"{prefix}{seed}-{k:03d}"
        k += 1
        out.append(Sample(gid, gid, g.text, frs, g.gold, "generated"))
    return out


# ================================================================ examples
def _to_norm(offsets: list[int], s: int) -> int:
    return bisect.bisect_left(offsets, s)


def examples(s: Sample) -> tuple[list[dict[str, float]], list[str], list[M.Fragment]]:
    """Feature dicts and labels of every candidate fragment of a sample's tables."""
    from extractor.normalize import normalize
    from extractor.sections import find_sections
    from extractor.tables import regions

    norm = normalize(s.text)
    regs = regions(norm.text, find_sections(norm.text))
    spans = sorted((_to_norm(norm.offsets, f["span"][0]), _to_norm(norm.offsets, f["span"][1]), f["label"])
                   for f in s.fragments)
    starts = [x[0] for x in spans]
    X: list[dict[str, float]] = []
    y: list[str] = []
    kept: list[M.Fragment] = []
    for table in ("table2", "table3", "table4"):
        reg = regs.get(table)
        if not reg:
            continue
        frags = M.segment(norm.text, table, reg[0], reg[1])
        if not frags:
            continue
        X.extend(M.featurize(frags))
        for f in frags:
            a, b = f.anchor_start(), f.end
            best, lab = 0, "noise"
            j = max(0, bisect.bisect_right(starts, a) - 2)
            while j < len(spans) and spans[j][0] < b:
                ov = min(b, spans[j][1]) - max(a, spans[j][0])
                if ov > best:
                    best, lab = ov, spans[j][2]
                j += 1
            y.append(lab)
            kept.append(f)
    return X, y, kept


@dataclass
class Dataset:
    X: list[dict[str, float]] = field(default_factory=list)
    y: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)

    def add(self, s: Sample) -> None:
        X, y, _ = examples(s)
        self.X += X
        self.y += y
        self.groups += [s.group] * len(y)
        self.kinds += [s.kind] * len(y)

    def subset(self, keep: Iterable[int]) -> "Dataset":
        d = Dataset()
        for i in keep:
            d.X.append(self.X[i])
            d.y.append(self.y[i])
            d.groups.append(self.groups[i])
            d.kinds.append(self.kinds[i])
        return d


def _seed_of(*parts: Any) -> int:
    return int(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:12], 16)


def with_damage(samples: list[Sample], per: int, seed: int) -> list[Sample]:
    out: list[Sample] = []
    for s in samples:
        out.append(s)
        for i in range(per):
            out.append(damage(s, random.Random(_seed_of(seed, s.id, i)), idx=i))
    return out


def build_samples(anns: list[Annotation], cfg: TrainConfig) -> list[Sample]:
    real = with_damage(real_samples(anns), cfg.damaged_per_report, cfg.seed)
    gen = with_damage(generated_samples(cfg.generated, cfg.seed), cfg.damaged_per_generated, cfg.seed + 1)
    return real + gen


def samples_sha256(samples: Iterable[Sample]) -> str:
    """Fingerprint of the training texts and their labels.

    They depend on the annotations and, through the labelling of generated
    reports and `segment`, on the extraction core: when this changes, the
    shipped model is stale and `extractor train` must be run again.
    """
    h = hashlib.sha256()
    for s in samples:
        h.update(json.dumps([s.id, s.text, s.fragments], ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return h.hexdigest()


def dataset(samples: Iterable[Sample]) -> Dataset:
    d = Dataset()
    for s in samples:
        d.add(s)
    return d


# ================================================================ fitting
def prune(data: Dataset, min_groups: int) -> list[dict[str, float]]:
    """Drop character n-grams seen in fewer than `min_groups` reports: one report's quirks are not evidence."""
    seen: dict[str, set[str]] = {}
    for d, g in zip(data.X, data.groups):
        for k in d:
            if k.startswith("ng="):
                seen.setdefault(k, set()).add(g)
    rare = {k for k, gs in seen.items() if len(gs) < min_groups}
    return [{k: v for k, v in d.items() if k not in rare} for d in data.X]


def fit(data: Dataset, cfg: TrainConfig) -> M.TablesModel:
    """DictVectorizer + LogisticRegression, calibrated with folds grouped by report."""
    import numpy as np
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    vec = DictVectorizer(sort=True)
    X = vec.fit_transform(prune(data, cfg.min_groups))
    y = np.asarray(data.y)
    groups = np.asarray(data.groups)
    n_groups = len(set(data.groups))
    folds = max(2, min(cfg.calibration_folds, n_groups))
    splits = list(GroupKFold(n_splits=folds).split(X, y, groups))
    lr = LogisticRegression(C=cfg.C, max_iter=cfg.max_iter, random_state=cfg.seed % (2 ** 31))
    clf = CalibratedClassifierCV(lr, method="sigmoid", cv=splits)
    clf.fit(X, y)
    return M.TablesModel(vec, clf)


def fragment_metrics(m: M.TablesModel, data: Dataset) -> dict[str, Any]:
    """Accuracy and per-label precision/recall of the classifier on labelled fragments."""
    probs = m.proba(data.X)
    pred = [max(p, key=p.get) if p else "noise" for p in probs]
    return label_report(data.y, pred)


def label_report(gold: list[str], pred: list[str]) -> dict[str, Any]:
    labs = sorted(set(gold) | set(pred))
    per: dict[str, dict[str, float]] = {}
    for lab in labs:
        tp = sum(1 for g, p in zip(gold, pred) if g == lab and p == lab)
        fp = sum(1 for g, p in zip(gold, pred) if g != lab and p == lab)
        fn = sum(1 for g, p in zip(gold, pred) if g == lab and p != lab)
        per[lab] = {"precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
                    "recall": round(tp / (tp + fn), 4) if tp + fn else 1.0, "support": tp + fn}
    acc = sum(g == p for g, p in zip(gold, pred)) / max(1, len(gold))
    rows = [k for k in labs if k.startswith(("table2.", "table3."))]
    row_acc_n = sum(1 for g in gold if g in rows)
    row_acc = sum(1 for g, p in zip(gold, pred) if g in rows and g == p) / max(1, row_acc_n)
    return {"fragments": len(gold), "accuracy": round(acc, 4), "row_label_recall": round(row_acc, 4), "labels": per}


# ================================================================ saving
def save(m: M.TablesModel, out_dir: Path, meta_extra: dict[str, Any]) -> dict[str, Any]:
    import skops.io as sio

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / M.MODEL_NAME
    sio.dump({"vectorizer": m.vectorizer, "classifier": m.classifier}, str(path),
             compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    meta = {
        "model": M.MODEL_NAME,
        "sha256": M.sha256_file(path),
        "labels": list(M.label_names()),
        "classes": m.classes,
        "features_version": M.FEATURES_VERSION,
        "features": [name for name, _, _ in M.FEATURES],
        "libraries": M.library_versions(),
        **meta_extra,
    }
    (out_dir / M.META_NAME).write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return meta


def train(ann_dir: Path | str | None = None, out_dir: Path | str | None = None, cfg: TrainConfig = TrainConfig(),
          *, cv: dict[str, Any] | None = None, log=print) -> dict[str, Any]:
    """Build, fit and save the model; returns the meta written.

    `cv`: grouped cross-validation results to record in the meta and the
    model card (what `extractor evaluate` measures; `extractor train --cv`
    runs it first).
    """
    t0 = time.time()
    anns = load_annotations(ann_dir)
    missing = [a.id for a in anns if a.text is None]
    if missing:
        log(f"train: {len(missing)} annotation(s) without their text are left out: {', '.join(missing)}")
    samples = build_samples(anns, cfg)
    data = dataset(samples)
    log(f"train: {len(samples)} texts, {len(data.y)} fragments, {len(set(data.groups))} groups "
        f"({time.time() - t0:.1f}s)")
    m = fit(data, cfg)
    log(f"train: fitted ({time.time() - t0:.1f}s)")
    # Reproducible check numbers: the fit on its own data, and a fixed set of fresh generated reports.
    check = dataset(with_damage(generated_samples(10, cfg.seed + 99, prefix="check"), 2, cfg.seed + 99))
    metrics: dict[str, Any] = {
        "train": {k: v for k, v in fragment_metrics(m, data).items() if k != "labels"},
        "fresh_generated": {k: v for k, v in fragment_metrics(m, check).items() if k != "labels"},
    }
    if cv:
        metrics["grouped_cv"] = cv
    used = [a for a in anns if a.text is not None]
    meta = save(m, Path(out_dir) if out_dir else M.models_dir(), {
        "annotations_sha256": annotations_sha256(used),
        "annotations": [a.id for a in used],
        "config": asdict(cfg),
        "data": {"sha256": samples_sha256(samples), "texts": len(samples), "fragments": len(data.y),
                 "groups": len(set(data.groups)),
                 "by_kind": {k: data.kinds.count(k) for k in sorted(set(data.kinds))}},
        "metrics": metrics,
    })
    log(f"train: saved to {Path(out_dir) if out_dir else M.models_dir()} ({time.time() - t0:.1f}s)")
    return meta


# ================================================================ the model card
def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.2f}%"


def write_card(out_dir: Path | str | None, meta: dict[str, Any]) -> Path:
    """models/MODEL_CARD.md from the meta: intended use, data, grouped scores, known failures."""
    out = Path(out_dir) if out_dir else M.models_dir()
    cv = meta.get("metrics", {}).get("grouped_cv")
    lines = [
        "# Model card: the table-row classifier (`models/tables.skops`)", "",
        "Generated by `extractor train`; the numbers below come from `models/tables.meta.json`.", "",
        "## Intended use",
        "Deciding what a candidate label fragment of the three standard tables of a Chinese",
        "government-information-disclosure annual report (政府信息公开工作年度报告, 2021 and 2019",
        "templates) is: a table-2 row, a table-3 row (ROW3), a table-4 group, header or group",
        "furniture, or noise.  `layout._fuzzy_fill` consults it only for the rows exact label",
        "matching missed (and to drop an exact match the classifier calls noise when rows are",
        "missing); numbers are still read, split and checked by the rule-based core.  Not for",
        "other table layouts or other document types.  Without the file (or with a damaged one)",
        "extraction runs fuzzy-only and the record says so (`model.tables_unavailable`).", "",
        "## Model",
        f"- scikit-learn {meta['libraries']['scikit-learn']}: DictVectorizer + LogisticRegression "
        f"(C={meta['config']['C']}), CalibratedClassifierCV (sigmoid, {meta['config']['calibration_folds']} folds grouped by report)",
        f"- features (`extractor/model.py`, FEATURES, version {meta['features_version']}): {', '.join(meta['features'])}",
        f"- {len(meta['classes'])} classes seen in training of {len(meta['labels'])} labels",
        f"- saved with skops; sha256 {meta['sha256']}", "",
        "## Data",
        f"- {len(meta['annotations'])} annotated reports (annotations/reports, sha256 {meta['annotations_sha256'][:16]}…): "
        + ", ".join(meta["annotations"]),
        f"- each with {meta['config']['damaged_per_report']} damaged variants (labels truncated, reworded, misnumbered, glued, "
        "split over lines; noise lines between rows)",
        f"- {meta['config']['generated']} generated reports (`extractor.generate`: five layouts, their mess, both templates), "
        f"each also damaged {meta['config']['damaged_per_generated']}×",
        f"- {meta['data']['texts']} texts, {meta['data']['fragments']} fragments: "
        + ", ".join(f"{k} {v}" for k, v in meta["data"]["by_kind"].items()),
        f"- seed {meta['config']['seed']}; retraining on the same annotations gives the same model and metrics", "",
        "## Scores",
    ]
    fit = meta["metrics"]
    lines += [f"- fragments of the training data: accuracy {fit['train']['accuracy']:.4f}",
              f"- fragments of {fit['fresh_generated']['fragments']} fresh generated + damaged reports (never trained on): "
              f"accuracy {fit['fresh_generated']['accuracy']:.4f}, row-label recall {fit['fresh_generated']['row_label_recall']:.4f}"]
    if cv:
        lines += ["", f"Cross-validation grouped by report ({cv['folds']} folds; a report and its variants are never split):", "",
                  "| set | reading | texts | cells | cell accuracy | wrong | silent errors |", "|---|---|---|---|---|---|---|"]
        for name, v in cv["sets"].items():
            for w in ("with", "without"):
                s = v[w]
                lines.append(f"| {name} | {'classifier' if w == 'with' else 'fuzzy only'} | {s['texts']} | {s['cells']} | "
                             f"{_pct(s['accuracy'])} | {s['wrong']} | {s['silent']} |")
        lines += ["", f"Held-out fragments: {cv['fragments']['count']}, accuracy {cv['fragments']['accuracy']:.4f}, "
                  f"row-label recall {cv['fragments']['row_label_recall']:.4f}.  Lowest per-label scores:", ""]
        worst = sorted(cv["labels"].items(), key=lambda kv: min(kv[1]["precision"], kv[1]["recall"]))[:6]
        lines += [f"- {k}: precision {v['precision']:.4f}, recall {v['recall']:.4f} (support {v['support']})" for k, v in worst]
        if cv.get("calibration"):
            lines += ["", "Calibration on held-out fragments (predicted probability → share right): "
                      + "; ".join(f"{c['p']}: {c['right']:.3f} (n={c['n']})" for c in cv["calibration"])]
    else:
        lines += ["", "(grouped cross-validation not recorded: run `extractor train --cv` or `extractor evaluate`)"]
    lines += [
        "", "## Known failures and limits",
        "- The real annotated reports come from few sources (one district's crawled pages, five seeds); the damage",
        "  and the generator stand in for the variety of real mess, which they only approximate.",
        "- A table-2 glued run (`行政规范性文件693665`) often has several splits; no label model helps there: the",
        "  cells stay ambiguous and flagged (pt001, pt024 in the annotations).",
        "- A misnumbered ordinal printed before an *exactly* matched label (`00000003.其他法律…`) stays in the",
        "  previous row's numbers (exact anchors only take in the expected ordinal); the row is flagged, not silent.",
        "- A label damaged beyond recognition whose neighbours are missing too is left missing (flagged).",
        "- Identities do not prove a row's label: two outcome rows swapped keep every sum.",
        "- Table-4 labels are learnt but not used: table 4 is read as one block of 15 cells.",
    ]
    path = out / "MODEL_CARD.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
