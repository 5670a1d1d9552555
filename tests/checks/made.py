"""Constructed records for the checks across reports: an agency, a year, and table 3/4 numbers of one's choosing."""
from __future__ import annotations

from typing import Any

from extractor import confidence
from extractor.narrative.signature import signature
from extractor.record import Cell, Report
from extractor.spec.labels import labels


def record(agency: str, year: int, new: int = 0, granted: int | None = None, review: int = 0,
           path: str | None = None, prose: str = "", t2: int = 0, commercial: int = 0) -> dict[str, Any]:
    """A readable record: `new` requests by natural persons, `granted` of them granted, the rest not held,
    and `commercial` requests by companies, all granted; `review` reconsiderations upheld; table 2's
    punishment decisions `t2`; `prose` as its narrative."""
    granted = new if granted is None else granted
    rep = Report(source={"path": path or f"{agency}-{year}.txt", "sha256": f"{agency}{year}{new}{granted}{prose[:9]}"})
    rep.meta["agency"] = Cell(agency, confidence.value("title_agency"), (0, 1))
    rep.meta["year"] = Cell(year, confidence.value("title_year"), (0, 1))
    lab = labels()
    person = {"new": new, "granted": granted, "unable_no_info": new - granted, "total_processed": new}
    company = {"new": commercial, "granted": commercial, "total_processed": commercial}
    for row in lab.row3:
        cols = {"natural_person": person.get(row, 0), "commercial": company.get(row, 0)}
        cols["total"] = sum(cols.values())
        for col in lab.col3:
            rep.tables["table3"][row][col] = Cell(cols.get(col, 0), confidence.PRINTED, (0, 1))
    for g in lab.group4:
        for col in lab.col4:
            v = review if g == "review" and col in ("upheld", "total") else 0
            rep.tables["table4"][g][col] = Cell(v, confidence.PRINTED, (0, 1))
    for row in lab.table2_rows:
        for col in row.columns:
            rep.tables["table2"][row.key][col] = Cell(t2 if row.key == "punishment" else 0, confidence.PRINTED, (0, 1))
    rep.parsing["prose"] = signature(prose, [])
    return rep.to_dict()
