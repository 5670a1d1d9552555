"""Corpus excerpt gold (quotes, the corpus's metric names) as annotations (spans, the spec's names)."""
from __future__ import annotations

import json
from pathlib import Path

from extractor.training.corpus_gold import convert, import_dir
from tests.helpers import ANNOTATIONS, SHARED, needs_shared

TEXT = "全年通过门户网站发布信息120条，其中工作动态80条、通知公告40条。2023年收到申请5件。未收到复议申请。"


def _gold() -> dict:
    f = lambda quote, metric, value, **kw: {"quote": quote, "metric": metric, "channel": kw.pop("channel", None),  # noqa: E731
                                            "value": value, "unit": None, "approx": False, **kw}
    return {"narrative_facts": [
        f("通过门户网站发布信息120条", "posts_by_channel", 120, channel="website"),
        f("工作动态80条", "other", 80, note="category breakdown"),
        f("通知公告40条", "other", 40, note="category breakdown"),
        f("2023年", "other", 2023, distractor=True, note="distractor: year"),
        f("收到申请5件", "other", 5, note="something else"),
        f("未收到复议申请", "other", 0, implicit_metric="reviews"),
    ]}


def test_convert_places_quotes_maps_names_and_makes_categories_parts() -> None:
    facts = convert(_gold(), TEXT)
    assert not isinstance(facts, str)
    for f in facts:
        assert TEXT[f["span"][0]:f["span"][1]] == f["text"]
    posts, cat1, cat2, year, other, implicit = facts
    assert posts["metric"] == "posts" and posts["channel"] == "website" and "role" not in posts
    assert (cat1["metric"], cat1["role"], cat1["channel"]) == ("posts", "part", "website")
    assert cat2["metric"] == "posts" and cat2["role"] == "part"
    assert year["metric"] == "other" and year["distractor"] is True
    assert other["metric"] == "other" and implicit["implicit_metric"] == "reviews" and implicit["value"] == 0


def test_a_quote_not_in_the_text_is_reported() -> None:
    gold = {"narrative_facts": [{"quote": "不在文中", "metric": "other", "channel": None, "value": 1, "unit": None}]}
    assert "not found" in convert(gold, TEXT)


def test_import_dir_writes_annotations_referencing_the_texts(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "Z001.txt").write_text(TEXT, encoding="utf-8")
    (corpus / "Z001.gold.json").write_text(json.dumps(_gold(), ensure_ascii=False), encoding="utf-8")
    written, problems = import_dir(corpus, tmp_path / "annotations")
    assert problems == [] and [p.name for p in written] == ["Z001.json"]
    ann = json.loads(written[0].read_text(encoding="utf-8"))
    assert ann["facts_complete"] is True and len(ann["facts"]) == 6 and len(ann["text"]["sha256"]) == 64


@needs_shared
def test_the_committed_excerpts2_annotations_are_what_the_import_writes(tmp_path: Path) -> None:
    written, problems = import_dir(SHARED / "corpus" / "excerpts2", tmp_path / "annotations")
    assert problems == [] and len(written) == 84
    for p in written:
        mine = json.loads(p.read_text(encoding="utf-8"))
        shipped = json.loads((ANNOTATIONS / "excerpts" / p.name).read_text(encoding="utf-8"))
        assert mine["facts"] == shipped["facts"] and mine["text"]["sha256"] == shipped["text"]["sha256"]


def test_channels_follow_output_md_and_metrics_without_one_carry_none() -> None:
    text = "政务新媒体发布信息30条，通过热线受理咨询12条。"
    gold = {"narrative_facts": [
        {"quote": "政务新媒体发布信息30条", "metric": "posts_published", "channel": "other", "value": 30, "unit": "条",
         "note": "new_media unspecified"},
        {"quote": "通过热线受理咨询12条", "metric": "messages_received", "channel": "hotline", "value": 12, "unit": "条"},
    ]}
    posts, messages = convert(gold, text)
    assert posts["channel"] == "new_media" and messages["channel"] is None


def test_applications_carried_from_the_year_before_are_carried_over_not_forward() -> None:
    """Issue 12c: excerpts2's `applications_carried` counts both directions; the spec's carried_forward is only
    those carried to the next year (table 3's carried_forward), so 上年结转 becomes the carried-over restatement."""
    text = "收到申请9件,上年结转申请2件,結轉上年度申請1件,结转下年度继续办理3件,上年结转的1件结转下年度办理。"
    f = lambda quote, value: {"quote": quote, "metric": "applications_carried", "channel": None,  # noqa: E731
                              "value": value, "unit": "件"}
    quotes = ["上年结转申请2件", "結轉上年度申請1件", "结转下年度继续办理3件", "上年结转的1件结转下年度办理"]
    facts = convert({"narrative_facts": [f(q, v) for q, v in zip(quotes, (2, 1, 3, 1))]}, text)
    assert [g["metric"] for g in facts] == ["applications_carried_over", "applications_carried_over",
                                           "applications_carried_forward", "applications_carried_forward"]
