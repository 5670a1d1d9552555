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
  "uncertain": ["table2.normative_docs.issued"],  // optional: gold cells that rest on plausibility or a
                                        // year chain, not on the printed text (the prior does not learn them)
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
  "approx", "category"} (+ optional FACT_EXTRA_KEYS); `metric` is a metric of
  `data/metrics.toml` or "other" (a quantity that is not a spec fact),
  `channel` a channel id or null, `text` = the document text at `span`.
- `fragments`: per line/fragment labels with offsets, one of
  `extractor.classify.rows.fragments.label_names()`: "table2.<row>" (also the older
  template's "table2.other_services"/"table2.central_procurement"),
  "table3.<ROW3>", "table4.<group>", "table4.header", "header" (table 2/3
  column and block headers, the 勾稽关系 note), "group" (table-3 group
  labels: 三、本年度办理结果, （三）不予公开 …), "noise" (anything else in a
  table: page numbers, stray prose).  A row label's span includes its
  printed ordinal ("2.重复申请").  Fragments never overlap.  Candidate
  fragments that no annotation covers count as "noise" in training, so an
  annotation lists at least the row, header and group fragments.
- A fragment may say where it stands (`form`, one of `FRAGMENT_FORMS`):
  the generator's converter layouts (`training.generate.converter`) write
  it beside each label fragment they print, since they know which row a
  piece came from and where they moved it ("displaced": a label printed
  after another row's values; "broken_header"/"broken_label": a piece of
  a header or label broken over cells or lines; "group_cell": a group
  label in a cell of its own; "vertical": one character a line;
  "invented_header": a row label inside a header an OCR model made up;
  "generic_header": 数据1 …; "intact").  Training scores the classifier
  per form (`train.form_metrics`); a person annotating need not write it.

`training.check.check_data` validates all of it (`extractor check-data`);
`training.prefill.prefill` writes an annotation from the current
extraction for a person to correct (`extractor annotate FILE`).  This
module is the one loader (`load_annotations`) and the one writer
(`write_annotation`, `dumps`) of the format.  The bundled samples are read
into the same shape, as annotations of kind "sample", by `training.trainset`.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from extractor import config
from extractor.input.load import load

REQUIRED = ("id", "text", "agency", "year", "tables", "agency_error", "notes", "facts", "fragments")
EXCERPT_REQUIRED = ("id", "text", "facts")
OPTIONAL = ("facts_complete", "review", "uncertain")
FACT_KEYS = ("metric", "channel", "value", "unit", "span", "text", "role", "approx", "category")
# Optional on a fact: a note for people; from the corpus gold, `distractor` (a number that is no fact and must never be
# tagged as one), `implicit_metric` (a zero stated without a numeral: a tagger may emit it or not) and `as_written`.
FACT_EXTRA_KEYS = ("note", "distractor", "implicit_metric", "as_written")
FRAGMENT_KEYS = ("span", "label", "text", "form")
FRAGMENT_FORMS = ("intact", "displaced", "broken_header", "broken_label", "group_cell", "vertical",
                  "invented_header", "generic_header")
KIND_DIRS = {"report": "reports", "excerpt": "excerpts"}
SAMPLE = "sample"  # the kind of a bundled sample read as an annotation (never a file under annotations/)
# What each model learns from: a model's meta records the hash of these keys of the annotations it read.
TABLE_KEYS = ("id", "text", "tables", "agency_error", "fragments")
FACTS_KEYS = ("id", "text", "facts", "facts_complete")


def default_dir() -> Path:
    """The annotations directory as configured (`extractor.config`)."""
    return config.annotations_dir()


@dataclass
class Annotation:
    path: Path
    data: dict[str, Any]
    kind: str  # "report" | "excerpt" | "sample"
    text_path: Path | None = None
    text: str | None = None
    text_note: str | None = None  # why the text is not available

    @property
    def id(self) -> str:
        return self.data.get("id", self.path.stem)

    @property
    def text_absent(self) -> bool:
        """The text is not on this machine (e.g. ../shared is not beside the clone), as opposed to unreadable
        or changed since it was annotated: only an absent text lets the bundled samples stand in."""
        return self.text is None and self.text_path is not None and not self.text_path.exists()


def repo_root(annotations_dir: Path) -> Path:
    """The directory annotation text paths are relative to: the parent of annotations/."""
    return Path(annotations_dir).resolve().parent


def resolve_text(ann_dir: Path, rel: str) -> Path:
    p = Path(rel)
    return p if p.is_absolute() else (repo_root(ann_dir) / p).resolve()


def read_document(path: Path) -> str:
    """The document text spans index into (CRLF, GB18030, HTML rendered as the extractor reads it)."""
    doc = load(path)
    if doc.error is not None:
        raise ValueError(f"{path}: {doc.error.message}")
    return doc.text


def load_annotations(ann_dir: Path | str | None = None, *, kinds: Iterable[str] = ("report",),
                     with_text: bool = True) -> list[Annotation]:
    """The annotations under DIR/reports (and DIR/excerpts), sorted by id; texts read when present."""
    d = Path(ann_dir) if ann_dir else default_dir()
    out: list[Annotation] = []
    for kind in kinds:
        sub = d / KIND_DIRS[kind]
        for p in sorted(sub.glob("*.json")):
            a = Annotation(p, json.loads(p.read_text(encoding="utf-8")), kind)
            if with_text:
                try:
                    attach_text(d, a)
                except ValueError as e:  # the text is there but cannot be read
                    a.text_note = str(e)
            out.append(a)
    return out


def inside(p: Path, root: Path) -> bool:
    try:
        p.relative_to(root)
        return True
    except ValueError:
        return False


def attach_text(ann_dir: Path, a: Annotation) -> None:
    t = a.data.get("text")
    if not isinstance(t, dict) or not isinstance(t.get("path"), str):
        return
    p = resolve_text(ann_dir, t["path"])
    a.text_path = p
    if not p.exists():
        a.text_note = f"text {t['path']} not present" + (
            " (it lives outside the repository, e.g. ../shared, which is absent here): sha256, offsets and spans not checked"
            if not inside(p, repo_root(ann_dir)) else "")
        return
    data = p.read_bytes()
    if hashlib.sha256(data).hexdigest() != t.get("sha256"):
        a.text_note = f"sha256 of {t['path']} does not match the annotation"
        return
    a.text = read_document(p)



def annotations_sha256(anns: Iterable[Annotation], keys: tuple[str, ...] = TABLE_KEYS) -> str:
    """One hash over the annotations' `keys` (by kind and file name): what a model says it was trained on."""
    h = hashlib.sha256()
    for a in sorted(anns, key=lambda a: (a.kind, a.id)):
        part = {k: a.data.get(k) for k in keys}
        h.update(f"{a.kind}/{a.path.name}\0".encode())
        h.update(json.dumps(part, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return h.hexdigest()


def has_facts(a: Annotation) -> bool:
    """Annotated with a complete fact list: an excerpt marked `facts_complete`, or a report with facts.

    A report annotation whose `facts` is still empty is not taken (an empty
    list there means "not annotated yet", not "no facts").
    """
    return isinstance(a.data.get("facts"), list) and bool(a.data.get("facts_complete") or a.data["facts"])


# ================================================================ writing
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


def text_ref(text_path: Path, root: Path) -> str:
    """A text path as annotations write it: relative to `root` when under it, else absolute.

    For the project's own annotations (`root` is their repository) a text
    beside it (../shared) is written relative too, like the shipped ones.
    """
    p = Path(text_path).resolve()
    root = Path(root).resolve()
    try:
        return p.relative_to(root).as_posix()
    except ValueError:
        if root == repo_root(default_dir()):
            rel = os.path.relpath(p, root)
            if not rel.startswith("../.."):
                return Path(rel).as_posix()
        return str(p)


def write_annotation(ann: dict[str, Any], annotation_dir: str | os.PathLike, kind: str = "report") -> Path:
    """Write an annotation to DIR/reports (or excerpts)/<id>.json, atomically, in the `dumps` layout.

    The text path is re-based for DIR: relative to DIR's parent (the
    repository for `annotations/`) when the text is under it or beside it,
    else absolute, so the annotation resolves wherever it is saved.  A
    relative path in `ann` is read as relative to the current annotations'
    repository (`default_dir().parent`).
    """
    d = Path(annotation_dir)
    out_ann = dict(ann)
    text = out_ann.get("text")
    if isinstance(text, dict) and isinstance(text.get("path"), str):
        p = Path(text["path"])
        src = p if p.is_absolute() else (repo_root(default_dir()) / p).resolve()
        out_ann["text"] = {**text, "path": text_ref(src, repo_root(d))}
    out = d / KIND_DIRS[kind] / f"{out_ann['id']}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".json.tmp")
    tmp.write_text(dumps(out_ann), encoding="utf-8")
    os.replace(tmp, out)
    return out
