"""A small annotated report made up for the annotation tests (format and `check-data`): valid as it
stands, so a test breaks one thing of it at a time."""
from __future__ import annotations

import hashlib

from extractor.spec.labels import labels

TEXT = ("二、主动公开政府信息情况\n第二十条第（一）项\n信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n"
        "规章\t0\t0\t0\n召开新闻发布会3次。\n")


def gold_tables(bad_identity: bool = False) -> dict:
    """All-zero gold but two new applications granted; `bad_identity` makes the total not add up."""
    L = labels()
    t3 = {r: [0] * 7 for r in L.row3}
    t3["new"] = [2, 0, 0, 0, 0, 0, 2]
    t3["granted"] = [2, 0, 0, 0, 0, 0, 2]
    t3["total_processed"] = [2, 0, 0, 0, 0, 0, 2 if not bad_identity else 3]
    return {
        "table2": {"rules": {"issued": 0, "repealed": 0, "in_force": 0},
                   "normative_docs": {"issued": 0, "repealed": 0, "in_force": 0},
                   "licensing": 0, "punishment": 0, "coercion": 0, "fees_10k_yuan": 0},
        "table3": t3,
        "table4": {g: [0] * 5 for g in L.group4},
    }


def good_annotation() -> dict:
    """The annotation of `TEXT` (stored as texts/r.txt): one fact, one fragment."""
    i = TEXT.index("召开新闻发布会3次")
    j = TEXT.index("规章")
    return {
        "id": "r", "text": {"path": "texts/r.txt", "sha256": hashlib.sha256(TEXT.encode()).hexdigest()},
        "agency": "某局", "year": 2023, "tables": gold_tables(), "agency_error": False, "notes": "",
        "facts": [{"metric": "press_conferences", "channel": None, "value": 3, "unit": "次", "span": [i, i + 9],
                   "text": "召开新闻发布会3次", "role": "total", "approx": False, "category": None}],
        "fragments": [{"span": [j, j + 2], "label": "table2.rules", "text": "规章"}],
    }
