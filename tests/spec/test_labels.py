"""The label view: every spelled word from labels.toml, and the facts derived from it once."""
from __future__ import annotations

import tomllib

from extractor.spec import data_text
from extractor.spec.labels import labels, parse


def test_the_balance_comes_from_the_identities():
    b = labels().balance
    assert (b.total, b.lhs, b.rhs) == ("total_processed", ("new", "carried_over"), ("carried_forward",))


def test_an_edited_identity_moves_the_balance():
    raw = tomllib.loads(data_text("labels.toml"))
    for ident in raw["identities"]:
        if ident["rule"] == "table3.balance":
            ident["lhs"] = ["carried_over", "new"]
    assert parse(raw).balance.lhs == ("carried_over", "new")


def test_outcome_groups_follow_the_row_order():
    g = labels().outcome_groups
    assert g["granted"] == "results" and g["partial"] == "results"
    assert g["denied_state_secret"] == "denied" and g["denied_query"] == "denied"
    assert g["unable_no_info"] == "unable" and g["rejected_confirm"] == "rejected"
    assert g["other_overdue_correction"] == g["other_other"] == "other_processing"
    assert "total_processed" not in g


def test_table2_printed_columns_in_either_template():
    L = labels()
    by = {r.key: r for r in L.table2_order}
    assert [r.key for r in L.table2_order] == L.raw["table2"]["order"]
    assert L.table2_columns(by["rules"], "2021") == ["issued", "repealed", "in_force"]
    assert L.table2_columns(by["rules"], "2019") == ["issued", None, "in_force"]
    assert L.table2_columns(by["licensing"], "2019") == [None, None, "decisions"]
    assert L.table2_columns(by["fees"], "2019") == [None, None]
    assert L.table2_columns(by["other_services"], "2021") == [None, None, None]
    assert L.table2_columns(by["central_procurement"], "2019") == [None, None]


def test_every_table_has_its_region_markers():
    for t in ("table2", "table3", "table4"):
        assert labels().starts(t)
