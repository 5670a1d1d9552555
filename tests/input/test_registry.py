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
