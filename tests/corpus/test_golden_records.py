"""Every annotated report and bundled sample reads exactly as recorded in golden_records.json.

Written before the move into stage subpackages (issue 9) so that the move
provably changed no record.  A change meant to alter records regenerates
the file (`python -m tests.corpus.golden --update`) in the same commit.
"""
from __future__ import annotations

import json

import pytest

from tests.corpus.golden import GOLDEN, cases, digest, record_of

_GOLDEN = json.loads(GOLDEN.read_text(encoding="utf-8"))
_CASES = list(cases())


def test_every_case_is_recorded() -> None:
    names = {name for name, _, _ in _CASES}
    assert set(_GOLDEN) <= names, sorted(set(_GOLDEN) - names)
    assert {n for n in names if n.startswith("samples/")} <= set(_GOLDEN)
    assert len(_GOLDEN) == 56  # 28 excerpts, 16 annotated reports (3 of them PDFs), 12 samples


@pytest.mark.parametrize("name,path", [(n, p) for n, p, _ in _CASES], ids=[n for n, _, _ in _CASES])
def test_record_is_unchanged(name: str, path) -> None:
    if not path.exists():
        pytest.skip(f"{path} not present (../shared absent)")
    want = _GOLDEN[name]
    got = digest(record_of(path))
    moved = sorted(k for k in want if got.get(k) != want[k])
    assert not moved, f"{name}: record parts changed: {moved}"
