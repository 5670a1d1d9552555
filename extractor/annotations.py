"""The annotations the table classifier learns from, and their checks.

Format (one JSON file per report: annotations/reports/<id>.json; facts-only
excerpts: annotations/excerpts/<id>.json)
--------------------------------------------------------------------------
```jsonc
{
  "id": "pt014",                        // = the file name without .json
  "text": {"path": "../shared/corpus/reports/pt014.txt",   // relative to the repo root
           "sha256": "b6ef…"},          // of the file's bytes
  "agency": "平潭综合实验区公安局", "year": 2021,
  "tables": {                           // gold, in the corpus gold shape (shared/corpus/README.md)
    "table2": {"rules": {"issued": 0, "repealed": 0, "in_force": 0}, "normative_docs": {…},
               "licensing": 0, "punishment": 141, "coercion": 0, "fees_10k_yuan": 0},
    "table3": {ROW3: [natural_person, commercial, research, social_welfare, legal_service, other, total], …},
    "table4": {GROUP4: [upheld, corrected, other, pending, total], …}
  },
  "agency_error": true,                 // the report's own arithmetic fails (keep the printed numbers)
  "notes": "…",                         // free text for the next person
  "facts": [Fact, …],                   // gold narrative facts, the record's Fact shape (OUTPUT.md)
  "facts_complete": true,               // optional: every fact of the text is listed
  "fragments": [                        // what each label fragment of the tables is
    {"span": [s, e], "label": "table3.partial", "text": "（二）部分公开（区分处理的…）"}, …
  ]
}
```

- Report texts are referenced, never copied: `text.path` is relative to
  the repository root (texts from elsewhere, such as ../shared, stay there;
  an absolute path is allowed for a one-off file).  Spans are code-point
  offsets into the document text (`extractor.load(path).text`, for a .txt
  the decoded file), `text[s:e]` shows what was annotated.
- `tables`: every ROW3 of table 3 with seven values, every table-4 group
  with five, table 2 as the corpus writes it; `null` where the report really
  lacks a cell (the older template).  The identities (`data/labels.toml`)
  must hold unless `agency_error` is true.
- `facts`: {"metric", "channel", "value", "unit", "span", "text", "role",
  "approx", "category"} (+ optional "note"); `metric` is a metric of
  `data/metrics.toml` or "other" (a quantity that is not a spec fact),
  `channel` a channel id or null, `text` = the document text at `span`.
- `fragments`: per line/fragment labels with offsets, one of
  `extractor.model.label_names()`: "table2.<row>" (also the older
  template's "table2.other_services"/"table2.central_procurement"),
  "table3.<ROW3>", "table4.<group>", "table4.header", "header" (table 2/3
  column and block headers, the 勾稽关系 note), "group" (table-3 group
  labels: 三、本年度办理结果, （三）不予公开 …), "noise" (anything else in a
  table: page numbers, stray prose).  A row label's span includes its
  printed ordinal ("2.重复申请").  Fragments never overlap.  Candidate
  fragments that no annotation covers count as "noise" in training, so an
  annotation lists at least the row, header and group fragments.

`check_data()` validates all of it (`extractor check-data`), `prefill()`
writes an annotation from the current extraction for a person to correct
(`extractor annotate FILE`).
"""
from __future__ import annotations

import bisect
import hashlib
import json
import os
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

from extractor.labels import labels

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DIR = REPO / "annotations"
REQUIRED = ("id", "text", "agency", "year", "tables", "agency_error", "notes", "facts", "fragments")
EXCERPT_REQUIRED = ("id", "text", "facts")
OPTIONAL = ("facts_complete", "review")
FACT_KEYS = ("metric", "channel", "value", "unit", "span", "text", "role", "approx", "category")
T2_FLAT = ("licensing", "punishment", "coercion", "fees_10k_yuan")
T2_DOCS = ("rules", "normative_docs")


# ================================================================ vocabulary
@lru_cache(maxsize=1)
def _metrics_data() -> dict[str, Any]:
    return tomllib.loads(resources.files("extractor").joinpath("data", "metrics.toml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def metric_names() -> frozenset[str]:
    """Metric ids a fact may carry: metrics.toml's, and "other" (not a spec fact)."""
    return frozenset([m["id"] for m in _metrics_data().get("metric", [])] + ["other"])


@lru_cache(maxsize=1)
def channel_names() -> frozenset[str]:
    return frozenset(c["id"] for c in _metrics_data().get("channel", []))


def fragment_labels() -> tuple[str, ...]:
    from extractor.model import label_names

    return label_names()


# ================================================================ loading
@dataclass
class Annotation:
    path: Path
    data: dict[str, Any]
    kind: str  # "report" | "excerpt"
    text_path: Path | None = None
    text: str | None = None
    text_note: str | None = None  # why the text is not available

    @property
    def id(self) -> str:
        return self.data.get("id", self.path.stem)


def repo_root(annotations_dir: Path) -> Path:
    """The directory annotation text paths are relative to: the parent of annotations/."""
    return Path(annotations_dir).resolve().parent


def resolve_text(ann_dir: Path, rel: str) -> Path:
    p = Path(rel)
    return p if p.is_absolute() else (repo_root(ann_dir) / p).resolve()


def read_document(path: Path) -> str:
    from extractor.load import load

    doc = load(path)
    if doc.error is not None:
        raise ValueError(f"{path}: {doc.error.message}")
    return doc.text


def load_annotations(ann_dir: Path | str | None = None, *, kinds: Iterable[str] = ("report",),
                     with_text: bool = True) -> list[Annotation]:
    """The annotations under DIR/reports (and DIR/excerpts), sorted by id; texts read when present."""
    d = Path(ann_dir) if ann_dir else DEFAULT_DIR
    out: list[Annotation] = []
    for kind in kinds:
        sub = d / ("reports" if kind == "report" else "excerpts")
        for p in sorted(sub.glob("*.json")):
            a = Annotation(p, json.loads(p.read_text(encoding="utf-8")), kind)
            if with_text:
                _attach_text(d, a)
            out.append(a)
    return out


def _inside(p: Path, root: Path) -> bool:
    try:
        p.relative_to(root)
        return True
    except ValueError:
        return False


def _attach_text(ann_dir: Path, a: Annotation) -> None:
    t = a.data.get("text")
    if not isinstance(t, dict) or not isinstance(t.get("path"), str):
        return
    p = resolve_text(ann_dir, t["path"])
    a.text_path = p
    if not p.exists():
        a.text_note = f"text {t['path']} not present" + (
            " (it lives outside the repository, e.g. ../shared, which is absent here): sha256, offsets and spans not checked"
            if not _inside(p, repo_root(ann_dir)) else "")
        return
    data = p.read_bytes()
    if hashlib.sha256(data).hexdigest() != t.get("sha256"):
        a.text_note = f"sha256 of {t['path']} does not match the annotation"
        return
    a.text = read_document(p)


# What the table classifier learns from (facts are the facts model's: editing them does not stale it).
TABLE_KEYS = ("id", "text", "tables", "agency_error", "fragments")


def annotations_sha256(anns: Iterable[Annotation], keys: tuple[str, ...] = TABLE_KEYS) -> str:
    """One hash over the annotations' `keys` (by id): what a model says it was trained on."""
    h = hashlib.sha256()
    for a in sorted(anns, key=lambda a: (a.kind, a.id)):
        part = {k: a.data.get(k) for k in keys}
        h.update(f"{a.kind}/{a.path.name}\0".encode())
        h.update(json.dumps(part, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return h.hexdigest()


# ================================================================ gold tables
def table_identity_failures(tables: dict[str, Any]) -> list[str]:
    """The identities a gold table breaks (null counts as 0; an all-null identity is skipped)."""
    L = labels()
    t3 = tables.get("table3") or {}
    t4 = tables.get("table4") or {}
    col3 = list(L.col3)
    fails: list[str] = []

    def val(row: str, col: str) -> Any:
        vals = t3.get(row)
        return None if not vals else vals[col3.index(col)]

    def check(rule: str, lhs: list, rhs: list) -> None:
        if all(v is None for v in lhs + rhs):
            return
        a, b = sum(v or 0 for v in lhs), sum(v or 0 for v in rhs)
        if abs(a - b) > 1e-9:
            fails.append(f"{rule}: {a:g} ≠ {b:g}")

    for ident in L.identities:
        if ident.table == "table3" and ident.per == "row":
            for r in L.row3:
                if r in t3:
                    check(f"{ident.rule}.{r}", [val(r, c) for c in ident.lhs], [val(r, c) for c in ident.rhs])
        elif ident.table == "table3" and ident.per == "column":
            rhs_rows = L.outcome_rows if ident.rhs == "outcomes" else ident.rhs
            for c in col3:
                check(f"{ident.rule}.{c}", [val(r, c) for r in ident.lhs], [val(r, c) for r in rhs_rows])
        elif ident.table == "table4":
            for g in L.group4:
                vals = t4.get(g)
                if vals:
                    get = dict(zip(L.col4, vals))
                    check(f"{ident.rule}.{g}", [get[c] for c in ident.lhs], [get[c] for c in ident.rhs])
    return fails


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
    if d.get("id") != a.path.stem:
        pr.error(where, f"id {d.get('id')!r} is not the file name {a.path.stem!r}")
    t = d.get("text")
    if not (isinstance(t, dict) and isinstance(t.get("path"), str) and isinstance(t.get("sha256"), str)
            and len(t.get("sha256", "")) == 64):
        pr.error(where, "text must be {path, sha256} (sha256: 64 hex digits)")
    elif a.text is None:
        if a.text_note and "does not match" in a.text_note:
            pr.error(where, a.text_note)
        elif a.text_path is not None and _inside(a.text_path, repo_root(a.path.parents[1])):
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
    metrics, channels = metric_names(), channel_names()
    for i, f in enumerate(facts):
        fw = f"{where} facts[{i}]"
        if not isinstance(f, dict):
            pr.error(fw, "not an object")
            continue
        for k in ("metric", "value", "span"):
            if k not in f:
                pr.error(fw, f"missing {k!r}")
        for k in f:
            if k not in FACT_KEYS and k != "note":
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

    # --- fragments
    frs = d.get("fragments", [])
    if not isinstance(frs, list):
        pr.error(where, "fragments must be a list")
        frs = []
    known_labels = set(fragment_labels())
    spans = []
    for i, f in enumerate(frs):
        fw = f"{where} fragments[{i}]"
        if not isinstance(f, dict) or "span" not in f or "label" not in f:
            pr.error(fw, "must be {span, label[, text]}")
            continue
        if f["label"] not in known_labels:
            pr.error(fw, f"unknown label {f['label']!r}")
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
    pr.checked += 1


def check_data(ann_dir: Path | str | None = None) -> Problems:
    """Validate every annotation under DIR (reports and excerpts)."""
    d = Path(ann_dir) if ann_dir else DEFAULT_DIR
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
                _attach_text(d, a)
            except Exception as e:
                pr.error(str(p), f"text unreadable ({type(e).__name__}: {e})")
            if a.id in ids:
                pr.error(str(p), f"id {a.id!r} also used by {ids[a.id]}")
            ids[a.id] = p
            check_annotation(a, pr)
    return pr


# ================================================================ pre-annotation
def gold_shape(tables: dict[str, Any]) -> dict[str, Any]:
    """Record tables (cells) in the corpus gold shape."""
    L = labels()
    t2r = tables["table2"]
    t2: dict[str, Any] = {}
    for r in L.table2_rows:
        vals = {c: t2r[r.key][c]["value"] for c in r.columns}
        key = "fees_10k_yuan" if r.key == "fees" else r.key
        t2[key] = vals if len(r.columns) > 1 else vals[r.columns[0]]
    return {
        "table2": t2,
        "table3": {r: [tables["table3"][r][c]["value"] for c in L.col3] for r in L.row3},
        "table4": {g: [tables["table4"][g][c]["value"] for c in L.col4] for g in L.group4},
    }


def _to_norm(norm, s: int) -> int:
    return bisect.bisect_left(norm.offsets, s)


def label_fragments(text: str, calls: list[dict] | None = None) -> list[dict]:
    """Label every candidate fragment of the tables of `text` from its row anchors.

    `calls` are the anchors `model.capture` recorded while extracting `text`
    (extracted here when not given).  Fragments over a row anchor take its
    row; header/group furniture its kind; a bare ordinal ("(三)") the label
    of the fragment it introduces; the rest is noise.
    """
    from extractor import model as M
    from extractor.normalize import normalize
    from extractor.pipeline import extract
    from extractor.sections import find_sections
    from extractor.tables import regions

    if calls is None:
        with M.capture() as cap:
            extract(text)
        calls = cap.calls
    norm = normalize(text)
    regs = regions(norm.text, find_sections(norm.text))
    out: list[dict] = []
    for table in ("table2", "table3", "table4"):
        reg = regs.get(table)
        if not reg:
            continue
        frags = M.segment(norm.text, table, reg[0], reg[1])
        anchors = [a for c in calls if c["table"] == table for a in c["anchors"]]
        labs: list[str] = []
        head_rx = M._furniture_rx(table)[0]
        for f in frags:
            lab = "noise"
            # The fragment holding the end of the matched label is the row's
            # (an anchor may reach back over a header before it).
            hit = [a for a in anchors if f.start < a[2] <= f.end]
            header = bool(f.furniture) or bool(head_rx and head_rx.fullmatch(f.text.replace(" ", "")))
            if hit:
                lab = f"{table}.{hit[0][0]}"
            elif table == "table4":
                k = M.exact_key(M.Fragment(f.start, f.end, f.text, table))
                lab = k if k.startswith("table4.") else ("table4.header" if header else "noise")
            elif f.furniture:
                lab = f.furniture
            elif header:
                lab = "header"
            labs.append(lab)
        for i, f in enumerate(frags):
            if not f.core and i + 1 < len(frags) and labs[i + 1] != "noise" and labs[i] == "noise":
                labs[i] = labs[i + 1]
        for f, lab in zip(frags, labs):
            s, e = norm.to_source(f.anchor_start(), f.end)
            out.append({"span": [s, e], "label": lab, "text": text[s:e]})
    out.sort(key=lambda x: x["span"][0])
    kept: list[dict] = []
    for fr in out:  # regions never overlap, but be safe
        if kept and fr["span"][0] < kept[-1]["span"][1]:
            continue
        kept.append(fr)
    return kept


def prefill(path: Path | str, *, root: Path | None = None, id: str | None = None) -> dict[str, Any]:
    """An annotation of the report at `path`, pre-filled from the current extraction.

    `root`: the directory the text path is written relative to (the repo);
    `id`: the annotation id (default: the file name without suffix).
    """
    from extractor import model as M
    from extractor.load import load
    from extractor.pipeline import extract_document

    path = Path(path).resolve()
    root = (root or REPO).resolve()
    doc = load(path)
    if doc.error is not None:
        raise ValueError(f"{path}: {doc.error.message}")
    with M.capture() as cap:
        rec = extract_document(doc).to_dict()
    facts = [{k: f.get(k) for k in FACT_KEYS} for f in rec.get("facts", [])]
    agency_error = any(c.get("cause") == "agency" for c in rec.get("checks", []) if not c["ok"])
    low = sorted(f"{t}.{r}.{c}" for t, rows in rec["tables"].items() for r, cols in rows.items()
                 for c, cell in cols.items() if cell["value"] is not None and cell["confidence"] < 0.9)
    review = [f"check cell {x} (confidence below 0.9)" for x in low[:40]]
    review += [f"issue {i['code']}: {i['message']}" for i in rec.get("issues", [])][:20]
    meta = rec.get("meta", {})
    return {
        "id": id or path.stem,
        "text": {"path": os.path.relpath(path, root), "sha256": doc.sha256},
        "agency": (meta.get("agency") or {}).get("value"),
        "year": (meta.get("year") or {}).get("value"),
        "tables": gold_shape(rec["tables"]),
        "agency_error": agency_error,
        "notes": "pre-filled by `extractor annotate` from the current extraction: correct tables, facts and fragments, then delete `review`",
        "facts": facts,
        "fragments": label_fragments(doc.text, cap.calls),
        "review": review,
    }


def _dump(v: Any, ind: int, key: str | None = None) -> str:
    pad, inner = " " * ind, " " * (ind + 1)
    one = lambda x: json.dumps(x, ensure_ascii=False)  # noqa: E731
    if isinstance(v, list) and all(not isinstance(x, (dict, list)) for x in v):
        return one(v)
    if isinstance(v, dict) and key == "fragments[]":
        return one(v)
    if isinstance(v, list):
        if not v:
            return "[]"
        sub = "fragments[]" if key == "fragments" else None
        return "[\n" + ",\n".join(inner + _dump(x, ind + 1, sub) for x in v) + "\n" + pad + "]"
    if isinstance(v, dict):
        if not v:
            return "{}"
        return "{\n" + ",\n".join(f"{inner}{one(k)}: {_dump(x, ind + 1, k)}" for k, x in v.items()) + "\n" + pad + "}"
    return one(v)


def dumps(ann: dict[str, Any]) -> str:
    """An annotation as written to disk: indent 1, value lists on one line, one fragment a line."""
    return _dump(ann, 0) + "\n"


def write_fragments(path: Path, fragments: list[dict]) -> None:
    """Replace only the "fragments" of an annotation file (other keys are other people's)."""
    d = json.loads(Path(path).read_text(encoding="utf-8"))
    d["fragments"] = fragments
    Path(path).write_text(dumps(d), encoding="utf-8")
