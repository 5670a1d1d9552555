"""The indicators' definitions, read from data (`data/indicators.toml`).

INDICATORS.md fixes the names and formulas; the data spells them as lists
of cell terms, so the computation (`extractor.indicators`), the panel's
columns and its data dictionary all read one definition.  A term resolves
here to the record cells it adds up ("t3.sum:denied" to the eight denied
rows, through the label view's outcome groups), once.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache

from extractor.spec import data_text
from extractor.spec.labels import labels

DATA_FILE = "indicators.toml"
_TABLES = {"t2": "table2", "t3": "table3", "t4": "table4"}
TOTAL = "total"

Cell = tuple[str, str, str]  # (table, row, col) of a record


@dataclass(frozen=True)
class Indicator:
    name: str
    kind: str  # "count" | "rate" | "yoy"
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]
    of: str | None
    zh: str
    en: str

    @property
    def formula(self) -> str:
        """The formula as the data dictionary prints it."""
        if self.kind == "yoy":
            return f"({self.of} - previous year's {self.of}) / previous year's {self.of}"
        num = " + ".join(self.numerator)
        if self.kind == "count":
            return num
        den = " + ".join(self.denominator)
        wrap = lambda s, terms: f"({s})" if len(terms) > 1 else s  # noqa: E731
        return f"{wrap(num, self.numerator)} / {wrap(den, self.denominator)}"


@dataclass(frozen=True)
class Definitions:
    indicators: tuple[Indicator, ...]
    decimals: int

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(i.name for i in self.indicators)

    def get(self, name: str) -> Indicator:
        return next(i for i in self.indicators if i.name == name)


@lru_cache(maxsize=None)
def cells_of(term: str) -> tuple[Cell, ...]:
    """The record cells one term adds up (ValueError for a term that names no cell).

    Remembered: every record's indicators ask it for the same few dozen terms.
    """
    prefix, _, rest = term.partition(".")
    table = _TABLES.get(prefix)
    if table is None or not rest:
        raise ValueError(f"indicator term {term!r}: must start with t2., t3. or t4.")
    lab = labels()
    if rest.startswith("sum:"):
        group = rest.removeprefix("sum:")
        rows = tuple(r for r, g in lab.outcome_groups.items() if g == group)
        if table != "table3" or not rows:
            raise ValueError(f"indicator term {term!r}: no table-3 group {group!r}")
        return tuple((table, r, TOTAL) for r in rows)
    row, _, col = rest.partition(".")
    col = col or TOTAL
    known = {"table2": lab.row2, "table3": {r: lab.col3 for r in lab.row3},
             "table4": {g: lab.col4 for g in lab.group4}}[table]
    if col not in known.get(row, ()):
        raise ValueError(f"indicator term {term!r}: no cell {table}.{row}.{col}")
    return ((table, row, col),)


def parse(raw: dict) -> Definitions:
    """Definitions from the parsed TOML, every term checked against the labels."""
    out = []
    for d in raw["indicator"]:
        ind = Indicator(d["name"], d["kind"], tuple(d.get("numerator", ())), tuple(d.get("denominator", ())),
                        d.get("of"), d["zh"], d["en"])
        for term in ind.numerator + ind.denominator:
            cells_of(term)
        out.append(ind)
    return Definitions(tuple(out), int(raw["decimals"]))


@lru_cache(maxsize=1)
def definitions() -> Definitions:
    """The shipped indicator definitions, parsed once per process."""
    return parse(tomllib.loads(data_text(DATA_FILE)))
