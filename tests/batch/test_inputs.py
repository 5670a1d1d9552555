"""What a batch reads: files, directories and globs (extractor/batch/inputs.py)."""
from __future__ import annotations

import hashlib
import os

from extractor.batch import collect_inputs
from extractor.batch.inputs import file_sha256
from extractor.input import load as loader
from extractor.input import registry
from extractor.input.document import Document
from tests.batch.hooks import small_reports


def test_collect_inputs_dirs_globs_and_missing(tmp_path):
    small_reports(tmp_path / "a", 2)
    (tmp_path / "a" / "deep").mkdir()
    (tmp_path / "a" / "deep" / "x.HTML").write_text("<p>x</p>")
    (tmp_path / "a" / "skip.json").write_text("{}")
    (tmp_path / "b.md").write_text("b")
    paths, unmatched = collect_inputs([str(tmp_path / "a"), str(tmp_path / "*.md"), str(tmp_path / "none*.txt"),
                                       str(tmp_path / "gone.txt"), str(tmp_path / "b.md")])
    names = [os.path.relpath(p, tmp_path) for p in paths]
    assert names == ["a/deep/x.HTML", "a/r000.txt", "a/r001.txt", "b.md", "gone.txt"]
    assert unmatched == [str(tmp_path / "none*.txt")]


def _read_shouting(data: bytes, path: str | None, digest: str) -> Document:
    return Document(path, data.decode("ascii").lower(), "ascii", "shout", digest)


def test_a_format_added_to_the_registry_is_collected(tmp_path, monkeypatch):
    """Issue 9: batch kept its own suffix list, so a format added to the readers was silently skipped."""
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.shout").write_bytes(b"HELLO")
    (tmp_path / "d" / "b.quiet").write_bytes(b"hush")
    (tmp_path / "c.shout").write_bytes(b"HI")
    before, _ = collect_inputs([str(tmp_path / "d"), str(tmp_path / "*.shout")])
    assert before == []
    shout = registry.Format("shout", (".shout",), _read_shouting)
    quiet = registry.Format("quiet", (".quiet",), _read_shouting, batch=False)
    monkeypatch.setattr(registry, "FORMATS", registry.FORMATS + (shout, quiet))
    paths, unmatched = collect_inputs([str(tmp_path / "d"), str(tmp_path / "*.shout")])
    assert [os.path.relpath(p, tmp_path) for p in paths] == ["c.shout", "d/a.shout"]
    assert unmatched == []


def test_every_registered_batch_suffix_is_collected(tmp_path):
    for i, suffix in enumerate(registry.batch_suffixes()):
        (tmp_path / f"f{i}{suffix.upper() if i % 2 else suffix}").write_bytes(b"x")
    paths, _ = collect_inputs([str(tmp_path)])
    assert len(paths) == len(registry.batch_suffixes())


def test_file_sha256_matches_the_loader(tmp_path, monkeypatch):
    p = tmp_path / "r.txt"
    p.write_bytes(b"abc" * 1000)
    assert file_sha256(str(p)) == hashlib.sha256(p.read_bytes()).hexdigest() == loader.load(p).sha256
    assert file_sha256(str(tmp_path / "gone.txt")) == ""
    monkeypatch.setattr("extractor.batch.inputs.MAX_BYTES", 10)
    assert file_sha256(str(p)) == ""  # too large: the loader records no sha256 either
