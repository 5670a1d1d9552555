"""The files a person gives a batch: the manifest (provenance into source) and the hierarchy list."""
from __future__ import annotations

import pytest

from extractor.batch.given import manifest_key, read_hierarchy, read_manifest, with_provenance


def test_manifest_rows_by_resolved_path_into_source(tmp_path):
    (tmp_path / "m.csv").write_text("path,url,fetched_at,sha256,publisher\nr/a.txt,https://example.org/a,"
                                    "2024-03-01T10:00:00Z,abc,X\n", encoding="utf-8")
    rows = read_manifest(tmp_path / "m.csv")
    row = rows[manifest_key(str(tmp_path / "r" / "a.txt"))]
    rec = with_provenance({"source": {"path": "r/a.txt", "sha256": "real"}}, row)
    assert rec["source"] == {"path": "r/a.txt", "sha256": "real", "url": "https://example.org/a",
                             "fetched_at": "2024-03-01T10:00:00Z", "manifest_sha256": "abc", "publisher": "X"}
    assert with_provenance(rec, row) == rec


def test_a_manifest_without_a_path_column_is_refused(tmp_path):
    (tmp_path / "m.csv").write_text("url\nx\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no column path"):
        read_manifest(tmp_path / "m.csv")


def test_hierarchy_pairs(tmp_path):
    (tmp_path / "h.csv").write_text("parent,child\n甲市,甲市A区\n甲市,甲市B区\n,\n", encoding="utf-8")
    assert read_hierarchy(tmp_path / "h.csv") == [("甲市", "甲市A区"), ("甲市", "甲市B区")]
