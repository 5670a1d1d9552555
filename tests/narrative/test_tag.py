"""The fact tagger: numbers as written, channels, roles, categories, distractors, bad input."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractor import narrative
from extractor.record import SectionSpan
from tests.helpers import tag_facts


@pytest.mark.parametrize("text, metric, value, approx", [
    ("今年召开新闻发布会三场。", "press_conferences", 3, False),
    ("开通政务新媒体两个。", "accounts", 2, False),
    ("全年开展政务公开业务培训十余场。", "training_sessions", 10, True),
    ("全年主动公开政府信息4.14万条。", "posts", 41400, False),
    ("总阅读人数达3200万余次。", "readership", 32000000, True),
    ("全年主动公开政府信息约196.4萬條。", "posts", 1964000, True),
    ("全年通过门户网站发布信息\n636\n条。", "posts", 636, False),
    ("全年通过门户网站发布信息 636 条。", "posts", 636, False),
    ("全年通过门户网站发布信息１４２４条。", "posts", 1424, False),
    ("全年通過門戶網站發布信息482條。", "posts", 482, False),
    ("建立政务新媒体賬號5個。", "accounts", 5, False),
    ("通过门户网站公开信息2017条。", "posts", 2017, False),
    ("共受理群众来信349件,回复率100%。", "messages_received", 349, False),
    ("收取信息处理费380元。", "fees_collected", 380, False),
    ("举行听证会2次。", "hearings", 2, False),
])
def test_numbers_as_written(text: str, metric: str, value, approx: bool) -> None:
    facts = tag_facts(text)
    hit = [f for f in facts if f.metric == metric and f.value == value]
    assert hit, [(f.metric, f.value, f.text) for f in facts]
    assert hit[0].approx is approx
    assert text[hit[0].span[0]:hit[0].span[1]] == hit[0].text


def test_channels_and_roles() -> None:
    text = ("2023年，市公安局共发布各类政府信息2098条，其中通过门户网站发布信息636条，"
            "通过官方微博发布信息580条，通过微信公众号发布信息882条。")
    facts = {f.value: f for f in tag_facts(text)}
    assert facts[2098].channel is None and facts[2098].role == "total"
    assert (facts[636].channel, facts[636].role) == ("website", "part")
    assert (facts[580].channel, facts[580].role) == ("weibo", "part")
    assert (facts[882].channel, facts[882].role) == ("wechat", "part")


def test_category_parts() -> None:
    text = "2022年主动公开政府信息54条，其中工作动态信息51条、通知公告信息1条、财政信息2条。"
    facts = {f.value: f for f in tag_facts(text)}
    assert facts[54].role == "total"
    assert facts[51].role == "part" and facts[51].category == "工作动态"
    assert facts[1].role == "part" and facts[2].role == "part"


@pytest.mark.parametrize("text", [
    "请拨打12345政务服务便民热线咨询。",
    "根据《中华人民共和国政府信息公开条例》（国务院令第711号）编制。",
    "按照国办公开办函〔2021〕30号要求编制。",
    "依照条例第二十条规定公开。",
    "深入贯彻党的二十大精神，编制十四五规划。",
    "地址：宁波市镇海区永平西路166号，邮编：315200，电话:0574-86636131。",
    "统计期限自2023年1月1日起至12月31日止。",
    "政府信息公开申请数量同比增长15%。",
    "行政规范性文件解读比例100%。",
    "主动公开政府信息（不同渠道和方式公开相同信息计1条）。",
    "开展第十五届“5·15政务公开日”活动。",
    "落实“三个第一时间”要求，坚持一是一、二是二。",
])
def test_distractors_are_not_facts(text: str) -> None:
    assert tag_facts(text) == []


def test_excluded_spans_are_skipped() -> None:
    text = "全年主动公开政府信息1424条。召开新闻发布会3场。"
    s = text.index("1424")
    facts = tag_facts(text, exclude=[(s, s + 4)])
    assert [f.value for f in facts] == [3]


def test_section_of_a_fact() -> None:
    text = "一、总体情况\n召开新闻发布会3场。\n二、主动公开政府信息情况\n"
    sections = [SectionSpan("overview", 1, "总体情况", (0, 17)), SectionSpan("proactive", 2, "主动公开政府信息情况", (17, len(text)))]
    (f,) = tag_facts(text, sections)
    assert f.section == "overview"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("0123456789０１２.,万萬余多约条條件个個场次名人%、，。；：\n \t|（）()“”《》第号年月日其中发布信息新闻发布会微信公众号网站申请办结结转回复率阅读量培训三两十一")), max_size=120))
def test_never_raises_and_spans_slice(text: str) -> None:
    for f in tag_facts(text):
        assert text[f.span[0]:f.span[1]] == f.text
        assert 0.0 <= f.confidence <= 1.0
    narrative.read_meta(text)


@given(st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_never_raises_on_any_text(text: str) -> None:
    for f in tag_facts(text):
        assert text[f.span[0]:f.span[1]] == f.text


def test_bad_input_yields_nothing() -> None:
    assert tag_facts("") == []
    assert tag_facts(None) == []  # type: ignore[arg-type]
    assert narrative.read_meta(None)["agency"].value is None  # type: ignore[arg-type]


def test_generated_reply_verb_after_received_messages_counts_replies():
    """Generated reports: '收到群众来信1254件，已回复1170件' tagged the 1170 as messages received."""
    text = "（五）互动回应方面。全年收到群众来信1254件，已回复1170件，回复率93%。依申请公开方面，年内共办结54件。"
    got = {(f.metric, f.value) for f in tag_facts(text)}
    assert ("messages_received", 1254) in got
    assert ("messages_replied", 1170) in got
    assert ("messages_received", 1170) not in got


def test_fuzz_a_400_digit_count_in_the_prose_does_not_cost_the_other_facts() -> None:
    """benchmarks/fuzz (issue 10), seed 1: digits pasted before a measure word made a 400-digit
    candidate; the facts model's float() raised OverflowError and the report lost every fact."""
    text = "全年主动公开政府信息1424条。举行听证会" + "7" * 400 + "次。"
    facts = tag_facts(text)
    assert [(f.metric, f.value) for f in facts if f.metric == "posts"] == [("posts", 1424)]
    assert all(abs(f.value) < 10 ** 15 for f in facts)


# Issue 12 lists kinds of phrasing the rules missed on unseen prose, each with a made-up example; these are those
# examples (not text of any real report), with the facts they state.
ISSUE_12_PHRASINGS = [
    ("本局政务微博发布各类动态信息86条。", [("posts", 86, "weibo")]),
    ("在“XX发布”公众号推送稿件312篇。", [("posts", 312, "wechat")]),
    ("区长信箱办件41件。", [("messages_received", 41, None)]),
    ("12345热线转办工单2380件。", [("messages_received", 2380, None)]),
    ("开设政务新媒体账号共计18个，其中微信公众号11个、抖音号4个。",
     [("accounts", 18, "new_media"), ("accounts", 11, "wechat"), ("accounts", 4, "douyin")]),
    ("全年发布解读信息23条。", [("interpretations", 23, None)]),
    ("图解7期。", [("interpretations", 7, None)]),
    ("制作解读视频5部。", [("interpretations", 5, None)]),
    ("举行新闻发布6场。", [("press_conferences", 6, "press")]),
    ("召开发布会3次。", [("press_conferences", 3, None)]),
    ("受理依申请公开45件。", [("applications_received", 45, None)]),
    pytest.param("办理依申请公开45件。", [("applications_received", 45, None)], marks=pytest.mark.xfail(
        strict=True, reason="the facts model retrained with the crawl reports' facts (issue 12b) reads 办理 as "
        "completed, as the hand-checked gold of excerpts2 and the crawls does; the issue's example says received: "
        "a convention to settle, not a rule to force")),
    ("转下年度办理3件。", [("applications_carried_forward", 3, None)]),
    ("结转至次年2件。", [("applications_carried_forward", 2, None)]),
    ("全年發(fā)布政府信息1200條。", [("posts", 1200, None)]),
    ("全年主动公开政府信息1200\n条。", [("posts", 1200, None)]),
    ("受理群众咨询9.2余万人次。", [("messages_received", 92000, None)]),
    ("根据《条例》第二十条，依照国务院令第711号，拨打12345热线，十四五规划，2023年，地址：某路12号。", []),
]


@pytest.mark.parametrize("text,want", ISSUE_12_PHRASINGS, ids=lambda v: v[:12] if isinstance(v, str) else "")
def test_issue_12_phrasings(text: str, want: list) -> None:
    """The kinds of phrasing issue 12 names (its own made-up examples): tagged, and its distractors not."""
    assert [(f.metric, f.value, f.channel) for f in tag_facts(text)] == want
