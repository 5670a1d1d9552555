"""The narrative tagger: facts of the annotated excerpts and seeds, numbers as written, distractors, model safety.

Texts are read from ../shared by the paths in the annotations (never copied
into the repo); those cases skip when ../shared is absent.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractor import facts_model, narrative
from extractor.numerals import parse_chinese, value_of
from extractor.record import Cell, Fact, SectionSpan

ROOT = Path(__file__).resolve().parents[1]
ANN = ROOT / "annotations"
SPEC = narrative.spec_metrics()

# Known failures: (annotation id) -> why.  strict: they must keep failing until fixed.
KNOWN = {
    "P049": "13条/199条 are website categories whose channel is named only in the previous sentence "
            "(局门户网站的信息公开…) and carry no category marker; the tagger gives channel null",
}


def _annotations() -> list[dict]:
    out = []
    for p in sorted((ANN / "excerpts").glob("*.json")) + sorted((ANN / "reports").glob("seed_*.json")):
        ann = json.loads(p.read_text(encoding="utf-8"))
        if ann.get("facts_complete") or ann.get("facts"):
            out.append(ann)
    return out


def _text(ann: dict) -> str:
    p = (ROOT / ann["text"]["path"]).resolve()
    if not p.exists():
        pytest.skip(f"{p} not present (../shared absent)")
    return p.read_text(encoding="utf-8")


def _cases():
    for ann in _annotations():
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN[ann["id"]])] if ann["id"] in KNOWN else []
        yield pytest.param(ann, id=ann["id"], marks=marks)


def _match(f: Fact, g: dict) -> bool:
    return (f.metric == g["metric"] and abs(float(f.value) - float(g["value"])) < 1e-6
            and f.channel == g.get("channel") and f.span[0] < g["span"][1] and g["span"][0] < f.span[1])


@pytest.mark.parametrize("ann", list(_cases()))
def test_annotated_facts(ann: dict) -> None:
    """Every annotated spec fact is found (metric, value, channel, place); nothing else is, no distractor."""
    text = _text(ann)
    facts = narrative.tag_facts(text)
    gold = [g for g in ann["facts"] if g["metric"] in SPEC]
    others = [g for g in ann["facts"] if g["metric"] not in SPEC]
    for f in facts:
        assert text[f.span[0]:f.span[1]] == f.text
        assert f.metric in SPEC and 0.0 <= f.confidence <= 1.0
    missing = [g["text"] for g in gold if not any(_match(f, g) for f in facts)]
    extra = [f"{f.metric} {f.value} {f.channel} {f.text}" for f in facts if not any(_match(f, g) for g in gold)]
    tagged_distractors = [f.text for f in facts for g in others
                          if f.span[0] < g["span"][1] and g["span"][0] < f.span[1]
                          and abs(float(f.value) - float(g["value"])) < 1e-6]
    assert not tagged_distractors, tagged_distractors
    assert not missing, missing
    assert not extra, extra


@pytest.mark.parametrize("ann", [a for a in _annotations()], ids=lambda a: a["id"])
def test_annotation_spans_are_exact(ann: dict) -> None:
    text = _text(ann)
    for g in ann["facts"]:
        assert text[g["span"][0]:g["span"][1]] == g["text"], g


# ------------------------------------------------------------- numbers as written
@pytest.mark.parametrize("s, v", [("三", 3), ("两", 2), ("十", 10), ("十二", 12), ("二十", 20), ("二十三", 23),
                                  ("一百零五", 105), ("一千二百", 1200), ("三万", 30000), ("一二", None), ("", None)])
def test_parse_chinese(s: str, v) -> None:
    assert parse_chinese(s) == v


@pytest.mark.parametrize("n, m, v", [("4.14", "万", 41400), ("3200", "万", 32000000), ("196.4", "萬", 1964000),
                                     ("1,234", None, 1234), ("22.53", None, 22.53), ("三", None, 3)])
def test_value_of(n: str, m, v) -> None:
    assert value_of(n, m) == v


def _one(text: str) -> Fact:
    facts = narrative.tag_facts(text)
    assert len(facts) == 1, [(f.metric, f.value, f.text) for f in facts]
    f = facts[0]
    assert text[f.span[0]:f.span[1]] == f.text
    return f


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
    facts = narrative.tag_facts(text)
    hit = [f for f in facts if f.metric == metric and f.value == value]
    assert hit, [(f.metric, f.value, f.text) for f in facts]
    assert hit[0].approx is approx
    assert text[hit[0].span[0]:hit[0].span[1]] == hit[0].text


def test_channels_and_roles() -> None:
    text = ("2023年，市公安局共发布各类政府信息2098条，其中通过门户网站发布信息636条，"
            "通过官方微博发布信息580条，通过微信公众号发布信息882条。")
    facts = {f.value: f for f in narrative.tag_facts(text)}
    assert facts[2098].channel is None and facts[2098].role == "total"
    assert (facts[636].channel, facts[636].role) == ("website", "part")
    assert (facts[580].channel, facts[580].role) == ("weibo", "part")
    assert (facts[882].channel, facts[882].role) == ("wechat", "part")


def test_category_parts() -> None:
    text = "2022年主动公开政府信息54条，其中工作动态信息51条、通知公告信息1条、财政信息2条。"
    facts = {f.value: f for f in narrative.tag_facts(text)}
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
    assert narrative.tag_facts(text) == []


def test_excluded_spans_are_skipped() -> None:
    text = "全年主动公开政府信息1424条。召开新闻发布会3场。"
    s = text.index("1424")
    facts = narrative.tag_facts(text, exclude=[(s, s + 4)])
    assert [f.value for f in facts] == [3]


def test_section_of_a_fact() -> None:
    text = "一、总体情况\n召开新闻发布会3场。\n二、主动公开政府信息情况\n"
    sections = [SectionSpan("overview", 1, "总体情况", (0, 17)), SectionSpan("proactive", 2, "主动公开政府信息情况", (17, len(text)))]
    (f,) = narrative.tag_facts(text, sections)
    assert f.section == "overview"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("0123456789０１２.,万萬余多约条條件个個场次名人%、，。；：\n \t|（）()“”《》第号年月日其中发布信息新闻发布会微信公众号网站申请办结结转回复率阅读量培训三两十一")), max_size=120))
def test_never_raises_and_spans_slice(text: str) -> None:
    for f in narrative.tag_facts(text):
        assert text[f.span[0]:f.span[1]] == f.text
        assert 0.0 <= f.confidence <= 1.0
    narrative.read_meta(text)


@given(st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_never_raises_on_any_text(text: str) -> None:
    for f in narrative.tag_facts(text):
        assert text[f.span[0]:f.span[1]] == f.text


def test_bad_input_yields_nothing() -> None:
    assert narrative.tag_facts("") == []
    assert narrative.tag_facts(None) == []  # type: ignore[arg-type]
    assert narrative.read_meta(None)["agency"].value is None  # type: ignore[arg-type]


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
        m = narrative.read_meta(_text(ann))
        assert m["agency"].value == ann["agency"] and m["year"].value == ann["year"], p.name


# --------------------------------------------------------------------- checks
def _tables(new: int, processed: int, forward: int, review: int) -> dict:
    return {"table3": {"new": {"total": Cell(new, 0.99)}, "carried_over": {"total": Cell(0, 0.99)},
                       "total_processed": {"total": Cell(processed, 0.99)},
                       "carried_forward": {"total": Cell(forward, 0.99)}},
            "table4": {"review": {"total": Cell(review, 0.99)}}}


def test_agreement_with_tables() -> None:
    text = "我局共接到依申请公开57件。年内共办结54件，结转下年度继续办理3件。因政府信息公开的行政复议1件。"
    facts = narrative.tag_facts(text)
    checks = narrative.agreement_checks(facts, _tables(57, 54, 3, 1), text=text)
    assert {c.rule for c in checks} == {"narrative.applications_received", "narrative.applications_completed",
                                         "narrative.applications_carried_forward", "narrative.reviews"}
    assert all(c.ok for c in checks)
    bad = narrative.agreement_checks(facts, _tables(58, 54, 3, 0), text=text)
    failed = {c.rule for c in bad if not c.ok}
    assert failed == {"narrative.applications_received", "narrative.reviews"}
    assert any("prose 57 vs table 58" in c.detail for c in bad)


def test_agreement_skips_missing_cells() -> None:
    facts = narrative.tag_facts("共收到依申请公开5件。")
    assert narrative.agreement_checks(facts, {"table3": {"new": {"total": Cell(None, 0.0)}}}) == []


# ---------------------------------------------------------------------- model
@pytest.fixture()
def model_copy(tmp_path: Path):
    src = facts_model.models_dir()
    if not (src / facts_model.MODEL_NAME).exists():
        pytest.skip("no trained facts model in models/")
    for name in (facts_model.MODEL_NAME, facts_model.META_NAME):
        shutil.copy(src / name, tmp_path / name)
    yield tmp_path
    facts_model.reload()


def test_model_loads_and_is_used(model_copy: Path) -> None:
    st_ = facts_model.reload(model_copy)
    assert st_["ok"] and st_["mode"] == "model"
    assert narrative.model_status()["ok"]
    meta = json.loads((model_copy / facts_model.META_NAME).read_text(encoding="utf-8"))
    assert {"sha256", "annotations_sha256", "labels", "versions", "metrics"} <= set(meta)


def test_tampered_model_falls_back_to_rules(model_copy: Path) -> None:
    p = model_copy / facts_model.MODEL_NAME
    data = bytearray(p.read_bytes())
    data[len(data) // 2] ^= 0xFF
    p.write_bytes(bytes(data))
    st_ = facts_model.reload(model_copy)
    assert st_["ok"] is False and st_["mode"] == "rules" and "tampered" in st_["message"]
    facts = narrative.tag_facts("全年召开新闻发布会3场，发布政策解读5篇。")
    assert [f.metric for f in facts] == ["press_conferences", "interpretations"]
    assert all(f.confidence < 0.8 for f in facts)  # rules alone: a person looks


def test_model_with_untrusted_type_is_refused(model_copy: Path) -> None:
    import os

    import skops.io as sio
    from sklearn.preprocessing import FunctionTransformer

    p = model_copy / facts_model.MODEL_NAME
    sio.dump(FunctionTransformer(func=os.system), str(p))
    meta_p = model_copy / facts_model.META_NAME
    meta = json.loads(meta_p.read_text(encoding="utf-8"))
    meta["sha256"] = facts_model.sha256_file(p)  # a consistent but hostile pair
    meta_p.write_text(json.dumps(meta), encoding="utf-8")
    st_ = facts_model.reload(model_copy)
    assert st_["ok"] is False and "untrusted" in st_["message"]


def test_missing_model_falls_back_to_rules(tmp_path: Path) -> None:
    try:
        st_ = facts_model.reload(tmp_path)
        assert st_["ok"] is False and "not found" in st_["message"]
        (f,) = narrative.tag_facts("召开新闻发布会3场。")
        assert f.metric == "press_conferences" and f.confidence < 0.8
    finally:
        facts_model.reload()


def test_training_runs_and_reports_grouped_cv(tmp_path: Path) -> None:
    if not (ROOT / "../shared/corpus/excerpts/P001.txt").resolve().exists():
        pytest.skip("../shared absent")
    metrics = narrative.train_facts(str(ANN), str(tmp_path), seed=0)
    assert "grouped" in metrics["cv"]
    assert metrics["cv_model"]["strict"]["overall"]["f1"] >= 0.95
    assert metrics["cv_model"]["distractors_tagged"] == []
    assert (tmp_path / facts_model.MODEL_NAME).exists() and (tmp_path / facts_model.META_NAME).exists()
    st_ = facts_model.load_model(tmp_path)[1]
    assert st_["ok"], st_


def test_generated_reply_verb_after_received_messages_counts_replies():
    """Generated reports: '收到群众来信1254件，已回复1170件' tagged the 1170 as messages received."""
    from extractor.narrative import tag_facts

    text = "（五）互动回应方面。全年收到群众来信1254件，已回复1170件，回复率93%。依申请公开方面，年内共办结54件。"
    got = {(f.metric, f.value) for f in tag_facts(text)}
    assert ("messages_received", 1254) in got
    assert ("messages_replied", 1170) in got
    assert ("messages_received", 1170) not in got
