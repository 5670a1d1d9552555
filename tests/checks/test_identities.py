"""The identities expand once; records, gold tables and reviewed records are evaluated by the same rules."""
from __future__ import annotations

from extractor.checks.identities import expand, gold_failures, run_checks
from extractor.record import Cell, empty_tables
from extractor.spec.labels import labels
from extractor.training.gold import gold_value


def test_every_identity_of_the_spec_expands():
    names = [r.name for r in expand()]
    L = labels()
    assert len(names) == len(set(names))
    assert sum(n.startswith("table3.row_total.") for n in names) == len(L.row3)
    assert sum(n.startswith("table3.balance.") for n in names) == len(L.col3)
    assert sum(n.startswith("table3.outcomes.") for n in names) == len(L.col3)
    assert sum(n.startswith("table4.group_total.") for n in names) == len(L.group4)
    outcomes = next(r for r in expand() if r.name == "table3.outcomes.total")
    assert len(outcomes.rhs) == len(L.outcome_rows) == 21  # 25 rows: new, carried over, 21 outcomes, total, forward


def test_a_failing_identity_names_its_cells_and_caps_them():
    tables = empty_tables()
    for c, v in zip(labels().col4, (1, 0, 0, 0, 2)):
        tables["table4"]["review"][c] = Cell(v, 0.99, (0, 1))
    checks = run_checks(tables, certain={("table4", "review", c) for c in labels().col4})
    (bad,) = [c for c in checks if not c.ok]
    assert bad.rule == "table4.group_total.review" and bad.cause == "agency" and bad.detail == "2 ≠ 1+0+0+0"
    assert tables["table4"]["review"]["total"].confidence == 0.85


def test_gold_tables_use_the_same_rules():
    gold = {"table4": {"review": [1, 0, 0, 0, 2]}}
    assert gold_failures(gold_value(gold)) == ["table4.group_total.review: 2 ≠ 1"]
    assert gold_failures(gold_value({"table4": {"review": [1, 0, 0, 1, 2]}})) == []
