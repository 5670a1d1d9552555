"""The annotation format: the shipped annotations label every row once, spans show their text, the writer's layout."""
from __future__ import annotations

import json

from extractor.training import annotations as A
from extractor.spec.labels import labels
from tests.training.made import good_annotation
from tests.helpers import needs_shared, read_text, report_annotations


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
    s = A.dumps(good_annotation())
    assert '"new": [2, 0, 0, 0, 0, 0, 2]' in s
    assert json.loads(s) == good_annotation()


@needs_shared
def test_fragment_spans_show_their_text():
    for ann in report_annotations():
        text = read_text(ann)
        for f in ann["fragments"]:
            assert text[f["span"][0]:f["span"][1]] == f["text"]
