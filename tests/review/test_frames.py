"""A batch as DataFrames (extractor.review.frames): the reports needing review, least certain first."""
from __future__ import annotations

import copy
import json

from extractor.review.frames import REVIEW_COLUMNS, pick_record, read_batch, review_frame, sort_frame
from tests.review.case import doubtful


def test_review_frame_lists_reports_needing_review_least_confident_first(case, tmp_path):
    _, _, rec, _ = case
    sure = copy.deepcopy(rec)
    sure["source"] = {**rec["source"], "path": "sure.txt"}
    sure["needs_review"], sure["confidence"] = False, 0.99
    other = copy.deepcopy(rec)
    other["source"] = {**rec["source"], "path": "other.txt"}
    other["confidence"] = 0.7
    batch = tmp_path / "b.jsonl"
    batch.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in (other, sure, rec)) + "\n{cut mid-li",
                     encoding="utf-8")
    recs = read_batch(batch)
    assert len(recs) == 3  # the partial last line is skipped, not fatal
    df = review_frame(recs)
    assert list(df.columns) == list(REVIEW_COLUMNS)
    assert list(df["path"]) == [rec["source"]["path"], "other.txt"]  # sure.txt needs no review; least confident first
    assert list(df.index) == [2, 0]  # the index is the position in the batch
    row = df.iloc[0]
    assert row["low_cells"] == len(doubtful(rec)) and row["ambiguous_cells"] >= 2
    assert "table2.ambiguous" in row["error_codes"]
    assert list(sort_frame(df, "confidence", ascending=False)["path"]) == ["other.txt", rec["source"]["path"]]
    assert len(review_frame(recs, only_review=False)) == 3
    assert pick_record(recs, "other.txt") is recs[0] and pick_record(recs, 2) is recs[2]


def test_indicators_frame_reads_the_one_computation():
    from extractor.indicators import compute
    from extractor.review import indicators_frame
    from tests.checks.made import record

    rec = record("甲局", 2023, new=8, granted=6)
    df = indicators_frame(rec)
    assert df.loc["granted_rate", "value"] == compute(rec).values["granted_rate"] == 0.75
    assert df.loc["applications_new", "value"] == 8 and df.loc["granted_rate", "zh"] == "予以公开率"
    assert not df["uncertain"].any()
