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
