"""Label Studio as a review tool: records out as pre-annotated tasks, reviewed tasks back in as annotations.

Teams that review in Label Studio get one task per report: the document
text, the record (carried in the task, so the import needs nothing else),
and a prediction whose regions are the record's cells (label
`table.row.col`) and facts (label = metric), each with the value read (a
per-region text box) and its confidence as the region's score.  Tasks and
regions come least certain first, so a reviewer starts where a person is
needed.  The import reads what the reviewer left (the last annotation of a
task): a region kept as it was accepts the reading, a changed value or
label corrects it, a fact region deleted or relabelled `other` rejects the
fact; then the reviewed record becomes an annotation through the one path
the review notebook uses (`decisions` -> `annotate.to_annotation`), which
`extractor check-data` accepts.  Cells and facts the reviewer did not touch
(or that had no place in the text) keep the machine's reading and stay on
the annotation's to-do list.
"""
from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any, Iterable

from extractor.review.annotate import save_annotation, to_annotation
from extractor.review.decisions import (accept_cell, accept_fact, apply_correction, correct_fact, parse_value,
                                        reject_fact)
from extractor.review.frames import record_cells, resolve_source, source_text
from extractor.spec.metrics import OTHER, metric_ids

MODEL_VERSION = "extractor"
CELL, FACT, VALUE, TEXT = "cell", "fact", "value", "text"


def label_config(records: Iterable[dict[str, Any]] = ()) -> str:
    """The Label Studio labelling interface the tasks are made for (cell names, fact metrics, a value box)."""
    cells = sorted({f"{t}.{r}.{c}" for rec in records for t, r, c, _ in record_cells(rec)})
    metrics = sorted(metric_ids() | {OTHER})
    lab = lambda names: "".join(f'<Label value="{escape(n)}"/>' for n in names)  # noqa: E731
    return (f'<View><Labels name="{CELL}" toName="{TEXT}">{lab(cells)}</Labels>'
            f'<Labels name="{FACT}" toName="{TEXT}">{lab(metrics)}</Labels>'
            f'<Text name="{TEXT}" value="${TEXT}"/>'
            f'<TextArea name="{VALUE}" toName="{TEXT}" perRegion="true" editable="true" maxSubmissions="1"/></View>')


def _region(rid: str, control: str, label: str, span: list[int], text: str, value: Any, score: float) -> list[dict]:
    where = {"start": span[0], "end": span[1], "text": text[span[0]:span[1]]}
    return [{"id": rid, "from_name": control, "to_name": TEXT, "type": "labels", "score": score,
             "value": {**where, "labels": [label]}},
            {"id": rid, "from_name": VALUE, "to_name": TEXT, "type": "textarea",
             "value": {**where, "text": ["" if value is None else str(value)]}}]


def to_task(record: dict[str, Any], text: str) -> dict[str, Any]:
    """One report as a task with its pre-annotations, least certain region first."""
    regions: list[tuple[float, list[dict]]] = []
    for t, r, c, cell in record_cells(record):
        span = cell.get("span") or cell.get("raw_span")
        if span:
            score = float(cell.get("confidence") or 0.0)
            regions.append((score, _region(f"{t}.{r}.{c}", CELL, f"{t}.{r}.{c}", span, text, cell.get("value"), score)))
    for i, f in enumerate(record.get("facts") or []):
        if f.get("span"):
            score = float(f.get("confidence") or 0.0)
            regions.append((score, _region(f"f{i}", FACT, f["metric"], f["span"], text, f.get("value"), score)))
    regions.sort(key=lambda x: x[0])
    src = record.get("source") or {}
    return {"data": {TEXT: text, "path": src.get("path"), "sha256": src.get("sha256"), "record": record},
            "predictions": [{"model_version": MODEL_VERSION, "score": record.get("confidence"),
                             "result": [item for _, items in regions for item in items]}]}


def export_tasks(records: Iterable[dict[str, Any]], out: str | Path, base: str | Path | None = None) -> int:
    """Write the tasks of every readable record (least certain report first) as Label Studio JSON; returns how many.

    The labelling interface goes beside it (`<out>.config.xml`).
    """
    recs = sorted((r for r in records if not r.get("error")), key=lambda r: (r.get("confidence") or 0.0))
    tasks = [to_task(r, source_text(r, base)) for r in recs]
    out = Path(out)
    out.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    out.with_name(out.name + ".config.xml").write_text(label_config(recs), encoding="utf-8")
    return len(tasks)


def _regions(result: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Region id -> {"control", "label", "value"} from an annotation's result items."""
    out: dict[str, dict[str, Any]] = {}
    for item in result:
        reg = out.setdefault(item.get("id"), {})
        v = item.get("value") or {}
        if item.get("type") == "labels" and v.get("labels"):
            reg.update(control=item.get("from_name"), label=v["labels"][0], text=v.get("text"))
        elif item.get("type") == "textarea":
            reg["value"] = (v.get("text") or [""])[0]
    return out


def reviewed_record(task: dict[str, Any]) -> dict[str, Any]:
    """The task's record with the reviewer's last annotation applied as a person's decisions."""
    rec = task["data"]["record"]
    annotations = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
    if not annotations:
        return rec
    regions = _regions(annotations[-1].get("result") or [])
    for rid, reg in regions.items():
        if reg.get("control") != CELL or rid != reg.get("label"):
            continue
        t, r, c = rid.split(".")
        value = parse_value(reg.get("value", reg.get("text")))
        same = value == rec["tables"][t][r][c].get("value")
        rec = accept_cell(rec, t, r, c) if same else apply_correction(rec, t, r, c, value)
    for i, f in enumerate(rec.get("facts") or []):
        reg = regions.get(f"f{i}")
        if not f.get("span"):
            continue
        if reg is None or reg.get("label") == OTHER:
            rec = reject_fact(rec, i)
            continue
        value = parse_value(reg.get("value", reg.get("text")))
        changes = {k: v for k, v in (("metric", reg.get("label")), ("value", value)) if v != f.get(k)}
        rec = correct_fact(rec, i, **changes) if changes else accept_fact(rec, i)
    return rec


def import_tasks(tasks_file: str | Path, annotation_dir: str | Path, base: str | Path | None = None,
                 reviewer: str | None = None) -> list[Path]:
    """Every reviewed task of a Label Studio export saved as an annotation under DIR/reports/; returns the files."""
    tasks = json.loads(Path(tasks_file).read_text(encoding="utf-8"))
    written = []
    for task in tasks:
        if not task.get("annotations"):
            continue
        rec = reviewed_record(task)
        ann = to_annotation(rec, resolve_source(rec, base), reviewer=reviewer)
        written.append(save_annotation(ann, annotation_dir))
    return written
