"""The official labels, their variants and the identities, read from data.

`data/labels.toml` is the one place a label is spelled; this module only
parses it into typed, normalised structures (match strings go through the
same NFKC folding as report text, so a variant written with full-width
punctuation still matches).
"""
from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

DATA_FILE = "labels.toml"


def fold(s: str) -> str:
    """NFKC and no spaces between Chinese characters: the form labels are matched in."""
    s = unicodedata.normalize("NFKC", s)
    return "".join(ch for ch in s if not ch.isspace())


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    match: tuple[str, ...]
    columns: tuple[str, ...] = ()
    ordinal: int | None = None
    outcome: bool = False
    decimal: bool = False
    new_template_only: bool = False


@dataclass(frozen=True)
class Section:
    id: str
    number: int
    title: str
    match: tuple[str, ...]


@dataclass(frozen=True)
class Identity:
    rule: str
    table: str
    per: str
    lhs: tuple[str, ...]
    rhs: tuple[str, ...] | str
    text: str


@dataclass(frozen=True)
class Labels:
    raw: dict[str, Any]
    sections: tuple[Section, ...]
    table2_rows: tuple[Row, ...]
    table2_extra_rows: tuple[Row, ...]
    table2_headers: tuple[str, ...]
    table2_column_labels: dict[str, str]
    table3_rows: tuple[Row, ...]
    table3_groups: tuple[dict[str, Any], ...]
    table3_headers: tuple[str, ...]
    col3: tuple[str, ...]
    col3_labels: tuple[str, ...]
    group4: tuple[str, ...]
    group4_labels: tuple[str, ...]
    col4: tuple[str, ...]
    col4_labels: tuple[str, ...]
    table4_headers: tuple[str, ...]
    zero_marks: tuple[str, ...]
    units: tuple[str, ...]
    identities: tuple[Identity, ...]
    old_template: dict[str, Any] = field(default_factory=dict)

    @property
    def row3(self) -> tuple[str, ...]:
        return tuple(r.key for r in self.table3_rows)

    @property
    def outcome_rows(self) -> tuple[str, ...]:
        return tuple(r.key for r in self.table3_rows if r.outcome)

    @property
    def row2(self) -> dict[str, tuple[str, ...]]:
        return {r.key: r.columns for r in self.table2_rows}


def _row(d: dict[str, Any]) -> Row:
    return Row(
        key=d["key"],
        label=d.get("label", d["key"]),
        match=tuple(dict.fromkeys(fold(m) for m in d.get("match", []))),
        columns=tuple(d.get("columns", ())),
        ordinal=d.get("ordinal"),
        outcome=bool(d.get("outcome", False)),
        decimal=bool(d.get("decimal", False)),
        new_template_only=bool(d.get("new_template_only", False)),
    )


def parse(raw: dict[str, Any]) -> Labels:
    """Build `Labels` from the parsed TOML (kept separate so tests can feed edited data)."""
    t2, t3, t4 = raw["table2"], raw["table3"], raw["table4"]
    return Labels(
        raw=raw,
        sections=tuple(
            Section(s["id"], s["number"], s["title"], tuple(fold(m) for m in s["match"]))
            for s in raw["sections"]
        ),
        table2_rows=tuple(_row(r) for r in t2["rows"]),
        table2_extra_rows=tuple(_row(r) for r in t2.get("extra_rows", [])),
        table2_headers=tuple(t2["headers"]),
        table2_column_labels=dict(t2["columns"]),
        table3_rows=tuple(_row(r) for r in t3["rows"]),
        table3_groups=tuple(
            {**g, "match": tuple(fold(m) for m in g["match"])} for g in t3["groups"]
        ),
        table3_headers=tuple(t3["headers"]),
        col3=tuple(t3["columns"]),
        col3_labels=tuple(t3["column_labels"]),
        group4=tuple(t4["groups"]),
        group4_labels=tuple(t4["group_labels"]),
        col4=tuple(t4["columns"]),
        col4_labels=tuple(t4["column_labels"]),
        table4_headers=tuple(t4["headers"]),
        zero_marks=tuple(unicodedata.normalize("NFKC", z) for z in raw["placeholders"]["zero"]),
        units=tuple(raw["placeholders"]["units"]),
        identities=tuple(
            Identity(
                i["rule"], i["table"], i["per"], tuple(i["lhs"]),
                i["rhs"] if isinstance(i["rhs"], str) else tuple(i["rhs"]), i["text"],
            )
            for i in raw["identities"]
        ),
        old_template=dict(raw["templates"]["t2019"]),
    )


@lru_cache(maxsize=1)
def labels() -> Labels:
    """The shipped label data, parsed once per process."""
    text = resources.files("extractor").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    return parse(tomllib.loads(text))


@lru_cache(maxsize=1)
def outcome_groups() -> dict[str, str]:
    """Which table-3 group (三、本年度办理结果, （三）不予公开 …) each outcome row sits in.

    Derived from the data's row order: unnumbered outcome rows belong to the
    first group; a row numbered 1 opens the next group.
    """
    L = labels()
    groups = L.raw["table3"]["groups"]
    out: dict[str, str] = {}
    gi = 0
    for row in L.table3_rows:
        if not row.outcome:
            continue
        if row.ordinal is None:
            out[row.key] = groups[0]["key"]
        else:
            gi += 1 if row.ordinal == 1 else 0
            out[row.key] = groups[gi]["key"]
    return out


# Convenience constants for the record shape (read from the same data).
def row3() -> tuple[str, ...]:
    return labels().row3


def col3() -> tuple[str, ...]:
    return labels().col3


def col4() -> tuple[str, ...]:
    return labels().col4


def group4() -> tuple[str, ...]:
    return labels().group4
