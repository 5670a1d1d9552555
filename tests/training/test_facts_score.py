"""The one facts scorer: matches, implicit zeros, distractors, calibration steps, the evaluate table."""
from __future__ import annotations

from extractor.record import Fact
from extractor.training.facts_score import calibration_map, format_measure, per_metric, score

SPEC = frozenset({"posts", "applications_received"})


def _fact(metric: str, value: float, span: tuple[int, int], channel: str | None = None) -> Fact:
    return Fact(metric=metric, value=value, unit=None, span=span, text="x", confidence=0.9, channel=channel,
                section=None, role="total", approx=False, category=None)


def _gold(metric: str, value: float, span: tuple[int, int], **kw) -> dict:
    return {"metric": metric, "value": value, "span": list(span), "channel": kw.pop("channel", None), **kw}


def test_strict_asks_the_channel_loose_does_not() -> None:
    s = score([_fact("posts", 5, (0, 4), "website")], [_gold("posts", 5, (0, 5))], SPEC)
    assert s["counts"]["posts"] == {"tp": 0, "fp": 1, "fn": 1}
    assert s["loose"]["posts"] == {"tp": 1, "fp": 0, "fn": 0}


def test_an_implicit_zero_is_neither_right_nor_wrong_and_a_distractor_is_listed() -> None:
    gold = [_gold("other", 0, (10, 20), implicit_metric="applications_received"),
            _gold("other", 2023, (30, 35), distractor=True)]
    pred = [_fact("applications_received", 0, (12, 15)), _fact("posts", 2023, (30, 34))]
    s = score(pred, gold, SPEC)
    assert "applications_received" not in s["counts"]
    assert s["counts"]["posts"]["fp"] == 1 and s["distractors"] == ["x"]


def test_role_is_scored_only_where_the_annotation_says_it() -> None:
    s = score([_fact("posts", 5, (0, 4))], [_gold("posts", 5, (0, 5))], SPEC)
    assert s["role_n"] == 0


def test_calibration_steps_are_smoothed_and_never_claim_more_than_the_bins_above() -> None:
    bins = [{"lo": 0.0, "right": 0.4, "facts": 8}, {"lo": 0.5, "right": 0.8, "facts": 98},
            {"lo": 0.9, "right": 0.7, "facts": 8}, {"lo": 0.99, "right": 1.0, "facts": 12}]
    # (3+1)/10, min((78+1)/100, cap), (6+1)/10, (12+1)/14: twelve right of twelve is not certainty
    assert calibration_map(bins) == [[0.0, 0.4], [0.5, 0.7], [0.9, 0.7], [0.99, 0.9286]]


def test_the_evaluate_table_shows_held_out_beside_cross_validated() -> None:
    counts = {"posts": {"tp": 9, "fp": 1, "fn": 0}}
    run = {"strict": per_metric(counts), "loose": per_metric(counts), "distractors_tagged": [], "calibration": []}
    res = {"development": 2, "test": 1, "cv": "2-fold", "decision": {"keep_at": 0.8, "add_at": 0.9},
           "cv_model": run, "held_out_model": run, "held_out_by_source": {"corpus/x": run["strict"]["overall"]}}
    out = format_measure(res)
    assert "held-out P" in out and "CV P" in out and "posts" in out and "0.947" in out
