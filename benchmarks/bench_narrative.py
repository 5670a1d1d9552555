"""How fast the narrative path is, warm, on one core, and what jieba / spaCy would cost.

    .venv/bin/python benchmarks/bench_narrative.py [--rounds N]

Reads the real reports from ../shared (seeds and the crawler reports) and
prints reports/s of `tag_facts` (+ `read_meta`), the share of each stage, and
the cost of tokenising with jieba and with spaCy (`spacy.blank("zh")` with
the jieba segmenter) on the candidate windows versus the whole text.  A
script, not a test: numbers depend on the machine.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[1]
SHARED = (ROOT / ".." / "shared").resolve()
sys.path.insert(0, str(ROOT))


def _texts() -> list[str]:
    paths = sorted((SHARED / "seeds").glob("*.txt")) + sorted((SHARED / "corpus" / "reports").glob("*.txt"))
    return [p.read_text(encoding="utf-8") for p in paths]


def _rate(fn, texts: list[str], rounds: int, before_pass=None) -> float:
    """Calls per second of fn over all texts, best of `rounds` passes (`before_pass` runs untimed first)."""
    best = float("inf")
    for _ in range(rounds):
        if before_pass is not None:
            before_pass()
        t0 = time.perf_counter()
        for t in texts:
            fn(t)
        best = min(best, time.perf_counter() - t0)
    return len(texts) / best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    texts = _texts()
    if not texts:
        sys.exit("../shared not present: nothing to measure")

    from extractor import classify, narrative
    from extractor.classify.facts.features import features_at, live
    from extractor.classify.facts.tokens import cut, window_tokens
    from extractor.narrative.numbers import find_numbers
    from extractor.narrative.tag import analyse
    from extractor.narrative.view import make_view

    models = classify.load_models()
    model = models.facts

    def tag_facts(t: str) -> list:
        return narrative.read(t, facts_model=model).facts

    print(f"reports: {len(texts)} (mean {sum(map(len, texts)) / len(texts):.0f} chars); "
          f"model: {'model' if model is not None else 'rules'} ({models.facts_status.message})")
    for t in texts:  # warm: rules, jieba dictionary, model
        tag_facts(t)
        narrative.read_meta(t)

    full = _rate(lambda t: (tag_facts(t), narrative.read_meta(t)), texts, args.rounds)
    tag = _rate(tag_facts, texts, args.rounds)
    # the jieba window cache is warm after the first pass; a pipeline sees each report once
    tag_cold = _rate(tag_facts, texts, args.rounds, before_pass=window_tokens.cache_clear)
    rules_only = _rate(lambda t: narrative.read(t, facts_model=None), texts, args.rounds)
    view = _rate(make_view, texts, args.rounds)
    cands = _rate(lambda t: find_numbers(make_view(t)), texts, args.rounds)
    print(f"tag_facts + read_meta : {full:8.1f} reports/s")
    print(f"tag_facts             : {tag:8.1f} reports/s  ({1000 / tag:.2f} ms/report)")
    print(f"  token cache cold    : {tag_cold:8.1f} reports/s  ({1000 / tag_cold:.2f} ms/report)")
    print(f"  rules only          : {rules_only:8.1f} reports/s  ({1000 / rules_only:.2f} ms)")
    print(f"  view (normalise)    : {view:8.1f} reports/s  ({1000 / view:.2f} ms)")
    print(f"  view + numbers      : {cands:8.1f} reports/s  ({1000 / cands:.2f} ms)")

    # what the model step costs: features (jieba on windows) and predict_proba
    analysed = [analyse(t)[1] for t in texts]
    live_qs = [[q for q in qs if live(q)] for qs in analysed]
    n_windows = sum(map(len, live_qs))
    t0 = time.perf_counter()
    for qs in analysed:
        [features_at(qs, i) for i, q in enumerate(qs) if live(q)]
    feat = time.perf_counter() - t0
    print(f"  model features      : {1000 * feat / len(texts):.2f} ms/report ({n_windows / len(texts):.1f} windows/report)")

    windows = [q.ctx.left[-16:] for qs in live_qs for q in qs]
    t0 = time.perf_counter()
    for w in windows:
        cut(w)
    jw = time.perf_counter() - t0
    t0 = time.perf_counter()
    for t in texts:
        cut(t)
    jd = time.perf_counter() - t0
    print(f"jieba on windows      : {1000 * jw / len(texts):.2f} ms/report")
    print(f"jieba on whole text   : {1000 * jd / len(texts):.2f} ms/report")

    try:
        import spacy

        t0 = time.perf_counter()
        nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
        nlp("预热")
        load = time.perf_counter() - t0
        t0 = time.perf_counter()
        for w in windows:
            nlp.make_doc(w)
        sw = time.perf_counter() - t0
        t0 = time.perf_counter()
        for t in texts:
            nlp.make_doc(t)
        sd = time.perf_counter() - t0
        print(f"spaCy blank zh (jieba): load {load:.2f} s; windows {1000 * sw / len(texts):.2f} ms/report; "
              f"whole text {1000 * sd / len(texts):.2f} ms/report")
    except Exception as e:  # spaCy is optional on this path
        print(f"spaCy not measured: {type(e).__name__}: {e}")


if __name__ == "__main__":
    main()
