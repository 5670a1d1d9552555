"""Hierarchy on constructed batches: a parent whose parts add up, one whose parts do not, parts missing."""
from __future__ import annotations

from extractor.checks.crossreport import view_of
from extractor.checks.hierarchy import child_divisions, hierarchy_checks, parts_by_gazetteer
from extractor.spec.gazetteer import gazetteer
from tests.checks.made import record

HUAIAN_DISTRICTS = ("清江浦区", "淮阴区", "淮安区", "洪泽区", "涟水县", "盱眙县", "金湖县")


def views(recs):
    return {r["source"]["path"]: view_of(r) for r in recs}


def city_and_districts(city_new: int, kind: str = "公安局", year: int = 2023) -> list[dict]:
    parts = [record(f"淮安市{d}{kind}", year, new=i + 1) for i, d in enumerate(HUAIAN_DISTRICTS)]
    return [record(f"淮安市{kind}", year, new=city_new, granted=city_new)] + parts


def test_the_gazetteer_knows_the_seven_parts_of_huaian():
    assert len(child_divisions(gazetteer().place("淮安市").code)) == 7


def test_a_parent_whose_parts_add_up_passes_and_names_them():
    out = hierarchy_checks(views(city_and_districts(28)))  # 1 + 2 + ... + 7
    (path,) = out
    (check,) = out[path]
    assert path == "淮安市公安局-2023.txt" and check.ok and check.rule == "hierarchy.sum"
    assert len(check.extra["parts"]) == 7 and check.extra["parts"][0]["agency"].startswith("淮安市")


def test_a_parent_whose_parts_do_not_add_up_fails_naming_the_cells():
    (checks,) = hierarchy_checks(views(city_and_districts(30))).values()
    check = checks[0]
    assert not check.ok
    assert {"table3.new.total", "table3.new.natural_person", "table3.total_processed.total"} <= set(check.cells)
    assert "30≠28" in check.detail


def test_no_check_while_a_part_is_missing():
    assert hierarchy_checks(views(city_and_districts(28)[:-1])) == {}


def test_parts_are_of_the_same_kind_of_body_and_year():
    recs = city_and_districts(28, kind="公安局")[:1] + city_and_districts(28, kind="财政局")[1:]
    assert parts_by_gazetteer(views(recs)) == {}
    recs = city_and_districts(28, year=2023)[:1] + city_and_districts(28, year=2022)[1:]
    assert hierarchy_checks(views(recs)) == {}


def test_a_region_and_its_parts_governments_are_one_kind():
    recs = [record("淮安市人民政府", 2023, new=28)] + [record(f"淮安市{d}", 2023, new=i + 1)
                                                  for i, d in enumerate(HUAIAN_DISTRICTS)]
    (checks,) = hierarchy_checks(views(recs)).values()
    assert checks[0].ok


def test_parts_from_a_persons_list_instead_of_the_gazetteer():
    recs = [record("某区管委会", 2023, new=5), record("某区甲局", 2023, new=2), record("某区乙局", 2023, new=2)]
    pairs = [("某区管委会", "某区甲局"), ("某区管委会", "某区乙局")]
    (checks,) = hierarchy_checks(views(recs), pairs).values()
    assert not checks[0].ok and "5≠4" in checks[0].detail
    assert hierarchy_checks(views(recs[:2]), pairs) == {}
