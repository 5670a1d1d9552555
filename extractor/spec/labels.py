"""The official labels, their variants and the identities, read from data.

`data/labels.toml` is the one place a label is spelled; this module only
parses it into typed, normalised structures (match strings go through the
same NFKC folding as report text, so a variant written with full-width
punctuation still matches).  Facts derived from the labels (which group an
outcome row sits in, the table-3 balance, a table-2 row's printed width in
either template) are properties of the view, derived once, so no stage
re-derives them from row keys.
"""
from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from extractor.spec import data_text

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
    width: int | None = None  # printed cells of a row the record does not keep (older template rows)


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
class Balance:
    """Table 3's column identities as the solver uses them.

    `total` = the sum of the outcome rows; `lhs` summed = `total` plus `rhs`
    summed (新收 + 上年结转 = 总计 + 结转下年度).
    """

    total: str
    lhs: tuple[str, ...]
    rhs: tuple[str, ...]  # without `total`


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

    def starts(self, table: str) -> tuple[str, ...]:
        """The words a table's region starts at (`tables.regions`)."""
        return tuple(self.raw[table]["starts"])

    @cached_property
    def table3_group_matches(self) -> tuple[str, ...]:
        """Every printed form of a table-3 group label, in data order."""
        return tuple(m for g in self.table3_groups for m in g["match"])

    @cached_property
    def outcome_groups(self) -> dict[str, str]:
        """Which table-3 group (三、本年度办理结果, （三）不予公开 …) each outcome row sits in.

        Derived from the data's row order: unnumbered outcome rows belong to
        the first group; a row numbered 1 opens the next group.
        """
        groups = self.raw["table3"]["groups"]
        out: dict[str, str] = {}
        gi = 0
        for row in self.table3_rows:
            if not row.outcome:
                continue
            if row.ordinal is None:
                out[row.key] = groups[0]["key"]
            else:
                gi += 1 if row.ordinal == 1 else 0
                out[row.key] = groups[gi]["key"]
        return out

    @cached_property
    def balance(self) -> Balance:
        """Table 3's balance and outcome identities, from `identities`."""
        cols = [i for i in self.identities if i.table == "table3" and i.per == "column"]
        outcomes = next(i for i in cols if i.rhs == "outcomes")
        total = outcomes.lhs[0]
        bal = next(i for i in cols if i.rhs != "outcomes" and total in i.rhs)
        return Balance(total, tuple(bal.lhs), tuple(r for r in bal.rhs if r != total))

    @cached_property
    def table2_order(self) -> tuple[Row, ...]:
        """Table 2's rows in printed order, the older template's extra rows included."""
        by = {r.key: r for r in self.table2_rows + self.table2_extra_rows}
        return tuple(by[k] for k in self.raw["table2"]["order"] if k in by)

    def table2_columns(self, row: Row, template: str) -> list[str | None]:
        """Which record column each printed column of a table-2 row goes to (None: not kept)."""
        if template == "2019":
            printed = self.old_template[self.old_template["row_columns"][row.key]]
            return [c if c in row.columns else None for c in printed]
        return list(row.columns) if row.columns else [None] * (row.width or 0)


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
        width=d.get("width"),
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
    return parse(tomllib.loads(data_text(DATA_FILE)))
