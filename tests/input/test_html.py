"""HTML pages into the document text: charsets honoured but checked, visible text only, real table rows."""
from __future__ import annotations

import pytest

from extractor.input.html import declared_charset, decode_html, html_to_text
from extractor.input.load import load_bytes
from tests.helpers import norm_rows, seed_text, table_lines, to_html


def test_html_grid_expands_rowspan_colspan():
    page = """<html><body><h1>标题</h1><div>前言<br>第二行</div>
    <table>
      <thead><tr><th rowspan=2>信息内容</th><th colspan="3">件数</th></tr>
      <tr><th>制发</th><th>废止</th><th>现行</th></tr></thead>
      <tbody><tr><td>规章</td><td>1</td><td rowspan="2">0</td><td>5&nbsp;件</td></tr>
      <tr><td>行政<br>规范性文件</td><td>2</td><td>7</td></tr></tbody>
    </table><p>结尾</p></body></html>"""
    text = html_to_text(page)
    assert text.split("\n") == [
        "标题", "前言", "第二行", "",
        "信息内容\t件数\t\t",
        "\t制发\t废止\t现行",
        "规章\t1\t0\t5 件",
        "行政 规范性文件\t2\t0\t7",  # a merged value cell holds for each row it covers (issue 11)
        "", "结尾",
    ]


def test_html_drops_script_style_and_hidden_and_keeps_narrative():
    page = ("<html><head><title>不要</title><style>.a{}</style></head><body>"
            "<script>alert('不要')</script><p>一、总体情况</p><p style='display: none'>隐藏</p>"
            "<p>召开新闻发布会\n3次，共发布\n信息</p></body></html>")
    text = html_to_text(page)
    assert text == "一、总体情况\n召开新闻发布会 3次，共发布信息"


def test_html_layout_table_is_read_as_flow():
    page = ("<table><tr><td><p>一、总体情况</p><p>正文</p>"
            "<table><tr><td>a</td><td>1</td></tr><tr><td>b</td><td>2</td></tr></table>"
            "</td></tr></table>")
    assert html_to_text(page) == "一、总体情况\n正文\n\na\t1\nb\t2"


@pytest.mark.parametrize("charset,declared,words", [
    ("gbk", "gb2312", "政府信息公开工作年度报告"),
    ("big5", "big5", "政府資訊公開工作年度報告"),
    ("utf-8", "utf-8", "政府信息公开工作年度报告"),
])
def test_html_declared_charset_is_honoured(charset, declared, words):
    data = f'<html><head><meta charset="{declared}"></head><body><p>{words}</p></body></html>'
    doc = load_bytes(data.encode(charset), "a.html")
    assert doc.error is None and doc.format == "html"
    assert doc.text == words
    assert declared_charset(data.encode(charset)) == declared


def test_html_wrong_declared_charset_falls_back_and_says_so():
    body = "<p>政府信息公开工作年度报告：本年新收政府信息公开申请数量57件</p>"
    data = ('<html><head><meta charset="utf-8"></head><body>' + body + "</body></html>").encode("gbk")
    text, enc, note = decode_html(data)
    assert enc == "gb18030" and "utf-8" in note
    doc = load_bytes(data, "x.htm")
    assert doc.text.startswith("政府信息公开工作年度报告") and doc.encoding == "gb18030"
    assert doc.warnings[0].code == "input.charset_mismatch"
    # A GBK page labelled iso-8859-1 decodes without error as cp1252, but reads as GBK.
    data2 = data.replace(b'charset="utf-8"', b'charset="iso-8859-1"')
    assert decode_html(data2)[1] == "gb18030"


def test_html_bom_and_utf16():
    page = "<html><body><p>年度报告</p></body></html>"
    assert load_bytes(b"\xef\xbb\xbf" + page.encode(), "a.html").text == "年度报告"
    assert load_bytes(page.encode("utf-16"), "a.html").text == "年度报告"


def test_html_plain_text_saved_as_html_keeps_lines():
    doc = load_bytes("第一行\n第二行\t1\t2\n".encode("gb18030"), "a.html")
    assert doc.text == "第一行\n第二行\t1\t2\n"


def test_html_errors():
    assert load_bytes(b"<html><body><script>x</script></body></html>", "a.html").error.code == "input.no_text"
    assert load_bytes(bytes(range(256)) * 8, "a.html").error.code in ("input.undecodable", "input.binary")


def test_html_seed_tables_survive(tmp_path):
    src = seed_text()
    doc = load_bytes(to_html(src, "gbk"), "seed.html")
    assert doc.error is None and doc.encoding == "gb18030"
    assert norm_rows(table_lines(doc.text)) == norm_rows(table_lines(src))
    assert "不是正文" not in doc.text


def test_fuzz_a_colspan_of_1000_mid_row_does_not_pad_every_row_with_999_tabs():
    """benchmarks/fuzz (issue 10), seed 2 (#287, #926 of a discovery run): a random colspan="99999999"
    (read as 1000) in the middle of a table-3 row pushed the rest of the row 1000 columns right and
    padded every row of the table with 999 tabs: a 113 KB page became megabytes of text and ran past
    its budget.  Columns empty in every row of such a wide grid go; the rows stay aligned."""
    rows = "".join(f"<tr><td>行{r}</td><td>{r}</td><td>{r + 1}</td></tr>" for r in range(200))
    page = ("<html><body><table><tr><td>项目</td><td colspan=99999999>甲</td><td>乙</td></tr>"
            f"{rows}</table><table><tr><td>a</td><td colspan=3>b</td><td>c</td></tr></table></body></html>")
    text = html_to_text(page)
    lines = table_lines(text)
    assert lines[0] == ["项目", "甲", "", "乙"] and lines[1] == ["行0", "0", "1"]
    assert max(line.count("\t") for line in text.splitlines()) == 4  # the narrow table keeps its spans
    assert lines[-1] == ["a", "b", "", "", "c"]


def test_fuzz_a_page_nested_100000_deep_says_so_instead_of_no_visible_text():
    """benchmarks/fuzz (issue 10), adversarial html_deep_nesting: 100,000 nested divs around a report.
    libxml2 stops at 256 levels and keeps only what came before, so the page read as "no visible text";
    it is now said to be nested too deeply (an error when nothing was read, a warning otherwise)."""
    deep = "<div>" * 100_000 + "二、主动公开政府信息情况" + "</div>" * 100_000
    doc = load_bytes(f"<html><body>{deep}</body></html>".encode(), "deep.html")
    assert doc.error.code == "input.corrupt" and "nested too deeply" in doc.error.message
    doc = load_bytes(f"<html><body><p>一、总体情况</p>{deep}</body></html>".encode(), "deep.html")
    assert doc.error is None and doc.text == "一、总体情况"
    assert [w.code for w in doc.warnings] == ["input.truncated"]
    shallow = load_bytes(b"<html><body>" + b"<div>" * 200 + "正文".encode() + b"</div>" * 200 + b"</body></html>", "ok.html")
    assert shallow.error is None and shallow.warnings == [] and shallow.text == "正文"


def test_a_value_cell_merged_over_rows_fills_each_row_it_covers_and_is_recorded():
    """Issue 11 kind 6: （六）其他处理's seven 0 cells carry rowspan="3"; the next two rows print only labels."""
    zeros = "".join('<td rowspan="3">0</td>' for _ in range(7))
    page = ("<html><body><table><tr><td>1.申请人逾期不补正</td>" + zeros + "</tr>"
            "<tr><td>2.申请人逾期未缴费</td></tr><tr><td>3.其他</td></tr>"
            '<tr><td rowspan="2">（七）总计</td><td>5</td></tr><tr><td>6</td></tr></table></body></html>')
    doc = load_bytes(page.encode("utf-8"), "a.html")
    rows = doc.text.split("\n")
    assert rows[:3] == ["1.申请人逾期不补正" + "\t0" * 7, "2.申请人逾期未缴费" + "\t0" * 7, "3.其他" + "\t0" * 7]
    assert rows[3:5] == ["（七）总计\t5" + "\t" * 6, "\t6" + "\t" * 6]  # a merged label is never copied down
    assert [i.code for i in doc.warnings] == ["input.merged_values"] and "14" in doc.warnings[0].message


def _report_body() -> str:
    return ("<h1>某局2023年政府信息公开工作年度报告</h1>"
            + "".join(f"<p style=\"text-indent:2em\">{'本机关认真贯彻落实政府信息公开条例要求，' * 4}第{k}段。</p>"
                      for k in range(4))
            + "<table><tr><td>行政许可</td><td>568</td></tr></table>")


def test_a_report_kept_as_a_string_in_a_script_is_read_as_html():
    """Issue 11 kind 5: `let content = "<p align=\\"center\\">…"` after kilobytes of script data, escaped quotes,
    line breaks, \\uXXXX and \\/ — read whatever the suffix."""
    body = _report_body().replace("/", "\\/").replace('"', '\\"').replace("</p>", "</p>\\n").replace("局", "\\u5c40")
    junk = ",".join(f'"k{i}":{{"url":"\\/static\\/{i}.js"}}' for i in range(300))
    script = f'var cfg = {{{junk}}};\nlet content = "{body}";\ndocument.write(content);\n'
    for name in ("report.js", "report.txt", "report.html"):
        doc = load_bytes(("<html><head><script>" + script + "</script></head><body></body></html>").encode(), name)
        assert doc.format == "html" and doc.error is None
        lines = doc.text.split("\n")
        assert lines[0] == "某局2023年政府信息公开工作年度报告" and "行政许可\t568" in lines
        assert "input.embedded_html" in [i.code for i in doc.warnings]
    bare = load_bytes(script.encode(), "report.js")  # the script alone, no page around it
    assert bare.format == "html" and "行政许可\t568" in bare.text.split("\n")


def test_a_json_field_holding_the_report_is_read_as_html():
    import json

    data = json.dumps({"code": 0, "data": {"title": "x", "content": _report_body()}}, ensure_ascii=True)
    doc = load_bytes(data.encode(), "article.json")
    assert doc.format == "html" and "行政许可\t568" in doc.text.split("\n")


def test_a_short_script_string_of_markup_never_replaces_the_page():
    page = ("<html><head><script>var tip = \"<p class=\\\"tip\\\">提示</p>\";</script></head><body>"
            + _report_body() + "</body></html>")
    doc = load_bytes(page.encode(), "a.html")
    assert "行政许可\t568" in doc.text.split("\n") and doc.warnings == []
