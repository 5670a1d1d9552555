"""`extractor check-data`: every annotation validated against the format (`training.annotations`).

Run as a test too (`tests/training/test_check.py`), so an annotation that
breaks the format, its text's sha256, its spans or the identities never
reaches training.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extractor.checks.identities import gold_failures
from extractor.classify.rows.fragments import label_names
from extractor.record import empty_tables
from extractor.spec.labels import labels
from extractor.spec.metrics import channel_ids, metric_ids
from extractor.training.annotations import (EXCERPT_REQUIRED, FACT_EXTRA_KEYS, FACT_KEYS, FRAGMENT_FORMS, FRAGMENT_KEYS,
                                            OPTIONAL, REQUIRED, SAMPLE, Annotation, attach_text, default_dir, inside,
                                            repo_root)
from extractor.training.gold import gold_value

T2_FLAT = ("licensing", "punishment", "coercion", "fees_10k_yuan")
T2_DOCS = ("rules", "normative_docs")


def table_identity_failures(tables: dict[str, Any]) -> list[str]:
    """The identities gold tables break (null counts as 0; an all-null identity is skipped)."""
    return gold_failures(gold_value(tables))


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def table_shape_errors(tables: Any) -> list[str]:
    L = labels()
    errs: list[str] = []
    if not isinstance(tables, dict):
        return ["tables: not an object"]
    for k in tables:
        if k not in ("table2", "table3", "table4"):
            errs.append(f"tables.{k}: unknown table")
    t2 = tables.get("table2")
    if not isinstance(t2, dict):
        errs.append("tables.table2: missing")
    else:
        for k, v in t2.items():
            if k in T2_DOCS:
                if not isinstance(v, dict) or set(v) != {"issued", "repealed", "in_force"}:
                    errs.append(f"tables.table2.{k}: must be {{issued, repealed, in_force}}")
                elif any(x is not None and not _is_num(x) for x in v.values()):
                    errs.append(f"tables.table2.{k}: values must be numbers or null")
            elif k in T2_FLAT:
                if v is not None and not _is_num(v):
                    errs.append(f"tables.table2.{k}: must be a number or null")
            else:
                errs.append(f"tables.table2.{k}: unknown row")
        for k in T2_DOCS + T2_FLAT:
            if k not in t2:
                errs.append(f"tables.table2.{k}: missing (null where the report lacks it)")
    errs += _list_table_errors(tables.get("table3"), "table3", L.row3, len(L.col3), "row")
    errs += _list_table_errors(tables.get("table4"), "table4", L.group4, len(L.col4), "group")
    return errs


def _list_table_errors(t: Any, name: str, keys: tuple[str, ...], width: int, what: str) -> list[str]:
    """Tables 3 and 4 in the gold shape: each row (or group) a list of `width` integers or nulls."""
    if not isinstance(t, dict):
        return [f"tables.{name}: missing"]
    errs = [f"tables.{name}.{k}: unknown {what}" for k in t if k not in keys]
    for k in keys:
        v = t.get(k)
        if not isinstance(v, list) or len(v) != width:
            errs.append(f"tables.{name}.{k}: must be a list of {width} values")
        elif any(x is not None and not (isinstance(x, int) and not isinstance(x, bool)) for x in v):
            errs.append(f"tables.{name}.{k}: values must be integers or null")
    return errs


# ================================================================ validation
@dataclass
class Problems:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    checked: int = 0

    def error(self, where: str, msg: str) -> None:
        self.errors.append(f"{where}: {msg}")

    def warn(self, where: str, msg: str) -> None:
        self.warnings.append(f"{where}: {msg}")


def _span_ok(span: Any, n: int | None) -> str | None:
    if not (isinstance(span, list) and len(span) == 2 and all(isinstance(x, int) and not isinstance(x, bool) for x in span)):
        return "span must be [start, end] (integers)"
    s, e = span
    if not 0 <= s < e:
        return f"span {span}: needs 0 <= start < end"
    if n is not None and e > n:
        return f"span {span}: outside the text ({n} characters)"
    return None


def _is_cell_name(name: Any) -> bool:
    """A cell of the record's tables written table.row.col (`uncertain` lists them)."""
    parts = name.split(".") if isinstance(name, str) else []
    if len(parts) != 3:
        return False
    table, row, col = parts
    return col in empty_tables().get(table, {}).get(row, {})


def check_annotation(a: Annotation, pr: Problems) -> None:
    where = str(a.path.relative_to(a.path.parents[2])) if len(a.path.parents) > 2 else str(a.path)
    d = a.data
    required = REQUIRED if a.kind == "report" else EXCERPT_REQUIRED
    for k in required:
        if k not in d:
            pr.error(where, f"missing key {k!r}")
    known = set(REQUIRED) | set(OPTIONAL)
    for k in d:
        if k not in known:
            pr.warn(where, f"unknown key {k!r} (not part of the format)")
    # A bundled sample's gold is `<id>.gold.json` beside its text (`trainset.load_samples`).
    stem = a.path.name[: -len(".gold.json")] if a.kind == SAMPLE else a.path.stem
    if d.get("id") != stem:
        pr.error(where, f"id {d.get('id')!r} is not the file name {stem!r}")
    t = d.get("text")
    if not (isinstance(t, dict) and isinstance(t.get("path"), str) and isinstance(t.get("sha256"), str)
            and len(t.get("sha256", "")) == 64):
        pr.error(where, "text must be {path, sha256} (sha256: 64 hex digits)")
    elif a.text is None:
        if a.text_note and "does not match" in a.text_note:
            pr.error(where, a.text_note)
        elif a.text_path is not None and inside(a.text_path, repo_root(a.path.parents[1])):
            pr.error(where, a.text_note or f"text {t['path']} missing")
        else:
            pr.warn(where, a.text_note or "text not present: spans not checked")
    text = a.text
    n = len(text) if text is not None else None

    # --- tables
    if "tables" in d:
        errs = table_shape_errors(d["tables"])
        for e in errs:
            pr.error(where, e)
        if not errs:
            fails = table_identity_failures(d["tables"])
            agency_error = d.get("agency_error")
            if not isinstance(agency_error, bool):
                pr.error(where, "agency_error must be true or false")
            elif fails and not agency_error:
                pr.error(where, f"gold tables break {len(fails)} identities and agency_error is false: "
                         + "; ".join(fails[:4]))
            elif agency_error and not fails:
                pr.warn(where, "agency_error is true but every identity holds")
    if a.kind == "report":
        for name in d.get("uncertain") or []:
            if not _is_cell_name(name):
                pr.error(where, f"uncertain: {name!r} is not a cell (table.row.col of the record)")
        if d.get("year") is not None and not isinstance(d.get("year"), int):
            pr.error(where, "year must be an integer or null")
        if d.get("agency") is not None and not isinstance(d.get("agency"), str):
            pr.error(where, "agency must be a string or null")
        if not isinstance(d.get("notes", ""), str):
            pr.error(where, "notes must be a string")

    # --- facts
    facts = d.get("facts", [])
    if not isinstance(facts, list):
        pr.error(where, "facts must be a list")
        facts = []
    metrics, channels = metric_ids(), channel_ids()
    for i, f in enumerate(facts):
        fw = f"{where} facts[{i}]"
        if not isinstance(f, dict):
            pr.error(fw, "not an object")
            continue
        for k in ("metric", "value", "span"):
            if k not in f:
                pr.error(fw, f"missing {k!r}")
        for k in f:
            if k not in FACT_KEYS and k not in FACT_EXTRA_KEYS:
                pr.warn(fw, f"unknown key {k!r}")
        if f.get("metric") not in metrics:
            pr.error(fw, f"unknown metric {f.get('metric')!r}")
        if f.get("channel") is not None and f.get("channel") not in channels:
            pr.error(fw, f"unknown channel {f.get('channel')!r}")
        if "value" in f and not _is_num(f["value"]):
            pr.error(fw, "value must be a number")
        if f.get("role", "total") not in ("total", "part"):
            pr.error(fw, "role must be total or part")
        if not isinstance(f.get("approx", False), bool):
            pr.error(fw, "approx must be true or false")
        if "span" in f:
            bad = _span_ok(f["span"], n)
            if bad:
                pr.error(fw, bad)
            elif text is not None and "text" in f and text[f["span"][0]:f["span"][1]] != f["text"]:
                pr.error(fw, f"span shows {text[f['span'][0]:f['span'][1]]!r}, not its text {f['text']!r}")

    check_fragments(d.get("fragments", []), text, n, where, pr)
    pr.checked += 1


def check_fragments(frs: Any, text: str | None, n: int | None, where: str, pr: Problems) -> None:
    """The fragments of one document (an annotation's, or those the generator writes beside a converter
    layout): known labels and forms, spans inside the text showing their `text`, no overlaps."""
    if not isinstance(frs, list):
        pr.error(where, "fragments must be a list")
        frs = []
    known_labels = set(label_names())
    spans = []
    for i, f in enumerate(frs):
        fw = f"{where} fragments[{i}]"
        if not isinstance(f, dict) or "span" not in f or "label" not in f or set(f) - set(FRAGMENT_KEYS):
            pr.error(fw, "must be {span, label[, text][, form]}")
            continue
        if f["label"] not in known_labels:
            pr.error(fw, f"unknown label {f['label']!r}")
        if "form" in f and f["form"] not in FRAGMENT_FORMS:
            pr.error(fw, f"unknown form {f['form']!r}")
        bad = _span_ok(f["span"], n)
        if bad:
            pr.error(fw, bad)
            continue
        if text is not None and "text" in f and text[f["span"][0]:f["span"][1]] != f["text"]:
            pr.error(fw, f"span shows {text[f['span'][0]:f['span'][1]]!r}, not its text {f['text']!r}")
        spans.append((f["span"][0], f["span"][1], i))
    spans.sort()
    for (s1, e1, i1), (s2, e2, i2) in zip(spans, spans[1:]):
        if s2 < e1:
            pr.error(where, f"fragments[{i1}] {[s1, e1]} and fragments[{i2}] {[s2, e2]} overlap")


def check_data(ann_dir: Path | str | None = None) -> Problems:
    """Validate every annotation under DIR (reports and excerpts)."""
    d = Path(ann_dir) if ann_dir else default_dir()
    pr = Problems()
    if not (d / "reports").is_dir() and not (d / "excerpts").is_dir():
        pr.error(str(d), "no reports/ or excerpts/ directory")
        return pr
    ids: dict[str, Path] = {}
    for kind in ("report", "excerpt"):
        sub = d / ("reports" if kind == "report" else "excerpts")
        for p in sorted(sub.glob("*.json")):
            try:
                data = json.loads(p.read_text(encoding="utf-8"))
            except Exception as e:
                pr.error(str(p), f"not valid JSON ({e})")
                continue
            if not isinstance(data, dict):
                pr.error(str(p), "not a JSON object")
                continue
            a = Annotation(p, data, kind)
            try:
                attach_text(d, a)
            except Exception as e:
                pr.error(str(p), f"text unreadable ({type(e).__name__}: {e})")
            if a.id in ids:
                pr.error(str(p), f"id {a.id!r} also used by {ids[a.id]}")
            ids[a.id] = p
            check_annotation(a, pr)
    return pr


# ================================================================ pre-annotation
