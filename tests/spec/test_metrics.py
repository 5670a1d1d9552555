"""The narrative's data: metrics.toml compiles, and what a prose total restates points at real cells."""
from __future__ import annotations

from extractor.record import empty_tables
from extractor.spec.metrics import channel_ids, metric_ids, rules, spec_metrics


def test_restated_cells_exist_in_the_record():
    tables = empty_tables()
    for metric, readings in rules().restated.items():
        assert metric in metric_ids()
        for paths in readings:
            for p in paths:
                t, r, c = p.split(".")
                assert c in tables[t][r], p


def test_ids():
    assert "other" in metric_ids() and "other" not in spec_metrics()
    assert spec_metrics() <= metric_ids()
    assert {"website", "wechat", "weibo", "new_media"} <= channel_ids()


def test_category_words_clean_a_name():
    R = rules()
    assert R.category_tail.sub("", R.category_lead.sub("", "通过门户网站工作动态类信息")) == "门户网站工作动态"
    assert R.quoted_column.search("在“通知公告”栏目").group(1) == "通知公告"
