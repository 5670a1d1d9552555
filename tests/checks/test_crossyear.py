"""Cross-year checks: one agency's consecutive reports must chain (extractor/checks/crossyear.py).

The batch runs them over a whole batch (`tests/batch/test_output.py`,
`tests/batch/test_run.py`); here the family is a function from record
views to checks.
"""
from __future__ import annotations

from extractor.checks.crossreport import family
from extractor.checks.crossyear import (
    check_carried_over,
    check_normative_docs,
    crossyear_checks,
    same_bodies,
    view_of,
)
from extractor.record import Cell, Issue, Report
from extractor.spec.labels import labels


def year_record(path: str, year: int, carried_over: int, carried_forward: int,
                in_force: int, issued: int, repealed: int, agency: str = "某市 公安局") -> dict:
    """A readable record of one agency and year with the cells the cross-year rules read."""
    r = Report(source={"path": path, "sha256": path, "encoding": "utf-8", "format": "text", "chars": 1})
    r.template = "2021"
    r.meta["agency"] = Cell(agency, 1.0, None)
    r.meta["year"] = Cell(year, 1.0, None)
    t3 = r.tables["table3"]
    for col in t3["carried_over"]:
        t3["carried_over"][col] = Cell(carried_over if col in ("natural_person", "total") else 0, 0.99, None)
        t3["carried_forward"][col] = Cell(carried_forward if col in ("natural_person", "total") else 0, 0.99, None)
    t2 = r.tables["table2"]
    for row in ("rules", "normative_docs"):
        t2[row]["in_force"] = Cell(in_force, 0.99, None)
        t2[row]["issued"] = Cell(issued, 0.99, None)
        t2[row]["repealed"] = Cell(repealed, 0.99, None)
    return r.to_dict()


def test_view_of_folds_the_agency_and_reads_columns_in_label_order():
    rec = year_record("a.txt", 2022, carried_over=1, carried_forward=2, in_force=4, issued=1, repealed=0)
    rec["meta"]["agency"]["value"] = "某市\u3000公安局"
    v = view_of(rec)
    assert v.key == ("某市公安局", 2022) and (v.path, v.sha256) == ("a.txt", "a.txt")
    assert len(v.values["carried_over"]) == len(labels().col3)
    assert dict(zip(labels().col3, v.values["carried_forward"]))["total"] == 2
    assert v.values["rules"] == (1, 0, 4) and labels().row2["rules"] == ("issued", "repealed", "in_force")
    rec["meta"]["year"]["value"] = "2022"
    assert view_of(rec).year == 2022


def test_no_view_without_agency_year_or_with_an_error():
    base = year_record("a.txt", 2022, 0, 0, 0, 0, 0)
    no_agency = {**base, "meta": {**base["meta"], "agency": {"value": "  "}}}
    no_year = {**base, "meta": {**base["meta"], "year": {"value": "n/a"}}}
    broken = Report(source=base["source"], error=Issue("input.empty", "empty")).to_dict()
    broken["meta"] = base["meta"]
    assert [view_of(r) for r in (no_agency, no_year, broken)] == [None, None, None]


def test_checks_of_a_consecutive_pair():
    prev = view_of(year_record("a/2022.txt", 2022, carried_over=0, carried_forward=3, in_force=4, issued=1, repealed=0))
    good = view_of(year_record("b/2023.txt", 2023, carried_over=3, carried_forward=1, in_force=6, issued=2, repealed=0))
    bad = view_of(year_record("c/2023.txt", 2023, carried_over=2, carried_forward=1, in_force=5, issued=2, repealed=0))
    c = check_carried_over(prev, good)
    assert c.ok and c.cause is None and c.extra["previous"] == {"path": "a/2022.txt", "sha256": "a/2022.txt", "year": 2022}
    assert c.other == {"path": "a/2022.txt", "sha256": "a/2022.txt", "agency": "某市公安局", "year": 2022,
                       "relation": "previous"}
    assert c.cells == [f"table3.carried_over.{col}" for col in labels().col3]
    c = check_carried_over(prev, bad)
    assert not c.ok and c.cells == ["table3.carried_over.natural_person", "table3.carried_over.total"]
    assert c.cause == "agency"  # every figure compared was read with certainty on both sides
    assert c.extra["other_cells"] == ["table3.carried_forward.natural_person", "table3.carried_forward.total"]
    assert "natural_person 3≠2" in c.detail and "commercial 0=0" in c.detail
    n = check_normative_docs(prev, bad)
    assert not n.ok and "rules: 4+2-0 ≠ 5" in n.detail and n.cells[0] == "table2.rules.issued"
    assert n.extra["other_cells"] == ["table2.rules.in_force", "table2.normative_docs.in_force"]
    assert check_normative_docs(prev, good).ok


def test_a_break_where_a_side_was_read_in_doubt_is_a_reading_cause():
    prev = year_record("a/2022.txt", 2022, carried_over=0, carried_forward=3, in_force=4, issued=1, repealed=0)
    prev["tables"]["table2"]["normative_docs"]["in_force"]["confidence"] = 0.45
    cur = view_of(year_record("c/2023.txt", 2023, carried_over=3, carried_forward=1, in_force=5, issued=2, repealed=0))
    assert check_normative_docs(view_of(prev), cur).cause == "reading"


def test_the_older_template_in_force_does_not_chain_with_the_newer():
    """The 2019 template's 对外公开总数量 (read as in_force) is not 现行有效: no table-2 chain across templates."""
    old = year_record("a/2020.txt", 2020, carried_over=0, carried_forward=3, in_force=40, issued=1, repealed=0)
    old["template"] = "2019"
    cur = view_of(year_record("b/2021.txt", 2021, carried_over=3, carried_forward=1, in_force=5, issued=2, repealed=0))
    assert check_normative_docs(view_of(old), cur) is None and check_carried_over(view_of(old), cur).ok


def test_a_short_name_chains_with_the_one_long_name_that_ends_with_it():
    """Seen in the Hebei crawl (hb04-hb06): a body names itself short in the overview, in full in a title."""
    names = {"甲省农业农村厅", "省农业农村厅", "市公安局", "甲市公安局", "乙市公安局", "农业农村厅"}
    got = same_bodies(names)
    assert got["省农业农村厅"] == "甲省农业农村厅" and got["甲省农业农村厅"] == "甲省农业农村厅"
    assert got["市公安局"] == "市公安局"  # two cities end with it: no chain
    assert got["农业农村厅"] == "农业农村厅"  # no level word: not a short form
    views = {p: view_of(year_record(p, y, 0, 0, 1, 0, 0, agency=a))
             for p, y, a in (("a.txt", 2022, "甲省农业农村厅"), ("b.txt", 2023, "省农业农村厅"))}
    assert [c.other["path"] for c in crossyear_checks(views)["b.txt"]] == ["a.txt", "a.txt"]


def test_crossyear_checks_pick_the_previous_year_first_by_path():
    views = {p: view_of(year_record(p, y, 0, 0, 1, 0, 0))
             for p, y in (("b/2022.pdf", 2022), ("a/2022.html", 2022), ("c/2023.txt", 2023), ("d/2025.txt", 2025))}
    out = crossyear_checks(views)
    assert list(out) == ["c/2023.txt"]
    assert {c.extra["previous"]["path"] for c in out["c/2023.txt"]} == {"a/2022.html"}
    assert all(family(c.to_dict()) == "crossyear" for c in out["c/2023.txt"])


def test_no_check_without_numbers_on_both_sides():
    empty = Report(source={"path": "x", "sha256": "", "encoding": None, "format": "text", "chars": 0})
    empty.meta["agency"] = Cell("A", 1.0, None)
    empty.meta["year"] = Cell(2023, 1.0, None)
    prev = view_of(year_record("a", 2022, 0, 0, 0, 0, 0))
    cur = view_of(empty.to_dict())
    assert check_carried_over(prev, cur) is None and check_normative_docs(prev, cur) is None
