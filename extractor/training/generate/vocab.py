"""The label data arranged the way the renderer walks it.

The renderer reads every printed word from `extractor.spec.labels`; this
module does the walk (table-2 blocks, table-3 groups, the older template's
headers) once per process instead of once per report, because training
renders thousands of reports.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from extractor.spec.labels import Row, labels


@dataclass(frozen=True)
class Vocab:
    """Printed words and row orders, keyed as the table writers ask for them."""
    title_suffix: str
    sections: tuple[tuple[str, str, tuple[str, ...]], ...]
    t2_blocks: tuple[tuple[str, tuple[Row, ...]], ...]
    t2_col_labels: dict[str, str]
    t2_content: str
    t2019: dict
    old_normative: str
    extra_labels: dict[str, str]
    t3_rows: tuple[Row, ...]
    t3_group_of: dict[str, str]
    t3_group_label: dict[str, str]
    t3_old_row: dict[str, str]
    outcome_total: str
    t3_note: str
    t3_applicant: str
    t3_legal: str
    col3_labels: tuple[str, ...]
    t4_top: tuple[str, ...]
    t4_sub: tuple[str, ...]
    col4_labels: tuple[str, ...]
    zero_marks: tuple[str, ...]
    units: tuple[str, ...]
    outcome_rows: tuple[str, ...]
    new_only_rows: tuple[str, ...]


@lru_cache(maxsize=1)
def vocab() -> Vocab:
    """Arrange `labels()` for rendering; cached because the walk is the same for every report."""
    spec = labels()
    raw = spec.raw
    rnd = raw["render"]
    sec_var = rnd.get("section_variants", {})
    sections = tuple((s.id, s.title, tuple(sec_var.get(s.id, [s.title]))) for s in spec.sections)

    blocks: list[tuple[str, list[Row]]] = []
    for rrow, row in zip(raw["table2"]["rows"], spec.table2_rows):
        if not blocks or blocks[-1][0] != rrow["group"]:
            blocks.append((rrow["group"], []))
        blocks[-1][1].append(row)
    norm = next(r for r in raw["table2"]["rows"] if r["key"] == "normative_docs")
    old_norm = next((m for m in norm["match"] if m != norm["label"]), norm["label"])
    extras = {r["key"]: r["match"][0] for r in raw["table2"].get("extra_rows", [])}

    groups = raw["table3"]["groups"]
    group_label = {g["key"]: g["match"][0] for g in groups}
    old_row = {g["old_template_row"]: g["key"] for g in groups if "old_template_row" in g}

    splits = [lab.split("·") for lab in spec.group4_labels]
    t4_top = tuple(dict.fromkeys(s[0] for s in splits))
    t4_sub = tuple(s[1] for s in splits if len(s) > 1)
    return Vocab(
        title_suffix=rnd["report_title"],
        sections=sections,
        t2_blocks=tuple((g, tuple(rs)) for g, rs in blocks),
        t2_col_labels=dict(spec.table2_column_labels),
        t2_content=rnd["table2_content_header"],
        t2019=dict(rnd["t2019"]),
        old_normative=old_norm,
        extra_labels=extras,
        t3_rows=spec.table3_rows,
        t3_group_of=spec.outcome_groups,
        t3_group_label=group_label,
        t3_old_row=old_row,
        outcome_total=spec.balance.total,
        t3_note=rnd["table3_note"],
        t3_applicant=rnd["table3_applicant_header"],
        t3_legal=rnd["table3_legal_person_header"],
        col3_labels=spec.col3_labels,
        t4_top=t4_top,
        t4_sub=t4_sub,
        col4_labels=spec.col4_labels,
        zero_marks=tuple(raw["placeholders"]["zero"]),
        units=tuple(raw["placeholders"]["units"]),
        outcome_rows=spec.outcome_rows,
        new_only_rows=tuple(r.key for r in spec.table3_rows if r.new_template_only),
    )
