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
    # 办理 alone is a convention the annotated corpora disagree on (completed in most, received in one); the
    # model decides it, and since issue 12c's retrain it reads the issue's example as the issue says
    ("办理依申请公开45件。", [("applications_received", 45, None)]),
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


# Issue 12c: rules written from development-document errors (grouped CV on the development side of
# annotations/split.json); the texts are made up, each of the kind that was mislabelled.  Rules alone, no model.
ISSUE_12C_RULES = [
    # deputies' suggestions and CPPCC proposals handled are neither posts nor messages …
    # … unless counted as information published about them
    ("发布政府会议信息42条,人大代表建议及政协委员提案办理信息7条。", [("posts", 42), ("posts", 7)]),
    # a breakdown by mode after handled applications is a part of the handled ones
    ("全年办结政府信息公开申请58件,其中网络申请14件,信函申请44件。",
     [("applications_completed", 58), ("applications_completed", 14), ("applications_completed", 44)]),
    # … and after received ones a part of the received, the modes included
    ("收到政府信息公开申请8件(其中:网上申请6件,现场申请2件,邮寄0件)。",
     [("applications_received", 8), ("applications_received", 6), ("applications_received", 2),
      ("applications_received", 0)]),
    # the reply stated after the count
    ("收到政府信息公开申请4件。其中3件已按照要求书面回复,1件结转下年度继续办理。",
     [("applications_received", 4), ("applications_completed", 3), ("applications_carried_forward", 1)]),
    # applicants named as "申请人为…" are parts of the received ones (申请人 alone still vetoes: 向申请人提供…)
    ("本年度收到政府信息公开申请4件;申请人为自然人的3件,法人或者其他组织的1件。",
     [("applications_received", 4), ("applications_received", 3), ("applications_received", 1)]),
    # a ;-separated breakdown stays one breakdown: every item is a part of the total
    ("全年主动公开政府信息120条,其中:财政预算信息共8条;专项资金使用情况公开共30条;其他文件共35条。",
     [("posts", 120), ("posts", 8), ("posts", 30), ("posts", 35)]),
    # items taken up by others are not posts of this body
    ("全年编发工作信息38条,其中被上级采用5条。", [("posts", 38)]),
    # the receiving verb right before the number, not a reply word earlier in the clause
    ("通过12345平台受理群众政策解答、维权服务等方面的诉求累计受理4355件。", [("messages_received", 4355)]),
    # received after completed keeps its own verb
    ("本年度办结申请9件,新收到申请10件。", [("applications_completed", 9), ("applications_received", 10)]),
]


@pytest.mark.parametrize("text,want", ISSUE_12C_RULES, ids=lambda v: v[:12] if isinstance(v, str) else "")
def test_issue_12c_rules(text: str, want: list) -> None:
    assert [(f.metric, f.value) for f in narrative.read(text).facts] == want


def test_issue_12c_proposals_handled_are_not_posts() -> None:
    """Issue 12c, a development excerpt's kind: deputies' suggestions and CPPCC proposals handled, listed after a
    breakdown of posts, were read as more posts (rules alone)."""
    text = "通过官网发布信息3374条,其中,政策解读16件、其他信息35件,发布办理省人大代表建议74件、省政协委员提案69件。"
    got = [(f.metric, f.value) for f in narrative.read(text).facts]
    assert ("posts", 3374) in got and not [v for _, v in got if v in (74, 69)]


def test_issue_12c_a_semicolon_list_after_a_breakdown_marker_is_all_parts() -> None:
    """Issue 12c, a development report's kind (pt003): the items after the first ';' lost their 其中 and were
    read as totals, or not at all."""
    text = "全年主动公开政府信息120条,其中:财政预算信息共8条;专项资金使用情况公开共30条;其他文件共35条。"
    assert [(f.value, f.role) for f in narrative.read(text).facts] == [(120, "total"), (8, "part"), (30, "part"),
                                                                       (35, "part")]
