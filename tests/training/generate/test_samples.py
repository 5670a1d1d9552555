"""The bundled samples: every layout, both templates, a GB18030 text and an HTML page, gold that adds up.

They are checked in and other tests read them, so they must also be what
`write_samples` writes today, byte for byte.
"""
from __future__ import annotations

import json

import pytest

from extractor.spec.labels import fold, labels
from extractor.training.generate.layout import LAYOUTS
from extractor.training.generate.samples import write_samples
from extractor.training.generate.tables import TEMPLATES
from tests.helpers import ROOT
from tests.training.generate.readback import identity_failures

SAMPLES = ROOT / "samples"


@pytest.mark.skipif(not SAMPLES.is_dir() or not list(SAMPLES.glob("sample_*")), reason="samples not built")
def test_bundled_samples():
    L = labels()
    reports = sorted(p for p in SAMPLES.glob("sample_*") if not p.name.endswith(".gold.json"))
    assert len(reports) >= 12
    assert sum(p.stat().st_size for p in SAMPLES.iterdir()) < 300_000
    layouts, templates, encodings = set(), set(), set()
    for p in reports:
        rec = json.loads(p.with_name(p.name.split(".")[0] + ".gold.json").read_text(encoding="utf-8"))
        layouts.add(rec["layout"])
        templates.add(rec["template"])
        encodings.add(rec["encoding"])
        assert identity_failures(rec) == []
        data = p.read_bytes()
        if rec["encoding"] == "gb18030":
            with pytest.raises(UnicodeDecodeError):
                data.decode("utf-8")
        text = data.decode(rec["encoding"])
        if rec["format"] == "html":
            assert "<table" in text and "rowspan" in text and "colspan" in text
            continue
        for f in rec["facts"]:
            assert text[f["span"][0]:f["span"][1]] == f["text"]
        folded = fold(text)
        assert all(r.match[0] in folded for r in L.table3_rows if not (rec["template"] == "2019" and
                                                                       (r.new_template_only or r.key == "other_other")))
    assert set(LAYOUTS) | {"html"} <= layouts
    assert templates == set(TEMPLATES)
    assert "gb18030" in encodings


@pytest.mark.skipif(not SAMPLES.is_dir() or not list(SAMPLES.glob("sample_*")), reason="samples not built")
def test_write_samples_reproduces_the_bundled_samples(tmp_path):
    """The command that wrote samples/ (`python -m extractor.training.generate`) still writes the same bytes."""
    write_samples(tmp_path, 12, 7)
    bundled = sorted(p.name for p in SAMPLES.iterdir() if p.name.startswith("sample_"))
    assert sorted(p.name for p in tmp_path.iterdir()) == bundled
    for name in bundled:
        assert (tmp_path / name).read_bytes() == (SAMPLES / name).read_bytes(), name
