"""One table of input formats: the loader, the batch and the CLI read it."""
from __future__ import annotations

from extractor.input import registry
from extractor.input.load import load_bytes


def test_every_suffix_has_one_format():
    seen = [s for f in registry.FORMATS for s in f.suffixes]
    assert len(seen) == len(set(seen))
    assert registry.format_of("a/b.HTM").name == "html"
    assert registry.format_of("report.unknown").name == "text"
    assert registry.format_of(None).name == "text"


def test_batch_picks_up_every_registered_format():
    assert set(registry.batch_suffixes()) == {s for f in registry.FORMATS for s in f.suffixes}


def test_a_new_format_is_one_row(monkeypatch):
    def read_shouting(data: bytes, path, digest):
        from extractor.input.document import Document
        return Document(path, data.decode("ascii").lower(), "ascii", "shout", digest)

    row = registry.Format("shout", (".shout",), read_shouting)
    monkeypatch.setattr(registry, "FORMATS", registry.FORMATS + (row,))
    monkeypatch.setitem(registry._BY_SUFFIX, ".shout", row)
    monkeypatch.setitem(registry._BY_NAME, "shout", row)
    doc = load_bytes(b"HELLO", "x.shout")
    assert (doc.format, doc.text) == ("shout", "hello")
    assert ".shout" in registry.batch_suffixes()


def test_sniff_reads_a_page_as_html_whatever_the_suffix_and_leaves_text_alone():
    """Issue 11 kind 5: a saved page or a script holding the report as an HTML string, under any suffix."""
    from extractor.input.registry import format_of, sniff

    page = b"<!DOCTYPE html><html><body><p>x</p></body></html>"
    script = b'var a = 1;\nlet content = "<p align=\\"center\\">x</p>";'
    plain = "一、总体情况\n本机关 <p> 标记写在正文里。\n".encode()
    assert sniff(page, format_of("a.txt")).name == "html"
    assert sniff(script, format_of("a.js")).name == "html"
    assert sniff(plain, format_of("a.txt")).name == "text"
    assert sniff(page, format_of("a.docx")).name == "docx"  # only text and markdown are sniffed


def test_sniff_leaves_markdown_with_inline_tags_alone():
    from extractor.input.registry import format_of, sniff

    md = "<div align=\"center\">标题</div>\n\n| 行政许可 | 5 |\n|---|---|\n".encode()
    assert sniff(md, format_of("a.md")).name == "markdown"
    assert sniff(b"<?xml version='1.0'?>\n<html><body>x</body></html>", format_of("a.txt")).name == "html"
