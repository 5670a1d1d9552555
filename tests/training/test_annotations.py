"""The annotation format: the shipped annotations label every row once, spans show their text, the writer's layout."""
from __future__ import annotations

import hashlib
import json

from extractor.training import annotations as A
from extractor.spec.labels import labels
from tests.helpers import needs_shared, report_annotations, text_path


# ---------------------------------------------------------------- a broken annotation
TEXT = ("二、主动公开政府信息情况\n第二十条第（一）项\n信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n"
        "规章\t0\t0\t0\n召开新闻发布会3次。\n")


def _tables(bad_identity: bool = False) -> dict:
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


def _good() -> dict:
    i = TEXT.index("召开新闻发布会3次")
    j = TEXT.index("规章")
    return {
        "id": "r", "text": {"path": "texts/r.txt", "sha256": hashlib.sha256(TEXT.encode()).hexdigest()},
        "agency": "某局", "year": 2023, "tables": _tables(), "agency_error": False, "notes": "",
        "facts": [{"metric": "press_conferences", "channel": None, "value": 3, "unit": "次", "span": [i, i + 9],
                   "text": "召开新闻发布会3次", "role": "total", "approx": False, "category": None}],
        "fragments": [{"span": [j, j + 2], "label": "table2.rules", "text": "规章"}],
    }


@needs_shared
def test_every_report_has_its_rows_labelled_once():
    L = labels()
    for ann in report_annotations():
        counts: dict[str, int] = {}
        for f in ann["fragments"]:
            counts[f["label"]] = counts.get(f["label"], 0) + 1
        old = ann["tables"]["table3"]["other_overdue_correction"] == [None] * 7
        for r in L.table3_rows:
            if old and (r.new_template_only or r.key == "other_other"):
                continue  # the older template: （六）其他处理 is the row
            assert counts.get(f"table3.{r.key}") == 1, (ann["id"], r.key)
        for r in L.table2_rows:
            assert counts.get(f"table2.{r.key}") == 1, (ann["id"], r.key)


def test_dumps_keeps_value_lists_on_one_line():
    s = A.dumps(_good())
    assert '"new": [2, 0, 0, 0, 0, 0, 2]' in s
    assert json.loads(s) == _good()


@needs_shared
def test_fragment_spans_show_their_text():
    for ann in report_annotations():
        text = A.read_document(text_path(ann))  # spans index the document text (CR-only line ends kept: hb07)
        for f in ann["fragments"]:
            assert text[f["span"][0]:f["span"][1]] == f["text"]
