"""The joint identity search: the reading the column identities leave is chosen."""
from __future__ import annotations

from extractor.tables.material import material
from extractor.tables.readings import enumerate_readings
from extractor.tables.solve import solve_table3
from extractor.spec.labels import labels


def row_total(cells):
    v = [c.value or 0 for c in cells]
    return v[-1] == sum(v[:-1])


def test_joint_solution_picks_the_column_consistent_reading():
    def reads(text):
        mat, _ = material(text, 0, len(text))
        return enumerate_readings(mat, 7, accept=row_total)[0]

    cands = {"new": reads("\t25\t0\t0\t0\t0\t3\t28"), "carried_over": reads("0000000"),
             "unable_no_info": reads("220000325"), "other_other": reads("3000003"),
             "total_processed": reads("\t25\t0\t0\t0\t0\t3\t28"), "carried_forward": reads("0000000")}
    solved = solve_table3(cands, ["unable_no_info", "other_other"], 7, labels().balance)
    assert solved.status == "unique"
    assert solved.choice["unable_no_info"].values == (22, 0, 0, 0, 0, 3, 25)


def test_fuzz_glued_ambiguous_rows_stop_the_joint_search_at_max_work(monkeypatch):
    """benchmarks/fuzz (issue 10), seed 1 (#4454 of the long run): a sample glued in big5 with label soup
    gave many outcome rows of many readings each; the joint search ran 160,000 steps (2 s for an 8 KB
    file).  It stops at MAX_WORK (50,000 now; real tables need under 5,000), marked incomplete."""
    from extractor.tables import solve
    from extractor.tables.readings import CellRead, Reading

    def reading(a: int, b: int) -> Reading:
        return Reading([CellRead(v, 0, 1, str(v), "number") for v in (a, b, 0, 0, 0, 0, a + b)], 1.0)

    outcomes = labels().outcome_rows
    cands = {k: [reading(a, 10 * b) for a in range(10) for b in range(10)] for k in outcomes[:8]}
    steps = []
    real_add = solve._add
    monkeypatch.setattr(solve, "_add", lambda a, b: steps.append(1) or real_add(a, b))
    solved = solve_table3(cands, list(outcomes), 7, labels().balance)
    assert solved.complete is False
    assert len(steps) <= solve.MAX_WORK


def test_fuzz_seed_4_case_28276_deciding_among_many_solutions_builds_each_readings_values_once(monkeypatch):
    """Fuzz seed 4 case #28276 (a 230 KB mutated HTML page): the solver's up to 4 × MAX_WORK solutions were
    compared with the best by rebuilding every reading's values per comparison (7.5 M times; 9.9 s of its
    10 s budget).  The decision is the same; each shared reading's values are built once."""
    from extractor.tables import solve
    from extractor.tables.readings import CellRead, Reading

    a = Reading([CellRead(1, 0, 1, "1", "number")], 0.0)
    b = Reading([CellRead(2, 0, 1, "2", "number")], 0.5)
    sols = [(0.0, {"x": a})] + [(0.1, {"x": a})] * 500 + [(3.0, {"x": b})] * 500
    built = []
    monkeypatch.setattr(Reading, "values", property(lambda r: built.append(r) or tuple(c.value for c in r.cells)))
    got = solve._decide(sols, {"x": [a, b]}, True)
    assert got.status == "preferred" and got.choice["x"] is a and len(got.alternatives) == solve.KEEP
    assert len(built) == 2
