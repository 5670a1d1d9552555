"""How right the tagged facts of a set of documents are: per-metric precision/recall/F1, distractors, calibration.

One scorer for every facts figure (cross-validation, held-out test, rules
alone, the shipped model), so the numbers `train` records and `evaluate`
prints are measured the same way.  A predicted fact matches an annotated
one of the same metric and value whose span it overlaps (`strict` also
asks the same channel; `loose` does not).  A predicted zero on a zero the
annotation states without a numeral (`implicit_metric`) is neither right
nor wrong; a predicted fact on a number annotated `distractor` is listed.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

from extractor.narrative.tag import tag
from extractor.spec.metrics import spec_metrics
from extractor.training.annotations import Annotation
from extractor.training.metrics import calibration, prf


def same_value(a: Any, b: Any) -> bool:
    try:
        return abs(float(a) - float(b)) < 1e-6
    except (TypeError, ValueError):
        return False


def _overlap(p, g: dict[str, Any]) -> bool:
    return p.span[0] < g["span"][1] and g["span"][0] < p.span[1]


def _bump(d: dict[str, dict[str, int]], m: str, k: str) -> None:
    d.setdefault(m, {"tp": 0, "fp": 0, "fn": 0})[k] += 1


def _implicit(p, others: Sequence[dict[str, Any]]) -> bool:
    return any(g.get("implicit_metric") and _overlap(p, g) and same_value(g["value"], p.value) for g in others)


def score(pred: Sequence[Any], gold: Sequence[dict[str, Any]], spec: frozenset[str]) -> dict[str, Any]:
    """Match predicted facts to annotated ones (see the module docstring): counts strict and loose."""
    gs = [g for g in gold if g["metric"] in spec]
    others = [g for g in gold if g["metric"] not in spec]
    counts: dict[str, dict[str, int]] = {}
    loose: dict[str, dict[str, int]] = {}
    role_ok = role_n = 0
    for table, strict in ((counts, True), (loose, False)):
        used: set[int] = set()
        for p in pred:
            hit = next((k for k, g in enumerate(gs) if k not in used and g["metric"] == p.metric
                        and same_value(g["value"], p.value) and _overlap(p, g)
                        and (not strict or g.get("channel") == p.channel)), None)
            if hit is None:
                if not _implicit(p, others):
                    _bump(table, p.metric, "fp")
                continue
            used.add(hit)
            _bump(table, p.metric, "tp")
            if strict and "role" in gs[hit]:
                role_n += 1
                role_ok += gs[hit]["role"] == p.role
        for k, g in enumerate(gs):
            if k not in used:
                _bump(table, g["metric"], "fn")
    on_other = [(p, g) for p in pred for g in others
                if _overlap(p, g) and same_value(g["value"], p.value) and not g.get("implicit_metric")]
    return {"counts": counts, "loose": loose, "role_ok": role_ok, "role_n": role_n,
            "others_tagged": [p.text for p, _ in on_other],
            "distractors": [p.text for p, g in on_other if g.get("distractor")]}


def per_metric(counts: dict[str, dict[str, int]]) -> dict[str, Any]:
    """Precision/recall/F1 per metric and micro-averaged overall, with the counts."""
    out: dict[str, Any] = {}
    tot = {"tp": 0, "fp": 0, "fn": 0}
    for m in sorted(counts):
        c = counts[m]
        for k in tot:
            tot[k] += c[k]
        out[m] = {**prf(c["tp"], c["fp"], c["fn"]), **c}
    out["overall"] = {**prf(tot["tp"], tot["fp"], tot["fn"]), **tot}
    return out


def merge(into: dict[str, dict[str, int]], more: dict[str, dict[str, int]]) -> None:
    for m, c in more.items():
        d = into.setdefault(m, {"tp": 0, "fp": 0, "fn": 0})
        for k in d:
            d[k] += c[k]


def is_right(f, gold: Sequence[dict[str, Any]], spec: frozenset[str]) -> bool:
    return any(g["metric"] == f.metric and same_value(g["value"], f.value) and g.get("channel") == f.channel
               and _overlap(f, g) for g in gold if g["metric"] in spec)


def evaluate(docs: Sequence[Annotation], model_for: Callable[[str], Any] | None = None) -> dict[str, Any]:
    """End-to-end scores of the tagger over documents; `model_for(doc_id)` gives the model (or None: rules)."""
    spec = spec_metrics()
    counts: dict[str, dict[str, int]] = {}
    loose: dict[str, dict[str, int]] = {}
    distractors: list[str] = []
    others: list[str] = []
    role_ok = role_n = 0
    calib: list[tuple[float, bool]] = []
    for d in docs:
        model = model_for(d.id) if model_for else None
        facts = tag(d.text, facts_model=model).facts
        gold = d.data["facts"]
        s = score(facts, gold, spec)
        merge(counts, s["counts"])
        merge(loose, s["loose"])
        distractors += [f"{d.id}: {t}" for t in s["distractors"]]
        others += [f"{d.id}: {t}" for t in s["others_tagged"]]
        role_ok += s["role_ok"]
        role_n += s["role_n"]
        calib += [(f.confidence, is_right(f, gold, spec)) for f in facts if not _implicit(f, gold)]
    return {"documents": len(docs), "strict": per_metric(counts), "loose": per_metric(loose),
            "distractors_tagged": distractors, "others_tagged": len(others),
            "role_accuracy": round(role_ok / role_n, 4) if role_n else None,
            "calibration": [{"confidence": f"[{b['lo']:.2f},{min(b['hi'], 1.0):.2f})", "lo": b["lo"], "facts": b["n"],
                             "right": b["right"]}
                            for b in calibration(calib)]}


def calibration_map(bins: Sequence[dict[str, Any]]) -> list[list[float]]:
    """[lo, confidence] steps from a reliability table: each bin's share right, smoothed and capped.

    The share is Laplace-smoothed ((right + 1) / (n + 2)), so a small bin
    that happened to be all right does not claim certainty (1.0 is a
    person's decision); the cap keeps the map non-decreasing and never
    claims more for a bin than the facts above it earned.
    """
    out: list[list[float]] = []
    cap = 1.0
    for b in sorted(bins, key=lambda b: -b["lo"]):
        right = round(b["right"] * b["facts"])
        cap = min(cap, round((right + 1) / (b["facts"] + 2), 4))
        out.append([b["lo"], cap])
    return sorted(out)


def format_measure(res: dict[str, Any]) -> str:
    """`facts.measure`'s figures as `extractor evaluate` prints them: held-out beside cross-validated, per metric."""
    cv, held = res["cv_model"], res.get("held_out_model")
    lines = [f"facts: {res['development']} development documents ({res['cv']}), {res['test']} held-out test documents "
             f"(read by a model trained on the development ones); decision keep_at={res['decision']['keep_at']} "
             f"add_at={res['decision']['add_at']}", "",
             "metric and value (loose; strict also asks the channel)",
             f"{'metric':30} {'held-out P':>10} {'R':>6} {'F1':>6} {'n':>4}   {'CV P':>6} {'R':>6} {'F1':>6} {'n':>4}"]
    metrics = sorted(set(cv["loose"]) | set((held or {}).get("loose", {})), key=lambda m: (m == "overall", m))

    def cells(r: dict[str, Any] | None, m: str) -> str:
        v = (r or {}).get("loose", {}).get(m)
        if v is None:
            return f"{'-':>10} {'-':>6} {'-':>6} {'-':>4}" if r is held else f"{'-':>6} {'-':>6} {'-':>6} {'-':>4}"
        w = 10 if r is held else 6
        return f"{v['precision']:>{w}.3f} {v['recall']:>6.3f} {v['f1']:>6.3f} {v['tp'] + v['fn']:>4}"

    for m in metrics:
        lines.append(f"{m:30} {cells(held, m)}   {cells(cv, m)}")
    for name, r in (("held-out", held), ("cross-validated", cv)):
        if r is None:
            continue
        s = r["strict"]["overall"]
        lines.append(f"{name} strict (with channel): P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f}; "
                     f"distractors tagged: {len(r['distractors_tagged'])} {r['distractors_tagged'][:5]}")
    for name, key in (("rules alone, held-out", "held_out_rules_only"), ("rules alone, cross-validated", "cv_rules_only")):
        if key in res:
            s = res[key]["loose"]["overall"]
            lines.append(f"{name}: P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f}")
    for src, s in sorted(res.get("held_out_by_source", {}).items()):
        lines.append(f"held-out {src} (strict): P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f}")
    if held:
        lines.append("held-out reliability: " + ", ".join(f"{c['confidence']} n={c['facts']} right={c['right']:.2f}"
                                                          for c in held["calibration"]))
    return "\n".join(lines)
