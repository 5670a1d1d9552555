"""Shared fixtures: the real reports in ../shared and their annotations.

Report texts stay in ../shared (never copied into the repo); tests that
need them skip with a clear message where ../shared is absent.
"""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = (ROOT / ".." / "shared").resolve()
ANNOTATIONS = ROOT / "annotations"
HAVE_SHARED = (SHARED / "spec" / "OUTPUT.md").exists()
needs_shared = pytest.mark.skipif(not HAVE_SHARED, reason="../shared not present: real reports unavailable")

if HAVE_SHARED:
    sys.path.insert(0, str(SHARED / "tools"))


def report_annotations() -> list[dict]:
    out = []
    for p in sorted((ANNOTATIONS / "reports").glob("*.json")):
        out.append(json.loads(p.read_text(encoding="utf-8")))
    return out


def text_path(ann: dict) -> Path:
    """The annotated report's text file (paths in annotations are relative to the repo root)."""
    return (ROOT / ann["text"]["path"]).resolve()


def read_text(ann: dict) -> str:
    p = text_path(ann)
    if not p.exists():
        pytest.skip(f"{p} not present (../shared absent)")
    data = p.read_bytes()
    assert hashlib.sha256(data).hexdigest() == ann["text"]["sha256"], f"{p} changed since it was annotated"
    return data.decode("utf-8")


def conformance_problems(record: dict, text: str) -> list[str]:
    from check_record import problems  # ../shared/tools

    return problems(record, text)
