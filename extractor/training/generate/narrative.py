"""The generated prose and the facts planted in it, with their metric, value and unit.

The narrative tagger is trained and scored on these planted facts, so the
prose carries the cases real reports pose: counts in Chinese numerals or
in 万, approximate counts (余/多), channel parts that add up to a total, a
restatement of table 3, and distractors that look like facts and are not
(the 12345 hotline, document numbers, dates, growth percentages).  Number
text goes through the mess like table cells do.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from extractor.training.generate.mess import Mess
from extractor.training.generate.printed import cn_small, format_number
from extractor.training.generate.tables import split_total
from extractor.training.generate.vocab import vocab


@dataclass(slots=True)
class Fact:
    """A planted fact: the text printed for it and what it states (spans are added when written)."""
    text: str
    metric: str
    value: int | float
    unit: str
    channel: str | None = None
    role: str = "total"
    approx: bool = False
    category: str | None = None
    section: str | None = None


# A paragraph is a run of plain text and facts, so a writer can record each fact's span.
Seg = str | Fact

_CHANNEL_PHRASES = {
    "website": ("通过门户网站发布{n}条", "政府网站公开{n}条", "在政府门户网站发布信息{n}条"),
    "weibo": ("通过官方微博发布{n}条", "政务微博发布{n}条"),
    "wechat": ("通过微信公众号发布{n}条", "微信公众号推送信息{n}条"),
    "douyin": ("抖音号发布短视频{n}条",),
    "toutiao": ("今日头条号发布{n}条",),
    "new_media": ("通过政务新媒体发布{n}条", "政务新媒体公开信息{n}条"),
    "gazette": ("在政府公报刊发{n}条",),
    "other": ("通过公开栏、电子屏等其他方式公开{n}条",),
}
_CATEGORIES = ("工作动态", "通知公告", "政策文件", "人事信息", "财政资金", "规划计划")
_SIMPLE_FACTS = {  # metric -> (unit, phrases, (lo, hi))
    "press_conferences": ("场", ("召开新闻发布会{n}场", "举办新闻发布会{n}次", "参加新闻发布会{n}场"), (1, 30)),
    "briefings": ("场", ("组织媒体通气会{n}场", "召开政策吹风会{n}次", "举办媒体座谈会{n}场"), (1, 15)),
    "hearings": ("次", ("举行听证会{n}次", "组织召开听证会{n}场"), (1, 6)),
    "interpretations": ("篇", ("发布政策解读{n}篇", "制作图解、短视频等解读材料{n}篇", "开展政策解读{n}次"), (1, 120)),
    "responses": ("次", ("回应社会关切{n}次", "回应公众关注热点{n}条", "及时回应舆情关切{n}次"), (1, 60)),
}
_OPENINGS = (
    "坚持以公开为常态、不公开为例外，围绕中心工作扎实推进政务公开",
    "认真贯彻落实《中华人民共和国政府信息公开条例》，持续提升政务公开质量",
    "聚焦群众关切，不断拓展公开领域、规范公开程序、创新公开方式",
    "把政务公开作为建设法治政府的重要抓手，统筹推进各项公开任务",
)
_MANAGEMENT = (
    "严格执行信息发布“三审三校”制度，落实先审查、后公开的要求，全年未发生泄密事件。",
    "建立健全公开属性源头认定机制，公文拟制时同步明确公开方式，确保应公开尽公开。",
    "动态更新政府信息公开指南和目录，对照标准目录逐项梳理公开事项。",
)
_PLATFORM = (
    "持续优化门户网站信息公开专栏，规范栏目设置，及时更新各类信息。",
    "加强政务新媒体日常监测，对内容更新不及时的账号督促整改。",
    "完善政府信息公开查阅点建设，为群众查阅信息提供便利。",
)
_SUPERVISION = (
    "将政务公开纳入年度绩效考核，定期通报各科室信息报送情况。",
    "主动接受社会监督，对发现的问题建立台账、限期整改。",
    "开展季度自查和第三方评估，以查促改、以评促优。",
)
_PROBLEMS = (
    "一是主动公开的深度和广度仍需拓展，部分领域信息更新不够及时；二是政策解读形式较为单一，图解、视频等方式运用不多",
    "一是工作人员业务能力有待加强，对公开属性把握不够精准；二是与公众的互动交流还不够充分",
    "一是信息发布审核流程有待进一步规范；二是依申请公开答复的说理性还需提升",
)
_IMPROVE = (
    "一是加强业务培训，提升工作人员依法公开能力；二是丰富解读形式，提高政策解读的可读性；三是健全监督考核机制，推动公开工作常态化",
    "一是强化源头管理，严格落实公开属性认定；二是拓展公开渠道，发挥政务新媒体作用；三是规范依申请公开办理流程",
    "一是对照标准目录逐项查漏补缺；二是加强与群众的互动回应；三是完善信息发布审核机制",
)
_BODIES = (
    "人民政府", "人民政府办公室", "公安局", "财政局", "自然资源局", "生态环境局", "住房和城乡建设局",
    "交通运输局", "卫生健康委员会", "市场监督管理局", "教育局", "民政局", "人力资源和社会保障局",
    "农业农村局", "文化和旅游局", "应急管理局", "医疗保障局", "司法局", "统计局", "城市管理局",
)
_PLACE_CHARS = "清源安平江宁东阳泰和兴隆永丰嘉禾青山桐溪云河临湖南北建德昌乐华新"


def random_agency(rng: random.Random) -> str:
    """A plausible agency name made from parts (no real report's name is copied)."""
    a, b = rng.sample(_PLACE_CHARS, 2)
    place = a + b + rng.choice("市县区")
    if rng.random() < 0.25:
        c, d = rng.sample(_PLACE_CHARS, 2)
        place = a + b + "市" + c + d + "区"
    if rng.random() < 0.12:
        c, d = rng.sample(_PLACE_CHARS, 2)
        return place + c + d + rng.choice(("镇人民政府", "街道办事处"))
    return place + rng.choice(_BODIES)


class Narrator:
    """Builds narrative paragraphs with planted facts; number text goes through the mess."""

    def __init__(self, rng: random.Random, mess: Mess, facts_on: bool):
        self.rng = rng
        self.mess = mess
        self.facts_on = facts_on
        self.section: str | None = None

    def num(self, n: int, *, small_cn: bool = True) -> str:
        """A count in prose: digits, sometimes Chinese numerals, with number mess."""
        if small_cn and 0 < n <= 12 and self.rng.random() < 0.12:
            return cn_small(n)
        return self.mess.number(n, cell=False)

    def fact(self, pattern: str, metric: str, value: int | float, unit: str, **kw: Any) -> Fact:
        """A fact stated exactly; decimals are never written in Chinese numerals or messed."""
        text = pattern.format(n=self.num(value) if isinstance(value, int) else format_number(value))
        return Fact(text, metric, value, unit, section=self.section, **kw)

    def approx_fact(self, pattern: str, metric: str, value: int, unit: str, **kw: Any) -> Fact:
        """余/多/约: the printed number is a round floor of the truth, flagged approx."""
        word = self.rng.choice(("余", "多"))
        text = pattern.format(n=self.num(value, small_cn=False) + word)
        return Fact(text, metric, value, unit, section=self.section, approx=True, **kw)

    def wan_fact(self, pattern: str, metric: str, unit: str, **kw: Any) -> Fact:
        """A count in 万 (4.14万 = 41400)."""
        k = self.rng.randint(101, 99999)
        num = f"{k / 100:.2f}".rstrip("0").rstrip(".")
        text = pattern.format(n=num + "万")
        return Fact(text, metric, k * 100, unit, section=self.section, **kw)


def _sub_proactive(nr: Narrator, me: str, year: int) -> list[Seg]:
    """(一) proactive disclosure: posts in total and by channel or category, other proactive metrics."""
    rng = nr.rng
    segs: list[Seg] = [f"{year}年，{me}"]
    if not nr.facts_on:
        return [*segs, rng.choice(_OPENINGS) + "，及时准确公开各类政府信息。"]
    chans = rng.sample(list(_CHANNEL_PHRASES), k=rng.choice((0, 2, 3, 3, 4)))
    parts = [rng.randint(10, 3000) for _ in chans]
    total = sum(parts) if parts else rng.randint(20, 5000)
    if rng.random() < 0.15:
        total = max(total, rng.randint(1200, 9000))
        parts = split_total(rng, total, len(chans)) if chans else []
    if rng.random() < 0.12:
        segs.append(nr.approx_fact("主动公开政府信息{n}条", "posts", total - total % 10 if total >= 100 else total, "条"))
    else:
        segs.append(nr.fact(rng.choice(("全年主动公开政府信息{n}条", "共发布各类政府信息{n}条",
                                        "累计主动公开政务信息{n}条")), "posts", total, "条"))
    if rng.random() < 0.3:
        segs.append(f"，同比增长{rng.randint(1, 40)}.{rng.randint(0, 9)}%")  # a share, not a fact
    if chans:
        segs.append("，其中")
        for i, (ch, n) in enumerate(zip(chans, parts)):
            if i:
                segs.append(rng.choice(("，", "、")))
            segs.append(nr.fact(rng.choice(_CHANNEL_PHRASES[ch]), "posts", n, "条", channel=ch, role="part"))
    elif rng.random() < 0.5:
        cats = rng.sample(_CATEGORIES, 2)
        a = rng.randint(1, max(1, total // 2))
        segs += ["，其中", nr.fact(cats[0] + "类信息{n}条", "posts", a, "条", role="part", category=cats[0]), "、",
                 nr.fact(cats[1] + "类信息{n}条", "posts", total - a, "条", role="part", category=cats[1])]
    segs.append("。")
    for metric in rng.sample(list(_SIMPLE_FACTS), k=rng.randint(1, 3)):
        unit, phrases, (lo, hi) = _SIMPLE_FACTS[metric]
        phrase = rng.choice(phrases)
        unit = phrase[-1] if phrase[-1] in "场次篇条" else unit
        segs += [rng.choice(("全年", "本年度", "")), nr.fact(phrase, metric, rng.randint(lo, hi), unit), "。"]
    if rng.random() < 0.4:
        segs += ["相关信息", nr.wan_fact("总阅读量达{n}次", "readership", "次"), "。"]
    return segs


def _sub_requests(nr: Narrator, gold: dict, me: str, year: int) -> list[Seg]:
    """(二) requests: the narrative restates table 3 (new, processed, carried forward)."""
    rng = nr.rng
    t3 = gold["table3"]
    new = (t3.get("new") or [None] * 7)[-1]
    done = (t3.get(vocab().outcome_total) or [None] * 7)[-1]
    fwd = (t3.get("carried_forward") or [None] * 7)[-1]
    segs: list[Seg] = []
    if nr.facts_on and isinstance(new, int) and new > 0:
        segs += [f"{year}年，{me}", nr.fact(rng.choice(("共收到政府信息公开申请{n}件", "全年受理依申请公开{n}件",
                                                        "新收政府信息公开申请{n}件")),
                                              "applications_received", new, "件")]
        if isinstance(done, int):
            segs += ["，", nr.fact(rng.choice(("办结{n}件", "已办结{n}件")), "applications_completed", done, "件")]
        if isinstance(fwd, int) and fwd:
            segs += ["，", nr.fact(rng.choice(("结转下年度继续办理{n}件", "转入下一年度办理{n}件")),
                                   "applications_carried_forward", fwd, "件")]
        segs.append("，均在法定期限内答复。")
    elif isinstance(new, int) and new == 0:
        segs.append(f"{year}年，{me}未收到政府信息公开申请。")
    else:
        segs.append("严格按照法定时限和程序办理政府信息公开申请，规范答复文书。")
    segs.append("严格执行《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）。")
    return segs


def _sub_management(nr: Narrator, gold: dict, year: int) -> list[Seg]:
    """(三) management: a table-2 restatement and a date (distractors, not facts)."""
    rng = nr.rng
    nd = (gold.get("table2") or {}).get("normative_docs") or {}
    segs: list[Seg] = [rng.choice(_MANAGEMENT)]
    if isinstance(nd.get("issued"), int) and nd.get("issued"):
        segs.append(f"全年制发行政规范性文件{nd['issued']}件，均按规定在政府网站公开。")
    segs.append(f"{year}年{rng.randint(3, 11)}月{rng.randint(1, 28)}日，召开政务公开工作推进会，部署年度重点任务。")
    return segs


def _sub_platform(nr: Narrator) -> list[Seg]:
    """(四) platforms: new-media accounts."""
    rng = nr.rng
    segs: list[Seg] = [rng.choice(_PLATFORM)]
    if nr.facts_on and rng.random() < 0.7:
        segs += ["目前", nr.fact(rng.choice(("运营政务新媒体账号{n}个", "开设政务新媒体{n}个", "现有政务新媒体{n}个")),
                                 "accounts", rng.randint(1, 12), "个", channel="new_media"), "。"]
    return segs


def _sub_supervision(nr: Narrator) -> list[Seg]:
    """(五) supervision: trainings held and people trained."""
    rng = nr.rng
    segs: list[Seg] = [rng.choice(_SUPERVISION)]
    if nr.facts_on and rng.random() < 0.8:
        phrase = rng.choice(("开展政务公开专题培训{n}期", "组织业务培训{n}次", "举办培训班{n}期"))
        segs += [rng.choice(("全年", "本年度")),
                 nr.fact(phrase, "training_sessions", rng.randint(1, 12), phrase[-1]), "，"]
        if rng.random() < 0.5:
            segs.append(nr.fact("培训{n}人次", "training_participants", rng.randint(10, 800), "人次"))
        else:
            segs.append(nr.fact("参训人员{n}人", "training_participants", rng.randint(10, 400), "人"))
        segs.append("。")
    return segs


def _sub_interaction(nr: Narrator) -> list[Seg]:
    """(六) interaction: messages received and replied, reply rate, next to the 12345 hotline (a distractor)."""
    rng = nr.rng
    segs: list[Seg] = ["依托12345政务服务便民热线和网站留言板受理群众诉求，"]
    if nr.facts_on and rng.random() < 0.75:
        rec = rng.randint(5, 3000)
        rep = rec if rng.random() < 0.6 else rng.randint(max(1, rec * 8 // 10), rec)
        segs += [nr.fact(rng.choice(("受理网民留言{n}件", "收到群众来信{n}件", "受理网络问政来信{n}件")),
                         "messages_received", rec, "件"), "，",
                 nr.fact(rng.choice(("办结{n}件", "已回复{n}件", "按时答复{n}件")), "messages_replied", rep, "件")]
        rate = round(100 * rep / rec, 1)
        rate_v: int | float = int(rate) if rate == int(rate) else rate
        segs += ["，", nr.fact(rng.choice(("回复率{n}%", "办结率{n}%")), "reply_rate", rate_v, "%"), "。"]
    else:
        segs.append("做到件件有回音、事事有着落。")
    return segs


def overview_paragraphs(nr: Narrator, gold: dict, ag: str, year: int) -> list[tuple[str, list[Seg]]]:
    """Section 1 as subsections (title, segments): always proactive, requests and interaction, some others."""
    me = nr.rng.choice(("我局", "本机关", "我单位", ag))
    first = [("主动公开", _sub_proactive(nr, me, year)), ("依申请公开", _sub_requests(nr, gold, me, year))]
    middle = [("政府信息管理", _sub_management(nr, gold, year)), ("平台建设", _sub_platform(nr)),
              ("监督保障", _sub_supervision(nr))]
    last = ("互动回应", _sub_interaction(nr))
    return [*first, *nr.rng.sample(middle, k=nr.rng.randint(1, len(middle))), last]


def other_segments(nr: Narrator, year: int) -> list[Seg]:
    """Section 6: fees collected (a fact) or nothing to report."""
    rng = nr.rng
    r = rng.random()
    if nr.facts_on and r < 0.3:
        return [f"{year}年度", nr.fact("收取信息处理费{n}元", "fees_collected", rng.randint(20, 2000), "元"), "。"]
    if r < 0.65:
        return ["本年度未收取信息处理费。"]
    return [rng.choice(("无其他需要报告的事项。", "无。", "本机关无其他需要报告的事项。"))]


def intro(rng: random.Random, agency: str, year: int, template: str, section_titles: list[str]) -> str:
    """The paragraph before section 1: which format the report follows (its document number), the period, a contact."""
    doc_no = "国办公开办函〔2019〕60号" if template == "2019" else "国办公开办函〔2021〕30号"
    text = (f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《中华人民共和国政府信息公开工作年度报告格式》"
            f"（{doc_no}）要求编制。")
    if rng.random() < 0.4:
        text += "全文包括" + "、".join(section_titles) + "等六部分。"
    text += f"本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
    if rng.random() < 0.6:
        text += (f"如对本报告有疑问，请与{agency}办公室联系（电话：0{rng.randint(10, 999)}-"
                 f"{rng.randint(2000000, 89999999)}；邮编：{rng.randint(100000, 860000)}）。")
    return text


def opening(rng: random.Random, agency: str, year: int) -> str:
    """Section 1's first sentence: the agency's stock commitment, no facts."""
    return f"{year}年，{agency}" + rng.choice(_OPENINGS) + "。"


def problems(rng: random.Random) -> list[str]:
    """Section 5's two paragraphs: problems found and measures planned, no facts."""
    return ["（一）存在的主要问题。" + rng.choice(_PROBLEMS) + "。", "（二）改进措施。" + rng.choice(_IMPROVE) + "。"]


def visits(nr: Narrator) -> list[Seg]:
    """A website-visits sentence whose count is >= 1000: a place for the thousands mess when no cell had one."""
    fact = nr.fact("访问量{n}次", "readership", nr.rng.randint(1200, 99999), "次", channel="website")
    return ["全年门户网站", fact, "。"]
