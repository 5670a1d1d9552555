"""What a run found: the counts, the time per input, the slowest inputs, and the inputs worth keeping.

Times are the wall time of `extract_file` alone, in a worker sharing the
machine, so they are noisy; the CPU time stands beside each slow input, and
the same figures are given in CPU seconds (`cpu`): on a shared machine the
wall time counts the waiting for a core, and "within 1 s on one core" is a
CPU figure.
"The median report" is the median over the baseline cases (every base
report unmutated, in every format), which is what issue 10's "worst case
within 100x the median report" compares against.
"""
from __future__ import annotations

import json
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.fuzz.cases import make_case

MB = 1 << 20
TARGET_SECONDS = 1.0  # text, markdown and HTML up to 1 MB (issue 10)


def _q(xs: list[float], q: float) -> float:
    if not xs:
        return 0.0
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def _stats(xs: list[float]) -> dict[str, float]:
    return {"n": len(xs), "median": statistics.median(xs) if xs else 0.0, "p99": _q(xs, 0.99),
            "max": max(xs, default=0.0)}


def nonconforming(r: dict[str, Any]) -> bool:
    return bool(r.get("n_problems"))


def summarize(results: list[dict[str, Any]], restarts: int, checked: bool, slowest: int = 10) -> dict[str, Any]:
    """The numbers of a run (JSON-ready)."""
    done = [r for r in results if r["status"] == "ok"]
    times = [r["seconds"] for r in done]
    baseline = [r["seconds"] for r in done if r["family"] == "baseline"]
    median_report = statistics.median(baseline) if baseline else statistics.median(times) if times else 0.0
    per_format = {f: _stats([r["seconds"] for r in done if r["format"] == f]) for f in sorted({r["format"] for r in done})}
    per_page = [r["seconds"] / max(1, r["pages"]) for r in done if r["format"] == "pdf"]
    small = [r for r in done if r["format"] in ("txt", "md", "html") and r["size"] <= MB]
    overall = _stats(times)
    ranked = sorted(done, key=lambda r: -r["seconds"])
    # PDFs get a budget per page (issue 10), so their worst case is judged per page, the rest per file.
    non_pdf = next((r for r in ranked if r["format"] != "pdf"), None)
    worst_page = max((r for r in done if r["format"] == "pdf"), key=lambda r: r["seconds"] / max(1, r["pages"]),
                     default=None)
    pdf_report = [r["seconds"] / max(1, r["pages"]) for r in done if r["family"] == "baseline" and r["format"] == "pdf"]
    pdf_median_page = statistics.median(pdf_report) if pdf_report else 0.0
    peak = max(done, key=lambda r: r.get("rss_mb", 0.0), default=None)
    return {
        "inputs": len(results),
        "crashes": sum(r["status"] == "crash" for r in results),
        "hangs": sum(r["status"] == "hang" for r in results),
        "harness_errors": sum(r["status"] == "harness_error" for r in results),
        "internal_errors": sum(r.get("error") == "internal.error" for r in done),
        "nonconforming": sum(nonconforming(r) for r in done) if checked else None,
        "too_slow": sum(r.get("error") == "input.too_slow" for r in done),
        "errors": dict(Counter(r.get("error") or "none" for r in done).most_common()),
        "families": dict(Counter(r["family"] for r in results)),
        "worker_restarts": restarts,
        "seconds": overall,
        "median_report": median_report,
        "max_over_median": overall["max"] / overall["median"] if overall["median"] else None,
        "max_over_median_report": overall["max"] / median_report if median_report else None,
        "per_format": per_format,
        "pdf_seconds_per_page": _stats(per_page),
        "worst_non_pdf": _brief(non_pdf) if non_pdf else None,
        "worst_non_pdf_over_median_report": non_pdf["seconds"] / median_report if non_pdf and median_report else None,
        "worst_pdf_page": _brief(worst_page) if worst_page else None,
        "pdf_median_report_page": pdf_median_page,
        "text_html_up_to_1mb": {**_stats([r["seconds"] for r in small]),
                                "over_target": sum(r["seconds"] > TARGET_SECONDS for r in small)},
        "slowest": [_brief(r) for r in ranked[:slowest]],
        "failures": [{**_brief(r), "why": why, "problems": r.get("problems"), "message": r.get("message")}
                     for why, r in worth_keeping(results, 0) if why != "too_slow"][:40],
        "peak_rss_mb": peak.get("rss_mb") if peak else None,
        "peak_rss_first_reached_at": _brief(peak) if peak else None,
        "cpu": _cpu(done, small),
    }


def _cpu(done: list[dict[str, Any]], small: list[dict[str, Any]]) -> dict[str, Any]:
    """The time figures again in CPU seconds of the reading thread (see the module docstring)."""
    cpu = [r for r in done if r.get("cpu") is not None]
    baseline = [r["cpu"] for r in cpu if r["family"] == "baseline"]
    median_report = statistics.median(baseline) if baseline else statistics.median(r["cpu"] for r in cpu) if cpu else 0.0
    non_pdf = max((r for r in cpu if r["format"] != "pdf"), key=lambda r: r["cpu"], default=None)
    text = [r["cpu"] for r in small if r.get("cpu") is not None]
    return {
        "median_report": median_report,
        "worst_non_pdf": _brief(non_pdf) if non_pdf else None,
        "worst_non_pdf_over_median_report": non_pdf["cpu"] / median_report if non_pdf and median_report else None,
        "text_html_up_to_1mb": {**_stats(text), "over_target": sum(x > TARGET_SECONDS for x in text)},
    }


def _brief(r: dict[str, Any]) -> dict[str, Any]:
    keys = ("index", "kind", "size", "pages", "seconds", "cpu", "error", "status", "exception")
    return {k: r[k] for k in keys if r.get(k) is not None}


def worth_keeping(results: list[dict[str, Any]], slowest: int) -> list[tuple[str, dict[str, Any]]]:
    """(why, result) of every crash, hang and non-conforming or internal-error record, too_slow, and the slowest."""
    keep: list[tuple[str, dict[str, Any]]] = []
    for r in results:
        if r["status"] in ("crash", "hang", "harness_error"):
            keep.append((r["status"], r))
        elif nonconforming(r):
            keep.append(("nonconforming", r))
        elif r.get("error") in ("internal.error", "input.too_slow"):
            keep.append((r["error"].removeprefix("input.").replace(".", "_"), r))
    done = sorted((r for r in results if r["status"] == "ok"), key=lambda r: -r["seconds"])
    keep.extend(("slow", r) for r in done[:slowest])
    return keep


def save(out: Path, results: list[dict[str, Any]], summary: dict[str, Any], seed: int, scale: float,
         slowest: int, cap: int = 50) -> list[Path]:
    """Write the summary and the worst inputs (rebuilt from the seed) into `out`, for regression tests."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    written: list[Path] = []
    per_reason: Counter[str] = Counter()
    for why, r in worth_keeping(results, slowest):
        per_reason[why] += 1
        if per_reason[why] > cap:
            continue
        case = make_case(seed, r["index"], scale)
        p = out / f"{why}-{r['index']:06d}{case.suffix}"
        p.write_bytes(case.data)
        (out / f"{p.name}.json").write_text(json.dumps({**r, "kind": case.kind, "seed": seed, "scale": scale},
                                                       ensure_ascii=False, indent=1), encoding="utf-8")
        written.append(p)
    return written


def ms(x: float) -> str:
    return f"{x * 1000:.0f} ms" if x < 10 else f"{x:.1f} s"


def _cpu_line(c: dict[str, Any]) -> str:
    worst = c["worst_non_pdf"]
    where = f"{ms(worst['cpu'])} #{worst['index']}" if worst else "-"
    return (f"CPU: median report {ms(c['median_report'])}, worst non-PDF input {where}"
            f" ({c['worst_non_pdf_over_median_report'] or 0:.0f}x the median report);"
            f" txt/md/html up to 1 MB: max {ms(c['text_html_up_to_1mb']['max'])},"
            f" {c['text_html_up_to_1mb']['over_target']} over {TARGET_SECONDS:g} s")


def report(s: dict[str, Any]) -> str:
    """The summary as the few lines a person reads."""
    t = s["seconds"]
    lines = [
        f"inputs {s['inputs']}  crashes {s['crashes']}  hangs {s['hangs']}  "
        f"non-conforming {s['nonconforming'] if s['nonconforming'] is not None else 'not checked (../shared absent)'}  "
        f"too_slow {s['too_slow']}  internal errors {s['internal_errors']}  harness errors {s['harness_errors']}  "
        f"worker restarts {s['worker_restarts']}",
        f"time per input: median {ms(t['median'])}, p99 {ms(t['p99'])}, max {ms(t['max'])}"
        f" (max/median {s['max_over_median'] or 0:.0f}x; median report {ms(s['median_report'])},"
        f" max/median report {s['max_over_median_report'] or 0:.0f}x)",
        "per format: " + ", ".join(f"{f} {ms(v['median'])}/{ms(v['p99'])}/{ms(v['max'])} (n={v['n']})"
                                   for f, v in s["per_format"].items()) + "  [median/p99/max]",
        f"worst non-PDF input {ms(s['worst_non_pdf']['seconds']) if s['worst_non_pdf'] else '-'}"
        f" ({s['worst_non_pdf_over_median_report'] or 0:.0f}x the median report)",
        f"pdf per page: median {ms(s['pdf_seconds_per_page']['median'])}, max {ms(s['pdf_seconds_per_page']['max'])}"
        f" (median report page {ms(s['pdf_median_report_page'])})",
        f"txt/md/html up to 1 MB: max {ms(s['text_html_up_to_1mb']['max'])},"
        f" {s['text_html_up_to_1mb']['over_target']} over {TARGET_SECONDS:g} s",
        _cpu_line(s["cpu"]),
        f"peak worker RSS {s['peak_rss_mb'] or 0:.0f} MB",
        "errors: " + ", ".join(f"{k} {v}" for k, v in s["errors"].items()),
    ]
    if s["failures"]:
        lines.append("failures:")
        for r in s["failures"]:
            detail = r.get("exception") or r.get("message") or "; ".join(r.get("problems") or [])
            lines.append(f"  {r['why']:<13} #{r['index']}  {r['kind']}  {r['size']} B  {detail[:200]}")
    lines.append("slowest:")
    for r in s["slowest"]:
        lines.append(f"  {ms(r['seconds']):>8}  cpu {ms(r.get('cpu') or 0):>8}  {r['size']:>9} B  #{r['index']}  "
                     f"{r['kind']}  -> {r.get('error') or 'ok'}")
    return "\n".join(lines)
