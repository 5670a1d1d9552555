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


# ------------------------------------------------ a crawler that kept no title (issue 16)
def test_meta_of_a_report_on_one_line_without_a_title() -> None:
    """The Hebei crawl (hb01-hb05): no title line; the period's year and the overview's body stand in."""
    text = ("\n\u3000\u3000根据《条例》等规定，发布本年度报告。报告中所列数据统计期限为2023年1月1日至12月31日。"
            "\u3000\u3000一、总体情况\u3000\u30002023年，省农业农村厅坚持以人民为中心，公开信息120条。")
    m = narrative.read_meta(text)
    assert (m["agency"].value, m["year"].value) == ("省农业农村厅", 2023)
    assert text[slice(*m["agency"].span)] == "省农业农村厅" and text[slice(*m["year"].span)] == "2023"
    assert m["year"].confidence == 0.9 and m["agency"].confidence == 0.7


def test_meta_of_a_compact_title_glued_to_the_text() -> None:
    """hb06: the title and the body on one line, 工作报告 without 年度."""
    text = "\n\u3000\u3000河北省农业农村厅2021年度政府信息公开工作报告\u3000\u3000根据《条例》，统计期限为2021年1月1日至12月31日。"
    m = narrative.read_meta(text)
    assert (m["agency"].value, m["year"].value) == ("河北省农业农村厅", 2021)
    assert m["agency"].confidence == 0.9


def test_a_sentence_that_names_a_report_is_not_a_title() -> None:
    m = narrative.read_meta("现将本局2022年政府信息公开工作报告发布如下。全年公开信息20条。")
    assert m["agency"].value is None
