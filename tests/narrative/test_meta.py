"""Agency, year and publication date from titles, crawler headers and signatures."""
from __future__ import annotations

import json

from extractor import narrative
from tests.helpers import ANNOTATIONS, read_text


ANN = ANNOTATIONS



# ----------------------------------------------------------------------- meta
def test_meta_from_title_and_signature() -> None:
    text = "兴宁市公安局2023年政府信息公开\n工作年度报告\n\n正文……\n\n兴宁市公安局\n　　2024年1月19日\n"
    m = narrative.read_meta(text)
    assert m["agency"].value == "兴宁市公安局" and text[slice(*m["agency"].span)] == "兴宁市公安局"
    assert m["year"].value == 2023
    assert m["published_on"].value == "2024-01-19"


def test_meta_from_crawler_header() -> None:
    text = "标题: 平潭综合实验区2021年度政府信息公开工作年度报告\n发布时间: 2022-02-08 16:34\n正文"
    m = narrative.read_meta(text)
    assert (m["agency"].value, m["year"].value, m["published_on"].value) == ("平潭综合实验区", 2021, "2022-02-08")


def test_meta_missing() -> None:
    m = narrative.read_meta("没有标题的一段文字。")
    assert all(c.value is None and c.confidence == 0.0 and c.span is None for c in m.values())


def test_meta_of_seeds() -> None:
    for p in sorted((ANN / "reports").glob("seed_*.json")):
        ann = json.loads(p.read_text(encoding="utf-8"))
        m = narrative.read_meta(read_text(ann))
        assert m["agency"].value == ann["agency"] and m["year"].value == ann["year"], p.name
