"""The HTML page keeps the official grid: real <table>s with rowspan/colspan, gold values in their cells.

The HTML reader expands the spans itself, so the page must carry them.
"""
from __future__ import annotations

import random
from html.parser import HTMLParser

from extractor.spec.labels import labels
from extractor.training.generate.html import render_html
from tests.training.generate.readback import big_gold, nfkc


class _Cells(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables = 0
        self.spans = 0
        self.cells: list[str] = []
        self._in = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables += 1
        if tag == "td":
            self._in = True
            self.cells.append("")
            self.spans += any(k in ("rowspan", "colspan") for k, _ in attrs)

    def handle_endtag(self, tag):
        if tag == "td":
            self._in = False

    def handle_data(self, data):
        if self._in:
            self.cells[-1] += data


def test_render_html_has_real_tables_with_spans():
    gold = big_gold(2)
    page = render_html(gold, random.Random(2), agency="东湖区教育局", year=2023)
    p = _Cells()
    p.feed(page)
    assert p.tables == 3 and p.spans >= 20
    cells = [nfkc(c).strip() for c in p.cells]
    first = cells.index(nfkc(labels().table3_rows[0].label))
    assert [int(x) for x in cells[first + 1:first + 8]] == gold["table3"]["new"]
    assert "139265" in cells
    assert "东湖区教育局2023年" in page
    assert render_html(gold, random.Random(2)) == render_html(gold, random.Random(2))


def test_page_mess_merges_equal_value_rows_and_hides_the_page_in_a_script():
    from extractor.training.generate.html import html_report

    gold = big_gold(2)
    plain, _, _ = html_report(gold, random.Random(4), None, None)
    merged, g, _ = html_report(gold, random.Random(4), None, None, ("merged_values",))
    assert 'rowspan="2"' in merged or 'rowspan="3"' in merged
    assert merged.count("<tr>") == plain.count("<tr>") and g["table3"] == gold["table3"]
    script, _, _ = html_report(gold, random.Random(4), None, None, ("script_string",))
    assert '<table border="1"' not in script and '<table border=\\"1\\"' in script and "let content = \"" in script
    assert script.index("let content") > 2000  # after kilobytes of unrelated script data
