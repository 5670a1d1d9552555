"""Where an agency sits: province, prefecture-level city and county from its name, by the gazetteer.

`data/gazetteer.csv` (generated from a PyPI package's division data, see
`data/gazetteer.toml` for the source and licence) lists every division with
its common short names; this view only matches.  An agency name is read
from its start as [province][city][county] (each optional, each looked up
among the divisions under the one before, full names before short ones,
the longest first), so 新乡市公安局 is 河南省/新乡市 and 临夏州公安局 is
甘肃省/临夏回族自治州.  Without a province or city before it, a county
is taken only by a full name that is unique in the country.  After a city,
a county may also stand later in the name in its short form followed by a
marker (宁波市公安局镇海分局).  What is left of the name is the kind of
body (公安局), which the hierarchy check pairs parents and children by.
"""
from __future__ import annotations

import csv
import io
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache

from extractor.spec import data_text

LEVELS = ("province", "city", "county")


def fold(s: str) -> str:
    """NFKC without whitespace: the form names are matched in."""
    return "".join(unicodedata.normalize("NFKC", s).split())


@dataclass(frozen=True)
class Division:
    code: str
    level: str
    name: str
    parent: str
    short: tuple[str, ...]
    former: bool


@dataclass(frozen=True)
class Place:
    """An agency's place: official names (None where the name does not say), its division and body kind."""

    province: str | None = None
    city: str | None = None
    county: str | None = None
    code: str | None = None  # the most specific division named
    kind: str = ""  # the rest of the name: the kind of body (公安局), "" for the region itself


class Gazetteer:
    def __init__(self, divisions: list[Division], aliases: dict[str, str], markers: tuple[str, ...],
                 government: tuple[str, ...]) -> None:
        self.by_code: dict[str, Division] = {}
        for d in divisions:  # the current name wins over a former one
            if d.code not in self.by_code or self.by_code[d.code].former:
                self.by_code[d.code] = d
        self.divisions = divisions
        self.aliases = aliases
        self.markers = markers
        self.government = government

    @cached_property
    def children(self) -> dict[str, tuple[str, ...]]:
        """Division code -> the codes of the current divisions directly under it."""
        out: dict[str, list[str]] = {}
        for d in self.by_code.values():
            if d.parent and not d.former:
                out.setdefault(d.parent, []).append(d.code)
        return {k: tuple(sorted(v)) for k, v in out.items()}

    @cached_property
    def _forms(self) -> dict[str, list[tuple[str, str, bool]]]:
        """Level -> (form, code, is the full name), longest form first."""
        out: dict[str, list[tuple[str, str, bool]]] = {lv: [] for lv in LEVELS}
        for d in self.divisions:
            out[d.level].append((d.name, d.code, True))
            out[d.level] += [(s, d.code, False) for s in d.short]
        for name, code in self.aliases.items():
            out[self.by_code[code].level].append((fold(name), code, True))
        for forms in out.values():
            forms.sort(key=lambda f: (-len(f[0]), not f[2]))
        return out

    def under(self, code: str) -> set[str]:
        """Every division below `code` (its children and theirs)."""
        out, todo = set(), [code]
        while todo:
            for c in self.children.get(todo.pop(), ()):
                out.add(c)
                todo.append(c)
        return out

    @cached_property
    def _forms_by_first(self) -> dict[str, dict[str, list[tuple[str, str, bool]]]]:
        """Level -> first character -> that level's forms starting with it, in `_forms` order.

        A form can start at a position only if its first character stands
        there: `_at` scans those few instead of every form of the level
        (3,000 counties' names for each agency name of a batch).
        """
        out: dict[str, dict[str, list[tuple[str, str, bool]]]] = {}
        for level, forms in self._forms.items():
            by: dict[str, list[tuple[str, str, bool]]] = {}
            for f in forms:
                if not f[0]:
                    raise ValueError(f"gazetteer: an empty name of a {level} ({f[1]})")
                by.setdefault(f[0][0], []).append(f)
            out[level] = by
        return out

    def _at(self, s: str, pos: int, level: str, within: set[str] | None, full_only: bool) -> tuple[str, int] | None:
        """The division of `level` whose name starts at `pos` (unique among `within`, or in the country)."""
        forms = self._forms_by_first[level].get(s[pos:pos + 1], [])
        for form, code, full in forms:
            if (full_only and not full) or not s.startswith(form, pos) or (within is not None and code not in within):
                continue
            rivals = {c for f, c, fl in forms if f == form and (within is None or c in within)
                      and (fl or not full_only)}
            if len(rivals) == 1:
                return code, pos + len(form)
        return None

    def _county_later(self, s: str, pos: int, city: str) -> tuple[str, int, int] | None:
        """A county of `city` later in the name: its full name, or a short one before a marker."""
        best = None
        for form, code, full in self._forms["county"]:
            if code not in self.children.get(city, ()):
                continue
            i = s.find(form, pos)
            while i >= 0:
                end = i + len(form)
                marker = next((m for m in self.markers if s.startswith(m, end)), None)
                if full or marker is not None:
                    cut = end + (len(marker) if marker and not full else 0)
                    if best is None or i < best[1]:
                        best = (code, i, cut)
                    break
                i = s.find(form, i + 1)
        return best

    def place(self, agency: str | None) -> Place:
        """The place an agency name names (an empty Place when it names none)."""
        if not isinstance(agency, str) or not agency.strip():
            return Place()
        s = fold(agency)
        pos, codes = 0, {}
        hit = self._at(s, pos, "province", None, False)
        if hit:
            codes["province"], pos = hit
        prov = codes.get("province")
        hit = self._at(s, pos, "city", set(self.children.get(prov, ())) if prov else None, False)
        if hit:
            codes["city"], pos = hit
        city = codes.get("city")
        within = set(self.children.get(city, ())) if city else self.under(prov) if prov else None
        hit = self._at(s, pos, "county", within, within is None)
        kind = s[pos:]
        if hit:
            codes["county"], pos = hit
            kind = s[pos:]
        elif city:
            later = self._county_later(s, pos, city)
            if later:
                codes["county"] = later[0]
                kind = s[pos:later[1]] + s[later[2]:]
        return self._resolve(codes, kind)

    def _resolve(self, codes: dict[str, str], kind: str) -> Place:
        """Fill the levels above the most specific division from the gazetteer's parents."""
        if not codes:
            return Place(kind=kind)
        code = codes.get("county") or codes.get("city") or codes["province"]
        names: dict[str, str] = {}
        c = code
        while c:
            d = self.by_code[c]
            names.setdefault(d.level, d.name)
            c = d.parent
        prov = names.get("province")
        if prov and "city" not in names and any(self.by_code[c].name == prov and self.by_code[c].level == "city"
                                                  for c in self.children.get(self.by_code[code].code, ())):
            names["city"] = prov  # a municipality is its own city
        kind = "" if kind in self.government else kind
        return Place(names.get("province"), names.get("city"), names.get("county"), code, kind)


def parse(csv_text: str, config: dict) -> Gazetteer:
    rows = csv.DictReader(io.StringIO(csv_text))
    divisions = [Division(r["code"], r["level"], r["name"], r["parent"],
                          tuple(s for s in r["short"].split(";") if s), r["former"] == "1") for r in rows]
    return Gazetteer(divisions, dict(config.get("aliases") or {}), tuple(config["match"]["county_markers"]),
                     tuple(config["match"]["government"]))


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The shipped gazetteer, parsed once per process."""
    return parse(data_text("gazetteer.csv"), tomllib.loads(data_text("gazetteer.toml")))
