"""Old Word/WPS files: refused with how to convert them; a newer format under the old name read as what it is."""
from __future__ import annotations

from extractor.input.load import load_bytes
from tests.helpers import to_docx, to_html


def test_an_old_binary_word_file_says_how_to_convert_it():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    for name in ("report.doc", "report.wps"):
        doc = load_bytes(ole, name)
        assert doc.error.code == "input.unsupported_format" and doc.format == "doc"
        assert "old Word/WPS" in doc.error.message and "--convert-to docx" in doc.error.message


def test_rtf_under_a_doc_name_is_named_for_what_it_is():
    doc = load_bytes(b"{\\rtf1\\ansi hello}", "report.doc")
    assert doc.error.code == "input.unsupported_format" and doc.error.message.startswith("an RTF file")


def test_a_web_page_or_a_docx_saved_as_doc_is_read():
    html = load_bytes(to_html("一、总体情况\n规章\t1\t0\t3"), "page.doc")
    assert html.error is None and html.format == "html" and "规章\t1\t0\t3" in html.text
    docx = load_bytes(to_docx("一、总体情况\n规章\t1\t0\t3"), "word.doc")
    assert docx.error is None and docx.format == "docx" and "规章\t1\t0\t3" in docx.text
